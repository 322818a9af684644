"""Hostile parameter values on Splunk and OpenSearch: a value is matched literally, never as syntax.

A small lake holds one set of rows per payload (in SecurityEvent, CommonSecurityLog, DnsEvents
and SecurityAlert). The local Splunk and OpenSearch servers answer from that lake, so every
catalog query with a string parameter is run with every payload on each backend and checked
twice: against the rows whose field holds the value literally (counted here, in Python, from
the rows written), and against the same catalog query in KQL on the lake.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import OPENSEARCH_PASSWORD, SPLUNK_PASSWORD, SPLUNK_TOKEN, normal_rows
from huntbook.data.catalog import load_catalog
from huntbook.data.provider import QueryProvider
from injection_payloads import PAYLOADS

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
BENIGN = ["WS-001", "ws-001.corp.example", "DC01", "xWS-001"]
VALUES = [*PAYLOADS, *BENIGN]


def _lower_eq(a: object, b: str) -> bool:
    return isinstance(a, str) and a.lower() == b.lower()


def _host(computer: object, host: str) -> bool:
    """KQL ``Computer =~ host or Computer startswith strcat(host, ".")``."""
    return isinstance(computer, str) and (
        computer.lower() == host.lower() or computer.lower().startswith(host.lower() + ".")
    )


def _domain(name: object, domain: str) -> bool:
    """KQL ``Name =~ domain or Name endswith strcat(".", domain)``."""
    return isinstance(name, str) and (
        name.lower() == domain.lower() or name.lower().endswith("." + domain.lower())
    )


def _rows() -> dict[str, list[dict]]:
    """The rows of each table: for each value, rows whose fields hold it (and near misses)."""
    tables: dict[str, list[dict]] = {
        "SecurityEvent": [],
        "CommonSecurityLog": [],
        "DnsEvents": [],
        "SecurityAlert": [],
    }
    for i, value in enumerate(VALUES):
        time = (START + dt.timedelta(seconds=10 * i)).isoformat().replace("+00:00", "Z")
        events = tables["SecurityEvent"]
        events.append({"TimeGenerated": time, "EventID": 4688, "Computer": value, "Account": "a",
                       "CommandLine": f"cmd /c {value}", "NewProcessName": "C:\\x.exe"})  # fmt: skip
        for event_id in (4624, 4625):
            events.append({"TimeGenerated": time, "EventID": event_id, "Computer": value,
                           "TargetUserName": value, "IpAddress": value, "LogonType": 3})  # fmt: skip
        tables["CommonSecurityLog"] += [
            {"TimeGenerated": time, "SourceIP": value, "DestinationIP": "10.0.0.1", "DestinationPort": 443,
             "DestinationHostName": f"h{i}", "SentBytes": 10, "ReceivedBytes": 20},
            {"TimeGenerated": time, "SourceIP": "10.0.0.2", "DestinationIP": value, "DestinationPort": 80,
             "DestinationHostName": f"h{i}", "SentBytes": 1, "ReceivedBytes": 2},
        ]  # fmt: skip
        tables["DnsEvents"] += [
            {"TimeGenerated": time, "ClientIP": value, "Name": value, "QueryType": "A"},
            {"TimeGenerated": time, "ClientIP": "10.0.0.3", "Name": f"sub.{value}", "QueryType": "A"},
        ]
        tables["SecurityAlert"].append(
            {"TimeGenerated": time, "AlertName": f"alert {i}", "AlertSeverity": "High",
             "CompromisedEntity": value, "SystemAlertId": value,
             "Entities": json.dumps([{"Type": "host", "HostName": f"h{i}"}])}
        )  # fmt: skip
    return tables


ROWS = _rows()

# query -> (table, which rows it returns for a value) for the queries that return rows;
# aggregations are checked against the lake only
LITERAL = {
    "WindowsSecurity.list_host_processes": (
        "SecurityEvent",
        lambda r, v: r["EventID"] == 4688 and _host(r["Computer"], v),
    ),
    "WindowsSecurity.list_processes_by_commandline": (
        "SecurityEvent",
        lambda r, v: r["EventID"] == 4688 and v.lower() in r["CommandLine"].lower(),
    ),
    "WindowsSecurity.list_host_logons": (
        "SecurityEvent",
        lambda r, v: r["EventID"] == 4624 and _host(r["Computer"], v),
    ),
    "WindowsSecurity.list_host_logon_failures": (
        "SecurityEvent",
        lambda r, v: r["EventID"] == 4625 and _host(r["Computer"], v),
    ),
    "WindowsSecurity.list_account_logons": (
        "SecurityEvent",
        lambda r, v: r["EventID"] == 4624 and _lower_eq(r.get("TargetUserName"), v),
    ),
    "WindowsSecurity.list_logons_from_ip": (
        "SecurityEvent",
        lambda r, v: r["EventID"] in (4624, 4625) and r.get("IpAddress") == v,
    ),
    "Network.list_connections_for_ip": (
        "CommonSecurityLog",
        lambda r, v: v in (r["SourceIP"], r["DestinationIP"]),
    ),
    "DNS.list_queries_for_client": ("DnsEvents", lambda r, v: r["ClientIP"] == v),
    "SecurityAlert.get_alert": ("SecurityAlert", lambda r, v: r["SystemAlertId"] == v),
}

# the columns compared with the lake's answer
COLUMNS = {
    "WindowsSecurity.list_host_processes": ["Computer", "CommandLine"],
    "WindowsSecurity.list_processes_by_commandline": ["Computer", "CommandLine"],
    "WindowsSecurity.list_host_logons": ["Computer", "TargetUserName", "IpAddress"],
    "WindowsSecurity.list_host_logon_failures": ["Computer", "TargetUserName", "IpAddress"],
    "WindowsSecurity.list_account_logons": ["Computer", "TargetUserName"],
    "WindowsSecurity.list_logons_from_ip": ["Computer", "IpAddress", "TargetUserName"],
    "Network.list_connections_for_ip": ["SourceIP", "DestinationIP"],
    "Network.summarize_destinations_for_host": ["DestinationIP", "DestinationHostName", "Connections"],
    "DNS.list_queries_for_client": ["ClientIP", "Name"],
    "DNS.list_lookups_for_domain": ["Name", "Lookups"],
    "SecurityAlert.list_alerts_for_host": ["CompromisedEntity", "SystemAlertId"],
    "SecurityAlert.get_alert": ["SystemAlertId", "AlertName"],
}


def string_queries(language: str) -> dict[str, str]:
    """Catalog queries with a body in *language* and their one string parameter."""
    found = {}
    for name, query in load_catalog().items():
        if language not in query.bodies:
            continue
        strings = [p.name for p in query.parameters if p.type == "str" and not p.is_time_range]
        if strings:
            assert len(strings) == 1, f"{name}: teach this test about several string parameters"
            found[name] = strings[0]
    return found


SPL_QUERIES = string_queries("spl")
DSL_QUERIES = string_queries("opensearch")


@pytest.fixture(scope="module")
def payload_lake(tmp_path_factory, lake_of_rows):
    folder = tmp_path_factory.mktemp("remote-payloads")
    (first, rows), *others = ROWS.items()
    lake = lake_of_rows(folder, first, rows)
    for table, rows in others:
        path = folder / f"{table}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows))
        lake.ingest(path, table)
    return lake


@pytest.fixture(scope="module")
def local(payload_lake):
    provider = QueryProvider("Local", lake=payload_lake)
    yield provider
    provider.close()


@pytest.fixture(scope="module")
def splunk_payloads(payload_lake):
    from splunk_rest_server import SplunkServer

    pytest.importorskip("splunklib")
    server = SplunkServer(payload_lake, password=SPLUNK_PASSWORD, token=SPLUNK_TOKEN)
    provider = QueryProvider(
        "Splunk", host="127.0.0.1", port=server.port, scheme="http",
        username="hunter", password=SPLUNK_PASSWORD, timeout=20,
    )  # fmt: skip
    yield provider, server
    server.stop()


@pytest.fixture(scope="module")
def opensearch_payloads(payload_lake):
    from opensearch_rest_server import OpenSearchServer

    pytest.importorskip("opensearchpy")
    server = OpenSearchServer(payload_lake, password=OPENSEARCH_PASSWORD)
    provider = QueryProvider(
        "OpenSearch", hosts=server.url, username="hunter", password=OPENSEARCH_PASSWORD, timeout=20
    )
    yield provider, server
    provider.close()
    server.stop()


def test_the_payloads_are_distinct_and_cover_the_specials():
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    text = "".join(PAYLOADS)
    for special in ['*', '?', '\\', '"', "'", "|", "[", "]", "`", "%", "_", "$", "\n"]:  # fmt: skip
        assert special in text, special
    assert "[ search index=* ]" in PAYLOADS
    assert "$host_name$" in PAYLOADS


def test_every_string_query_is_checked():
    assert len(SPL_QUERIES) >= 10
    assert len(DSL_QUERIES) >= 9
    assert set(SPL_QUERIES) | set(DSL_QUERIES) <= set(COLUMNS)


def _text_rows(records, columns):
    return sorted(tuple("" if r.get(c) is None else str(r[c]) for c in columns) for r in records)


def _check(name, parameter, remote, local):
    """Run *name* with every value on *remote*; compare with the rows that hold it literally.

    A query that returns rows is checked against the rows written (the literal answer, as
    the KQL body means it); an aggregation or a term match against the same query on the lake.
    """
    failures = []
    matched = 0
    for value in VALUES:
        try:
            got = remote.run(name, start=START, end=END, **{parameter: value})
        except Exception as exc:  # a value that breaks the query is a failure too
            failures.append((value, f"{type(exc).__name__}: {exc}"))
            continue
        columns = COLUMNS[name]
        if name in LITERAL:
            table, keeps = LITERAL[name]
            expected = [row for row in ROWS[table] if keeps(row, value)]
            have = (  # a body without _source answers no rows with no columns
                got[columns].astype(object).where(got[columns].notna(), None).to_dict("records")
                if len(got)
                else []
            )
            if _text_rows(have, columns) != _text_rows(expected, columns):
                failures.append((value, f"{len(got)} rows, literally {len(expected)}"))
        else:
            want = local.run(name, start=START, end=END, **{parameter: value})
            if normal_rows(got, columns) != normal_rows(want, columns):
                failures.append((value, f"{len(got)} rows, the lake {len(want)}"))
        matched += bool(len(got))
    assert failures == []
    assert matched >= len(VALUES) // 2, "most values should find their own rows"


@pytest.mark.parametrize("name", sorted(SPL_QUERIES))
def test_splunk_matches_every_payload_literally(splunk_payloads, local, name):
    provider, _ = splunk_payloads
    _check(name, SPL_QUERIES[name], provider, local)


@pytest.mark.parametrize("name", sorted(DSL_QUERIES))
def test_opensearch_dsl_matches_every_payload_literally(opensearch_payloads, local, name):
    provider, _ = opensearch_payloads
    _check(name, DSL_QUERIES[name], provider, local)


def test_opensearch_sql_binds_every_payload(opensearch_payloads):
    provider, server = opensearch_payloads
    for value in VALUES:
        frame = provider.exec_query(
            "SELECT Computer, EventID FROM securityevent WHERE Computer = ? AND EventID = ?",
            params={"computer": value, "event_id": 4688},
            language="opensearch_sql",
        )
        assert list(frame["Computer"]) == [value]
        assert server.requests[-1][2]["query"].count("?") == 2  # the text went as a parameter


def test_a_star_is_a_host_name_on_splunk(splunk, splunk_server, qp):
    """Issue 12: ``host_name="*"`` matched every host on Splunk (SPL search terms read * as a wildcard)."""
    start, end = qp.time_range
    old_body = (
        'search sourcetype="SecurityEvent" EventID=4688 (Computer="*" OR Computer="*.*") | table Computer'
    )
    widened = splunk.exec_query(old_body)
    assert len(widened) > 100  # the server is honest: a search-term * is a wildcard, as in Splunk
    remote = splunk.WindowsSecurity.list_host_processes(host_name="*", start=start, end=end)
    local = qp.WindowsSecurity.list_host_processes(host_name="*", start=start, end=end)
    assert len(remote) == len(local) == 0
    assert splunk_server.engine.last_literals.count("*") == 3  # compared in where, not searched
