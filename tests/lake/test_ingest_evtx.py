import json
import os
import shutil

import duckdb
import pytest

from huntbook.data.lake.lake import Lake
from huntbook.errors import IngestError, LakeError

evtx = pytest.importorskip("evtx")

SECURITY_4688 = "Command_and_Control/DE_RDP_Tunnel_5156.evtx"
SECURITY_4688_V2 = "Privilege_Escalation/NTLM2SelfRelay-med0x2e-security_4624_4688.evtx"
SYSMON_1 = "AutomatedTestingTools/Malware/rundll32_hollowing_wermgr_masquerading.evtx"


@pytest.fixture(scope="module")
def evtx_dir(shared_data):
    return shared_data / "evtx"


def records(path):
    """The records of an EVTX file as the parser gives them: (EventRecordID, Event dict)."""
    return [
        (json.loads(r["data"])["Event"]["System"]["EventRecordID"], json.loads(r["data"])["Event"])
        for r in evtx.PyEvtxParser(str(path)).records_json()
    ]


def table(lake, name):
    files = [str(f) for f in lake.files(name)]
    return duckdb.read_parquet(files, union_by_name=True).df()


def snapshot(lake):
    return sorted(p.relative_to(lake.path) for p in lake.path.rglob("*") if p.is_file())


def test_every_sample_lands_once_and_reingest_adds_nothing(tmp_path, evtx_dir):
    lake = Lake(tmp_path / "lake")
    reports = lake.ingest(evtx_dir)
    files = sorted(evtx_dir.rglob("*.evtx"))
    assert [r.path for r in reports] == [str(f) for f in files]
    expected = {str(f): len(records(f)) for f in files}
    for report in reports:
        assert report.error is None and not report.skipped
        assert report.records == report.rows == expected[report.path] > 0, report
    info = lake.info().set_index("table")["rows"].to_dict()
    assert sum(info.values()) == sum(expected.values())
    assert set(info) <= {"SecurityEvent", "SysmonEvent", "Event", "UnparsedEvent_CL"}
    before = snapshot(lake)
    again = lake.ingest([evtx_dir, evtx_dir / SYSMON_1])
    assert all(r.skipped and r.rows == 0 for r in again)
    assert snapshot(lake) == before


@pytest.mark.parametrize(("sample", "count"), [(SECURITY_4688, 17), (SECURITY_4688_V2, 1)])
def test_security_4688_fields_land_in_sentinel_columns(tmp_path, evtx_dir, sample, count):
    lake = Lake(tmp_path / "lake")
    lake.ingest(evtx_dir / sample)
    rows = table(lake, "SecurityEvent").set_index("EventRecordId")
    created = [(rid, ev) for rid, ev in records(evtx_dir / sample) if ev["System"]["EventID"] == 4688]
    assert len(created) == count
    for rid, ev in created:
        row, data = rows.loc[rid], ev["EventData"]
        for field, value in data.items():  # every field, declared or not, in a column of its name
            assert row[field] == str(value), field
        assert json.loads(row["EventData"]) == {k: str(v) for k, v in data.items()}
        assert row["Account"] == f"{data['SubjectDomainName']}\\{data['SubjectUserName']}"
        assert (row["EventID"], row["Channel"], row["Computer"]) == (
            4688,
            "Security",
            ev["System"]["Computer"],
        )
        assert row["Activity"] == "4688 - A new process has been created."
        assert (
            row["TimeGenerated"].isoformat().replace("+00:00", "Z")
            == (ev["System"]["TimeCreated"]["#attributes"]["SystemTime"])
        )
    if sample == SECURITY_4688_V2:
        row = rows.loc[created[0][0]]
        assert (row["NewProcessName"], row["ParentProcessName"], row["ProcessId"], row["NewProcessId"]) == (
            r"C:\Windows\System32\notepad.exe",
            r"C:\Windows\System32\wbem\WmiPrvSE.exe",
            "0xe8c",
            "0x1dc",
        )
        assert (row["Account"], row["TargetAccount"], row["SubjectLogonId"]) == (
            r"WINLAB\WIND10$",
            r"WINLAB.LOCAL\Administrator",
            "0x3e4",
        )


def test_sysmon_event_1_fields_land_in_sysmon_event(tmp_path, evtx_dir):
    lake = Lake(tmp_path / "lake")
    (report,) = lake.ingest(evtx_dir / SYSMON_1)
    assert report.tables == {"SysmonEvent": 4}
    rows = table(lake, "SysmonEvent")
    row = rows[rows["ProcessId"] == "5600"].iloc[0]
    assert row["EventID"] == 1 and row["Computer"] == "MSEDGEWIN10"
    assert row["Image"] == r"C:\Windows\System32\wermgr.exe"
    assert row["ParentImage"] == r"C:\Windows\SysWOW64\rundll32.exe"
    assert row["ParentCommandLine"] == r"rundll32.exe  c:\temp\winfire.dll,DllRegisterServer"
    assert row["ParentProcessId"] == "2372" and row["User"] == r"MSEDGEWIN10\IEUser"
    assert row["Hashes"].startswith("SHA1=231052FA4311FA3501539E34E21A624921E3C270,")
    assert str(row["TimeGenerated"]) == "2020-10-20 22:33:02.063979+00:00"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: 4096 + 30000], "the file is truncated: its header declares 1 chunks"),
        (lambda data: data[:4096] + os.urandom(len(data) - 4096), "not a readable EVTX file"),
        (lambda data: data[:4708] + b"\xff" * 200 + data[4908:], "Failed to parse chunk"),
        (lambda data: os.urandom(len(data)), "not an EVTX file"),
        (lambda data: b"", "not an EVTX file"),
    ],
)
def test_damaged_file_is_a_clear_error_and_the_others_still_ingest(tmp_path, evtx_dir, damage, message):
    good = tmp_path / "good.evtx"
    shutil.copy(evtx_dir / SECURITY_4688, good)
    bad = tmp_path / "bad.evtx"
    bad.write_bytes(damage((evtx_dir / SYSMON_1).read_bytes()))
    lake = Lake(tmp_path / "lake")
    with pytest.raises(IngestError, match=message) as info:
        lake.ingest([good, bad])
    assert info.value.path == str(bad)
    assert snapshot(lake) == []  # without collect_errors nothing of the batch is written
    reports = lake.ingest(tmp_path, collect_errors=True)
    assert [(r.path, r.rows, r.error is None) for r in reports] == [
        (str(bad), 0, False),
        (str(good), 101, True),
    ]
    assert message in str(reports[0])
    assert lake.info()["rows"].sum() == 101
    assert lake.ingest(good)[0].skipped and not lake.ingest(bad, collect_errors=True)[0].skipped


def test_truncated_file_names_the_record_the_parser_stopped_after(tmp_path, evtx_dir):
    data = (evtx_dir / SYSMON_1).read_bytes()
    bad = tmp_path / "bad.evtx"
    bad.write_bytes(data[:7096] + b"\xff" * 200 + data[7296:])
    with pytest.raises(IngestError, match=r"stopped after record \d+") as info:
        Lake(tmp_path / "lake").ingest(bad)
    assert str(bad) in str(info.value)


WINLOGBEAT = [
    {  # Winlogbeat 7: EventData under winlog.event_data
        "@timestamp": "2026-03-01T10:00:00.123Z",
        "host": {"name": "ws-1"},
        "winlog": {
            "channel": "Security",
            "event_id": 4688,
            "computer_name": "WS-1.corp.example",
            "provider_name": "Microsoft-Windows-Security-Auditing",
            "record_id": 77,
            "event_data": {
                "SubjectUserName": "alice",
                "SubjectDomainName": "CORP",
                "SubjectLogonId": "0x3e7",
                "NewProcessId": "0x1f4",
                "NewProcessName": "C:\\Windows\\System32\\cmd.exe",
                "CommandLine": "cmd.exe /c whoami",
                "ParentProcessName": "C:\\Windows\\explorer.exe",
                "ProcessId": "0x10",
                "MandatoryLabel": "S-1-16-12288",
            },
        },
    },
    {  # OTRF Security-Datasets: EventData flattened beside the envelope
        "@timestamp": "2026-03-01T10:00:01Z",
        "EventID": 1,
        "Channel": "Microsoft-Windows-Sysmon/Operational",
        "Hostname": "WS-1.corp.example",
        "SourceName": "Microsoft-Windows-Sysmon",
        "ProcessGuid": "{A}",
        "ProcessId": "500",
        "Image": "C:\\Windows\\System32\\cmd.exe",
        "ParentProcessId": "16",
        "ParentImage": "C:\\Windows\\explorer.exe",
        "DestinationPort": "443",
    },
    {
        "TimeCreated": "2026-03-01T10:00:02",
        "EventID": "7045",
        "Channel": "System",
        "Computer": "WS-1",
        "event_data": {"ServiceName": "evil", "ImagePath": "cmd.exe"},
    },
]


def test_winlogbeat_json_lines(tmp_path):
    lines = [json.dumps(o) for o in WINLOGBEAT] + ["", "{not json", json.dumps({"Channel": "Security"})]
    source = tmp_path / "export.jsonl"
    source.write_text("\n".join(lines) + "\n")
    lake = Lake(tmp_path / "lake")
    (report,) = lake.ingest(source)
    assert report.records == 5 and report.unparsed == 2
    assert report.tables == {"Event": 1, "SecurityEvent": 1, "SysmonEvent": 1, "UnparsedEvent_CL": 2}
    sec = table(lake, "SecurityEvent").iloc[0]
    assert (sec["Computer"], sec["EventID"], sec["Account"], sec["AccountType"]) == (
        "WS-1.corp.example",
        4688,
        "CORP\\alice",
        "User",
    )
    assert (sec["NewProcessName"], sec["CommandLine"], sec["SubjectLogonId"]) == (
        "C:\\Windows\\System32\\cmd.exe",
        "cmd.exe /c whoami",
        "0x3e7",
    )
    assert str(sec["TimeGenerated"]) == "2026-03-01 10:00:00.123000+00:00" and sec["EventRecordId"] == 77
    assert json.loads(sec["host"]) == {"name": "ws-1"}  # the envelope is kept too
    sysmon = table(lake, "SysmonEvent").iloc[0]
    assert (sysmon["Computer"], sysmon["ParentImage"], sysmon["DestinationPort"]) == (
        "WS-1.corp.example",
        "C:\\Windows\\explorer.exe",
        "443",
    )
    event = table(lake, "Event").iloc[0]
    assert (event["EventLog"], event["EventID"], str(event["TimeGenerated"])) == (
        "System",
        7045,
        "2026-03-01 10:00:02+00:00",
    )
    assert json.loads(event["EventData"]) == {"ServiceName": "evil", "ImagePath": "cmd.exe"}
    raw = table(lake, "UnparsedEvent_CL").sort_values("RecordOffset")
    assert raw["RecordOffset"].tolist() == [5, 6]
    assert raw["RawData"].tolist() == [lines[4], lines[5]]
    assert raw["Reason"].str.startswith("not JSON").tolist() == [True, False]
    assert lake.ingest(source)[0].skipped


def test_evtx_with_a_table_or_replace_is_refused(tmp_path, evtx_dir):
    lake = Lake(tmp_path / "lake")
    with pytest.raises(IngestError, match="ingest them without a table"):
        lake.ingest(evtx_dir / SYSMON_1, "SecurityEvent")
    with pytest.raises(LakeError, match="needs a table"):
        lake.ingest(evtx_dir / SYSMON_1, replace=True)
