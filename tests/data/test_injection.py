"""Parameter values are bound, never spliced: no payload can change a query's shape or rows."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huntbook.data.provider import QueryProvider
from injection_payloads import PAYLOADS


def host_matches(computer: str, host: str) -> bool:
    """What the catalog's host queries mean: the name without case, or that name plus a domain."""
    return computer.lower() == host.lower() or computer.lower().startswith(host.lower() + ".")


@pytest.fixture(scope="module")
def payload_lake(tmp_path_factory, lake_of_rows):
    folder = tmp_path_factory.mktemp("payloads")
    rows = [
        {
            "TimeGenerated": f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
            "Computer": p,
            "EventID": 4688,
            "CommandLine": p,
            "NewProcessName": "C:\\x.exe",
        }
        for i, p in enumerate(PAYLOADS)
    ]
    rows.append(
        {
            "TimeGenerated": "2026-01-01T01:00:00Z",
            "Computer": "WS-001",
            "EventID": 4688,
            "CommandLine": "benign",
            "NewProcessName": "C:\\y.exe",
        }
    )
    lake = lake_of_rows(folder, "SecurityEvent", rows)
    provider = QueryProvider("Local", lake=lake)
    yield provider
    provider.close()


@pytest.fixture(scope="module")
def columns(payload_lake):
    return list(payload_lake.WindowsSecurity.list_host_processes(host_name="WS-001").columns)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_matches_only_its_own_row(payload_lake, columns, payload):
    result = payload_lake.WindowsSecurity.list_host_processes(host_name=payload)
    assert list(result.columns) == columns
    expected = [c for c in [*PAYLOADS, "WS-001"] if host_matches(c, payload)]
    assert payload in expected
    assert sorted(result["Computer"]) == sorted(expected)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_a_contains_filter_is_a_value(payload_lake, payload):
    result = payload_lake.WindowsSecurity.list_processes_by_commandline(commandline_text=payload)
    expected = sorted(p for p in [*PAYLOADS, "benign"] if payload.lower() in p.lower())
    assert sorted(result["CommandLine"]) == expected


def test_payloads_in_a_list_parameter(payload_lake):
    frame = payload_lake.exec_query(
        "declare query_parameters(hosts:dynamic);"
        " SecurityEvent | where Computer in (hosts) | project Computer",
        params={"hosts": PAYLOADS[:10]},
    )
    assert sorted(frame["Computer"]) == sorted(PAYLOADS[:10])


def test_payloads_in_sql_parameters(payload_lake):
    for payload in PAYLOADS:
        frame = payload_lake.exec_query(
            "SELECT Computer FROM SecurityEvent WHERE Computer = $h", params={"h": payload}, language="sql"
        )
        assert list(frame["Computer"]) == [payload]  # SQL = is exact


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=40).filter(lambda t: t.lower() not in {p.lower() for p in PAYLOADS}))
def test_any_text_matches_nothing_and_keeps_the_shape(payload_lake, columns, text):
    if text.lower() == "ws-001":
        return
    result = payload_lake.WindowsSecurity.list_host_processes(host_name=text)
    assert list(result.columns) == columns
    assert result.empty
