"""The OpenSearch driver through the real opensearch-py client against a local OpenSearch server.

The server (opensearch_rest_server.py) answers in OpenSearch's documented
formats (_search with scroll, composite aggregations, _plugins/_sql in JDBC
format with cursors) and evaluates the DSL and SQL on the demo lake, so each
DSL catalog query is checked against the same query in KQL on the local lake.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pytest

from conftest import OPENSEARCH_PASSWORD, busiest, normal_rows
from huntbook.data.drivers._remote import (
    BackendAuthError,
    BackendTimeoutError,
    BackendUnreachableError,
    MalformedResponseError,
    ResultTooLargeError,
)
from huntbook.data.drivers.opensearch import OpenSearchDriver, OpenSearchQueryError, bind_dsl, sql_parameters
from huntbook.data.provider import QueryProvider
from huntbook.errors import ParameterError, QueryError, UnknownTableError

pytest.importorskip("opensearchpy")

CASES = [
    ("WindowsSecurity.list_host_processes", {"host_name": "ws-017"}, ["Computer", "CommandLine"]),
    ("WindowsSecurity.list_processes_by_commandline", {"commandline_text": "PowerShell"}, ["CommandLine"]),
    ("WindowsSecurity.list_host_logons", {"host_name": "DC01"}, ["TargetUserName", "IpAddress"]),
    ("WindowsSecurity.list_host_logon_failures", {"host_name": "dc01"}, ["TargetUserName", "IpAddress"]),
    ("WindowsSecurity.list_account_logons", {"account_name": None}, ["Computer", "LogonType"]),
    ("WindowsSecurity.list_logons_from_ip", {"ip_address": None}, ["Computer", "EventID"]),
    ("Network.list_connections_for_ip", {"ip_address": None}, ["SourceIP", "DestinationIP", "SentBytes"]),
    ("Network.list_traffic_on_port", {"port": 3389}, ["SourceIP", "DestinationIP"]),
    (
        "Network.summarize_destinations_for_host",
        {"source_ip": None},
        ["DestinationIP", "Connections", "SentBytes", "FirstSeen"],
    ),
    ("DNS.list_queries_for_client", {"client_ip": None}, ["Name", "QueryType"]),
    ("DNS.list_lookups_for_domain", {"domain": "MICROSOFT.com"}, ["Name", "Lookups", "LastSeen"]),
    ("SecurityAlert.get_alert", {"alert_id": None}, ["AlertName", "SystemAlertId"]),
    ("SecurityAlert.summarize_alerts", {}, ["AlertName", "AlertSeverity", "Alerts", "FirstSeen"]),
]

LIVE = {
    "WindowsSecurity.list_account_logons": "SELECT upper(TargetUserName) FROM SecurityEvent "
    "WHERE EventID = 4624 "
    "GROUP BY 1 ORDER BY count(*) LIMIT 1",
    "WindowsSecurity.list_logons_from_ip": "SELECT IpAddress FROM SecurityEvent WHERE EventID = 4625 "
    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "Network.list_connections_for_ip": "SELECT DestinationIP FROM CommonSecurityLog "
    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "Network.summarize_destinations_for_host": "SELECT SourceIP FROM CommonSecurityLog "
    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "DNS.list_queries_for_client": "SELECT ClientIP FROM DnsEvents GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "SecurityAlert.get_alert": "SELECT SystemAlertId FROM SecurityAlert ORDER BY TimeGenerated LIMIT 1",
}


@pytest.mark.parametrize(("name", "params", "columns"), CASES, ids=[c[0] for c in CASES])
def test_dsl_query_matches_kql_on_the_local_lake(opensearch, qp, name, params, columns):
    params = {k: (v if v is not None else busiest(qp, LIVE[name])) for k, v in params.items()}
    start, end = qp.time_range
    remote = opensearch.run(name, start=start, end=end, **params)
    local = qp.run(name, start=start, end=end, **params)
    assert len(local) > 0, "pick parameters the demo lake has rows for"
    assert len(remote) == len(local)
    assert normal_rows(remote, columns) == normal_rows(local, columns)


def test_every_dsl_query_is_covered(opensearch):
    assert sorted(opensearch.list_queries()) == sorted(c[0] for c in CASES)


def test_hits_are_paged_with_scroll_and_the_scroll_is_cleared(opensearch, opensearch_server, qp):
    start, end = qp.time_range
    frame = opensearch.WindowsSecurity.list_host_logons(host_name="DC01", start=start, end=end)
    assert len(frame) > 3 * 25  # more than three pages of page_size=25
    scrolls = [r for r in opensearch_server.requests if r[1].startswith("/_search/scroll") and r[0] == "POST"]
    assert len(scrolls) >= len(frame) // 25
    assert opensearch_server.cleared and not opensearch_server.scrolls
    assert isinstance(frame["TimeGenerated"].dtype, pd.DatetimeTZDtype)
    assert frame["TimeGenerated"].is_monotonic_increasing


def test_composite_aggregation_is_paged_with_after_key(opensearch_server, qp):
    start, end = qp.time_range
    provider = QueryProvider(
        "OpenSearch",
        hosts=opensearch_server.url,
        username="hunter",
        password=OPENSEARCH_PASSWORD,
        page_size=5,
    )
    frame = provider.SecurityAlert.summarize_alerts(start=start, end=end)
    pages = [r for r in opensearch_server.requests if r[2] and "aggs" in r[2]]
    assert len(frame) == len(qp.SecurityAlert.summarize_alerts(start=start, end=end)) > 5
    assert len(pages) >= 3
    assert "after" in pages[-1][2]["aggs"]["alerts"]["composite"]


def test_sql_with_parameters_and_cursor_paging(opensearch, opensearch_server, qp):
    start, end = qp.time_range
    sql = (
        "SELECT Computer, TargetUserName, TimeGenerated FROM securityevent "
        "WHERE EventID = ? AND lower(Computer) LIKE ? ORDER BY TimeGenerated"
    )
    frame = opensearch.exec_query(sql, params={"event": 4624, "host": "dc01%"}, language="opensearch_sql")
    local = qp.WindowsSecurity.list_host_logons(host_name="DC01", start=start, end=end)
    assert len(frame) == len(local) > 25
    assert isinstance(frame["TimeGenerated"].dtype, pd.DatetimeTZDtype)
    request = next(r for r in opensearch_server.requests if r[2] and r[2].get("query") == sql)
    assert request[2]["parameters"] == [{"type": "long", "value": 4624}, {"type": "string", "value": "dc01%"}]
    assert any(r[2] and "cursor" in r[2] for r in opensearch_server.requests)


def test_hostile_values_stay_one_json_value(opensearch, opensearch_server, qp):
    start, end = qp.time_range
    value = '"}]}}, {"match_all": {}}, {"term": {"x": "'
    frame = opensearch.WindowsSecurity.list_account_logons(account_name=value, start=start, end=end)
    assert frame.empty
    sent = (
        opensearch_server.requests[-2][2]
        if opensearch_server.requests[-1][0] == "DELETE"
        else opensearch_server.requests[-1][2]
    )
    assert {"term": {"TargetUserName": {"value": value, "case_insensitive": True}}} in sent["query"]["bool"][
        "filter"
    ]


def test_hostile_wildcard_value_is_escaped(opensearch, opensearch_server, qp):
    start, end = qp.time_range
    frame = opensearch.WindowsSecurity.list_processes_by_commandline(
        commandline_text="*", start=start, end=end
    )
    local = qp.WindowsSecurity.list_processes_by_commandline(commandline_text="*", start=start, end=end)
    assert 0 < len(frame) == len(local) < 100  # a literal asterisk, not "everything"
    body = bind_dsl({"wildcard": {"f": {"value": "*{{t}}*"}}, "prefix": {"f": "{{t}}."}}, {"t": "a*b?c\\"})
    assert body == {"wildcard": {"f": {"value": "*a\\*b\\?c\\\\*"}}, "prefix": {"f": "a*b?c\\."}}


def test_bind_dsl_types_values():
    when = dt.datetime(2026, 11, 3, 14, 0, tzinfo=dt.UTC)
    body = bind_dsl(
        {"a": "{{n}}", "b": ["{{t}}", "{{l}}"], "c": {"d": "x-{{n}}"}}, {"n": 7, "t": when, "l": ["p", 2]}
    )
    assert body == {"a": 7, "b": ["2026-11-03T14:00:00Z", ["p", 2]], "c": {"d": "x-7"}}
    with pytest.raises(ParameterError, match="missing"):
        bind_dsl({"a": "{{missing}}"}, {})
    assert sql_parameters({"a": True, "b": 1.5}) == [
        {"type": "boolean", "value": True},
        {"type": "double", "value": 1.5},
    ]


def test_row_limit(opensearch_server):
    driver = OpenSearchDriver(
        hosts=opensearch_server.url, username="hunter", password=OPENSEARCH_PASSWORD, max_rows=10, page_size=4
    )
    with pytest.raises(ResultTooLargeError, match="max_rows=10"):
        driver.execute('{"table": "Heartbeat"}')
    with pytest.raises(ResultTooLargeError, match="max_rows=10"):
        driver.execute("SELECT * FROM heartbeat", language="opensearch_sql")
    assert not opensearch_server.scrolls and not opensearch_server.cursors
    assert len(driver.execute('{"table": "Heartbeat", "limit": 5}')) == 5


def test_missing_index_is_an_unknown_table(opensearch):
    with pytest.raises(UnknownTableError, match="no index matches 'nosuchtable'"):
        opensearch.exec_query('{"table": "NoSuchTable"}')


def test_bad_bodies_say_what_a_body_is(opensearch):
    with pytest.raises(QueryError, match="'table'"):
        opensearch.exec_query('{"query": {"match_all": {}}}')
    with pytest.raises(QueryError, match="Unknown keys in the DSL body: tabel"):
        opensearch.exec_query('{"table": "Heartbeat", "tabel": 1}')
    with pytest.raises(QueryError, match="opensearch_sql"):
        opensearch.exec_query("SELECT 1", language="sql")


def test_server_side_query_errors(opensearch):
    with pytest.raises(OpenSearchQueryError, match=r"parsing_exception.*unknown query \[fuzzy_thing\]"):
        opensearch.exec_query('{"table": "Heartbeat", "query": {"fuzzy_thing": {}}}')
    with pytest.raises(OpenSearchQueryError, match="SemanticAnalysisException"):
        opensearch.exec_query("SELECT nosuchcolumn FROM heartbeat", language="opensearch_sql")


def test_wrong_password(opensearch_server):
    driver = OpenSearchDriver(hosts=opensearch_server.url, username="hunter", password="wrong")
    with pytest.raises(BackendAuthError, match=r"refused the credentials.*Authentication finally failed"):
        driver.connect()


def test_unreachable_host(unused_port):
    driver = OpenSearchDriver(hosts=f"http://127.0.0.1:{unused_port}", username="u", password="p", timeout=2)
    with pytest.raises(BackendUnreachableError, match="cannot reach"):
        driver.connect()


def test_timeout(opensearch, opensearch_server):
    opensearch.connect()
    opensearch_server.mode = "slow"
    with pytest.raises(BackendTimeoutError, match="within the timeout"):
        opensearch.exec_query('{"table": "Heartbeat", "limit": 1}', timeout=0.5)


def test_server_error(opensearch, opensearch_server):
    opensearch.connect()
    opensearch_server.mode = "error500"
    with pytest.raises(OpenSearchQueryError, match=r"failed \(HTTP 503\).*state not recovered"):
        opensearch.exec_query('{"table": "Heartbeat", "limit": 1}')


def test_malformed_response(opensearch, opensearch_server):
    opensearch.connect()
    opensearch_server.mode = "garbage"
    with pytest.raises(MalformedResponseError, match="not valid JSON"):
        opensearch.exec_query('{"table": "Heartbeat", "limit": 1}')


def test_settings_and_secrets_never_show(opensearch_server, tmp_path, monkeypatch, caplog, capsys):
    config = tmp_path / "huntbook.yaml"
    config.write_text(
        f"providers:\n  OpenSearch:\n    hosts: {opensearch_server.url}\n    username: hunter\n"
        f"    password: '{OPENSEARCH_PASSWORD}'\n"
    )
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(config))
    caplog.set_level(logging.DEBUG)
    provider = QueryProvider("OpenSearch")
    frame = provider.exec_query('{"table": "Heartbeat", "limit": 2}')
    print(repr(provider), repr(provider.driver), vars(provider.driver), frame.attrs)
    failures = []
    for call in (
        lambda: OpenSearchDriver(
            hosts=opensearch_server.url, username="hunter", password=OPENSEARCH_PASSWORD + "x"
        ).connect(),
        lambda: OpenSearchDriver(hosts=opensearch_server.url, api_key=OPENSEARCH_PASSWORD).connect(),
    ):
        with pytest.raises(BackendAuthError) as info:
            call()
        exc = info.value
        failures.append(f"{exc!r} {exc} {exc.__cause__} {exc.__context__}")
    captured = capsys.readouterr()
    text = " ".join([captured.out, captured.err, caplog.text, *failures])
    assert OPENSEARCH_PASSWORD not in text
    assert "hunter" in text and "127.0.0.1" in caplog.text  # output and logs were really captured
