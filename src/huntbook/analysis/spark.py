"""Run huntbook's DataFrame functions per partition on Apache Spark.

The analysis functions are pure and work on one batch of rows at a time, so
on data too big for one machine they run unchanged inside Spark's Python
workers through ``mapInPandas``: each Arrow batch of a partition becomes a
pandas DataFrame, the function runs on it, and its rows flow back as a Spark
DataFrame. Nothing is collected to the driver.

::

    from huntbook.analysis.spark import extract_iocs_spark, unpack_frame_spark

    events = spark.table("SecurityEvent")
    iocs = extract_iocs_spark(events, columns="CommandLine", key="EventRecordId")
    iocs.groupBy("type", "observable").count().orderBy("count").show()

    layers = unpack_frame_spark(events, columns="CommandLine", key="EventRecordId")

``key`` names the column that identifies a source row; the output's ``row``
column carries its value (a single-machine run puts the pandas index label
there). Without a key, rows are numbered with Spark's
``monotonically_increasing_id`` (unique, not consecutive).

The results hold the same rows as `huntbook.extract_iocs` / `unpack_frame`
on the whole table at once, in no particular order (sort them if order
matters). The workers need huntbook installed; in local mode they use the
driver's Python.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from huntbook.errors import HuntbookError, MissingExtraError

if TYPE_CHECKING:
    import pandas as pd

ROW_ID = "__huntbook_row"

PANDAS_NOTICE = "PySpark does not yet fully support pandas"
"""PySpark 4 warns about pandas 3 when a pandas UDF is defined; the batches we exchange are plain."""


class SparkAnalysisError(HuntbookError):
    """A Spark analysis helper got a DataFrame or arguments it cannot use."""


IOC_FIELDS = (
    ("type", "string"),
    ("observable", "string"),
    ("original", "string"),
    ("row", None),
    ("column", "string"),
    ("start", "bigint"),
    ("end", "bigint"),
)
"""Columns of `extract_iocs` output (``row`` takes the key column's type)."""

_UNPACK_TYPES = {
    "depth": "bigint",
    "start": "bigint",
    "end": "bigint",
    "size": "bigint",
    "truncated": "boolean",
}


def extract_iocs_spark(
    frame: Any,
    *,
    columns: Sequence[str] | str,
    key: str | None = None,
    types: Sequence[str] | str | None = None,
    nested: bool = False,
    allow_filenames: bool = False,
    refang: bool = True,
    url_decode: bool = True,
) -> Any:
    """Find indicators of compromise in columns of a Spark DataFrame, per partition.

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
        The rows to search.
    columns : str or list of str
        The text columns to search.
    key : str, optional
        Column identifying each row; its value goes to the output's ``row``.
    types, nested, allow_filenames, refang, url_decode
        As for `huntbook.extract_iocs`.

    Returns
    -------
    pyspark.sql.DataFrame
        ``type``, ``observable``, ``original``, ``row``, ``column``,
        ``start``, ``end`` - the rows `extract_iocs` gives.
    """
    from huntbook.analysis.iocs import extract_iocs

    options = {
        "types": types,
        "nested": nested,
        "allow_filenames": allow_filenames,
        "refang": refang,
        "url_decode": url_decode,
    }
    return map_frame_function(frame, extract_iocs, IOC_FIELDS, columns=columns, key=key, options=options)


def unpack_frame_spark(
    frame: Any,
    *,
    columns: Sequence[str] | str,
    key: str | None = None,
    max_depth: int | None = None,
    max_layer_bytes: int | None = None,
    max_total_bytes: int | None = None,
    max_layers: int | None = None,
) -> Any:
    """Decode the payloads in columns of a Spark DataFrame, per partition.

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
        The rows to unpack.
    columns : str or list of str
        The text columns to unpack.
    key : str, optional
        Column identifying each row; its value goes to the output's ``row``.
    max_depth, max_layer_bytes, max_total_bytes, max_layers : int, optional
        The limits of `huntbook.unpack` (its defaults when not given).

    Returns
    -------
    pyspark.sql.DataFrame
        The columns of `unpack_frame`, one row per decoded layer.
    """
    from huntbook.analysis.decode.frame import COLUMNS, unpack_frame

    limits = {
        "max_depth": max_depth,
        "max_layer_bytes": max_layer_bytes,
        "max_total_bytes": max_total_bytes,
        "max_layers": max_layers,
    }
    options = {name: value for name, value in limits.items() if value is not None}
    fields = tuple((name, None if name == "row" else _UNPACK_TYPES.get(name, "string")) for name in COLUMNS)
    return map_frame_function(frame, unpack_frame, fields, columns=columns, key=key, options=options)


def map_frame_function(
    frame: Any,
    function: Callable[..., pd.DataFrame],
    fields: Sequence[tuple[str, str | None]],
    *,
    columns: Sequence[str] | str,
    key: str | None,
    options: dict[str, Any],
) -> Any:
    """Run ``function(batch, columns=..., **options)`` on every Arrow batch of *frame*.

    The function returns rows with a ``row`` column holding the batch's index
    label; here that becomes the batch's *key* value. *fields* lists the
    output columns and their Spark SQL types (``None`` for ``row``: the key's
    type).

    Raises
    ------
    SparkAnalysisError
        *columns* or *key* names a column *frame* does not have.
    """
    try:
        from pyspark.sql import functions
    except ImportError:
        raise MissingExtraError("pyspark", "spark", feature="Analysis on Spark") from None
    names = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in [*names, *([key] if key else [])] if c not in frame.columns]
    if missing or not names:
        raise SparkAnalysisError(
            f"The DataFrame has no column {', '.join(missing) or '(none given)'}. "
            f"Its columns: {', '.join(frame.columns)}."
        )
    if key is None:
        frame = frame.withColumn(ROW_ID, functions.monotonically_increasing_id())
        key = ROW_ID
    key_type = dict(frame.dtypes)[key]
    schema = ", ".join(f"`{name}` {kind or key_type}" for name, kind in fields)
    order = [name for name, _ in fields]
    row_key = key

    def per_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            batch = batch.reset_index(drop=True)
            found = function(batch, columns=names, **options)
            if len(found):
                found["row"] = batch[row_key].to_numpy()[found["row"].to_numpy(dtype="int64")]
            yield found[order]

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_NOTICE, category=FutureWarning)
        return frame.select(key, *names).mapInPandas(per_partition, schema)
