"""Re-fang defanged text and decode URL escapes, keeping a map back to the original offsets.

``hxxp://evil[.]com`` becomes ``http://evil.com``; each replaced piece
remembers the span of the original it came from, so an indicator found in
the rewritten text is reported at its place in the original.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from huntbook.analysis.iocs.arrow_regex import Texts, char_offsets, find_all, regex_of, rows_matching
from huntbook.analysis.iocs.patterns import Pattern

_MARKERS = (
    r"\s*[\[({](?:@|at)[\])}]\s*"  # user[at]example, user [at] example
    r"|[\[({]\s*(?:\.|dot|@|:|://|/)\s*[\])}]"  # evil[.]com, evil(dot)com, [:], [/]
    r"|h[x*]{2}ps?(?:\[:\]|:)|fxps?(?:\[:\]|:)"  # hxxp: h**ps: fxp:
)
DEFANG_MARKERS = Pattern(f"(?i:{_MARKERS})")
"""What marks a text as defanged."""
DEFANG = Pattern(f"(?i:{_MARKERS}|\\s+at\\s+)")
"""What re-fanging replaces in a defanged text: the markers, and a plain `` at `` before a defanged dot."""
URL_ESCAPE = Pattern(r"%[0-9A-Fa-f]{2}")

Piece = tuple[int, int, str]
"""A replacement: the original span ``[start, end)`` and the text that replaces it."""


@dataclass(frozen=True)
class Rewrite:
    """A rewritten text and where its pieces came from.

    ``new_starts[i]`` is where segment *i* begins in the rewritten text and
    ``old_starts[i]``/``old_ends[i]`` the original span it came from; an
    unchanged segment maps character by character, a replacement as a whole.
    """

    text: str
    new_starts: list[int]
    old_starts: list[int]
    old_ends: list[int]
    replaced: list[bool]
    inner: Rewrite | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the rewritten span ``[start, end)``."""
        if self.inner is not None:
            start, end = self.inner.span(start, end)
        return self._position(start, is_end=False), self._position(end - 1, is_end=True)

    def _position(self, pos: int, *, is_end: bool) -> int:
        seg = bisect.bisect_right(self.new_starts, pos) - 1  # a few segments: no NumPy call per position
        if self.replaced[seg]:
            return self.old_ends[seg] if is_end else self.old_starts[seg]
        return self.old_starts[seg] + pos - self.new_starts[seg] + (1 if is_end else 0)

    def then(self, inner: Rewrite) -> Rewrite:
        """This rewrite followed by *inner*, a rewrite of this one's text."""
        return Rewrite(
            inner.text, self.new_starts, self.old_starts, self.old_ends, self.replaced, inner=_strip(inner)
        )


def _strip(rewrite: Rewrite) -> Rewrite:
    return Rewrite(
        "", rewrite.new_starts, rewrite.old_starts, rewrite.old_ends, rewrite.replaced, rewrite.inner
    )


def rewrite_all(
    texts: Sequence[str], arrow: Texts, how: Literal["refang", "url_decode"]
) -> dict[int, Rewrite]:
    """Re-fang (or URL-decode) every text that needs it; the positions of those that changed."""
    if how == "refang":
        matches = find_all(arrow, DEFANG, rows_matching(arrow, regex_of(DEFANG_MARKERS)))
    else:
        matches = find_all(arrow, URL_ESCAPE)
    if not len(matches):
        return {}
    tokens = matches.tokens.to_pylist()
    by_text: dict[int, list[Piece]] = {}
    for row, start, end, token in zip(
        matches.row.tolist(), matches.start.tolist(), matches.end.tolist(), tokens, strict=True
    ):
        by_text.setdefault(row, []).append((start, end, token))
    done = {}
    for row, found in by_text.items():
        text = texts[row]
        if not text.isascii():
            found = _char_pieces(text, found)
        pieces = _refang_pieces(text, found) if how == "refang" else _decode_pieces(found)
        if pieces:
            done[row] = _rewrite(text, pieces)
    return done


def _char_pieces(text: str, pieces: list[Piece]) -> list[Piece]:
    starts = char_offsets(text, np.asarray([p[0] for p in pieces], dtype=np.int64)).tolist()
    ends = char_offsets(text, np.asarray([p[1] for p in pieces], dtype=np.int64)).tolist()
    return [(start, end, piece[2]) for start, end, piece in zip(starts, ends, pieces, strict=True)]


def _decode_pieces(found: list[Piece]) -> list[Piece]:
    """``%XX`` escapes of printable ASCII, decoded."""
    pieces = []
    for start, end, token in found:
        code = int(token[1:], 16)
        if 0x20 <= code < 0x7F:
            pieces.append((start, end, chr(code)))
    return pieces


def _refang_pieces(text: str, found: list[Piece]) -> list[Piece]:
    """What each defang marker becomes; a plain `` at `` only before a defanged dot in the next word."""
    pieces = [(start, end, _replacement(token)) for start, end, token in found]
    kept = []
    for i, (start, end, new) in enumerate(pieces):
        if new == "@" and not any(b in text[start:end] for b in "[({"):
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            gap = text[end : nxt[0]] if nxt else ""
            if nxt is None or nxt[2] != "." or not gap or any(c.isspace() for c in gap):
                continue
        kept.append((start, end, new))
    return kept


def _replacement(token: str) -> str:
    low = token.strip().lower()
    inner = low.strip("[](){} ")
    if inner in ("@", "at"):
        return "@"
    if low.startswith("h"):
        return "https:" if "ps" in low else "http:"
    if low.startswith("fxp"):
        return "ftps:" if "ps" in low else "ftp:"
    return "." if inner == "dot" else inner


def _rewrite(text: str, pieces: list[Piece]) -> Rewrite:
    out: list[str] = []
    new_starts: list[int] = []
    old_starts: list[int] = []
    old_ends: list[int] = []
    replaced: list[bool] = []
    pos = new_pos = 0
    for start, end, new in [*pieces, (len(text), len(text), "")]:
        for segment, old_start, old_end, is_replacement in (
            (text[pos:start], pos, start, False),
            (new, start, end, True),
        ):
            if segment:
                out.append(segment)
                new_starts.append(new_pos)
                old_starts.append(old_start)
                old_ends.append(old_end)
                replaced.append(is_replacement)
                new_pos += len(segment)
        pos = end
    new_starts.append(new_pos)  # one past the end, so a span ending with the text still maps
    old_starts.append(len(text))
    old_ends.append(len(text))
    replaced.append(False)
    return Rewrite("".join(out), new_starts, old_starts, old_ends, replaced)
