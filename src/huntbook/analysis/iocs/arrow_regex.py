"""Every match of an RE2 pattern in many texts at once, with Arrow's vectorised RE2 kernels.

Python's regex engines cost about a microsecond per match in interpreter
overhead; here no Python code runs per match. Arrow's
``replace_substring_regex`` wraps each token in NUL markers (the texts hold
none: `arrow_texts` blanks them) and ``split_pattern`` cuts on the markers,
so every odd piece of a text is a token and the byte lengths of the pieces
give the offsets. Arrow compiles the expression on every call, so small
inputs go to the same RE2 through its Python binding, compiled once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

    from huntbook.analysis.iocs.patterns import Pattern

MARK = "\x00"
SMALL_INPUT = 1 << 16
"""Inputs up to this many bytes are scanned with the cached Python RE2 binding."""


@dataclass(frozen=True)
class Texts:
    """Texts as one Arrow array, with their UTF-8 bytes and each text's byte offset in them."""

    array: pa.LargeStringArray
    data: np.ndarray
    offsets: np.ndarray

    @property
    def ascii(self) -> bool:
        """True if every text is ASCII (byte offsets are character offsets)."""
        return len(self.data) == 0 or int(self.data.max()) < 0x80


def arrow_texts(texts: Sequence[str]) -> Texts:
    """Load *texts* into Arrow: NULs become spaces and lone surrogates U+FFFD (lengths kept)."""
    return texts_of(arrow_strings(texts))


def arrow_strings(texts: Sequence[str]) -> pa.LargeStringArray:
    """*texts* as one Arrow array, NULs made spaces and lone surrogates U+FFFD (lengths kept)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(texts, ArrowStrings):  # already Arrow (and so valid UTF-8)
        array = texts.array
    else:
        try:
            array = pa.array(texts, type=pa.large_string())
        except UnicodeEncodeError:
            array = pa.array([_without_surrogates(t) for t in texts], type=pa.large_string())
    if (texts_of(array).data == 0).any():
        array = pc.replace_substring(array, MARK, " ")
    return array


def texts_of(array: pa.LargeStringArray) -> Texts:
    """The `Texts` view of an Arrow array of texts (no copy when it is not a slice)."""
    import pyarrow as pa

    if array.offset:
        array = pa.concat_arrays([array])
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[: len(array) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8)[: offsets[-1]] if data_buffer else np.zeros(0, np.uint8)
    if len(offsets) and offsets[0]:
        data, offsets = data[offsets[0] :], offsets - offsets[0]
    return Texts(array, data, offsets)


class ArrowStrings(Sequence[str]):
    """The texts of an Arrow array as a sequence of str, each made when asked for."""

    def __init__(self, array: pa.LargeStringArray):
        self.array = array

    @classmethod
    def of(cls, values: object) -> ArrowStrings | None:
        """*values* (a pandas Index or array) as ArrowStrings if they hold Arrow strings and no nulls.

        Otherwise None.
        """
        import pyarrow as pa

        values = getattr(values, "array", values)  # an Index's values
        if not hasattr(values, "__arrow_array__"):
            return None
        try:
            array = pa.array(values)
        except (pa.ArrowException, TypeError, ValueError):
            return None
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array.null_count or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            return None
        return cls(array.cast(pa.large_string()))

    def contains_char(self, char: str) -> bool:
        """True if any of the texts holds the character *char* (one scan of their bytes, no copy)."""
        if len(char) != 1:
            raise ValueError("contains_char looks for one character")
        data: Any = texts_of(self.array).data  # a NumPy view: searched in place
        return re.search(re.escape(char.encode()), data) is not None

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        value: str = self.array[index].as_py()
        return value


def _without_surrogates(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(c if not 0xD800 <= ord(c) <= 0xDFFF else "\ufffd" for c in text)
    return text


@dataclass(frozen=True)
class Matches:
    """Token matches: which text, byte offsets within it, and the token strings."""

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    tokens: pa.Array

    def __len__(self) -> int:
        return len(self.row)


def regex_of(pattern: Pattern) -> str:
    """The RE2 expression matching *pattern*'s token with its context (no capture groups)."""
    return f"(?:{pattern.before or ''})(?:{pattern.token})(?:{pattern.after or ''})"


def rows_matching(texts: Texts, regex: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Positions of the texts (among *rows*, default all) in which *regex* matches."""
    import pyarrow.compute as pc

    if len(texts.data) <= SMALL_INPUT:
        regex_bytes = _compiled(regex)
        candidates = range(len(texts.array)) if rows is None else rows.tolist()
        found = [r for r in candidates if regex_bytes.search(_text_bytes(texts, r))]
        return np.asarray(found, dtype=np.int64)
    array = texts.array if rows is None else texts.array.take(rows)
    hit = np.flatnonzero(pc.match_substring_regex(array, regex).to_numpy(zero_copy_only=False))
    return hit if rows is None else rows[hit]


def find_all(texts: Texts, pattern: Pattern, rows: np.ndarray | None = None) -> Matches:
    """Every non-overlapping match of *pattern* (leftmost-first, as RE2 finds them), context included.

    Only the texts at *rows* are searched (all by default). A match holds the
    context around the token too; `Pattern.trim` cuts it off.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    regex = regex_of(pattern)
    rows = rows_matching(texts, regex, rows)
    if len(texts.data) <= SMALL_INPUT:
        spans = [
            (r, *m.span()) for r in rows.tolist() for m in _compiled(regex).finditer(_text_bytes(texts, r))
        ]
        found = np.asarray(spans, dtype=np.int64).reshape(-1, 3)
        tokens = [_text_bytes(texts, r)[start:end].decode("utf-8", "replace") for r, start, end in spans]
        return Matches(found[:, 0], found[:, 1], found[:, 2], pa.array(tokens, type=pa.large_string()))
    marked = pc.replace_substring_regex(texts.array.take(rows), regex, f"{MARK}\\0{MARK}")
    pieces = pc.split_pattern(marked, MARK)
    list_offsets = pieces.offsets.to_numpy().astype(np.int64)
    values = (
        pieces.values.slice(list_offsets[0], list_offsets[-1] - list_offsets[0])
        if len(rows)
        else pieces.values
    )
    list_offsets = list_offsets - list_offsets[0]
    lengths = pc.binary_length(values).to_numpy(zero_copy_only=False).astype(np.int64)
    piece_text = np.repeat(np.arange(len(rows)), np.diff(list_offsets))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    first = starts[list_offsets[:-1].clip(max=max(len(starts) - 1, 0))] if len(starts) else starts
    local = starts - first[piece_text]
    position = np.arange(len(values)) - list_offsets[piece_text]
    token = np.flatnonzero(position % 2 == 1)
    return Matches(rows[piece_text[token]], local[token], local[token] + lengths[token], values.take(token))


def char_offsets(text: str, byte_offsets: np.ndarray) -> np.ndarray:
    """The character offsets in *text* of *byte_offsets* into its UTF-8 bytes (as in `arrow_texts`)."""
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    chars_before = np.concatenate([[0], np.cumsum((data & 0xC0) != 0x80)])
    result: np.ndarray = chars_before[byte_offsets]
    return result


def _text_bytes(texts: Texts, row: int) -> bytes:
    return texts.data[texts.offsets[row] : texts.offsets[row + 1]].tobytes()


@functools.cache
def _compiled(regex: str) -> Any:
    import re2

    return re2.compile(regex.encode())
