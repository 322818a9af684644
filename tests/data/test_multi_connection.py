"""One query on several connections at once (huntbook.data.multi)."""


import pytest

from huntbook.data.multi import MultiProvider
from huntbook.data.provider import QueryProvider
from huntbook.errors import HuntbookError, PartialResultWarning, UnknownQueryError, UnknownTableError


def _event(time, computer, command):
    return {"TimeGenerated": time, "Computer": computer, "EventID": 4688, "CommandLine": command}


@pytest.fixture(scope="module")
def lakes(tmp_path_factory, lake_of_rows):
    root = tmp_path_factory.mktemp("multi")
    east = lake_of_rows(root / "east", "SecurityEvent", [_event("2026-03-01T10:00:00Z", "WS-1", "east a")])
    west = lake_of_rows(
        root / "west",
        "SecurityEvent",
        [_event("2026-03-01T09:00:00Z", "WS-1", "west a"), _event("2026-03-02T09:00:00Z", "WS-1", "west b")],
    )
    signins_only = lake_of_rows(
        root / "signins",
        "SigninLogs",
        [{"TimeGenerated": "2026-03-01T10:00:00Z", "UserPrincipalName": "a@example.com", "ResultType": "0"}],
    )
    return {"east": east, "west": west, "signins": signins_only}


def test_a_catalog_query_runs_on_every_lake_and_says_where_rows_came_from(lakes):
    mp = QueryProvider.multi(
        {"east": QueryProvider("Local", lake=lakes["east"]), "west": ("Local", {"lake": lakes["west"].path})}
    )
    with mp:
        frame = mp.WindowsSecurity.list_host_processes(host_name="WS-1", start="2026-03-01", end="2026-03-03")
        assert list(frame.columns[:2]) == ["Connection", "TimeGenerated"]
        assert list(zip(frame["Connection"], frame["CommandLine"], strict=True)) == [
            ("east", "east a"),
            ("west", "west a"),
            ("west", "west b"),
        ]
        assert frame.attrs["huntbook"]["failed_connections"] == {}
        same = mp.run(
            "WindowsSecurity.list_host_processes", host_name="WS-1", start="2026-03-01", end="2026-03-03"
        )
        assert same.equals(frame)
        adhoc = mp.exec_query("SecurityEvent | summarize n = count()")
        assert dict(zip(adhoc["Connection"], adhoc["n"], strict=True)) == {"east": 1, "west": 2}
        assert "WindowsSecurity.list_host_processes" in mp.list_queries()
        assert "WindowsSecurity" in dir(mp)


def test_a_failing_connection_is_reported_and_the_others_kept(lakes):
    mp = MultiProvider(
        [QueryProvider("Local", lake=lakes["west"]), QueryProvider("Local", lake=lakes["signins"])],
        column="Source",
    )
    with (
        mp,
        pytest.warns(PartialResultWarning, match=r"1 of 2 connections failed \(Local-2: UnknownTableError"),
    ):
        frame = mp.exec_query("SecurityEvent | project CommandLine | sort by CommandLine asc")
    assert list(frame["Source"]) == ["Local", "Local"]
    assert list(frame["CommandLine"]) == ["west a", "west b"]
    assert "Local-2" in frame.attrs["huntbook"]["failed_connections"]
    with pytest.raises(UnknownTableError):
        MultiProvider([QueryProvider("Local", lake=lakes["signins"])]).exec_query("SecurityEvent | take 1")


def test_bad_connections_are_refused(lakes):
    with pytest.raises(HuntbookError, match="at least one"):
        MultiProvider([])
    with pytest.raises(HuntbookError, match=r"QueryProvider or \(environment, options\)"):
        MultiProvider(["Local"])
    mp = MultiProvider([QueryProvider("Local", lake=lakes["east"])])
    with pytest.raises(UnknownQueryError, match="list_queries"):
        mp.query("WindowsSecurity.no_such_query")
    with pytest.raises(AttributeError, match="No query family"):
        _ = mp.NoSuchFamily
