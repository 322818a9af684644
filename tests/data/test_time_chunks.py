"""Splitting a long time range into chunks run in parallel (huntbook.data.chunking)."""

import datetime as dt
import itertools

import pytest

from huntbook.data.catalog import Catalog, Query
from huntbook.data.chunking import MAX_CHUNKS, split_time_range
from huntbook.data.provider import QueryProvider
from huntbook.errors import ParameterError, PartialResultWarning, QueryError

UTC = dt.UTC
US = dt.timedelta(microseconds=1)

# rows on and around the day boundaries a split_by="1d" makes
TIMES = [
    "2026-03-01T00:00:00Z",  # == start
    "2026-03-01T23:59:59.999999Z",  # last microsecond of the first chunk
    "2026-03-02T00:00:00Z",  # exactly on a boundary
    "2026-03-02T12:00:00Z",
    "2026-03-03T00:00:00Z",  # boundary
    "2026-03-03T00:00:00Z",  # a genuine duplicate row: kept twice, as the unsplit query does
    "2026-03-04T06:00:00Z",
    "2026-03-04T18:00:00Z",  # == end (inclusive)
]
START = dt.datetime(2026, 3, 1, tzinfo=UTC)
END = dt.datetime(2026, 3, 4, 18, tzinfo=UTC)


@pytest.fixture(scope="module")
def boundary_qp(tmp_path_factory, lake_of_rows):
    folder = tmp_path_factory.mktemp("chunks")
    rows = [
        {"TimeGenerated": t, "Computer": "WS-1", "EventID": 4688, "CommandLine": f"cmd {i}"}
        for i, t in enumerate(TIMES)
    ]
    rows.append(
        {"TimeGenerated": "2026-03-05T00:00:00Z", "Computer": "WS-1", "EventID": 4688, "CommandLine": "late"}
    )
    lake = lake_of_rows(folder, "SecurityEvent", rows)
    with QueryProvider("Local", lake=lake) as provider:
        yield provider


def test_chunks_cover_the_range_without_gaps_or_overlaps():
    chunks = split_time_range(START, END, "1d")
    assert [c[0] for c in chunks] == [START + dt.timedelta(days=d) for d in range(4)]
    assert chunks[-1][1] == END
    for (_, high), (low, _) in itertools.pairwise(chunks):
        assert low - high == US
    # a range that ends on a boundary has no empty extra chunk, and the end stays inclusive
    aligned = split_time_range(START, START + dt.timedelta(days=2), dt.timedelta(days=1))
    assert aligned == [
        (START, START + dt.timedelta(days=1) - US),
        (START + dt.timedelta(days=1), START + dt.timedelta(days=2)),
    ]
    assert split_time_range(START, START, "1h") == [(START, START)]


def test_bad_splits_are_refused_with_a_reason():
    with pytest.raises(ParameterError, match="positive"):
        split_time_range(START, END, "0s")
    with pytest.raises(ParameterError, match="after end"):
        split_time_range(END, START, "1d")
    with pytest.raises(ParameterError, match="at most"):
        split_time_range(START, START + dt.timedelta(days=365), "1s")
    assert len(split_time_range(START, START + dt.timedelta(seconds=MAX_CHUNKS), "1s")) == MAX_CHUNKS
    with pytest.raises(ParameterError, match="at most"):
        split_time_range(START, START + dt.timedelta(seconds=MAX_CHUNKS, microseconds=1), "1s")


def test_split_query_equals_the_unsplit_one_on_boundary_rows(boundary_qp):
    fn = boundary_qp.WindowsSecurity.list_host_processes
    whole = fn(host_name="WS-1", start=START, end=END)
    split = fn(host_name="WS-1", start=START, end=END, split_by="1d", max_workers=2, progress=False)
    assert list(whole["CommandLine"]) == [f"cmd {i}" for i in range(len(TIMES))]
    assert list(split["CommandLine"]) == list(whole["CommandLine"])
    assert list(split["TimeGenerated"]) == list(whole["TimeGenerated"])
    assert split.attrs["huntbook"]["chunks"] == 4
    assert split.attrs["huntbook"]["failed_chunks"] == []
    assert split.attrs["huntbook"]["query_name"] == "WindowsSecurity.list_host_processes"
    # finer chunks (6 h, most of them empty) give the same rows too
    finer = fn(host_name="WS-1", start=START, end=END, split_by="6h", progress=True)
    assert list(finer["CommandLine"]) == list(whole["CommandLine"])


def test_adhoc_query_splits_on_its_start_end_params(boundary_qp):
    kql = """
declare query_parameters(start:datetime, end:datetime);
SecurityEvent | where TimeGenerated between (start .. end) | project TimeGenerated, CommandLine
| sort by TimeGenerated asc
"""
    params = {"start": START, "end": END}
    whole = boundary_qp.exec_query(kql, params=params)
    split = boundary_qp.exec_query(kql, params=params, split_by="12h", progress=False)
    assert sorted(split["CommandLine"]) == sorted(whole["CommandLine"])
    assert split["TimeGenerated"].is_monotonic_increasing
    with pytest.raises(ParameterError, match="'start' and 'end'"):
        boundary_qp.exec_query("SecurityEvent | take 1", split_by="1d")


def test_a_failing_chunk_keeps_the_others_and_names_itself(boundary_qp, monkeypatch):
    driver = boundary_qp.driver
    real_execute = driver.execute
    bad_day = START + dt.timedelta(days=1)

    def execute(query, params=None, **kwargs):  # the real driver, made to fail on one chunk
        if params and params.get("start") == bad_day:
            raise QueryError("backend said: too many requests")
        return real_execute(query, params, **kwargs)

    monkeypatch.setattr(driver, "execute", execute)
    fn = boundary_qp.WindowsSecurity.list_host_processes
    with pytest.warns(
        PartialResultWarning, match=r"1 of 4 time chunks failed.*2026-03-02 00:00:00.*too many requests"
    ):
        frame = fn(host_name="WS-1", start=START, end=END, split_by="1d", progress=False)
    # the chunk of 2026-03-02 held cmd 2 and cmd 3; every other row is kept, in order
    assert list(frame["CommandLine"]) == ["cmd 0", "cmd 1", "cmd 4", "cmd 5", "cmd 6", "cmd 7"]
    (failed,) = frame.attrs["huntbook"]["failed_chunks"]
    assert failed["start"] == bad_day
    assert "too many requests" in failed["error"]

    def always_fails(query, params=None, **kwargs):
        raise QueryError("backend down")

    monkeypatch.setattr(driver, "execute", always_fails)
    with pytest.raises(QueryError, match="backend down"):
        fn(host_name="WS-1", start=START, end=END, split_by="1d", progress=False)


def test_queries_without_a_time_range_cannot_be_split(boundary_qp):
    query = Query("latest", "Adhoc", "The latest event.", (), {"kql": "SecurityEvent | take 1"})
    provider = QueryProvider("Local", lake=boundary_qp.driver.lake, catalog=Catalog({query.full_name: query}))
    assert len(provider.Adhoc.latest()) == 1
    with pytest.raises(ParameterError, match="cannot be split"):
        provider.Adhoc.latest(split_by="1d")
    provider.close()
