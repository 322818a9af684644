"""Rows typed in batches (to bound memory) make the same tables as rows typed at once."""

import duckdb
import pytest

from huntbook.data.lake.lake import Lake
from huntbook.data.lake.winevents import EventRows

pytest.importorskip("evtx")


def contents(lake):
    tables = {}
    for name in lake.tables():
        files = [str(f) for f in lake.files(name)]
        frame = duckdb.read_parquet(files, union_by_name=True).df()
        frame = frame[sorted(frame.columns)]
        tables[name] = sorted(tuple(map(str, row)) for row in frame.itertuples(index=False))
    return tables


def test_small_batches_give_the_same_tables(tmp_path, shared_data, monkeypatch):
    folder = shared_data / "evtx"
    whole = Lake(tmp_path / "whole")
    whole.ingest(folder)
    monkeypatch.setattr(EventRows, "BATCH_ROWS", 7)
    batched = Lake(tmp_path / "batched")
    reports = batched.ingest(folder)
    assert sum(r.records for r in reports) == 1808
    assert contents(batched) == contents(whole)
    for name in whole.tables():
        (part,) = batched.files(name)  # still one part per table
        columns = duckdb.read_parquet(str(part)).columns
        assert columns == duckdb.read_parquet([str(f) for f in whole.files(name)]).columns
