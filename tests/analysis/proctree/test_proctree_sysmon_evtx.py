"""Sysmon process trees from the real EVTX samples, ingested into a lake.

The records named here were read by hand in ``../shared/data/evtx``:

- ``AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx``, host
  MSEDGEWIN10, EventRecordIDs 3573-3674: explorer (not in the data) -> cmd.exe
  3764 -> powershell.exe 3912 -> cmd.exe 2096 -> cmd.exe 3284 -> net.exe 6068
  (``net use \\\\Target\\C$ ...``), linked by ProcessGuid/ParentProcessGuid.
- ``Defense_Evasion/Sysmon_7_dllhijack_cdpsshims_CDPSvc.evtx`` (MSEDGEWIN10,
  2020-03-21): LocalBridge.exe 3808 (record 244335) has parent pid 4744, whose
  guid is absent; another capture of the same host name has a cmd.exe with
  pid 4744 in 2019, which linking by pid would wrongly make its parent.
  svchost.exe 3896 and 2560 (records 244338, 244344) share the absent parent
  services.exe {747F3D96-069C-5E76-0000-00109F520000}, pid 584.
- Sysmon writes an all-zero ParentProcessGuid when it does not know the parent
  (WmiPrvSE.exe 6748 <- pid 840, svchost.exe 4912 and 5280 <- pid 612): such
  parents are told apart by pid, not merged into one.
"""

from __future__ import annotations

from itertools import pairwise

import duckdb
import pytest

from huntbook.analysis.proctree import ancestors_of, build_process_tree
from huntbook.analysis.proctree.schema import resolve_schema
from huntbook.data.lake.lake import Lake

pytest.importorskip("evtx")

CHAIN = [  # (ProcessGuid, pid, image), root first
    ("747F3D96-D6ED-5D31-0000-0010C88A2500", 3764, r"C:\Windows\System32\cmd.exe"),
    (
        "747F3D96-D6F7-5D31-0000-00104ACE2500",
        3912,
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
    ),
    ("747F3D96-D849-5D31-0000-0010914D2F00", 2096, r"C:\Windows\System32\cmd.exe"),
    ("747F3D96-D849-5D31-0000-0010E54F2F00", 3284, r"C:\Windows\System32\cmd.exe"),
    ("747F3D96-D849-5D31-0000-00103C522F00", 6068, r"C:\Windows\System32\net.exe"),
]


@pytest.fixture(scope="module")
def sysmon(tmp_path_factory, shared_data):
    """Every SysmonEvent row of the samples, as the lake returns them (all event ids)."""
    lake = Lake(tmp_path_factory.mktemp("sysmon") / "lake")
    lake.ingest(shared_data / "evtx")
    return duckdb.read_parquet([str(f) for f in lake.files("SysmonEvent")], union_by_name=True).df()


@pytest.fixture(scope="module")
def tree(sysmon):
    return build_process_tree(sysmon)


def row(tree, guid):
    (match,) = tree.index[tree["ProcessGuid"] == guid]
    return tree.loc[match]


def test_the_sysmon_schema_is_detected_and_every_process_creation_is_a_node(sysmon, tree):
    assert resolve_schema(sysmon, None)[0].name == "sysmon"
    created = sysmon[sysmon["EventID"] == 1]
    assert len(created) == 957
    assert (~tree["inferred"]).sum() == len(created)
    assert tree["proc_key"].is_unique


def test_a_five_process_chain_is_linked_by_guid(tree):
    nodes = [row(tree, guid) for guid, _, _ in CHAIN]
    for (_, pid, image), node in zip(CHAIN, nodes, strict=True):
        assert (node["pid"], node["process_path"], node["host"]) == (pid, image, "MSEDGEWIN10")
        assert node["process_name"] == image.rsplit("\\", 1)[-1]
    for parent, child in pairwise(nodes):
        assert child["parent_key"] == parent["proc_key"]
    assert "net  use \\\\Target\\C$" in nodes[-1]["command_line"]
    chain = ancestors_of(tree, nodes[-1]["proc_key"])
    assert chain["pid"].tolist() == [4416, *(pid for _, pid, _ in CHAIN)]  # root first, the process last
    explorer = tree[tree["proc_key"] == nodes[0]["parent_key"]].iloc[0]
    assert explorer["inferred"] and (explorer["pid"], explorer["process_path"]) == (
        4416,
        r"C:\Windows\explorer.exe",
    )
    assert explorer["process_name"] == "explorer.exe"
    assert nodes[-1]["depth"] == explorer["depth"] + 5


def test_an_absent_parent_guid_is_not_replaced_by_a_process_with_the_same_pid(tree):
    bridge = row(tree, "747F3D96-0A28-5E76-0000-0010882B3C00")
    parent = tree[tree["proc_key"] == bridge["parent_key"]].iloc[0]
    assert parent["inferred"] and parent["pid"] == 4744
    assert parent["process_path"] == r"C:\Windows\System32\RuntimeBroker.exe"
    assert parent["process_name"] == "RuntimeBroker.exe"
    same_pid = tree[(tree["host"] == "MSEDGEWIN10") & (tree["pid"] == 4744) & ~tree["inferred"]]
    assert len(same_pid) >= 1 and bridge["parent_key"] not in set(same_pid["proc_key"])
    services = {
        row(tree, guid)["parent_key"]
        for guid in ("747F3D96-0A2B-5E76-0000-00101E2F3D00", "747F3D96-0A48-5E76-0000-001051C83E00")
    }
    assert len(services) == 1
    node = tree[tree["proc_key"] == services.pop()].iloc[0]
    assert node["inferred"] and (node["pid"], node["process_path"]) == (
        584,
        r"C:\Windows\System32\services.exe",
    )


def test_process_name_is_the_file_name_and_process_path_the_image(tree):
    guid = CHAIN[1][0]
    found = tree[tree["process_name"] == "powershell.exe"]
    assert guid in set(found["ProcessGuid"]) and len(found) > 1
    assert found.index.equals(tree.index[tree["process_path"].str.endswith("\\powershell.exe").fillna(False)])
    real = tree[~tree["inferred"]]
    assert (real["process_path"] == real["Image"]).all()
    assert (real["process_name"] == real["Image"].str.rsplit("\\", n=1).str[-1]).all()


def test_parents_sysmon_did_not_know_are_told_apart_by_pid(tree):
    unknown = tree[tree["ParentProcessGuid"] == "00000000-0000-0000-0000-000000000000"]
    assert sorted(unknown["parent_pid"]) == [612, 612, 752, 832, 840]
    parents = tree.set_index("proc_key").loc[unknown["parent_key"].astype("int64")]
    assert parents["inferred"].all()
    assert dict(zip(unknown["parent_pid"], parents["pid"], strict=True)) == {
        612: 612,
        752: 752,
        832: 832,
        840: 840,
    }
    assert unknown.groupby("parent_pid")["parent_key"].nunique().eq(1).all()
    assert unknown["parent_key"].nunique() == 4


def test_guids_match_with_or_without_braces_and_in_any_case():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "EventID": [1, 1],
            "Computer": ["WS-1", "WS-1"],
            "UtcTime": ["2026-03-01 10:00:00.000", "2026-03-01 10:00:01.000"],
            "ProcessGuid": ["747F3D96-0A27-5E76-0000-001051083C00", "{747f3d96-0a28-5e76-0000-0010882b3c00}"],
            "ProcessId": ["100", "200"],
            "Image": ["a.exe", "b.exe"],
            "ParentProcessGuid": [
                "{00000000-0000-0000-0000-000000000000}",
                "{747f3d96-0a27-5e76-0000-001051083c00}",
            ],
            "ParentProcessId": ["4", "100"],
        }
    )
    tree = build_process_tree(frame)
    assert tree.loc[1, "parent_key"] == tree.loc[0, "proc_key"]
    assert tree.loc[tree["proc_key"] == tree.loc[0, "parent_key"], "pid"].tolist() == [4]
