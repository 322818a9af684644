"""KQL through QueryProvider("Local") on tables filled by Windows event ingest."""

import json
from collections import Counter

import pytest

from huntbook.data.lake.lake import Lake
from huntbook.data.provider import QueryProvider
from huntbook.errors import UnknownTableError

evtx = pytest.importorskip("evtx")
SYSMON = "Microsoft-Windows-Sysmon/Operational"


@pytest.fixture(scope="module")
def evtx_dir(shared_data):
    return shared_data / "evtx"


@pytest.fixture(scope="module")
def provider(tmp_path_factory, evtx_dir):
    path = tmp_path_factory.mktemp("evtx-lake") / "lake"
    Lake(path).ingest(evtx_dir)
    qp = QueryProvider("Local", lake=path)
    yield qp
    qp.close()


def systems(evtx_dir):
    """The System element of every record, read with the evtx parser alone."""
    for path in sorted(evtx_dir.rglob("*.evtx")):
        for record in evtx.PyEvtxParser(str(path)).records_json():
            yield json.loads(record["data"])["Event"]["System"]


def test_kql_on_sysmon_event_counts_process_creations_per_host(provider, evtx_dir):
    expected = Counter(
        s["Computer"] for s in systems(evtx_dir) if s["Channel"] == SYSMON and s["EventID"] == 1
    )
    frame = provider.exec_query("SysmonEvent | where EventID == 1 | summarize n = count() by Computer")
    assert dict(zip(frame["Computer"], frame["n"], strict=True)) == expected
    assert sum(expected.values()) > 900


def test_kql_reads_sysmon_fields_and_event_data_of_other_channels(provider):
    frame = provider.exec_query(
        "SysmonEvent | where EventID == 1 and ProcessId == '5600' and Computer == 'MSEDGEWIN10' "
        "| project Image, ParentImage, ParentProcessGuid"
    )
    assert frame.to_dict("records") == [
        {
            "Image": r"C:\Windows\System32\wermgr.exe",
            "ParentImage": r"C:\Windows\SysWOW64\rundll32.exe",
            "ParentProcessGuid": "747F3D96-659B-5F8F-0000-001026C33300",
        }
    ]
    services = provider.exec_query(
        "Event | where EventID == 7045 | extend svc = tostring(EventData.ServiceName) "
        "| summarize by svc | order by svc asc"
    )
    assert {"spoolfool", "spoolsv", "remotesvc"} <= set(services["svc"])


def test_an_event_table_not_yet_filled_says_how_to_fill_it(tmp_path, evtx_dir):
    Lake(tmp_path / "lake").ingest(evtx_dir / "Command_and_Control" / "DE_RDP_Tunnel_5156.evtx")
    qp = QueryProvider("Local", lake=tmp_path / "lake")
    with pytest.raises(
        UnknownTableError, match=r"ingest \.evtx or Winlogbeat JSON-lines files without a table"
    ):
        qp.exec_query("SysmonEvent | take 1")
    qp.close()
