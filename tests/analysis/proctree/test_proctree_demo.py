"""The planted intrusion on WS-017 shows as one branch of its process tree (4688 and Defender)."""

from __future__ import annotations

import pandas as pd
import pytest

from huntbook.analysis.proctree import ancestors_of, build_process_tree, descendants_of


def _procs(qp, ground_truth, table: str) -> pd.DataFrame:
    intrusion = ground_truth.intrusion
    host = ground_truth.environment.host(intrusion.host)
    frame = qp.exec_query(f"{table}")
    if table == "SecurityEvent":
        return frame[(frame["EventID"] == 4688) & (frame["Computer"] == host.fqdn)]
    return frame[frame["DeviceName"] == host.device_name]


@pytest.mark.parametrize("table", ["SecurityEvent", "DeviceProcessEvents"])
def test_intrusion_is_one_branch(qp, ground_truth, table):
    intrusion = ground_truth.intrusion
    tree = build_process_tree(_procs(qp, ground_truth, table))
    planted = [p for s in intrusion.stages for p in s.processes if p.host == intrusion.host]
    assert len(planted) > 10

    def node(event):
        hit = tree[(tree["pid"] == event.process_id) & ~tree["inferred"]]
        hit = hit[(hit["start"] - pd.Timestamp(event.time)).abs() < pd.Timedelta(seconds=1)]
        assert len(hit) == 1, event
        return hit.iloc[0]

    word = node(planted[0])
    assert word["process_name"].lower().endswith("winword.exe")
    branch = set(descendants_of(tree, word["proc_key"])["proc_key"])
    for event in planted[1:]:
        row = node(event)
        assert row["proc_key"] in branch, event.command_line
        parent = tree[tree["proc_key"] == row["parent_key"]].iloc[0]
        assert int(parent["pid"]) == event.parent_process_id
    payload = node(next(p for p in planted if p.image == intrusion.payload_path))
    chain = [
        str(n).lower().replace("\\", "/").rsplit("/", 1)[-1]
        for n in ancestors_of(tree, payload["proc_key"])["process_name"]
    ]
    assert chain[-3:] == ["winword.exe", "powershell.exe", chain[-1]]
    started = next(p for p in planted if p.image.endswith("\\powershell.exe"))
    cradle = node(started)
    assert (cradle["process_name"], cradle["process_path"]) == ("powershell.exe", started.image)
    assert cradle["proc_key"] in set(tree.loc[tree["process_name"] == "powershell.exe", "proc_key"])
    assert chain[-1] == intrusion.payload_path.rsplit("\\", 1)[-1].lower() == payload["process_name"].lower()
