"""How values read in tables meant for people (terminal tables, HTML reports)."""

from __future__ import annotations

import datetime as dt

CELL_CHARS = 160
"""Longest text shown in one table cell."""


def short_value(value: object, *, max_chars: int = CELL_CHARS) -> object:
    """Return *value* as a table shows it: times to the second, long text cut with '…'."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and len(value) > max_chars:
        return value[: max_chars - 1] + "…"
    return value
