"""`unpack_frame`: the decoded layers of every text in a Series or DataFrame, one row each."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from huntbook.analysis.decode.errors import UnpackInputError
from huntbook.analysis.decode.finders import find_candidates
from huntbook.analysis.decode.layers import Layer
from huntbook.analysis.decode.limits import Limits
from huntbook.analysis.decode.unpack import DEFAULT, unpack_within, worth_decoding
from huntbook.errors import did_you_mean

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = (
    "row",
    "column",
    "path",
    "depth",
    "encoding",
    "chain",
    "start",
    "end",
    "source",
    "name",
    "size",
    "charset",
    "file_type",
    "md5",
    "sha1",
    "sha256",
    "truncated",
    "limit",
    "text",
)
_DTYPES = {"depth": "int64", "start": "int64", "end": "int64", "size": "int64", "truncated": "bool"}
_SEPARATOR = "\x00"
"""Joins the texts for one scan; no candidate pattern matches it, so none spans two texts."""


def unpack_frame(
    data: pd.Series | pd.DataFrame,
    *,
    columns: Sequence[str] | str | None = None,
    max_depth: int = DEFAULT.max_depth,
    max_layer_bytes: int = DEFAULT.max_layer_bytes,
    max_total_bytes: int = DEFAULT.max_total_bytes,
    max_layers: int = DEFAULT.max_layers,
) -> pd.DataFrame:
    """Decode the payloads in every text of *data*, as `unpack` does, one row per decoded layer.

    Each distinct value is unpacked once, and only values in which the one
    scan of all of them finds a candidate worth decoding. Rows come in the
    order of the source rows, then of the columns, then of the layers.

    Parameters
    ----------
    data : Series or DataFrame
        Texts (or bytes) to unpack. Missing values are skipped; other values
        are unpacked as their ``str()``.
    columns : str or list of str, optional
        For a DataFrame: the columns to unpack (default: every column of
        strings or objects).
    max_depth, max_layer_bytes, max_total_bytes, max_layers : int
        The limits of `unpack`, applied to each value.

    Returns
    -------
    pandas.DataFrame
        ``row`` (the index label of the source row), ``column`` (None for an
        unnamed Series), ``path`` (child indices from the value, joined with
        dots), ``depth``, ``encoding``, ``chain`` (the encodings from the
        value down, joined with ``" > "``), ``start``/``end``/``source`` (the
        encoded span in the parent layer), ``name`` (of an archive member),
        ``size``, ``charset``, ``file_type``, ``md5``, ``sha1``, ``sha256``,
        ``truncated``, ``limit`` and ``text`` (printable).

    Raises
    ------
    UnpackInputError
        *data* is not a Series or DataFrame, or *columns* names a column it
        does not have.
    UnpackLimitError
        A limit is not a positive integer.
    """
    import numpy as np
    import pandas as pd

    limits = Limits(max_depth, max_layer_bytes, max_total_bytes, max_layers)
    found: list[tuple[int, int, list[tuple[Any, ...]]]] = []
    for order, (column, series) in enumerate(_columns(data, columns)):
        codes, uniques = _factorize(series)
        values = [_as_input(value) for value in uniques]
        layers = {code: _records(unpack_within(values[code], limits)) for code in _with_payloads(values)}
        layers = {code: rows for code, rows in layers.items() if rows}
        for position in np.flatnonzero(np.isin(codes, list(layers))).tolist():
            label = series.index[position]
            found.append((position, order, [(label, column, *row) for row in layers[int(codes[position])]]))
    found.sort(key=lambda item: item[:2])
    records = [record for _, _, rows in found for record in rows]
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    return frame.astype(_DTYPES)


def _records(root: Layer) -> list[tuple[Any, ...]]:
    """The columns after ``row`` and ``column`` for each layer below *root*."""
    return [
        (
            ".".join(map(str, layer.path)),
            layer.depth,
            layer.encoding,
            " > ".join(layer.chain),
            layer.start,
            layer.end,
            layer.source,
            layer.name,
            layer.size,
            layer.charset,
            layer.file_type,
            layer.md5,
            layer.sha1,
            layer.sha256,
            layer.truncated,
            layer.limit,
            layer.text,
        )
        for layer in root.layers()
    ]


def _with_payloads(values: list[str | bytes]) -> list[int]:
    """The positions of the values worth unpacking: bytes, and texts with a candidate worth decoding."""
    found = {i for i, value in enumerate(values) if isinstance(value, bytes)}
    texts = [(i, value) for i, value in enumerate(values) if isinstance(value, str)]
    starts = []
    offset = 0
    for _, text in texts:
        starts.append(offset)
        offset += len(text) + 1
    joined = _SEPARATOR.join(text for _, text in texts)
    for candidate in find_candidates(joined, worth_decoding):
        found.add(texts[bisect.bisect_right(starts, candidate.start) - 1][0])
    return sorted(found)


def _factorize(series: pd.Series) -> tuple[Any, list[object]]:
    import pandas as pd

    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable values, such as bytearray
        codes, uniques = pd.factorize(series.map(_as_input, na_action="ignore"), use_na_sentinel=True)
    return codes, uniques.tolist()  # an Arrow-backed Index converts in one go, not value by value


def _as_input(value: object) -> str | bytes:
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return str(value)


def _columns(data: object, columns: Sequence[str] | str | None) -> list[tuple[str | None, pd.Series]]:
    import pandas as pd

    if isinstance(data, pd.Series):
        if columns is not None:
            raise UnpackInputError(
                "'columns' applies only to a DataFrame.", argument="columns", value=columns
            )
        return [(None if data.name is None else str(data.name), data)]
    if not isinstance(data, pd.DataFrame):
        raise UnpackInputError(
            f"unpack_frame takes a Series or a DataFrame, not {type(data).__name__}; "
            "for one text use unpack.",
            argument="data",
            value=type(data).__name__,
        )
    if columns is None:
        names = [c for c in data.columns if _is_text(data[c])]
    else:
        if not isinstance(columns, str | Sequence):
            raise UnpackInputError(
                f"'columns' takes a column name or a list of them, not {type(columns).__name__}.",
                argument="columns",
                value=columns,
            )
        names = [columns] if isinstance(columns, str) else list(columns)
        for name in names:
            if name not in data.columns:
                hint = did_you_mean(str(name), map(str, data.columns))
                listing = ", ".join(map(str, data.columns))
                raise UnpackInputError(
                    f"No column {name!r} in the DataFrame.{hint} Its columns: {listing}.",
                    argument="columns",
                    value=name,
                )
    return [(str(name), data[name]) for name in names]


def _is_text(series: pd.Series) -> bool:
    import pandas as pd

    return series.dtype == object or isinstance(series.dtype, pd.StringDtype)
