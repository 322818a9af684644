"""`extract_iocs`: indicators out of a string, a list, a Series or a DataFrame."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from huntbook.analysis.iocs.arrow_regex import ArrowStrings
from huntbook.analysis.iocs.found import expand
from huntbook.analysis.iocs.scan import scan_texts
from huntbook.analysis.iocs.types import resolve_types
from huntbook.errors import HuntbookError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["type", "observable", "original", "row", "column", "start", "end"]


class IocInputError(HuntbookError, TypeError):
    """`extract_iocs` was given something it cannot read."""


def extract_iocs(
    data: str | Iterable[str] | pd.Series | pd.DataFrame,
    *,
    columns: Sequence[str] | str | None = None,
    types: Sequence[str] | str | None = None,
    nested: bool = False,
    allow_filenames: bool = False,
    allow_code_names: bool = False,
    refang: bool = True,
    url_decode: bool = True,
) -> pd.DataFrame:
    """Find indicators of compromise in text.

    Parameters
    ----------
    data : str, list of str, Series or DataFrame
        The text to search. Missing values are skipped; other non-strings are
        searched as their ``str()``.
    columns : str or list of str, optional
        For a DataFrame: the columns to search (default: every column of
        strings).
    types : str or list of str, optional
        The types to find (default: all): ``ipv4``, ``ipv6``, ``domain``,
        ``url``, ``email``, ``md5``, ``sha1``, ``sha256``, ``winpath``,
        ``linpath``, ``cve``, ``mac``, ``regkey`` and registered custom types.
    nested : bool
        Also report indicators inside others: the host of a URL, the domain
        of an email, a file name inside a path.
    allow_filenames : bool
        Report domains that look like file names (``invoice.zip``, ``run.sh``).
    allow_code_names : bool
        Report dotted names of code that end in a real TLD as domains: COM
        ProgIDs (``wscript.shell``, ``adodb.stream``), ELF section names
        (``.note.gnu.property``, ``.plt.got``) and .NET namespaces
        (``system.io``); by default they are left out (see
        `huntbook.analysis.iocs.code_names`).
    refang : bool
        Re-fang defanged indicators (``hxxp://evil[.]com``); ``original`` keeps
        the text as it was.
    url_decode : bool
        Also search the URL-decoded form of text with ``%XX`` escapes.

    Returns
    -------
    pandas.DataFrame
        One row per indicator found: ``type``, ``observable`` (normalised,
        re-fanged), ``original`` (as in the text), ``row`` (the index label
        of the source row; the position for a list), ``column`` (the source
        column; None for a string, list or unnamed Series), ``start`` and
        ``end`` (character offsets of ``original`` in the source text).

    Examples
    --------
    >>> extract_iocs("beacon to hxxp://evil[.]com/a from 10.1.2.3")[["type", "observable"]]
       type          observable
    0  ipv4            10.1.2.3
    1   url   http://evil.com/a
    """
    import pandas as pd

    kinds = resolve_types(
        types, allow_filenames=allow_filenames, nested=nested, allow_code_names=allow_code_names
    )
    options = {"nested": nested, "refang": refang, "url_decode": url_decode}
    parts = []
    for order, (column, series) in enumerate(_text_columns(data, columns)):
        part = _extract_series(series, column, kinds, options)
        part["_column"] = order
        parts.append(part)
    if not parts:
        return _empty()
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    frame = frame.sort_values(["_position", "_column", "start", "type"], kind="stable")
    return frame.drop(columns=["_position", "_column"]).reset_index(drop=True)


def _text_columns(data: Any, columns: Sequence[str] | str | None) -> list[tuple[str | None, pd.Series]]:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return _frame_columns(data, columns)
    if columns is not None:
        raise IocInputError("'columns' applies only to a DataFrame; pass the text itself otherwise.")
    if isinstance(data, str):
        return [(None, pd.Series([data], dtype=object))]
    if isinstance(data, pd.Series):
        return [(None if data.name is None else str(data.name), data)]
    if isinstance(data, bytes | bytearray):
        raise IocInputError(
            "extract_iocs takes text, not bytes: decode it first (e.g. data.decode('utf-8'))."
        )
    if isinstance(data, Iterable):
        return [(None, pd.Series(list(data), dtype=object))]
    raise IocInputError(
        f"extract_iocs takes a string, a list of strings, a Series or a DataFrame, not {type(data).__name__}."
    )


def _frame_columns(
    frame: pd.DataFrame, columns: Sequence[str] | str | None
) -> list[tuple[str | None, pd.Series]]:
    if columns is None:
        names = [c for c in frame.columns if frame[c].dtype == object or pd_string(frame[c])]
    else:
        names = [columns] if isinstance(columns, str) else list(columns)
        missing = [c for c in names if c not in frame.columns]
        if missing:
            hint = did_you_mean(str(missing[0]), map(str, frame.columns))
            listing = ", ".join(map(str, frame.columns))
            raise IocInputError(f"No column {missing[0]!r} in the DataFrame.{hint} Its columns: {listing}.")
    return [(str(name), frame[name]) for name in names]


def pd_string(series: pd.Series) -> bool:
    """True for a pandas string-dtype column."""
    import pandas as pd

    return isinstance(series.dtype, pd.StringDtype)


def _extract_series(
    series: pd.Series, column: str | None, kinds: list[Any], options: dict[str, bool]
) -> pd.DataFrame:
    """The indicators of one column: each distinct value is scanned once, then given to its rows."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = ArrowStrings.of(uniques) or [_as_text(v) for v in uniques]  # Arrow-backed: no str per value
    found = scan_texts(texts, kinds, **options)
    hit, source = expand(found.text, codes)
    return pd.DataFrame(
        {
            "type": _categorical(found.type, hit),
            "observable": _categorical(found.observable, hit),
            "original": _categorical(found.original, hit),
            "row": series.index.to_numpy()[source],
            "column": column,
            "start": found.start[hit],
            "end": found.end[hit],
            "_position": source,
        }
    )


def _categorical(values: np.ndarray, take: np.ndarray) -> pd.Categorical:
    """``values[take]`` as a categorical: few distinct strings, many rows, no per-row copies."""
    import pandas as pd

    codes, categories = pd.factorize(values)
    return pd.Categorical.from_codes(codes[take], categories=pd.Index(categories, dtype=object))


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _empty() -> pd.DataFrame:
    import pandas as pd

    text_columns = ("type", "observable", "original", "row", "column")
    return pd.DataFrame({n: pd.Series(dtype=object if n in text_columns else "int64") for n in COLUMNS})
