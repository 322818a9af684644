"""Reading Windows event files: ``.evtx`` logs and JSON-lines exports.

`read_event_file` reads one whole file into `EventRows` or raises
`IngestError`; it never returns part of a file. An EVTX file is parsed with
the Rust ``evtx`` package and checked against its own chunk headers, so a
truncated or damaged file is an error rather than fewer rows. A record that
is not an event (a JSON line that does not parse, an event without time or
EventID) is kept raw in ``UnparsedEvent_CL``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import struct
from pathlib import Path
from typing import TYPE_CHECKING

from huntbook.data.lake.jsoncodec import fast_loads, loads
from huntbook.data.lake.winevents import EventRows, NotAnEventError
from huntbook.errors import IngestError, MissingExtraError

if TYPE_CHECKING:
    from collections.abc import Iterator

EVENT_SUFFIXES = {".evtx": "evtx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
"""Suffixes of Windows event files, and the format each is read as."""

_FILE_MAGIC = b"ElfFile\x00"
_CHUNK_MAGIC = b"ElfChnk\x00"
_HEADER_SIZE = 4096
_CHUNK_SIZE = 65536


def read_event_file(path: Path, fmt: str | None = None, content: bytes | None = None) -> EventRows:
    """Read every record of the ``evtx`` or ``jsonl`` file *path* (*fmt* from the suffix by default).

    *content*, the bytes of an EVTX file already read (to hash it), saves reading it again.

    Raises
    ------
    IngestError
        The file cannot be read, or (EVTX) is truncated or corrupt; the
        message says after which record the parser stopped.
    """
    fmt = event_format(path, fmt)
    rows = EventRows()
    with _gc_paused():
        if fmt == "evtx":
            _read_evtx(path, rows, content)
        else:
            _read_export(path, rows)
    return rows


def event_format(path: Path, fmt: str | None = None) -> str:
    """``evtx`` or ``jsonl``: *fmt* if given, else told from the suffix of *path*."""
    fmt = fmt or EVENT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(
            f"cannot tell the format from the suffix '{path.suffix}'; pass format='evtx' or 'jsonl'",
            path=str(path),
        )
    if fmt not in ("evtx", "jsonl", "json"):
        raise IngestError(f"'{fmt}' files do not hold Windows events; use evtx or jsonl", path=str(path))
    return fmt


def file_bytes(path: Path) -> bytes:
    """The bytes of *path*; an IngestError naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror}", path=str(path)) from None


def digest_of(path: Path) -> str:
    """The SHA-256 of the content of *path* (hex); an IngestError naming it when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror}", path=str(path)) from None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a file's rows are new objects, none of them garbage.

    Reading makes many containers that all live on, so the collector would
    scan them again and again for nothing (about 5% of the time of a read).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def declared_records(path: Path, content: bytes | None = None) -> int:
    """Return the number of records the chunk headers of EVTX file *path* (or its *content*) declare.

    Raises
    ------
    IngestError
        The file is not EVTX, or is shorter than its header says.
    """
    data = content if content is not None else file_bytes(path)
    if len(data) < 128 or not data.startswith(_FILE_MAGIC):
        raise IngestError("not an EVTX file (no 'ElfFile' header)", path=str(path))
    (chunks,) = struct.unpack_from("<H", data, 42)
    needed = _HEADER_SIZE + chunks * _CHUNK_SIZE
    if len(data) < needed:
        raise IngestError(
            f"the file is truncated: its header declares {chunks} chunks ({needed:,} bytes), but it has "
            f"{len(data):,} bytes (data ends in chunk {(len(data) - _HEADER_SIZE) // _CHUNK_SIZE + 1})",
            path=str(path),
        )
    total = 0
    for index in range(chunks):
        at = _HEADER_SIZE + index * _CHUNK_SIZE
        if data.startswith(_CHUNK_MAGIC, at):
            first, last = struct.unpack_from("<QQ", data, at + 24)
            total += max(last - first + 1, 0)
    return total


def _read_evtx(path: Path, rows: EventRows, content: bytes | None) -> None:
    try:
        from evtx import PyEvtxParser
    except ImportError:
        raise MissingExtraError("evtx", "evtx", feature="Reading .evtx files") from None
    content = content if content is not None else file_bytes(path)
    declared = declared_records(path, content)
    source, last, add = str(path), None, rows.add_evtx
    decode = loads if fast_loads is None else fast_loads
    try:
        for record in PyEvtxParser(io.BytesIO(content)).records_json():
            if record is None:  # the stubs allow it; the parser yields records or raises
                continue
            last, text = record["event_record_id"], record["data"]
            try:
                add(decode(text))  # EVTX holds numbers of 64 bits at most, which orjson keeps exact
            except ValueError as exc:  # not JSON (orjson refused it; see `_unparsed`), or NotAnEventError
                _unparsed(rows, source, text, exc)
    except (OSError, RuntimeError) as exc:
        raise IngestError(f"not a readable EVTX file: {exc}{_stopped(rows, last)}", path=source) from None
    if rows.records < declared:
        raise IngestError(
            f"the file is corrupt: its chunk headers declare {declared:,} records, "
            f"but only {rows.records:,} could be read{_stopped(rows, last)}",
            path=source,
        )


def _unparsed(rows: EventRows, source: str, text: str, exc: ValueError) -> None:
    """Add the evtx record *text* that *exc* refused: an event if the standard library reads it, else raw."""
    if not isinstance(exc, NotAnEventError):
        try:
            rows.add_evtx(loads(text, small_numbers=True))  # what orjson refuses (a lone surrogate)
            return
        except ValueError as again:
            exc = again
    rows.add_unparsed(source, rows.records + 1, str(exc), text)


def _stopped(rows: EventRows, last: int | None) -> str:
    where = f", EventRecordID {last}" if last is not None else ""
    return f" (the parser stopped after record {rows.records}{where})"


def _read_export(path: Path, rows: EventRows) -> None:
    """Read a JSON-lines export line by line (or a JSON array whole), never holding the file twice."""
    source = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror}", path=source) from None
    with handle:
        if handle.read(3) != b"\xef\xbb\xbf":  # a UTF-8 byte order mark is skipped
            handle.seek(0)
        if handle.peek(4096).lstrip()[:1] == b"[":
            _read_array(handle.read(), source, rows)
            return
        for number, line in enumerate(handle, start=1):
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            try:
                obj = loads(line)
            except ValueError as exc:  # not JSON, or not UTF-8
                rows.add_unparsed(source, number, f"not JSON: {exc}", _text(line))
                continue
            _add_object(obj, source, number, rows, line)


def _text(line: bytes) -> str:
    return line.decode("utf-8", "backslashreplace")


def _read_array(data: bytes, source: str, rows: EventRows) -> None:
    """A JSON array of events (the whole file is one document, so it must parse)."""
    try:
        items = loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(f"not a valid JSON array: {exc}", path=source) from None
    for number, item in enumerate(items, start=1):
        _add_object(item, source, number, rows, None)


def _add_object(obj: object, source: str, number: int, rows: EventRows, raw: bytes | None) -> None:
    """Add *obj* as an event, or keep it raw (*raw*, else its JSON) with the reason it is none."""
    try:
        if not isinstance(obj, dict):
            raise NotAnEventError("not a JSON object")
        rows.add_export(obj)
    except NotAnEventError as exc:
        rows.add_unparsed(source, number, str(exc), _text(raw) if raw is not None else json.dumps(obj))
