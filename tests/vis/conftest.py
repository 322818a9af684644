"""Fixtures of the plot tests: demo-lake tables as pandas frames (the browser is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def lake_table(demo_lake: Any) -> Callable[[str], Any]:
    """Read one table of the demo lake into pandas (cached per table for the session)."""
    import pandas as pd

    cache: dict[str, pd.DataFrame] = {}

    def read(table: str) -> pd.DataFrame:
        if table not in cache:
            cache[table] = pd.concat([pd.read_parquet(f) for f in demo_lake.files(table)], ignore_index=True)
        return cache[table].copy()

    return read
