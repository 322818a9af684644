"""A small lake from a few rows, for the QueryProvider tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from huntbook.data.lake.lake import Lake


def _lake_of_rows(folder: Path, table: str, rows: list[dict[str, Any]]) -> Lake:
    """A lake in *folder* whose *table* holds *rows*, ingested as JSON lines as a user would."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    lake = Lake(folder / "lake")
    lake.ingest(folder / "rows.jsonl", table)
    return lake


@pytest.fixture(scope="session")
def lake_of_rows() -> Callable[[Path, str, list[dict[str, Any]]], Lake]:
    """`_lake_of_rows`, for fixtures of any scope."""
    return _lake_of_rows
