import inspect

import pandas as pd
import pytest

from huntbook.data.catalog import Catalog, load_file
from huntbook.data.provider import QueryProvider
from huntbook.errors import (
    HuntbookError,
    ParameterError,
    QueryError,
    TranslationError,
    UnknownQueryError,
    UnknownTableError,
)

ROWS = [
    {"TimeGenerated": "2026-03-01T10:00:00Z", "Computer": "WS-1", "EventID": 4688, "CommandLine": "a"},
    {"TimeGenerated": "2026-03-02T10:00:00Z", "Computer": "WS-1", "EventID": 4688, "CommandLine": "b"},
    {"TimeGenerated": "2026-03-03T10:00:00Z", "Computer": "WS-2", "EventID": 4624, "CommandLine": None},
]


@pytest.fixture(scope="module")
def small(tmp_path_factory, lake_of_rows):
    lake = lake_of_rows(tmp_path_factory.mktemp("small"), "SecurityEvent", ROWS)
    with QueryProvider("Local", lake=lake) as provider:
        yield provider


def test_default_time_range_is_the_lake_span(small):
    start, end = small.time_range
    assert start == pd.Timestamp("2026-03-01T10:00:00Z")
    assert end > pd.Timestamp("2026-03-03T10:00:00Z")
    frame = small.WindowsSecurity.list_host_processes(host_name="ws-1")
    assert list(frame["CommandLine"]) == ["a", "b"]


def test_explicit_and_default_time_ranges(small):
    frame = small.WindowsSecurity.list_host_processes(host_name="WS-1", start="2026-03-02")
    assert list(frame["CommandLine"]) == ["b"]
    small.set_time_range(end="2026-03-01T12:00")
    try:
        assert list(small.WindowsSecurity.list_host_processes(host_name="WS-1")["CommandLine"]) == ["a"]
    finally:
        small.set_time_range()
    with pytest.raises(QueryError, match="after end"):
        small.set_time_range("2026-03-05", "2026-03-01")


def test_results_are_utc_and_carry_provenance(small):
    frame = small.WindowsSecurity.list_host_processes(host_name="WS-1")
    assert str(frame["TimeGenerated"].dt.tz) == "UTC"
    info = frame.attrs["huntbook"]
    assert info["query_name"] == "WindowsSecurity.list_host_processes"
    assert info["parameters"]["host_name"] == "WS-1"
    binned = small.exec_query("SecurityEvent | summarize n = count() by bin(TimeGenerated, 1d)")
    assert str(binned["TimeGenerated"].dt.tz) == "UTC"


def test_query_functions_have_signatures_and_help(small):
    fn = small.WindowsSecurity.list_host_processes
    params = inspect.signature(fn).parameters
    assert list(params) == [
        "start",
        "end",
        "host_name",
        "timeout",
        "print_query",
        "split_by",
        "max_workers",
        "progress",
        "cache",
        "refresh",
    ]
    assert params["host_name"].default is inspect.Parameter.empty
    assert "host_name : str (required)" in fn.__doc__
    assert "start : datetime (default: the provider's time range)" in fn.help()
    assert "SecurityEvent" in fn.help()
    assert 'host_name:string = "WS-9"' in fn.text(host_name="WS-9")


def test_tab_completion_lists_families_and_queries(small):
    assert {"WindowsSecurity", "AzureAD", "MDE"} <= set(dir(small))
    assert "list_host_processes" in dir(small.WindowsSecurity)
    assert small.list_queries("DNS") == [f"DNS.{n}" for n in small.DNS.names()]


def test_run_by_name(small):
    assert len(small.run("WindowsSecurity.list_host_processes", host_name="WS-2")) == 0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda qp: qp.WindowsSecurity.list_host_processes(),
            ParameterError,
            "needs a value for 'host_name'",
        ),
        (
            lambda qp: qp.WindowsSecurity.list_host_processes(host="x"),
            ParameterError,
            "Did you mean 'host_name'",
        ),
        (
            lambda qp: qp.WindowsSecurity.list_host_processes(host_name="x", start="last week"),
            ParameterError,
            "'-7d'",
        ),
        (lambda qp: qp.WindowsSecurity.list_rare_processes(max_hosts="many"), ParameterError, "expects int"),
        (
            lambda qp: qp.run("WindowsSecurity.list_host_procs"),
            UnknownQueryError,
            "Did you mean 'list_host_processes'",
        ),
        (lambda qp: qp.WindowsSecurty, AttributeError, "Did you mean 'WindowsSecurity'"),
        (lambda qp: qp.WindowsSecurity.list_procs, AttributeError, "has no query 'list_procs'"),
        (
            lambda qp: qp.exec_query("SecurityEvents | take 1"),
            UnknownTableError,
            "Did you mean 'SecurityEvent'",
        ),
        (
            lambda qp: qp.exec_query("SigninLogs | take 1"),
            UnknownTableError,
            "known Sentinel table; ingest data into it",
        ),
        (lambda qp: qp.exec_query("SecurityEvent | wher x"), TranslationError, "does not parse"),
        (
            lambda qp: qp.exec_query("SecurityEvent | evaluate bag_unpack(x)"),
            TranslationError,
            "does not support the plugin 'evaluate bag_unpack'",
        ),
        (
            lambda qp: qp.exec_query("SecurityEvent | where Nope == 1"),
            QueryError,
            "column 'Nope' is not in SecurityEvent",
        ),
        (lambda qp: qp.exec_query("SecurityEvent", language="spl"), QueryError, "not 'spl'"),
        (
            lambda qp: qp.AzureAD.list_signins_for_account(account_upn="a@b.c"),
            UnknownTableError,
            "azure_ad.yaml:8): The lake at",
        ),
    ],
)
def test_mistakes_get_clear_errors(small, call, error, message):
    with pytest.raises(error) as info:
        call(small)
    assert message in str(info.value)


def test_timeout_stops_a_long_query(small):
    with pytest.raises(QueryError, match="timeout"):
        small.exec_query(
            "SELECT count(*) FROM range(1000000000) a, range(1000) b", language="sql", timeout=0.3
        )
    assert len(small.exec_query("SecurityEvent | take 1")) == 1  # the connection still works


def test_unknown_environment(small):
    with pytest.raises(HuntbookError, match=r"Unknown environment 'Locall'\. Did you mean 'Local'"):
        QueryProvider("Locall")


def test_user_catalog_folder_from_config(tmp_path, small, monkeypatch):
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "family: MyHunts\nqueries:\n  odd_commands:\n    description: Odd.\n"
        "    kql: SecurityEvent | where CommandLine == 'b'\n"
    )
    (tmp_path / "huntbook.yaml").write_text(f"queries:\n  catalog_paths: [{folder}]\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(tmp_path / "huntbook.yaml"))
    provider = QueryProvider("Local", lake=small.driver.lake)
    assert len(provider.MyHunts.odd_commands()) == 1
    assert "WindowsSecurity.list_host_processes" in provider.list_queries()


def test_queries_in_other_languages_are_hidden(tmp_path, small):
    (tmp_path / "spl.yaml").write_text(
        "family: SplunkOnly\nqueries:\n  q:\n    description: d\n    spl: search index=main\n"
    )
    catalog = Catalog()
    for query in load_file(tmp_path / "spl.yaml"):
        catalog.add(query)
    provider = QueryProvider("Local", lake=small.driver.lake, catalog=catalog)
    assert provider.list_queries() == []


def test_browse_in_a_terminal_is_a_table(small):
    view = small.browse()
    text = repr(view)
    assert "WindowsSecurity" in text
    assert "list_host_processes" in text
    assert "<table" in view._repr_html_()


def test_browse_in_a_notebook_is_widgets(small, monkeypatch):
    from huntbook.notebook import query_browser

    monkeypatch.setattr(query_browser, "in_notebook", lambda: True)
    box = small.browse()
    search, row = box.children
    picker, details = row.children
    assert len(picker.options) == len(small.list_queries())
    assert picker.value in details.value
    search.value = "zzz-no-such-query"
    assert picker.options == ()
    search.value = "password spray"
    assert picker.options == ("AzureAD.detect_password_spray",)
    assert "min_accounts" in details.value
