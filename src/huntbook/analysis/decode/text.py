"""Is it text, in which encoding, and how to show it safely.

Decoded payloads are shown to people and written to frames, so every
character that could hide or rewrite what is displayed (control characters,
bidirectional overrides, zero-width characters, lone surrogates) is escaped.
The checks run in C (``bytes.translate``, codecs), linear in the data.
"""

from __future__ import annotations

UTF16LE = "utf-16le"
UTF8 = "utf-8"
BINARY = "binary"

_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_PRINTABLE_OR_HIGH = _PRINTABLE + bytes(range(0x80, 0x100))
_MAX_BAD_FRACTION = 0.05
"""Text may hold this fraction of non-printable characters (a stray NUL, a form feed)."""

_ASCII_ESCAPES = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]}


def detect_charset(data: bytes) -> str:
    """``"utf-16le"`` or ``"utf-8"`` when *data* is mostly printable text in it, else ``"binary"``."""
    if not data:
        return BINARY
    allowed = len(data) * _MAX_BAD_FRACTION
    if len(data.translate(None, _PRINTABLE_OR_HIGH)) > allowed:  # control characters: UTF-16LE at best
        if _looks_utf16le(data) and _mostly_printable(data[: len(data) & ~1].decode("utf-16-le", "replace")):
            return UTF16LE
        return BINARY
    if data.isascii() or _mostly_printable(data.decode("utf-8", "replace")):
        return UTF8
    return BINARY


def is_text(data: bytes) -> bool:
    """True when *data* is mostly printable UTF-8 or UTF-16LE text."""
    return detect_charset(data) != BINARY


def decode_text(data: bytes, charset: str, *, display: bool = False) -> str:
    """*data* as a string: UTF-16LE for ``"utf-16le"``, UTF-8 otherwise.

    Undecodable bytes become lone surrogates, one character each, or with
    *display* ``\\xNN`` escapes.
    """
    if charset == UTF16LE:
        start = 2 if data.startswith(b"\xff\xfe") else 0
        errors = "backslashreplace" if display else "surrogatepass"
        return data[start : len(data) & ~1].decode("utf-16-le", errors)
    return data.decode("utf-8", "backslashreplace" if display else "surrogateescape")


def printable(text: str) -> str:
    """*text* with every character that is not printable (but tab and newline) escaped.

    Control, format (bidirectional overrides, zero-width), separator, private
    and unassigned characters become ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``,
    so what is shown is what is there.
    """
    if text.isascii():
        return text.translate(_ASCII_ESCAPES)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\t\n" else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shorten(text: str, width: int = 80) -> str:
    """*text* cut to *width* characters with an ellipsis in the middle, for display."""
    if len(text) <= width:
        return text
    head = (width - 1) * 3 // 4
    return f"{text[:head]}…{text[len(text) - (width - 1 - head) :]}"


def _looks_utf16le(data: bytes) -> bool:
    """Most high bytes zero and few low bytes zero: Latin text as UTF-16LE."""
    if data.startswith(b"\xff\xfe"):
        data = data[2:]
    pairs = len(data) // 2
    if pairs < 2:
        return False
    return data[1 : 2 * pairs : 2].count(0) >= 0.9 * pairs and data[0 : 2 * pairs : 2].count(0) <= 0.1 * pairs


def _mostly_printable(text: str) -> bool:
    """Few control characters and replacement characters; other non-ASCII letters count as text."""
    if not text:
        return False
    bad = len(text.encode("ascii", "ignore").translate(None, _PRINTABLE)) + text.count("\ufffd")
    return bad <= len(text) * _MAX_BAD_FRACTION
