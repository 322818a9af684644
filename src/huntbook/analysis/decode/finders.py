"""Where encoded payloads may be: one RE2 scan of a text finds every kind of candidate.

RE2 runs in time linear in the text, whatever the text holds. The one
expression is an alternation of character-run patterns, so ordinary words,
paths and command-line options mostly do not match; where several match, the
longest wins, and the kind of each match is told from its characters
afterwards (capture groups would halve the scan speed). Kinds:

``base64``     ``[A-Za-z0-9+/]``, at least 20, may be wrapped on lines of 16 or more (and a
               shorter last line)
``base64url``  ``[A-Za-z0-9_-]``, at least 24, with a ``-`` or ``_`` (not only hex and ``-``: GUIDs)
``hex``        a base64 run of hex digits only, of even length
``hexescape``  ``\\x41\\x42...`` or ``0x41, 0x42, ...``, at least 8 bytes
``url``        text with at least three ``%XX`` escapes
``charcodes``  PowerShell ``[char]72+[char]105...`` or ``[char[]](72,105,...)``, at least 3 characters
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import re2

MIN_BASE64 = 20
MIN_BASE64URL = 24

_NUM = r"(?:0[xX][0-9A-Fa-f]{1,6}|[0-9]{1,7})"
_CHAR = rf"(?i:\[char\])[ \t]*\(?[ \t]*{_NUM}[ \t]*\)?"
_URL_CHAR = r"[A-Za-z0-9._~!$&()*+,;=:@/?#\[\]-]"
_B64 = "[A-Za-z0-9+/]"
_PATTERNS = (
    rf"{_CHAR}(?:[ \t]*[+,][ \t]*{_CHAR}){{2,}}",
    rf"(?i:\[char\[\]\])[ \t]*\([ \t]*{_NUM}(?:[ \t]*,[ \t]*{_NUM}){{2,}}[ \t]*\)",
    rf"{_URL_CHAR}*(?:%[0-9A-Fa-f]{{2}}{_URL_CHAR}*){{3,}}",
    rf"{_B64}{{{MIN_BASE64},}}(?:\r?\n{_B64}{{16,}})*(?:\r?\n{_B64}{{1,15}}={{0,2}}(?m:$))?={{0,2}}",
    rf"[A-Za-z0-9_-]{{{MIN_BASE64URL},}}={{0,2}}",
    r"(?:\\x[0-9A-Fa-f]{2}){8,}",
    r"0[xX][0-9A-Fa-f]{2}(?:[ \t]*,[ \t]*0[xX][0-9A-Fa-f]{2}){7,}",
)


def _compile() -> Any:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.longest_match = True
    options.max_mem = 64 << 20
    return re2.compile("|".join(_PATTERNS).encode(), options)


_REGEX = _compile()
_BASE64_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n"
_BASE64URL_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="
_HEX_CHARS = b"0123456789abcdefABCDEF\r\n"
_DASHED_HEX_CHARS = b"0123456789abcdefABCDEF-"
"""GUIDs and dashed hex ids are never base64url."""
_CONTINUATION = bytes(range(0x80, 0xC0))


class Candidate(NamedTuple):
    """A run of text that may decode: its kind, its span in the scanned text, and its characters."""

    kind: str
    start: int
    end: int
    raw: bytes


def find_candidates(
    content: str | bytes,
    keep: Callable[[Candidate], Candidate | None] | None = None,
    *,
    utf8: bytes | None = None,
) -> Iterator[Candidate]:
    """Every candidate in *content*, left to right, with offsets into *content* (characters or bytes).

    A string is scanned as UTF-8 (lone surrogates allowed); the offsets are
    converted back to character offsets only when it is not ASCII.

    *keep*, given a candidate, returns it, a shorter one starting at the same
    place, or None to drop it. It is asked once per distinct short run
    (logs repeat the same paths and options many times) and sees byte offsets.
    *utf8*, a string *content* as UTF-8 (lone surrogates allowed), saves
    encoding it again when the caller has it.
    """
    if isinstance(content, bytes):
        data, offset = content, None
    else:
        data = utf8 if utf8 is not None else content.encode("utf-8", "surrogatepass")
        offset = None if len(data) == len(content) else _CharOffsets(data)  # ASCII: the same offsets
    verdicts: dict[bytes, Candidate | None] = {}
    for start, end in _spans(data):
        raw = data[start:end]
        verdict = verdicts.get(raw, _UNSEEN)
        if verdict is _UNSEEN:
            verdict = _verdict(raw, keep)
            if len(raw) <= _REMEMBERED:
                verdicts[raw] = verdict
        if verdict is None:
            continue
        end = start + verdict.end
        if offset is not None:
            start, end = offset(start), offset(end)
        yield verdict._replace(start=start, end=end)


_UNSEEN = Candidate("", 0, 0, b"")
_REMEMBERED = 256
"""Verdicts on runs up to this long are remembered for the rest of a scan."""


def _verdict(raw: bytes, keep: Callable[[Candidate], Candidate | None] | None) -> Candidate | None:
    """The candidate *raw* makes at offset 0 (or the part of it *keep* keeps), or None."""
    kind = classify(raw)
    if kind is None:
        return None
    candidate = Candidate(kind, 0, len(raw), raw)
    return candidate if keep is None else keep(candidate)


def _spans(data: bytes) -> Iterator[tuple[int, int]]:
    """The (start, end) of each match in *data*, left to right.

    google-re2's ``finditer`` builds a Python match object for every match,
    most of the time of a scan of a long log; the compiled RE2 under it is
    called directly when it is there (the public ``finditer`` otherwise). No
    pattern matches empty text, so each search starts where the last ended.
    """
    regexp = getattr(_REGEX, "_regexp", None)
    anchor = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
    if regexp is None or anchor is None or not hasattr(regexp, "Match"):
        yield from (match.span() for match in _REGEX.finditer(data))
        return
    search, pos, end = regexp.Match, 0, len(data)
    while pos < end:
        span = search(anchor, data, pos, end)[0]
        if span[0] < 0:
            return
        yield span
        pos = span[1]


def classify(raw: bytes) -> str | None:
    """The kind of candidate a match is, or None for an odd-length hex run or a GUID.

    A run of hex digits is only ever hex (so a hash is never taken for base64);
    like base64 it is kept only if it decodes to text or a known format.
    """
    if not raw.translate(None, _BASE64_CHARS):
        if raw[-1:] != b"=" and not raw.translate(None, _HEX_CHARS):
            digits = len(raw) - raw.count(b"\n") - raw.count(b"\r")
            return "hex" if digits % 2 == 0 else None
        return "base64"
    if not raw.translate(None, _BASE64URL_CHARS):
        return None if not raw.translate(None, _DASHED_HEX_CHARS) else "base64url"
    if raw.startswith(b"\\"):
        return "hexescape"
    if b"%" in raw:
        return "url"
    if raw.startswith((b"0x", b"0X")):
        return "hexescape"
    return "charcodes"


def first_line(candidate: Candidate) -> Candidate | None:
    """The first line of a base64 run wrapped on several lines, when long enough to be a candidate."""
    cut = candidate.raw.find(b"\n")
    raw = candidate.raw[:cut].rstrip(b"\r")
    if cut < 0 or len(raw) < MIN_BASE64:
        return None
    kind = classify(raw)
    return None if kind is None else Candidate(kind, candidate.start, candidate.start + len(raw), raw)


class _CharOffsets:
    """Character offsets of ascending byte offsets into UTF-8 text, in one pass over it."""

    def __init__(self, data: bytes):
        self._data = data
        self._byte = 0
        self._char = 0

    def __call__(self, offset: int) -> int:
        chunk = self._data[self._byte : offset]
        self._char += len(chunk.translate(None, _CONTINUATION))
        self._byte = offset
        return self._char
