"""What ``huntbook iocs`` searches: the lines of a text, printable strings of a binary, decoded payloads.

A binary file is no text: read as UTF-8 it gives junk "indicators" (runs of
padding taken for hashes, section names taken for domains). `is_binary`
tells it apart; `printable_strings` takes the readable runs out of it, as
``strings(1)`` does (ASCII and UTF-16LE); `with_payloads` adds the text of
every payload `huntbook.unpack` decodes; `unique_iocs` folds repeats.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}


def is_binary(data: bytes, sample: int = 65536) -> bool:
    """Whether *data* is no text: it has a NUL byte, is no UTF-8, or >10% control bytes (first 64 KiB)."""
    head = data[:sample]
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the end of the sample
            return True
    return sum(byte in _CONTROL for byte in head) > len(head) // 10


def printable_strings(data: bytes, min_length: int = 6) -> list[str]:
    """The runs of at least *min_length* printable ASCII characters, then those of UTF-16LE text.

    The patterns are one character class repeated: linear time, no backtracking.
    """
    ascii_run = re.compile(rb"[\t\x20-\x7e]{%d,}" % min_length)
    wide_run = re.compile(rb"(?:[\t\x20-\x7e]\x00){%d,}" % min_length)
    found = [m.group().decode("ascii") for m in ascii_run.finditer(data)]
    found += [m.group().decode("utf-16-le") for m in wide_run.finditer(data)]  # at even or odd offsets
    return found


def with_payloads(lines: list[str]) -> tuple[list[str], list[int]]:
    """*lines* and, after them, the text of every payload decoded from them (`huntbook.unpack`).

    Returns the texts and, for each, the index of the line it came from.
    """
    from huntbook.analysis.decode import unpack

    texts, origin = list(lines), list(range(len(lines)))
    for index, line in enumerate(lines):
        if len(line) < 16:  # too short to hold an encoded payload
            continue
        for layer in unpack(line).layers():
            if layer.text:
                texts.append(layer.text)
                origin.append(index)
    return texts, origin


def unique_iocs(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per type and observable: how many times it was found and the first *by* (line/row)."""
    grouped = frame.groupby([frame["type"].astype(str), frame["observable"].astype(str)], sort=False)
    return (
        grouped.agg(count=("observable", "size"), **{f"first_{by}": (by, "min")})
        .reset_index()
        .sort_values([f"first_{by}", "type"], kind="stable")
        .reset_index(drop=True)
    )
