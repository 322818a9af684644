"""`Found`: indicators column-wise, and `expand`, which gives every holder of a text its indicators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Found:
    """Indicators found in a list of texts, column-wise; offsets are characters of the original text."""

    text: np.ndarray
    type: np.ndarray
    observable: np.ndarray
    original: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def empty(cls) -> Found:
        """No indicators."""
        ints, objects = np.zeros(0, np.int64), np.zeros(0, object)
        return cls(ints, objects, objects, objects, ints, ints)

    def take(self, keep: np.ndarray) -> Found:
        """The indicators selected by *keep* (a mask or positions)."""
        return Found(*(getattr(self, f)[keep] for f in _FIELDS))

    @staticmethod
    def concat(*parts: Found) -> Found:
        """The indicators of all *parts*, in order."""
        return Found(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))

    def __len__(self) -> int:
        return len(self.text)


_FIELDS = ("text", "type", "observable", "original", "start", "end")


def expand(found_in: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give every holder of a distinct text that text's indicators.

    *found_in* names the distinct text of each indicator, *codes* the
    distinct text of each holder (-1: none). Returns, per output row, the
    indicator and the holder.
    """
    held = codes >= 0
    per_text = np.bincount(codes[held], minlength=int(found_in.max(initial=-1)) + 1)
    holders = np.flatnonzero(held)[np.argsort(codes[held], kind="stable")]
    first = np.cumsum(per_text) - per_text
    repeats = per_text[found_in]
    hit = np.repeat(np.arange(len(found_in)), repeats)
    within = np.arange(len(hit)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    return hit, holders[first[found_in][hit] + within]
