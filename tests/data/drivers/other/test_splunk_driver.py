"""The Splunk driver through the real splunklib client against a local Splunk REST server.

The server (splunk_rest_server.py) answers auth/login and search/jobs/export in
Splunk's documented formats and runs the searches on the demo lake, so each
SPL catalog query is checked against the same query in KQL on the local lake.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pytest

from conftest import SPLUNK_PASSWORD, SPLUNK_TOKEN, busiest, normal_rows
from huntbook.data.drivers._remote import (
    BackendAuthError,
    BackendTimeoutError,
    BackendUnreachableError,
    MalformedResponseError,
    RemoteQueryError,
    ResultTooLargeError,
)
from huntbook.data.drivers.splunk import (
    SplunkDriver,
    SplunkSearchError,
    regex_literal,
    render_spl,
    spl_string,
    term_regex,
)
from huntbook.data.provider import QueryProvider
from huntbook.errors import ParameterError, QueryError

pytest.importorskip("splunklib")

# (query, parameters, columns compared) - every SPL catalog query
CASES = [
    ("WindowsSecurity.list_host_processes", {"host_name": "WS-017"}, ["Computer", "CommandLine"]),
    ("WindowsSecurity.list_processes_by_commandline", {"commandline_text": "powershell"}, ["CommandLine"]),
    ("WindowsSecurity.list_host_logons", {"host_name": "dc01"}, ["TargetUserName", "IpAddress"]),
    ("WindowsSecurity.list_host_logon_failures", {"host_name": "DC01"}, ["TargetUserName", "IpAddress"]),
    ("WindowsSecurity.list_account_logons", {"account_name": None}, ["Computer", "LogonType"]),
    ("WindowsSecurity.list_logons_from_ip", {"ip_address": None}, ["Computer", "EventID"]),
    ("Network.list_connections_for_ip", {"ip_address": None}, ["SourceIP", "DestinationIP", "SentBytes"]),
    (
        "Network.summarize_destinations_for_host",
        {"source_ip": None},
        ["DestinationIP", "Connections", "SentBytes"],
    ),
    ("Network.list_traffic_on_port", {"port": 3389}, ["SourceIP", "DestinationIP"]),
    ("DNS.list_queries_for_client", {"client_ip": None}, ["Name", "QueryType"]),
    ("DNS.list_lookups_for_domain", {"domain": "microsoft.com"}, ["Name", "Lookups"]),
    ("SecurityAlert.list_alerts_for_host", {"host_name": None}, ["AlertName", "SystemAlertId"]),
    ("SecurityAlert.summarize_alerts", {}, ["AlertName", "AlertSeverity", "Alerts"]),
]


@pytest.fixture(scope="module")
def live_values(qp):
    """Parameter values that exist in the demo lake, read from it."""
    return {
        "WindowsSecurity.list_logons_from_ip": busiest(
            qp,
            "SELECT IpAddress FROM SecurityEvent WHERE EventID = 4625 "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        ),
        "Network.list_connections_for_ip": busiest(
            qp, "SELECT DestinationIP FROM CommonSecurityLog GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ),
        "Network.summarize_destinations_for_host": busiest(
            qp, "SELECT SourceIP FROM CommonSecurityLog GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ),
        "SecurityAlert.list_alerts_for_host": busiest(
            qp, "SELECT CompromisedEntity FROM SecurityAlert GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ),
        "WindowsSecurity.list_account_logons": busiest(
            qp,
            "SELECT upper(TargetUserName) FROM SecurityEvent WHERE EventID = 4624 "
            "GROUP BY 1 ORDER BY count(*) LIMIT 1",
        ),
        "DNS.list_queries_for_client": busiest(
            qp, "SELECT ClientIP FROM DnsEvents GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ),
    }


@pytest.mark.parametrize(("name", "params", "columns"), CASES, ids=[c[0] for c in CASES])
def test_spl_query_matches_kql_on_the_local_lake(splunk, qp, live_values, name, params, columns):
    params = {k: (v if v is not None else live_values[name]) for k, v in params.items()}
    start, end = qp.time_range
    remote = splunk.run(name, start=start, end=end, **params)
    local = qp.run(name, start=start, end=end, **params)
    assert len(local) > 0, "pick parameters the demo lake has rows for"
    assert len(remote) == len(local)
    assert normal_rows(remote, columns) == normal_rows(local, columns)


def test_every_spl_query_is_covered_and_core_families_exist(splunk):
    names = splunk.list_queries()
    assert sorted(names) == sorted(c[0] for c in CASES)
    assert {n.split(".")[0] for n in names} >= {"WindowsSecurity", "Network", "DNS", "SecurityAlert"}


def test_results_are_typed(splunk, qp):
    start, end = qp.time_range
    frame = splunk.WindowsSecurity.list_host_logons(host_name="DC01", start=start, end=end)
    assert isinstance(frame["TimeGenerated"].dtype, pd.DatetimeTZDtype)
    assert pd.api.types.is_numeric_dtype(frame["LogonType"])
    assert frame["TimeGenerated"].is_monotonic_increasing


def test_time_range_bounds_the_search(splunk, splunk_server, qp):
    start, end = qp.time_range
    middle = start + (end - start) / 2
    late = splunk.WindowsSecurity.list_host_logons(host_name="DC01", start=middle, end=end)
    every = splunk.WindowsSecurity.list_host_logons(host_name="DC01", start=start, end=end)
    assert 0 < len(late) < len(every)
    assert late["TimeGenerated"].min() >= middle
    form = splunk_server.requests[-1][2]
    assert float(form["earliest_time"]) == pytest.approx(start.timestamp())


HOSTILE = [
    'WS-017" OR Computer="*',
    "x | delete",
    'a\\" | makeresults | eval x="pwned',
    "back\\slash\\",
    "[search sourcetype=SecurityEvent]",
    'quote"in"middle',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_one_literal(splunk, splunk_server, qp, value):
    start, end = qp.time_range
    frame = splunk.WindowsSecurity.list_account_logons(account_name=value, start=start, end=end)
    assert frame.empty
    assert splunk_server.engine.last_literals == [value]
    # the pipeline is the catalog's: search, where, table, sort - nothing the value added
    assert splunk_server.engine.last_commands == ["search", "where", "table", "sort"]
    assert splunk_server.engine.last_terms == [("sourcetype", "=", "SecurityEvent"), ("EventID", "=", "4624")]


def test_hostile_value_inside_a_pattern(splunk, splunk_server, qp):
    start, end = qp.time_range
    value = 'ps" OR CommandLine="*'
    frame = splunk.WindowsSecurity.list_processes_by_commandline(commandline_text=value, start=start, end=end)
    assert frame.empty
    assert splunk_server.engine.last_literals == ["(?i)", regex_literal(value)]


def test_render_spl_escapes_and_types():
    when = dt.datetime(2026, 11, 3, 14, 0, tzinfo=dt.UTC)
    text = render_spl(
        'search a=$s$ b=$n$ c IN $l$ d>$t$ e="pre-$s$*"',
        {"s": 'x"y\\', "n": 3, "l": ["p", 'q"'], "t": when},
    )
    assert text == ('search a="x\\"y\\\\" b=3 c IN ("p", "q\\"") d>1793714400.000000 e="pre-x\\"y\\\\*"')
    assert spl_string("|") == '"|"'
    with pytest.raises(ParameterError, match=r"\$missing\$"):
        render_spl("search x=$missing$", {})


def test_render_spl_filters_write_literal_patterns():
    text = render_spl('| where match(x, "(?i)" . $v|regex$) OR match(y, $v|term$)', {"v": 'a.b*"'})
    assert text == (
        r'| where match(x, "(?i)" . "a\\.b\\*\\\"")'
        r' OR match(y, "(?:^|[^\\pL\\pN])a\\.b\\*\\\"")'
    )
    assert term_regex("ws-1") == r"(?:^|[^\pL\pN])ws\-1(?:$|[^\pL\pN])"
    assert term_regex("-x.") == r"\-x\."
    with pytest.raises(QueryError, match=r"\$v\|nope\$; the filters are regex, term"):
        render_spl("| where x == $v|nope$", {"v": "a"})


def test_adhoc_spl_gets_search_prepended(splunk, splunk_server):
    frame = splunk.exec_query('sourcetype="Heartbeat" | stats count AS n')
    assert splunk_server.engine.searches[-1].startswith("search sourcetype")
    assert int(frame["n"].iloc[0]) > 0


def test_token_auth(splunk_server, qp):
    provider = QueryProvider(
        "Splunk", host="127.0.0.1", port=splunk_server.port, scheme="http", token=SPLUNK_TOKEN
    )
    frame = provider.exec_query('search sourcetype="Heartbeat" | head 3')
    assert len(frame) == 3


def test_wrong_password_is_an_auth_error(splunk_server):
    driver = SplunkDriver(
        host="127.0.0.1", port=splunk_server.port, scheme="http", username="hunter", password="nope"
    )
    with pytest.raises(BackendAuthError, match="wrong username or password"):
        driver.connect()


def test_bad_token_is_an_auth_error(splunk_server):
    driver = SplunkDriver(host="127.0.0.1", port=splunk_server.port, scheme="http", token="wrong")
    with pytest.raises(BackendAuthError, match="token was refused"):
        driver.execute("search sourcetype=Heartbeat")


def test_no_credentials_say_what_to_give():
    with pytest.raises(BackendAuthError, match="username and password, or a token"):
        SplunkDriver(host="127.0.0.1").connect()


def test_unreachable_host(unused_port):
    driver = SplunkDriver(
        host="127.0.0.1", port=unused_port, scheme="http", username="u", password="p", timeout=2
    )
    with pytest.raises(BackendUnreachableError, match="cannot reach"):
        driver.connect()


def test_timeout(splunk, splunk_server):
    splunk.connect()
    splunk_server.mode = "slow"
    with pytest.raises(BackendTimeoutError, match="within the timeout"):
        splunk.exec_query("search sourcetype=Heartbeat | head 5", timeout=0.5)


def test_malformed_results(splunk, splunk_server):
    splunk_server.mode = "garbage"
    with pytest.raises(MalformedResponseError, match="not the JSON stream"):
        splunk.exec_query("search sourcetype=Heartbeat | head 5")


def test_malformed_login_answer(splunk_server):
    splunk_server.mode = "bad_login_xml"
    driver = SplunkDriver(
        host="127.0.0.1", port=splunk_server.port, scheme="http", username="hunter", password=SPLUNK_PASSWORD
    )
    with pytest.raises(MalformedResponseError, match="log in"):
        driver.connect()


def test_server_error_carries_splunks_message(splunk, splunk_server):
    splunk_server.mode = "error500"
    with pytest.raises(RemoteQueryError, match=r"HTTP 503.*Search head is restarting"):
        splunk.exec_query("search sourcetype=Heartbeat | head 5")


def test_bad_spl_is_a_search_error(splunk):
    with pytest.raises(SplunkSearchError, match="Error in 'search' command"):
        splunk.exec_query('search sourcetype="Heartbeat" | nosuchcommand')


def test_fatal_message_in_stream_is_a_search_error(splunk, splunk_server):
    splunk_server.mode = "fatal_message"
    with pytest.raises(SplunkSearchError, match="Unknown search command"):
        splunk.exec_query("search sourcetype=Heartbeat | head 5")


def test_row_limit(splunk_server):
    provider = QueryProvider(
        "Splunk", host="127.0.0.1", port=splunk_server.port, scheme="http",
        username="hunter", password=SPLUNK_PASSWORD, max_rows=5,
    )  # fmt: skip
    with pytest.raises(ResultTooLargeError, match="max_rows=5"):
        provider.exec_query("search sourcetype=Heartbeat | head 50")


def test_settings_supply_connection_and_secrets_never_show(
    splunk_server, tmp_path, monkeypatch, caplog, capsys
):
    config = tmp_path / "huntbook.yaml"
    config.write_text(
        "providers:\n  Splunk:\n"
        f"    host: 127.0.0.1\n    port: {splunk_server.port}\n    scheme: http\n"
        f"    username: hunter\n    password: '{SPLUNK_PASSWORD}'\n"
    )
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(config))
    caplog.set_level(logging.DEBUG)
    provider = QueryProvider("Splunk")
    provider.connect()
    print(repr(provider), repr(provider.driver), vars(provider.driver))
    frame = provider.exec_query("search sourcetype=Heartbeat | head 1")
    print(frame.attrs)
    failures = []
    for bad in (
        SplunkDriver(
            host="127.0.0.1",
            port=splunk_server.port,
            scheme="http",
            username="hunter",
            password=SPLUNK_PASSWORD + "x",
        ),
        SplunkDriver(host="127.0.0.1", port=splunk_server.port, scheme="http", token=SPLUNK_TOKEN + "x"),
    ):
        try:
            bad.execute("search sourcetype=Heartbeat")
        except Exception as exc:
            failures.append(f"{exc!r} {exc} {exc.__cause__} {exc.__context__}")
    assert len(failures) == 2
    captured = capsys.readouterr()
    text = " ".join([captured.out, captured.err, caplog.text, *failures])
    for secret in (SPLUNK_PASSWORD, SPLUNK_TOKEN, splunk_server.session):
        assert secret not in text
    assert "hunter" in text  # the output was really captured
