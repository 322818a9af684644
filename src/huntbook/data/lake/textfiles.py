"""Strict reading of CSV, JSON and JSON-lines text for ingest.

Every defect is an `IngestError` naming the file and line (and the column
where there is one): bytes that are not UTF-8, a NUL character, a quote
that is never closed, a row with more or fewer fields than the header, a
field whose line breaks are of mixed kinds, a header or object naming a
column twice (also in another case: queries do not tell ``User`` from
``user``), a JSON line that is not one object. The well-formed file is read
at full speed: the checks that cost a pass of their own run over the whole
text in C (``in``, ``count``), and finding where a defect is happens only
once one is known to be there.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from huntbook.errors import IngestError

Row = list[str]


def read_text(path: Path) -> str:
    """The text of *path*, which must be UTF-8 (a leading BOM is dropped).

    Raises
    ------
    IngestError
        The file cannot be read, or holds bytes that are not UTF-8 (the
        message gives the line and the byte).
    """
    text, bad = _decode(path)
    if bad is not None:
        raise _not_utf8(text, bad, path, line_of(text, bad[0]), None)
    return text


def _decode(path: Path) -> tuple[str, tuple[int, str] | None]:
    """The text of *path*; when it is not UTF-8, the text with each bad byte as a lone surrogate
    (``surrogateescape``) and the character offset and reason of the first."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror}", path=str(path)) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", "surrogateescape")
        return text, (len(data[: exc.start].decode("utf-8")), exc.reason)


def _not_utf8(text: str, bad: tuple[int, str], path: Path, line: int, column: str | None) -> IngestError:
    offset, reason = bad
    byte = ord(text[offset]) - 0xDC00
    return IngestError(
        f"not UTF-8 text: byte 0x{byte:02x} ({reason}) at character {offset - _line_start(text, offset) + 1} "
        "of its line; convert the file to UTF-8 first",
        path=str(path),
        line=line,
        column=column,
    )


def line_of(text: str, offset: int) -> int:
    """The line (from 1) that character *offset* of *text* is on; CR, LF and CRLF each end a line."""
    return text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset) + 1


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


# --- CSV ---------------------------------------------------------------------------------------


def read_csv(path: Path) -> tuple[Row, list[Row], list[int]]:
    """The header, the rows and the line each row starts on of the CSV file *path*, read strictly.

    Empty lines are skipped. A row that spans lines (a quoted field holding
    line breaks) is one row.

    Raises
    ------
    IngestError
        Any defect listed in this module's docstring, naming file and line
        (and column where it applies).
    """
    text, bad = _decode(path)
    if bad is not None:
        line, column = _field_where(text, lambda value: any("\udc80" <= c <= "\udcff" for c in value))
        raise _not_utf8(text, bad, path, line or line_of(text, bad[0]), column)
    header, rows, lines = _parse_csv(text, path)
    if "\x00" in text:
        offset = text.index("\x00")
        line, column = _field_where(text, lambda value: "\x00" in value)
        raise IngestError(
            f"a NUL character (\\x00) at character {offset - _line_start(text, offset) + 1} of line "
            f"{line_of(text, offset)}: the file is binary or damaged, not text",
            path=str(path),
            line=line or line_of(text, offset),
            column=column,
        )
    return header, rows, lines


def _parse_csv(text: str, path: Path) -> tuple[Row, list[Row], list[int]]:
    rows: list[Row] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise IngestError("the file is empty", path=str(path))
        _check_header(header, path)
        width = len(header)
        start = reader.line_num + 1
        for row in reader:
            end = reader.line_num
            if len(row) != width:
                if not row:  # an empty line
                    start = end + 1
                    continue
                raise IngestError(
                    f"expected {width} fields as in the header, found {len(row)}"
                    + (" (a value holding a comma must be quoted)" if len(row) > width else ""),
                    path=str(path),
                    line=start,
                )
            if end != start:  # quoted line breaks: the only way a field can hold CR or LF
                _check_line_breaks(row, header, path, start)
            rows.append(row)
            lines.append(start)
            start = end + 1
    except csv.Error as exc:
        raise _csv_error(exc, text, path, start, reader.line_num) from None
    return header, rows, lines


def _check_header(header: Row, path: Path) -> None:
    seen: dict[str, str] = {}
    for name in header:
        if not name:
            raise IngestError("the header has an empty column name", path=str(path), line=1)
        other = seen.get(name.casefold())
        if other == name:
            raise IngestError("the header names this column twice", path=str(path), line=1, column=name)
        seen[name.casefold()] = name
        if other is not None:
            raise IngestError(
                f"the header names columns {other!r} and {name!r}, which differ only in case "
                "(queries cannot tell them apart): rename one",
                path=str(path),
                line=1,
                column=name,
            )


def _check_line_breaks(row: Row, header: Row, path: Path, line: int) -> None:
    """Refuse a field whose line breaks are of more than one kind (CRLF, LF, CR): a sign of damage."""
    for name, value in zip(header, row, strict=True):
        if "\r" not in value:
            continue
        crlf = value.count("\r\n")
        kinds = (crlf > 0) + (value.count("\r") > crlf) + (value.count("\n") > crlf)
        if kinds > 1:
            raise IngestError(
                "the quoted value mixes kinds of line break (CRLF, LF, CR): the file is damaged, or "
                "joins lines from different systems",
                path=str(path),
                line=line,
                column=name,
            )


def _csv_error(exc: csv.Error, text: str, path: Path, start: int, current: int) -> IngestError:
    """An IngestError for what the csv module refused, in the row starting on line *start*."""
    if "unexpected end of data" in str(exc):
        return IngestError(
            "a quoted value is never closed (its opening quote has no closing quote before the end "
            "of the file)",
            path=str(path),
            line=start,
            column=_last_column(text, start),
        )
    return IngestError(f"malformed CSV: {exc}", path=str(path), line=current)


def _last_column(text: str, start: int) -> str | None:
    """The column of the last field of the row starting on line *start*, read leniently."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    for row in reader:
        if reader.line_num >= start:
            return header[len(row) - 1] if 0 < len(row) <= len(header) else None
    return None


def _field_where(text: str, holds: Callable[[str], bool]) -> tuple[int | None, str | None]:
    """The line of the row and the column of the first field that *holds* (read leniently);
    (None, None) if none does or the row cannot be told (the header: its line, no column)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if any(holds(name) for name in header):
        return 1, None
    start = reader.line_num + 1
    for row in reader:
        for index, value in enumerate(row):
            if holds(value):
                return start, header[index] if index < len(header) else None
        start = reader.line_num + 1
    return None, None


# --- JSON ----------------------------------------------------------------------------------------


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An ``object_pairs_hook``: the object as a dict, refusing a key given twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return obj


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def read_json_lines(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """The objects of the JSON-lines file *path* and the line of each; empty lines are skipped.

    Raises
    ------
    IngestError
        A line is not JSON (the last one cut short, say), not an object, or
        names a key twice; or the file is not UTF-8 text.
    """
    text = read_text(path)
    objects: list[dict[str, Any]] = []
    lines: list[int] = []
    raw = text.split("\n") if "\r" not in text else io.StringIO(text, newline=None).readlines()
    last = next((n for n in range(len(raw), 0, -1) if raw[n - 1].strip()), 0)
    for number, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            obj = _DECODER.decode(line)
        except _DuplicateKeyError as exc:
            raise _duplicate(exc, path, number) from None
        except json.JSONDecodeError as exc:
            cut = number == last and not text.endswith(("\n", "\r"))
            hint = " (the last line is cut short: was the file truncated?)" if cut else ""
            raise IngestError(
                f"not valid JSON: {exc.msg} (char {exc.colno}){hint}", path=str(path), line=number
            ) from None
        if not isinstance(obj, dict):
            raise IngestError(
                f"each line must be a JSON object, this one is {_json_kind(obj)}",
                path=str(path),
                line=number,
            )
        objects.append(obj)
        lines.append(number)
    return objects, lines


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return "a number"


def read_json(path: Path) -> tuple[Any, str]:
    """The document of the JSON file *path*, refusing keys given twice, and its text.

    Raises
    ------
    IngestError
        Not JSON, a key given twice in an object (naming the line of the
        top-level object that holds it), or not UTF-8 text.
    """
    text = read_text(path)
    try:
        return _DECODER.decode(text), text
    except _DuplicateKeyError as exc:
        raise _duplicate(exc, path, _failing_object_line(text)) from None
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"not valid JSON: {exc.msg} (char {exc.colno})", path=str(path), line=exc.lineno
        ) from None


def _duplicate(exc: _DuplicateKeyError, path: Path, line: int | None) -> IngestError:
    return IngestError(
        f"an object names the key {exc.key!r} twice: which value is meant cannot be told",
        path=str(path),
        line=line,
    )


def _failing_object_line(text: str) -> int | None:
    """The line of the first top-level array element that the strict decoder refuses."""
    for line, index in _array_items(text):
        try:
            _DECODER.raw_decode(text, index)
        except ValueError:
            return line
    return None


def array_item_lines(text: str, count: int) -> list[int]:
    """The line each of the *count* elements of the first JSON array in *text* starts on (best effort:
    an element that cannot be told gets the line of the one before)."""
    lines = [line for (line, _), _ in zip(_array_items(text), range(count), strict=False)]
    return lines + [lines[-1] if lines else 1] * (count - len(lines))


def _array_items(text: str) -> Iterator[tuple[int, int]]:
    """(line, offset) of each element of the first JSON array in *text*, until one cannot be decoded."""
    decoder = json.JSONDecoder()
    index = text.index("[") + 1 if "[" in text else 0
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text) or text[index] == "]":
            return
        yield line_of(text, index), index
        try:
            _, index = decoder.raw_decode(text, index)
        except ValueError:
            return


def check_key_case(
    columns: Iterable[str], objects: list[dict[str, Any]], lines: list[int], path: Path
) -> None:
    """Refuse *columns* (the keys of *objects*) that differ only in case: queries cannot tell them apart.

    Raises
    ------
    IngestError
        Naming the line of the first object with the second spelling.
    """
    names: dict[str, str] = {}
    for key in columns:
        other = names.setdefault(key.casefold(), key)
        if other != key:
            line = next((n for obj, n in zip(objects, lines, strict=True) if key in obj), None)
            raise IngestError(
                f"the keys {other!r} and {key!r} differ only in case, and would be two columns "
                "that queries cannot tell apart: use one spelling",
                path=str(path),
                line=line,
                column=key,
            )
