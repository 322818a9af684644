"""The opt-in query result cache (huntbook.data.result_cache)."""

import json
import re

import pyarrow.parquet as pq
import pytest

from huntbook.data.drivers.splunk import SplunkDriver
from huntbook.data.provider import QueryProvider
from huntbook.data.result_cache import ResultCache, ResultCacheWarning, backend_identity

ROWS = [
    {"TimeGenerated": "2026-03-01T10:00:00Z", "Computer": "WS-1", "EventID": 4688, "CommandLine": "a"},
    {"TimeGenerated": "2026-03-02T10:00:00Z", "Computer": "WS-1", "EventID": 4688, "CommandLine": "b"},
    {"TimeGenerated": "2026-03-03T10:00:00Z", "Computer": "WS-2", "EventID": 4688, "CommandLine": "c"},
]


@pytest.fixture(scope="module")
def lake(tmp_path_factory, lake_of_rows):
    return lake_of_rows(tmp_path_factory.mktemp("cached"), "SecurityEvent", ROWS)


def _counting(provider):
    """Wrap the real driver's execute to count the calls that reach it."""
    calls = []
    real = provider.driver.execute

    def execute(query, params=None, **kwargs):
        calls.append(dict(params or {}))
        return real(query, params, **kwargs)

    provider.driver.execute = execute
    return calls


def test_a_second_run_reads_the_cache_and_makes_no_driver_call(lake, tmp_path):
    qp = QueryProvider("Local", lake=lake, cache=tmp_path / "cache")
    calls = _counting(qp)
    fn = qp.WindowsSecurity.list_host_processes
    first = fn(host_name="WS-1")
    second = fn(host_name="WS-1")
    assert len(calls) == 1
    assert second.equals(first)
    assert list(second["CommandLine"]) == ["a", "b"]
    assert str(second["TimeGenerated"].dt.tz) == "UTC"
    assert (first.attrs["huntbook"]["cached"], second.attrs["huntbook"]["cached"]) == (False, True)
    assert second.attrs["huntbook"]["query_name"] == "WindowsSecurity.list_host_processes"
    fn(host_name="WS-2")  # other parameters: another entry
    assert len(calls) == 2
    fn(host_name="WS-1", refresh=True)
    fn(host_name="WS-1", cache=False)
    assert len(calls) == 4
    fn(host_name="WS-1")
    assert len(calls) == 4
    # a new provider on the same lake and folder (the notebook re-run) re-uses the files too
    again = QueryProvider("Local", lake=lake, cache=tmp_path / "cache")
    again_calls = _counting(again)
    assert again.WindowsSecurity.list_host_processes(host_name="WS-2")["CommandLine"].tolist() == ["c"]
    assert again_calls == []
    assert ResultCache(tmp_path / "cache").clear() == 2
    qp.close()
    again.close()


def test_split_chunks_are_cached_one_by_one(lake, tmp_path):
    qp = QueryProvider("Local", lake=lake, cache=ResultCache(tmp_path))
    calls = _counting(qp)
    fn = qp.WindowsSecurity.list_host_processes
    whole = fn(host_name="WS-1", start="2026-03-01", end="2026-03-03", split_by="1d", progress=False)
    assert len(calls) == 2
    again = fn(host_name="WS-1", start="2026-03-01", end="2026-03-03", split_by="1d", progress=False)
    assert len(calls) == 2
    assert list(again["CommandLine"]) == list(whole["CommandLine"]) == ["a", "b"]
    qp.close()


def test_without_cache_every_run_reaches_the_driver(lake):
    qp = QueryProvider("Local", lake=lake)
    calls = _counting(qp)
    qp.WindowsSecurity.list_host_processes(host_name="WS-1")
    qp.WindowsSecurity.list_host_processes(host_name="WS-1")
    assert len(calls) == 2
    qp.close()


def test_keys_depend_on_backend_query_and_values_and_names_hold_no_secrets(lake, tmp_path):
    secret = "hunter2-S3CRET-value"
    splunk = SplunkDriver(host="splunk.example", port=8089, username="analyst", password=secret)
    identity = backend_identity("Splunk", splunk)
    assert identity["host"] == "splunk.example"
    assert secret not in json.dumps(identity)
    other_host = backend_identity("Splunk", SplunkDriver(host="other.example", password=secret))
    key = ResultCache.key(identity, "search index=main", "spl", {"host_name": "WS-1"})
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key != ResultCache.key(other_host, "search index=main", "spl", {"host_name": "WS-1"})
    assert key != ResultCache.key(identity, "search index=main", "spl", {"host_name": "WS-2"})
    assert key != ResultCache.key(identity, "search index=other", "spl", {"host_name": "WS-1"})

    qp = QueryProvider("Local", lake=lake, cache=tmp_path)
    qp.WindowsSecurity.list_host_processes(host_name="WS-1")
    (file,) = tmp_path.glob("*.parquet")
    assert re.fullmatch(r"[0-9a-f]{64}\.parquet", file.name)
    metadata = pq.read_schema(file).metadata
    assert {k for k in metadata if k.startswith(b"huntbook.")} == {
        b"huntbook.environment",
        b"huntbook.language",
        b"huntbook.saved",
    }
    assert b"WS-1" not in b"".join(metadata.values())  # neither the query nor its values
    qp.close()


def test_a_damaged_cache_file_is_a_miss_not_a_failure(lake, tmp_path):
    qp = QueryProvider("Local", lake=lake, cache=tmp_path)
    calls = _counting(qp)
    qp.WindowsSecurity.list_host_processes(host_name="WS-1")
    (file,) = tmp_path.glob("*.parquet")
    file.write_bytes(b"not parquet")
    with pytest.warns(ResultCacheWarning, match="unreadable"):
        frame = qp.WindowsSecurity.list_host_processes(host_name="WS-1")
    assert list(frame["CommandLine"]) == ["a", "b"]
    assert len(calls) == 2
    qp.close()
