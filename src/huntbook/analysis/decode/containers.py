"""Compressed streams and archives inside decoded bytes, read without trusting any size they declare.

Streams are inflated a chunk at a time with ``decompressobj(...).decompress(chunk,
max_length)``; zip members are read a chunk at a time; tar members, stored as
they are, are sliced out. Nothing holds more than the limit the caller gives
plus one chunk, however small the input or large its declared sizes. Only
stored and deflated zip members are read (zipfile inflates bzip2 and lzma
members without a bound), and only regular tar members (not sparse ones).
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import IO

from huntbook.analysis.decode.filetype import sniff
from huntbook.analysis.decode.limits import Decoded
from huntbook.analysis.decode.text import is_text

GZIP, ZLIB, DEFLATE, ZIP, TAR = "gzip", "zlib", "deflate", "zip", "tar"
CHUNK = 1 << 14
PROBE_BYTES = 3072
"""Output inflated to tell a raw deflate stream from noise."""
MAX_GZIP_MEMBERS = 1024
MAX_ZIP_DIRECTORY = 1 << 20
"""A larger zip central directory (over ~20,000 entries) is not opened: zipfile would load all of it."""

_WBITS = {GZIP: 31, ZLIB: 15, DEFLATE: -15}
_ERRORS = (
    zipfile.BadZipFile,
    tarfile.TarError,
    zlib.error,
    struct.error,
    EOFError,
    LookupError,
    NotImplementedError,
    OSError,
    OverflowError,
    RuntimeError,
    ValueError,
)


@dataclass(frozen=True)
class Found:
    """Something in a layer that decodes: how, where, and how to read it within a byte limit."""

    encoding: str
    start: int
    end: int
    source: str
    name: str | None
    read: Callable[[int], Decoded | None]


def container_kind(data: bytes) -> str | None:
    """``"gzip"``, ``"zip"``, ``"tar"``, ``"zlib"`` or ``"deflate"`` when *data* is one, else None."""
    if data.startswith(b"\x1f\x8b\x08"):
        return GZIP
    if data.startswith(b"PK\x03\x04"):
        return ZIP
    if data.startswith(b"ustar", 257):
        return TAR
    return None if sniff(data) is not None else stream_kind(data)


def stream_kind(data: bytes) -> str | None:
    """``"zlib"`` or ``"deflate"`` when *data* inflates as one, else None.

    A zlib stream must inflate cleanly, to its end or for a few KiB; a raw
    deflate stream, which has no header, must also inflate to text or a known
    format.
    """
    if _zlib_header(data) and _probe(data, ZLIB) is not None:
        return ZLIB
    if _deflate_block(data):
        inflated = _probe(data, DEFLATE)
        if inflated is not None and (is_text(inflated) or sniff(inflated) is not None):
            return DEFLATE
    return None


def members(kind: str, data: bytes) -> Iterator[Found]:
    """What a container of *kind* holds, in order."""
    if kind == ZIP:
        yield from _zip_members(data)
    elif kind == TAR:
        yield from _tar_members(data)
    else:
        yield Found(kind, 0, len(data), "", None, partial(inflate, data, kind))


def inflate(data: bytes, kind: str, limit: int) -> Decoded:
    """Inflate a gzip (every member), zlib or raw deflate stream into at most *limit* bytes."""
    parts: list[bytes] = []
    size = 0
    view = memoryview(data)
    position = 0
    stream = zlib.decompressobj(_WBITS[kind])
    pending = b""
    finished = 0
    while True:
        if stream.unconsumed_tail:
            chunk: bytes | memoryview = stream.unconsumed_tail
        elif pending:
            chunk, pending = pending, b""
        elif position < len(data):
            chunk = view[position : position + CHUNK]
            position += CHUNK
        else:
            return Decoded(b"".join(parts), damaged=not stream.eof)
        try:
            piece = stream.decompress(chunk, limit - size + 1)
        except zlib.error:
            return Decoded(b"".join(parts), damaged=True)
        parts.append(piece)
        size += len(piece)
        if size > limit:
            return Decoded(b"".join(parts)[:limit], more=True)
        if stream.eof:
            finished += 1
            rest = stream.unused_data
            if kind != GZIP or not _gzip_follows(rest, view[position : position + 3]):
                return Decoded(b"".join(parts), unused=len(rest) + max(0, len(data) - position))
            if finished >= MAX_GZIP_MEMBERS:
                return Decoded(b"".join(parts), damaged=True)
            stream = zlib.decompressobj(_WBITS[kind])
            pending = rest


def read_bounded(stream: IO[bytes], limit: int) -> Decoded:
    """Read *stream* a chunk at a time into at most *limit* bytes; a read error ends it as damaged."""
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        try:
            piece = stream.read(min(CHUNK, limit + 1 - size))
        except _ERRORS:
            return Decoded(b"".join(parts), damaged=True)
        if not piece:
            return Decoded(b"".join(parts))
        parts.append(piece)
        size += len(piece)
    return Decoded(b"".join(parts)[:limit], more=True)


def _probe(data: bytes, kind: str) -> bytes | None:
    """The first `PROBE_BYTES` inflated, if the stream inflates that far, or to its end exactly at the
    end of *data* (random bytes rarely manage either)."""
    probe = inflate(data, kind, PROBE_BYTES)
    return probe.data if probe.more or (probe.data and not probe.damaged and not probe.unused) else None


def _deflate_block(data: bytes) -> bool:
    """The first block header is valid: Huffman coded, or stored with LEN and NLEN complementary."""
    if not data:
        return False
    block_type = data[0] >> 1 & 3
    if block_type == 0:
        return len(data) >= 5 and data[1] ^ data[3] == 0xFF and data[2] ^ data[4] == 0xFF
    return block_type != 3


def _zlib_header(data: bytes) -> bool:
    """A deflate method byte with a valid header checksum (RFC 1950); 1 in ~500 random pairs pass."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and (data[0] << 8 | data[1]) % 31 == 0


def _gzip_follows(rest: bytes, following: memoryview) -> bool:
    head = rest[:3] if len(rest) >= 3 else rest + following.tobytes()
    return head.startswith(b"\x1f\x8b\x08")


def _zip_members(data: bytes) -> Iterator[Found]:
    directory = _central_directory(data)
    if directory is None or directory[1] > MAX_ZIP_DIRECTORY:
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except _ERRORS:
        return
    starts = sorted({info.header_offset for info in infos} | {directory[0], len(data)})
    for info in infos:
        start = min(info.header_offset, len(data))
        end = min((s for s in starts if s > start), default=len(data))
        yield Found(ZIP, start, end, "", info.filename, partial(_read_zip_member, archive, info))


def _read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Decoded | None:
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    try:
        with archive.open(info) as member:
            return read_bounded(member, limit)
    except _ERRORS:
        return None


def _central_directory(data: bytes) -> tuple[int, int] | None:
    """(offset, size) of the central directory, from the end-of-central-directory record."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        return None
    size, offset = struct.unpack_from("<II", data, at + 12)
    return offset, size


def _tar_members(data: bytes) -> Iterator[Found]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            while (member := archive.next()) is not None:
                if member.isfile() and not member.issparse():
                    start = min(member.offset, len(data))
                    end = min(max(member.offset_data + member.size, start), len(data))
                    yield Found(TAR, start, end, "", member.name, partial(_read_tar_member, data, member))
    except _ERRORS:
        return


def _read_tar_member(data: bytes, member: tarfile.TarInfo, limit: int) -> Decoded:
    """A regular member's bytes are stored as they are: slice them, as far as the data goes."""
    start = member.offset_data
    stored = data[start : start + min(member.size, limit)]
    more = member.size > limit and len(data) - start > limit
    return Decoded(stored, more=more, damaged=not more and len(stored) < member.size)
