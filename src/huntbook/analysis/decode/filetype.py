"""What kind of file decoded bytes are: a short table of formats that matter when hunting, then puremagic.

`sniff` is the fast test `unpack` runs on every candidate payload (a few
``startswith`` calls); `guess_file_type` adds puremagic's wider database for
display, once per layer.
"""

from __future__ import annotations

import hashlib

from huntbook.analysis.decode.text import BINARY, detect_charset

SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x1f\x8b\x08", "gzip"),
    (0, b"PK\x03\x04", "Zip archive"),
    (0, b"PK\x05\x06", "Zip archive (empty)"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (0, b"\xce\xfa\xed\xfe", "Mach-O executable"),
    (0, b"\xca\xfe\xba\xbe", "Java class or Mach-O universal binary"),
    (0, b"%PDF-", "PDF document"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 compound document (MS Office)"),
    (0, b"{\\rtf", "RTF document"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"MSCF\x00\x00\x00\x00", "CAB archive"),
    (0, b"L\x00\x00\x00\x01\x14\x02\x00", "Windows shortcut (LNK)"),
    (0, b"dex\n0", "Android DEX"),
    (0, b"\x00asm\x01\x00\x00\x00", "WebAssembly"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
)
"""(offset, magic bytes, name) of the formats `sniff` knows, besides tar, PE and bzip2."""
_BY_FIRST_BYTE: dict[bytes, list[tuple[int, bytes, str]]] = {}
for _signature in SIGNATURES:
    _BY_FIRST_BYTE.setdefault(_signature[1][:1], []).append(_signature)

PE = "PE executable"
_MIN_CONFIDENCE = 0.4
"""puremagic's confidence for a 4-byte signature; shorter ones are guesses on random bytes."""


def sniff(data: bytes) -> str | None:
    """The name of the binary format *data* starts with, if `SIGNATURES` (or PE, bzip2) has it."""
    for offset, magic, name in _BY_FIRST_BYTE.get(data[:1], ()):
        if data.startswith(magic, offset):
            return name
    if data.startswith(b"ustar", 257):
        return "tar archive"
    if data.startswith(b"MZ") and _is_pe(data):
        return PE
    if data.startswith(b"BZh") and data[3:4].isdigit() and data[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    return None


def charset_of(data: bytes) -> str:
    """`detect_charset`, except that a format `sniff` knows is binary even if mostly printable (tar)."""
    return BINARY if sniff(data) is not None else detect_charset(data)


def guess_file_type(data: bytes, charset: str | None = None) -> str:
    """A short description of *data*: a `sniff` name, ``"text"``, puremagic's name, or ``"data"``.

    puremagic takes about half a millisecond a call, so the answer for each
    content (by its BLAKE2b digest) is remembered: the same payload decoded
    from many rows is looked up once.
    """
    if not data:
        return "empty"
    name = sniff(data)
    if name is not None:
        return name
    key = (hashlib.blake2b(data, digest_size=16).digest(), charset)
    name = _GUESSED.get(key)
    if name is None:
        name = _puremagic_name(data) or ("data" if (charset or detect_charset(data)) == BINARY else "text")
        if len(_GUESSED) >= _GUESSED_MAX:
            _GUESSED.pop(next(iter(_GUESSED)))  # the oldest
        _GUESSED[key] = name
    return name


_GUESSED: dict[tuple[bytes, str | None], str] = {}
_GUESSED_MAX = 65_536


def _is_pe(data: bytes) -> bool:
    """An MZ header whose e_lfanew points at ``PE\\0\\0``, or the usual MZ header bytes."""
    if data.startswith(b"MZ\x90\x00"):
        return True
    if len(data) < 0x40:
        return False
    pe_offset = int.from_bytes(data[0x3C:0x40], "little")
    return data.startswith(b"PE\x00\x00", pe_offset)


def _puremagic_name(data: bytes) -> str | None:
    try:
        import puremagic
    except ImportError:  # a core dependency; without it, only `SIGNATURES` are named
        return None
    try:
        matches = puremagic.magic_string(data)
    except (LookupError, ValueError):
        return None
    if not matches or matches[0].confidence < _MIN_CONFIDENCE:
        return None
    return str(matches[0].name)
