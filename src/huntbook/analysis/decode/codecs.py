"""Decoders for the candidates `finders` locates, each bounded by an output size.

Every decoder takes the candidate's characters and a byte limit and returns
a `Decoded` of at most that many bytes (cutting the input, not the output, so
no more is ever decoded), or None when the characters do not decode.

Base64 and hex runs are ambiguous (identifiers, paths and hashes look the
same), so `accept` keeps them only when their first few KiB decode to text
or a known binary format, or (base64) a compressed stream. The other
encodings are unmistakable and kept whenever they decode.
"""

from __future__ import annotations

import binascii
import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from huntbook.analysis.decode.containers import stream_kind
from huntbook.analysis.decode.filetype import sniff
from huntbook.analysis.decode.limits import Decoded
from huntbook.analysis.decode.text import is_text

PROBE_BYTES = 3072
"""How much of an ambiguous candidate is decoded to judge it."""
_CACHED_CANDIDATE = 512
"""Verdicts on candidates up to this long are cached: logs repeat the same tokens."""

_URLSAFE = bytes.maketrans(b"-_", b"+/")
_CHAR_SEPARATORS = bytes.maketrans(b"()+,\t", b"     ")


@dataclass(frozen=True)
class Codec:
    """How one kind of candidate decodes."""

    name: str
    """The encoding's name as layers report it."""
    decode: Callable[[bytes, int], Decoded | None]
    explicit: bool
    """The encoding is unmistakable (``%41``, ``[char]65``, ``\\x41``): any clean decode is kept."""
    streams: bool = False
    """An ambiguous candidate is also kept when it decodes to a bare zlib or deflate stream (as
    PowerShell's ``DeflateStream`` over ``FromBase64String`` reads)."""


def decode_base64(raw: bytes, limit: int, *, urlsafe: bool = False) -> Decoded | None:
    """Standard or URL-safe base64, wrapped or not, padded or not."""
    body = raw.translate(None, b"\r\n").rstrip(b"=")
    if urlsafe:
        body = body.translate(_URLSAFE)
    keep = min(len(body), limit // 3 * 4)
    chunk = body[:keep]
    if len(chunk) % 4 == 1:
        chunk = chunk[:-1]
    try:
        data = binascii.a2b_base64(chunk + b"=" * (-len(chunk) % 4), strict_mode=True)
    except binascii.Error:
        return None
    return Decoded(data, more=len(body) - keep >= 2)


def decode_hex(raw: bytes, limit: int) -> Decoded | None:
    """A run of hex digits, or ``\\x41\\x42`` / ``0x41, 0x42`` escapes."""
    if raw.startswith(b"\\"):
        raw = raw.replace(b"\\x", b"")
    elif raw.startswith((b"0x", b"0X")):
        raw = raw.translate(None, b", \t").replace(b"0x", b"").replace(b"0X", b"")
    body = raw.translate(None, b"\r\n")
    if len(body) % 2:
        return None
    try:
        data = binascii.unhexlify(body[: 2 * limit])
    except binascii.Error:
        return None
    return Decoded(data, more=len(body) > 2 * limit)


def decode_url(raw: bytes, limit: int) -> Decoded | None:
    """``%XX`` escapes (a ``+`` stays a plus)."""
    return Decoded(unquote_to_bytes(raw[:limit]), more=len(raw) > limit)


def decode_charcodes(raw: bytes, limit: int) -> Decoded | None:
    """PowerShell character codes, decimal or ``0x`` hex, as UTF-8."""
    body = raw.lower().replace(b"[char[]]", b" ").replace(b"[char]", b" ").translate(_CHAR_SEPARATORS)
    chars: list[str] = []
    for token in body.split():
        if len(chars) > limit:
            break
        value = int(token[2:], 16) if token.startswith(b"0x") else int(token)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            return None
        chars.append(chr(value))
    data = "".join(chars).encode("utf-8")
    return Decoded(data[:limit], more=len(data) > limit)


CODECS: dict[str, Codec] = {
    "base64": Codec("base64", decode_base64, explicit=False, streams=True),
    "base64url": Codec(
        "base64url", functools.partial(decode_base64, urlsafe=True), explicit=False, streams=True
    ),
    "hex": Codec("hex", decode_hex, explicit=False),
    "hexescape": Codec("hex", decode_hex, explicit=True),
    "url": Codec("url", decode_url, explicit=True),
    "charcodes": Codec("charcodes", decode_charcodes, explicit=True),
}
"""The codec for each kind of candidate `finders.classify` reports."""


def accept(kind: str, raw: bytes) -> bool:
    """Whether a candidate decodes to something worth a layer."""
    if len(raw) <= _CACHED_CANDIDATE:
        return _accept_cached(kind, raw)
    return _accept(kind, raw)


def worth_keeping(data: bytes, *, streams: bool = True) -> bool:
    """Text, a known binary format, or (with *streams*) a bare zlib or deflate stream."""
    return is_text(data) or sniff(data) is not None or (streams and stream_kind(data) is not None)


def _accept(kind: str, raw: bytes) -> bool:
    codec = CODECS[kind]
    probe = codec.decode(raw, PROBE_BYTES)
    if probe is None or not probe.data:
        return False
    return codec.explicit or worth_keeping(probe.data, streams=codec.streams)


_accept_cached = functools.lru_cache(maxsize=4096)(_accept)
