"""The scanning engine: every IoC type over many texts, one vectorised RE2 pass per pattern.

Candidates are judged once per distinct (token, surrounding bytes) pair, so
Python runs per distinct indicator, not per occurrence. Indicators that sit
inside another (a host inside a URL, a file name inside a path) are dropped
unless asked for. Defanged and URL-encoded texts are rewritten and scanned
again, with offsets mapped back to the original text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from huntbook.analysis.iocs import rewrite
from huntbook.analysis.iocs.arrow_regex import (
    ArrowStrings,
    Texts,
    arrow_strings,
    arrow_texts,
    char_offsets,
    find_all,
    regex_of,
    rows_matching,
    texts_of,
)
from huntbook.analysis.iocs.found import Found, expand
from huntbook.analysis.iocs.patterns import Pattern
from huntbook.analysis.iocs.types import IocType

if TYPE_CHECKING:
    import pyarrow as pa

NESTED_IN: dict[str, tuple[str, ...]] = {
    "url": ("*",),
    "email": ("domain", "ipv4", "ipv6"),
    "winpath": ("domain", "linpath", "url", "email"),
    "linpath": ("domain",),
    "ipv6": ("ipv4",),
}
"""Container type -> the types dropped when they lie inside one of its matches."""

_NEWLINE = 10


def scan_texts(
    texts: Sequence[str],
    types: Sequence[IocType],
    *,
    nested: bool = False,
    refang: bool = True,
    url_decode: bool = True,
) -> Found:
    """Find the indicators of *types* in each of *texts*.

    Long texts are cut into lines (no indicator spans a line break) and each
    distinct line or text is scanned once.

    Parameters
    ----------
    texts : sequence of str
        The texts; results name them by position.
    types : sequence of IocType
        What to look for.
    nested : bool
        Also report indicators inside others (a URL's host, a path's file name).
    refang : bool
        Re-fang defanged text (``evil[.]com``) before scanning it.
    url_decode : bool
        Also scan the URL-decoded form of texts with ``%XX`` escapes.
    """
    lines = _lines(texts)
    found = _scan_distinct(lines.distinct, types, nested=nested, refang=refang, url_decode=url_decode)
    hit, line = expand(found.text, lines.codes)
    expanded = found.take(hit)
    expanded.text = lines.owner[line]
    expanded.start = expanded.start + lines.base[line]
    expanded.end = expanded.end + lines.base[line]
    return expanded


@dataclass(frozen=True)
class _Lines:
    """The distinct lines of some texts, and for every line its distinct line, text and offset."""

    distinct: pa.LargeStringArray
    codes: np.ndarray
    owner: np.ndarray
    base: np.ndarray


def _lines(texts: Sequence[str]) -> _Lines:
    """Cut texts into lines (no indicator spans a line break) and keep each distinct line once."""
    if not (texts.contains_char("\n") if isinstance(texts, ArrowStrings) else any("\n" in t for t in texts)):
        # the caller's texts, distinct already
        everything = np.arange(len(texts), dtype=np.int64)
        return _Lines(arrow_strings(texts), everything, everything, np.zeros(len(texts), dtype=np.int64))
    lines: list[str] = []
    per_text = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        split = text.split("\n")
        lines.extend(split)
        per_text[i] = len(split)
    distinct = list(dict.fromkeys(lines))
    if len(distinct) == len(lines):  # as in most logs, each line is stamped with its own time
        codes = np.arange(len(lines), dtype=np.int64)
    else:
        position = {line: i for i, line in enumerate(distinct)}
        codes = np.fromiter(map(position.__getitem__, lines), np.int64, len(lines))
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), per_text)
    step = np.fromiter(map(len, lines), np.int64, len(lines)) + 1
    before = np.cumsum(step) - step
    first_line = np.cumsum(per_text) - per_text
    return _Lines(arrow_strings(distinct), codes, owner, before - before[first_line][owner])


def _scan_distinct(
    array: pa.LargeStringArray, types: Sequence[IocType], *, nested: bool, refang: bool, url_decode: bool
) -> Found:
    """Scan distinct texts: first as they are (re-fanged), then URL-decoded where that finds more."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = ArrowStrings(array)
    arrow = texts_of(array)
    rewritten = rewrite.rewrite_all(texts, arrow, "refang") if refang else {}
    first_texts: Sequence[str] = texts
    if rewritten:
        changed = sorted(rewritten)
        mask = np.zeros(len(array), dtype=bool)
        mask[changed] = True
        replacements = pa.array([rewritten[i].text for i in changed], type=pa.large_string())
        array = pc.replace_with_mask(array, pa.array(mask), replacements)
        first_texts, arrow = ArrowStrings(array), texts_of(array)
    found = _map_back(_scan(first_texts, arrow, types, nested), texts, rewritten)
    if not url_decode:
        return found
    decoded = rewrite.rewrite_all(first_texts, arrow, "url_decode")
    if not decoded:
        return found
    rows = np.fromiter(decoded, dtype=np.int64, count=len(decoded))
    chained = {i: rewritten[i].then(decoded[i]) if i in rewritten else decoded[i] for i in decoded}
    decoded_texts = [chained[i].text for i in rows.tolist()]
    extra = _scan(decoded_texts, arrow_texts(decoded_texts), types, nested)
    extra.text = rows[extra.text]
    extra = _map_back(extra, texts, chained)
    return Found.concat(found, extra.take(_not_overlapping(extra, found)))


def _scan(texts: Sequence[str], arrow: Texts, types: Sequence[IocType], nested: bool) -> Found:
    """Scan texts already loaded into Arrow; offsets in the result are characters of *texts*."""
    by_pattern: dict[Pattern, list[IocType]] = {}
    for kind in types:
        by_pattern.setdefault(kind.pattern, []).append(kind)
    rare = [p for p in by_pattern if not p.common]
    rare_rows = rows_matching(arrow, "|".join(regex_of(p) for p in rare)) if len(rare) > 1 else None
    parts = [
        _judge(arrow, pattern, kinds, None if pattern.common else rare_rows)
        for pattern, kinds in by_pattern.items()
    ]
    found = Found.concat(Found.empty(), *parts)
    if not len(found):
        return found
    if not nested:
        absolute_start = arrow.offsets[found.text] + found.start
        absolute_end = arrow.offsets[found.text] + found.end
        found = found.take(_outside_containers(found.type, absolute_start, absolute_end))
    if not arrow.ascii:
        found.start, found.end = _char_offsets(texts, arrow, found.text, found.start, found.end)
    return found


def _judge(arrow: Texts, pattern: Pattern, kinds: list[IocType], rows: np.ndarray | None) -> Found:
    """Find *pattern*'s candidates (in *rows*, default all); each of *kinds* judges them once per context."""
    import pyarrow.compute as pc

    matches = find_all(arrow, pattern, rows)
    if not len(matches):
        return Found.empty()
    context = _context(arrow, matches.row, matches.start, matches.end)
    encoded = pc.dictionary_encode(matches.tokens)
    token_index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    tokens = [t.encode() for t in encoded.dictionary.to_pylist()]
    keys, inverse = np.unique((token_index << 32) | context, return_inverse=True)
    inverse = inverse.reshape(-1)
    parts = []
    for kind in kinds:
        ok, shift_start, shift_end, observable, original = _verdicts(kind, keys, tokens)
        hit = ok[inverse]
        at = inverse[hit]
        parts.append(
            Found(
                matches.row[hit],
                np.full(int(hit.sum()), kind.name, dtype=object),
                observable[at],
                original[at],
                matches.start[hit] + shift_start[at],
                matches.end[hit] + shift_end[at],
            )
        )
    return Found.concat(*parts)


def _context(arrow: Texts, row: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Two bytes before and two after each match (newline beyond a text's ends), packed in an int."""
    data = arrow.data
    length = arrow.offsets[row + 1] - arrow.offsets[row]
    absolute = arrow.offsets[row]
    last = max(len(data) - 1, 0)

    def byte_at(local: np.ndarray) -> np.ndarray:
        inside = (local >= 0) & (local < length)
        if not len(data):
            return np.full(len(local), _NEWLINE, dtype=np.int64)
        return np.where(inside, data[np.clip(absolute + local, 0, last)], _NEWLINE).astype(np.int64)

    packed: np.ndarray = byte_at(start - 2) << 24 | byte_at(start - 1) << 16
    packed |= byte_at(end) << 8 | byte_at(end + 1)
    return packed


def _verdicts(
    kind: IocType, keys: np.ndarray, tokens: list[bytes]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run *kind*'s validator once per distinct (token, context) key."""
    n = len(keys)
    ok = np.zeros(n, dtype=bool)
    shift_start = np.zeros(n, dtype=np.int64)
    shift_end = np.zeros(n, dtype=np.int64)
    observable = np.empty(n, dtype=object)
    original = np.empty(n, dtype=object)
    for i, key in enumerate(keys.tolist()):
        token = tokens[key >> 32]
        ctx = key & 0xFFFFFFFF
        buf = bytes((ctx >> 24, (ctx >> 16) & 0xFF)) + token + bytes(((ctx >> 8) & 0xFF, ctx & 0xFF))
        verdict = kind.validate(buf, *kind.pattern.trim(buf, 2, 2 + len(token)))
        if verdict is None:
            continue
        start, end, observable[i] = verdict
        ok[i] = True
        shift_start[i] = start - 2
        shift_end[i] = end - 2 - len(token)
        original[i] = buf[start:end].decode("utf-8", "replace")
    return ok, shift_start, shift_end, observable, original


def _outside_containers(kinds: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """False for each indicator that lies inside a container (URL, email, path) of another type."""
    keep = np.ones(len(kinds), dtype=bool)
    for container, inner in NESTED_IN.items():
        is_container = kinds == container
        if not is_container.any():
            continue
        c_start, c_end = starts[is_container], ends[is_container]
        order = np.argsort(c_start, kind="stable")
        c_start, reach = c_start[order], np.maximum.accumulate(c_end[order])
        candidates = ~is_container if inner == ("*",) else np.isin(kinds, inner)
        idx = np.searchsorted(c_start, starts, side="right") - 1
        inside = (idx >= 0) & (reach[np.maximum(idx, 0)] >= ends)
        keep &= ~(candidates & inside)
    return keep


def _char_offsets(
    texts: Sequence[str], arrow: Texts, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Turn byte offsets within each text into character offsets (only non-ASCII texts change)."""
    starts, ends = starts.copy(), ends.copy()
    is_wide = np.zeros(len(arrow.offsets), dtype=bool)
    is_wide[np.searchsorted(arrow.offsets, np.flatnonzero(arrow.data >= 0x80), side="right") - 1] = True
    for row in np.unique(rows[is_wide[rows]]).tolist():
        at = np.flatnonzero(rows == row)
        starts[at] = char_offsets(texts[row], starts[at])
        ends[at] = char_offsets(texts[row], ends[at])
    return starts, ends


def _map_back(found: Found, originals: Sequence[str], rewrites: dict[int, rewrite.Rewrite]) -> Found:
    """Map offsets found in rewritten texts back to the original texts (and take the original text)."""
    if not rewrites:
        return found
    for i in np.flatnonzero(np.isin(found.text, list(rewrites))).tolist():
        row = int(found.text[i])
        start, end = rewrites[row].span(int(found.start[i]), int(found.end[i]))
        found.start[i], found.end[i] = start, end
        found.original[i] = originals[row][start:end]
    return found


def _not_overlapping(extra: Found, found: Found) -> np.ndarray:
    """A mask of the indicators of *extra* that overlap none of *found* in the same text."""
    if not len(found):
        return np.ones(len(extra), dtype=bool)
    # one number line for all texts: text i occupies [i * width, (i + 1) * width)
    width = int(max(found.end.max(), extra.end.max(initial=0))) + 1
    found_start = found.text * width + found.start
    order = np.argsort(found_start, kind="stable")
    found_start = found_start[order]
    reach = np.maximum.accumulate((found.text * width + found.end)[order])
    last_before = np.searchsorted(found_start, extra.text * width + extra.end, side="left") - 1
    reaches_in = reach[np.maximum(last_before, 0)] > extra.text * width + extra.start
    keep: np.ndarray = ~((last_before >= 0) & reaches_in)
    return keep
