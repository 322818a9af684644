"""Rows in a terminal: a table when its columns fit the width, else one block per record.

Columns empty in every row are left out and named in one dim line below. A table
fits when every column gets at least its longest word (header included), so no
word is broken; otherwise each row is shown as a block of ``field  value`` lines
(fields empty in that row left out).
Every cell and column name is a `cell_text` (shown literally, cut at `CELL_CHARS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from huntbook.display import cell_text, literal_text

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import RenderableType
    from rich.text import Text

COLUMN_CHARS = 60
"""Widest table column; longer words fold inside it."""
_SPACES = re.compile(r"\s+")


def empty_columns(frame: pd.DataFrame) -> list[str]:
    """Return the columns of *frame* whose every value is missing or the empty string.

    A frame without rows has no empty columns (its columns are all it shows).
    """
    if frame.empty:
        return []
    return [
        str(name)
        for i, name in enumerate(frame.columns)
        if all(_is_blank(v) for v in frame.iloc[:, i].tolist())
    ]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "") or _isna(value)


def _isna(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: not one missing value
        return False


def fit_widths(headers: Sequence[Text], rows: Sequence[Sequence[Text]], width: int) -> list[int] | None:
    """Return column widths (without padding) that fit a boxed table in *width*, or ``None``.

    Each column gets at least its longest word (at most `COLUMN_CHARS`), so a
    header or value is never broken mid-word; the widest columns give way first.
    ``None`` when even those least widths do not fit.
    """
    from rich.cells import cell_len

    least, most = [], []
    for i, header in enumerate(headers):
        texts = [header.plain, *(row[i].plain for row in rows)]
        words = [cell_len(w) for t in texts for w in _SPACES.split(t)]
        least.append(min(max(words, default=1), COLUMN_CHARS) or 1)
        most.append(max(min(max(cell_len(t) for t in texts), COLUMN_CHARS), least[-1]))
    room = width - 3 * len(headers) - 1  # a blank each side of a cell, a border line between and around
    if sum(least) > room:
        return None
    if sum(most) <= room:
        return most
    low, high = 1, COLUMN_CHARS  # the largest cap on the width of a column that fits
    while low < high:
        cap = (low + high + 1) // 2
        if sum(max(a, min(b, cap)) for a, b in zip(least, most, strict=True)) <= room:
            low = cap
        else:
            high = cap - 1
    return [max(a, min(b, low)) for a, b in zip(least, most, strict=True)]


def terminal_view(frame: pd.DataFrame, *, width: int, limit: int) -> RenderableType:
    """Return the first *limit* rows of *frame* as a table or as records, with a count and a note.

    Parameters
    ----------
    frame
        Rows to show.
    width
        Terminal columns.
    limit
        Most rows shown.
    """
    from rich.console import Group
    from rich.text import Text

    dropped = empty_columns(frame)
    shown = frame.drop(columns=[c for c in frame.columns if str(c) in dropped])
    headers = [cell_text(c) for c in shown.columns]
    rows = [[cell_text("" if _isna(v) else v) for v in r] for r in shown.head(limit).itertuples(index=False)]
    widths = fit_widths(headers, rows, width)
    body = _table(headers, rows, widths) if widths is not None else _records(headers, rows, width, len(frame))
    parts: list[RenderableType] = [body] if rows or widths is not None else []
    count = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
    parts.append(Text(count + (f", first {limit} shown" if len(frame) > limit else "")))
    if dropped:
        many = len(dropped) > 1
        parts.append(
            Text.assemble(
                (f"{len(dropped)} empty column{'s' if many else ''} not shown: ", "dim"),
                literal_text(", ".join(dropped), style="dim"),
                (f" (--format csv or json keeps {'them' if many else 'it'})", "dim"),
            )
        )
    return Group(*parts)


def _table(headers: Sequence[Text], rows: Sequence[Sequence[Text]], widths: Sequence[int]) -> Any:
    from rich.table import Table

    table = Table()
    for header, width in zip(headers, widths, strict=True):
        table.add_column(header, width=width, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def _records(headers: Sequence[Text], rows: Sequence[Sequence[Text]], width: int, total: int) -> Any:
    """One block per row: a dim rule ``record i of n``, then a ``field  value`` line per non-empty field."""
    from rich.cells import cell_len
    from rich.console import Group
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    names = min(max((cell_len(h.plain) for h in headers), default=1), max(12, width // 3))
    blocks: list[Any] = []
    for number, row in enumerate(rows, 1):
        blocks.append(Rule(Text(f"record {number:,} of {total:,}"), align="left", style="dim"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=names, overflow="fold", style="bold")
        grid.add_column(overflow="fold")
        for header, cell in zip(headers, row, strict=True):
            if cell.plain:  # a field empty in this row only: left out of its block
                grid.add_row(header, cell)
        blocks.append(grid)
    return Group(*blocks)
