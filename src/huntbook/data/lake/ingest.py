"""Reading CSV, JSON, JSON-lines and Parquet files into typed lake tables.

Columns a table declares (`schemas.schema_for`) are converted to their declared
type; a value that does not convert is an `IngestError` naming the file,
line and column. Other columns are kept: numbers as numbers, the rest as text.
Nothing is written until the whole file has been read and checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huntbook.data.lake import textfiles
from huntbook.data.lake.schemas import TableSchema, arrow_type, schema_for
from huntbook.errors import IngestError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

FORMATS = ("csv", "json", "jsonl", "parquet")
SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass(frozen=True)
class _Records:
    """Rows read from a file, with the line each row starts on."""

    frame: pd.DataFrame
    lines: list[int] | None  # None: the format has no lines (Parquet)


def detect_format(path: Path, fmt: str | None = None) -> str:
    """Return the file format: *fmt* if given, else from the file suffix."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise IngestError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}", path=str(path))
        return fmt
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise IngestError(
            f"cannot tell the format from the suffix '{path.suffix}'; "
            f"pass format= one of {', '.join(FORMATS)}",
            path=str(path),
        ) from None


def read_table(path: Path, table: str, fmt: str | None = None) -> pa.Table:
    """Read *path* and return it typed for lake table *table*.

    Raises
    ------
    IngestError
        The file cannot be read, or a value does not fit its column.
    """
    import pyarrow as pa

    fmt = detect_format(path, fmt)
    if not path.is_file():
        raise IngestError("no such file", path=str(path))
    records = _READERS[fmt](path)
    schema = schema_for(table)
    frame = records.frame
    if frame.empty and len(frame.columns) == 0:
        raise IngestError("the file holds no records", path=str(path))
    arrays: dict[str, pa.Array] = {}
    if schema is not None:
        for column, kql_type in schema.columns.items():
            if column in frame.columns:
                arrays[column] = _convert(frame[column], kql_type, path, column, records.lines)
            else:
                arrays[column] = pa.nulls(len(frame), arrow_type(kql_type))
    for column in frame.columns:
        if column not in arrays:
            arrays[str(column)] = _infer(frame[column], path, str(column), records.lines, schema)
    return pa.table(arrays)


def _read_csv(path: Path) -> _Records:
    import pandas as pd

    header, rows, lines = textfiles.read_csv(path)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return _Records(frame.replace({"": None}), lines)


def _read_jsonl(path: Path) -> _Records:
    objects, lines = textfiles.read_json_lines(path)
    return _Records(_frame(objects, lines, path), lines)


def _read_json(path: Path) -> _Records:
    data, text = textfiles.read_json(path)
    records, lines = data, None
    if isinstance(data, dict):  # one record, or records under a known key
        keys = ("records", "value", "rows", "data")
        records = next((data[k] for k in keys if isinstance(data.get(k), list)), None)
        if records is None:
            records, lines = [data], [textfiles.line_of(text, text.index("{"))]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise IngestError("expected a JSON array of objects (one per record)", path=str(path))
    lines = lines or textfiles.array_item_lines(text, len(records))
    return _Records(_frame(records, lines, path), lines)


def _read_parquet(path: Path) -> _Records:
    import pyarrow.parquet as pq

    try:
        frame = pq.read_table(path).to_pandas(types_mapper=None)
    except Exception as exc:
        raise IngestError(f"not a readable Parquet file: {exc}", path=str(path)) from None
    return _Records(frame, None)


_READERS = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl, "parquet": _read_parquet}


def _frame(objects: list[dict[str, Any]], lines: list[int], path: Path) -> pd.DataFrame:
    import pandas as pd

    columns: dict[str, None] = {}
    for obj in objects:
        columns.update(dict.fromkeys(obj))
    textfiles.check_key_case(columns, objects, lines, path)
    return pd.DataFrame({c: [o.get(c) for o in objects] for c in columns}, dtype=object)


def _fail(
    message: str, series: pd.Series, bad: Any, path: Path, column: str, lines: list[int] | None
) -> IngestError:
    position = int(bad.to_numpy().nonzero()[0][0])
    value = series.iloc[position]
    line = lines[position] if lines else None
    where = "" if lines else f" (record {position + 1})"
    return IngestError(f"{message}: {str(value)[:80]!r}{where}", path=str(path), line=line, column=column)


def _convert(series: pd.Series, kql_type: str, path: Path, column: str, lines: list[int] | None) -> pa.Array:
    import pandas as pd
    import pyarrow as pa

    present = series.notna()
    target = arrow_type(kql_type)
    if kql_type == "datetime":
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            values = series.dt.tz_localize("UTC") if series.dt.tz is None else series.dt.tz_convert("UTC")
        else:
            values = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
            bad = present & values.isna()
            if bad.any():
                raise _fail("not a date/time", series, bad, path, column, lines)
        return pa.array(values, type=target, from_pandas=True)
    if kql_type in ("int", "long", "real"):
        values = pd.to_numeric(series, errors="coerce")
        bad = present & values.isna()
        if kql_type != "real":
            bad |= values.notna() & (values % 1 != 0)
        if bad.any():
            raise _fail(f"not a number fit for a {kql_type} column", series, bad, path, column, lines)
        if kql_type != "real":
            return pa.array(values.astype("Int64"), type=target, from_pandas=True)
        return pa.array(values.astype("float64"), type=target, from_pandas=True)
    if kql_type == "bool":
        text = series.map(lambda v: v if v is None or isinstance(v, bool) else str(v).strip().lower())
        bad = present & ~text.map(lambda v: v is None or isinstance(v, bool) or v in _TRUE | _FALSE)
        if bad.any():
            raise _fail("not true/false", series, bad, path, column, lines)
        return pa.array([v if v is None or isinstance(v, bool) else v in _TRUE for v in text], type=target)
    if kql_type == "dynamic":
        return pa.array(
            [_as_json(v, series, path, column, lines, i) for i, v in enumerate(series)], type=target
        )
    if kql_type == "timespan":
        values = pd.to_timedelta(series, errors="coerce")
        bad = present & values.isna()
        if bad.any():
            raise _fail("not a time span", series, bad, path, column, lines)
        return pa.array(values, type=target, from_pandas=True)
    texts = [None if v is None or v is pd.NA else _text(v) for v in series]
    try:
        return pa.array(texts, type=target)
    except UnicodeEncodeError:  # JSON text "\\ud800": a UTF-16 surrogate without its pair
        bad = pd.Series([t is not None and not _encodes(t) for t in texts], index=series.index)
        raise _fail(
            "an unpaired UTF-16 surrogate (such as \\ud800), which no text can hold, in",
            series,
            bad,
            path,
            column,
            lines,
        ) from None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_json(
    value: Any, series: pd.Series, path: Path, column: str, lines: list[int] | None, i: int
) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            json.loads(value)
        except json.JSONDecodeError:
            line = lines[i] if lines else None
            raise IngestError(
                f"not valid JSON for a dynamic column: {value[:80]!r}",
                path=str(path),
                line=line,
                column=column,
            ) from None
        return value
    return json.dumps(value, default=str)


def _infer(
    series: pd.Series, path: Path, column: str, lines: list[int] | None, schema: TableSchema | None
) -> pa.Array:
    """Type a column the table does not declare: time columns, numbers, or text."""
    import pandas as pd
    import pyarrow as pa

    if series.dtype != object:
        return pa.array(series, from_pandas=True)
    if column in ("TimeGenerated", "Timestamp") and schema is None:
        return _convert(series, "datetime", path, column, lines)
    values = series.dropna()
    if len(values) and all(isinstance(v, bool) for v in values):
        return _convert(series, "bool", path, column, lines)
    numeric = pd.to_numeric(values, errors="coerce") if len(values) else values
    if len(values) and numeric.notna().all() and not any(isinstance(v, bool) for v in values):
        kind = (
            "long" if (numeric % 1 == 0).all() and all(not isinstance(v, float) for v in values) else "real"
        )
        return _convert(series, kind, path, column, lines)
    return _convert(series, "string", path, column, lines)
