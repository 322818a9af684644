"""Catalog queries on a lake made from ``../shared/data/evtx`` return the rows those events hold.

Every expectation is counted from the .evtx records read with the `evtx` parser alone (not
from the lake), and the parameters are picked from those records too.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from huntbook.data.catalog import load_catalog
from huntbook.data.lake.lake import Lake
from huntbook.data.provider import QueryProvider

evtx = pytest.importorskip("evtx")

SYSMON = "Microsoft-Windows-Sysmon/Operational"
SECURITY = "Security"


@dataclass(frozen=True)
class Raw:
    """One event as the evtx parser reads it: EventData values as text."""

    channel: str
    event_id: int
    computer: str
    data: dict[str, str]

    def get(self, name: str) -> str:
        return self.data.get(name) or ""


def _read(path: Path) -> list[Raw]:
    events = []
    for record in evtx.PyEvtxParser(str(path)).records_json():
        event = json.loads(record["data"])["Event"]
        system = event["System"]
        event_id = system["EventID"]
        event_id = event_id["#text"] if isinstance(event_id, dict) else event_id
        data = event.get("EventData")
        fields = {k: "" if v is None else str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        events.append(Raw(system["Channel"], int(event_id), system["Computer"], fields))
    return events


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> list[Raw]:
    return [event for path in sorted((shared_data / "evtx").rglob("*.evtx")) for event in _read(path)]


@pytest.fixture(scope="module")
def qp(evtx_lake: Lake):
    provider = QueryProvider("Local", lake=evtx_lake)
    yield provider
    provider.close()


def of(raw: list[Raw], channel: str, *event_ids: int) -> list[Raw]:
    return [e for e in raw if e.channel == channel and e.event_id in event_ids]


def on_host(event: Raw, host: str) -> bool:
    computer, host = event.computer.lower(), host.lower()
    return computer == host or computer.startswith(host + ".")


def short_busiest_host(events: list[Raw]) -> str:
    """The short name (``PC01``) of the host with most *events*."""
    return Counter(e.computer for e in events).most_common(1)[0][0].split(".")[0]


def file_name(path: str) -> str:
    return path.rsplit("\\", 1)[-1].lower()


def most_common(values: list[str]) -> str:
    return Counter(v for v in values if v).most_common(1)[0][0]


@dataclass(frozen=True)
class Case:
    """A query run: parameters from the raw events, the raw events it must return, a column to compare."""

    query: str
    params: Callable[[list[Raw]], dict[str, Any]]
    expected: Callable[[list[Raw], dict[str, Any]], list[Raw]]
    column: str
    field: str = ""  # the EventData field of *column* (the same name when empty)


def _host_and_port(connections: list[Raw]) -> dict[str, Any]:
    """The busiest host of *connections* and the destination port it used most."""
    host = short_busiest_host(connections)
    port = most_common([e.get("DestinationPort") for e in connections if on_host(e, host)])
    return {"host_name": host, "remote_port": int(port)}


def _sysmon(*ids: int) -> Callable[[list[Raw], dict[str, Any]], list[Raw]]:
    return lambda raw, p: of(raw, SYSMON, *ids)


CASES = {
    "sysmon-processes-of-host": Case(
        "Sysmon.list_host_processes",
        lambda raw: {"host_name": short_busiest_host(of(raw, SYSMON, 1))},
        lambda raw, p: [e for e in of(raw, SYSMON, 1) if on_host(e, p["host_name"])],
        "Image",
    ),
    "sysmon-processes-of-fqdn-host": Case(
        "Sysmon.list_host_processes",
        lambda raw: {"host_name": next(e.computer for e in of(raw, SYSMON, 1) if "." in e.computer).upper()},
        lambda raw, p: [e for e in of(raw, SYSMON, 1) if on_host(e, p["host_name"])],
        "CommandLine",
    ),
    "sysmon-processes-by-name": Case(
        "Sysmon.list_processes_by_name",
        lambda raw: {
            "process_name": most_common([file_name(e.get("Image")) for e in of(raw, SYSMON, 1)]).upper()
        },
        lambda raw, p: [
            e for e in of(raw, SYSMON, 1) if file_name(e.get("Image")) == p["process_name"].lower()
        ],
        "CommandLine",
    ),
    "sysmon-processes-by-commandline": Case(
        "Sysmon.list_processes_by_commandline",
        lambda raw: {"commandline_text": "PowerShell"},
        lambda raw, p: [e for e in of(raw, SYSMON, 1) if "powershell" in e.get("CommandLine").lower()],
        "CommandLine",
    ),
    "sysmon-network": Case("Sysmon.list_network_connections", lambda raw: {}, _sysmon(3), "DestinationIp"),
    "sysmon-network-host-port": Case(
        "Sysmon.list_network_connections",
        lambda raw: _host_and_port(of(raw, SYSMON, 3)),
        lambda raw, p: [
            e
            for e in of(raw, SYSMON, 3)
            if on_host(e, p["host_name"]) and e.get("DestinationPort") == str(p["remote_port"])
        ],
        "Image",
    ),
    "sysmon-network-ip": Case(
        "Sysmon.list_network_connections",
        lambda raw: {"ip_address": most_common([e.get("DestinationIp") for e in of(raw, SYSMON, 3)])},
        lambda raw, p: [
            e for e in of(raw, SYSMON, 3) if p["ip_address"] in (e.get("SourceIp"), e.get("DestinationIp"))
        ],
        "SourceIp",
    ),
    "sysmon-dns": Case("Sysmon.list_dns_queries", lambda raw: {}, _sysmon(22), "QueryName"),
    "sysmon-files": Case("Sysmon.list_file_creations", lambda raw: {}, _sysmon(11), "TargetFilename"),
    "sysmon-files-by-path": Case(
        "Sysmon.list_file_creations",
        lambda raw: {"file_path_text": "\\TEMP\\"},
        lambda raw, p: [e for e in of(raw, SYSMON, 11) if "\\temp\\" in e.get("TargetFilename").lower()],
        "TargetFilename",
    ),
    "sysmon-registry": Case(
        "Sysmon.list_registry_changes", lambda raw: {}, _sysmon(12, 13, 14), "TargetObject"
    ),
    "sysmon-registry-by-key": Case(
        "Sysmon.list_registry_changes",
        lambda raw: {
            "host_name": short_busiest_host(of(raw, SYSMON, 13)),
            "registry_key_text": "\\currentversion\\",
        },
        lambda raw, p: [
            e
            for e in of(raw, SYSMON, 12, 13, 14)
            if on_host(e, p["host_name"]) and "\\currentversion\\" in e.get("TargetObject").lower()
        ],
        "Details",
    ),
    "sysmon-image-loads": Case("Sysmon.list_image_loads", lambda raw: {}, _sysmon(7), "ImageLoaded"),
    "sysmon-image-loads-by-module": Case(
        "Sysmon.list_image_loads",
        lambda raw: {
            "module_name": most_common([file_name(e.get("ImageLoaded")) for e in of(raw, SYSMON, 7)])
        },
        lambda raw, p: [e for e in of(raw, SYSMON, 7) if file_name(e.get("ImageLoaded")) == p["module_name"]],
        "Image",
    ),
    "sysmon-lsass-access": Case(
        "Sysmon.list_process_access",
        lambda raw: {},
        lambda raw, p: [e for e in of(raw, SYSMON, 10) if file_name(e.get("TargetImage")) == "lsass.exe"],
        "SourceImage",
    ),
    "sysmon-any-process-access": Case(
        "Sysmon.list_process_access", lambda raw: {"target_process_name": ""}, _sysmon(10), "TargetImage"
    ),
    "sysmon-remote-threads": Case("Sysmon.list_remote_threads", lambda raw: {}, _sysmon(8), "TargetImage"),
    "sysmon-wmi": Case("Sysmon.list_wmi_events", lambda raw: {}, _sysmon(19, 20, 21), "Operation"),
    "security-logons-of-host": Case(
        "WindowsSecurity.list_host_logons",
        lambda raw: {"host_name": short_busiest_host(of(raw, SECURITY, 4624))},
        lambda raw, p: [e for e in of(raw, SECURITY, 4624) if on_host(e, p["host_name"])],
        "TargetUserName",
    ),
    "security-logon-failures-of-host": Case(
        "WindowsSecurity.list_host_logon_failures",
        lambda raw: {"host_name": short_busiest_host(of(raw, SECURITY, 4625) or of(raw, SECURITY, 4624))},
        lambda raw, p: [e for e in of(raw, SECURITY, 4625) if on_host(e, p["host_name"])],
        "TargetUserName",
    ),
    "security-logons-of-account": Case(
        "WindowsSecurity.list_account_logons",
        lambda raw: {
            "account_name": most_common([e.get("TargetUserName") for e in of(raw, SECURITY, 4624)]).upper()
        },
        lambda raw, p: [
            e for e in of(raw, SECURITY, 4624) if e.get("TargetUserName").lower() == p["account_name"].lower()
        ],
        "Computer",
        "computer",
    ),
    "security-logons-from-ip": Case(
        "WindowsSecurity.list_logons_from_ip",
        lambda raw: {
            "ip_address": most_common(
                [e.get("IpAddress") for e in of(raw, SECURITY, 4624, 4625) if e.get("IpAddress") != "-"]
            )
        },
        lambda raw, p: [e for e in of(raw, SECURITY, 4624, 4625) if e.get("IpAddress") == p["ip_address"]],
        "TargetUserName",
    ),
}

HOLDS_NONE = {"sysmon-dns", "security-logon-failures-of-host"}
"""Cases whose events the shared EVTX files do not hold (no Sysmon 22, no 4625): their count is 0."""


def _values(frame, column: str) -> Counter[str]:
    return Counter("" if v is None or v != v else str(v) for v in frame[column])


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_query_returns_the_events_the_evtx_files_hold(qp, raw, case_id):
    case = CASES[case_id]
    params = case.params(raw)
    expected = case.expected(raw, params)
    assert bool(expected) != (case_id in HOLDS_NONE), "the shared data changed: update HOLDS_NONE"
    frame = qp.run(case.query, **params)
    assert len(frame) == len(expected), params
    field = case.field or case.column
    want = Counter(e.computer if field == "computer" else e.get(field) for e in expected)
    assert _values(frame, case.column) == want
    assert list(frame["TimeGenerated"]) == sorted(frame["TimeGenerated"])


def test_every_sysmon_query_has_a_case():
    sysmon = {name for name in load_catalog() if name.startswith("Sysmon.")}
    assert {case.query for case in CASES.values()} | {"Sysmon.summarize_host_events"} >= sysmon


def test_sysmon_event_counts_of_a_host(qp, raw):
    host = short_busiest_host(of(raw, SYSMON, *range(256)))
    frame = qp.Sysmon.summarize_host_events(host_name=host)
    expected = Counter(e.event_id for e in raw if e.channel == SYSMON and on_host(e, host))
    assert dict(zip(frame["EventID"], frame["Events"], strict=True)) == expected
    assert list(frame["Events"]) == sorted(frame["Events"], reverse=True)


def test_host_processes_read_sysmon_1_as_well_as_4688(qp, raw):
    both = {e.computer for e in of(raw, SYSMON, 1)} & {e.computer for e in of(raw, SECURITY, 4688)}
    host = sorted(both)[0].split(".")[0]  # a host that logged both
    frame = qp.WindowsSecurity.list_host_processes(host_name=host)
    expected = Counter(
        (e.event_id, e.get("NewProcessName") or e.get("Image"))
        for e in of(raw, SYSMON, 1) + of(raw, SECURITY, 4688)
        if on_host(e, host)
    )
    assert {n for n, _ in expected} == {1, 4688}
    assert Counter(zip(frame["EventID"], frame["NewProcessName"], strict=True)) == expected
    sysmon = frame[frame["EventID"] == 1]  # Sysmon's columns land under the 4688 names
    columns = ["NewProcessId", "ProcessId", "ParentProcessName", "Account", "SubjectLogonId", "CommandLine"]
    fields = ["ProcessId", "ParentProcessId", "ParentImage", "User", "LogonId", "CommandLine"]
    assert Counter(sysmon[columns].itertuples(index=False, name=None)) == Counter(
        tuple(e.get(f) for f in fields) for e in of(raw, SYSMON, 1) if on_host(e, host)
    )


def test_host_processes_of_a_sysmon_only_host(qp, raw):
    security_hosts = {e.computer for e in of(raw, SECURITY, 4688)}
    only = Counter(e.computer for e in of(raw, SYSMON, 1) if e.computer not in security_hosts)
    host, count = only.most_common(1)[0]
    frame = qp.WindowsSecurity.list_host_processes(host_name=host)
    assert len(frame) == count and set(frame["EventID"]) == {1}


def test_network_logon_summary_counts_the_raw_logons(qp, raw):
    expected = Counter(
        (e.computer, e.get("TargetUserName"), e.get("IpAddress"), int(e.get("LogonType")))
        for e in of(raw, SECURITY, 4624)
        if e.get("LogonType") in ("3", "10") and e.get("IpAddress") not in ("", "-", "127.0.0.1")
    )
    assert expected
    frame = qp.WindowsSecurity.summarize_network_logons()
    keys = zip(
        frame["Computer"], frame["TargetUserName"], frame["IpAddress"], frame["LogonType"], strict=True
    )
    assert dict(zip(keys, frame["Logons"], strict=True)) == expected


def test_dns_queries_from_a_winlogbeat_export(sysmon_dns_lake):
    """The EVTX files hold no Sysmon 22: an export with a few shows the filters at work."""
    with QueryProvider("Local", lake=sysmon_dns_lake) as qp:
        assert len(qp.Sysmon.list_dns_queries()) == 4  # every lookup of the fixture
        frame = qp.Sysmon.list_dns_queries(host_name="ws-1", domain="evil.example.com")
        assert list(frame["QueryName"]) == ["evil.example.com", "cdn.EVIL.example.com"]
        assert set(frame["Image"]) == {"C:\\Windows\\System32\\curl.exe"}
        query = load_catalog()["Sysmon.list_dns_queries"]
        bound = query.bind({"host_name": "ws-1", "domain": "evil.example.com"}, time_range=qp.time_range)
        assert _rows(qp.exec_query(query.text("sql"), params=bound, language="sql")) == _rows(frame)


def _rows(frame) -> list[tuple[str, ...]]:
    return sorted(
        tuple("" if v is None or v != v else str(v) for v in row) for row in frame.itertuples(index=False)
    )


@pytest.mark.parametrize("name", sorted(n for n in load_catalog() if n.startswith("Sysmon.")))
def test_sql_body_gives_the_rows_of_the_kql(qp, raw, name):
    """The SQL bodies (what Spark runs) and the KQL agree on the EVTX lake."""
    query = load_catalog()[name]
    values = {
        "host_name": short_busiest_host(of(raw, SYSMON, 1)),
        "process_name": "CMD.exe",
        "commandline_text": "PowerShell",
    }
    bound = query.bind(
        {p.name: values[p.name] for p in query.parameters if p.required}, time_range=qp.time_range
    )
    kql = qp.exec_query(query.text("kql"), params=bound)
    sql = qp.exec_query(query.text("sql"), params=bound, language="sql")
    assert list(sql.columns) == list(kql.columns)
    assert _rows(sql) == _rows(kql)
    assert len(kql) > 0 or name == "Sysmon.list_dns_queries"
