"""build_process_tree on small hand-made tables: schemas, pid reuse, inferred parents, cycles."""

from __future__ import annotations

import pandas as pd
import pytest

from huntbook.analysis.proctree import TREE_COLUMNS, ProcTreeSchemaError, build_process_tree
from huntbook.errors import HuntbookError

T0 = pd.Timestamp("2026-01-01 10:00:00", tz="UTC")


def _t(seconds: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(seconds=seconds)


def _4688(rows):
    cols = ["Computer", "TimeGenerated", "NewProcessId", "NewProcessName", "ProcessId", "ParentProcessName"]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.assign(EventID=4688, CommandLine=frame["NewProcessName"], SubjectUserName="bob")


def _parent_name(tree, name):
    row = tree[tree["process_name"] == name].iloc[0]
    return tree.loc[tree["proc_key"] == row["parent_key"], "process_name"].iloc[0]


def test_pid_reuse_picks_latest_earlier_process_on_the_same_host():
    tree = build_process_tree(
        _4688(
            [
                ("A", _t(0), "0x10", "old.exe", "0x4", "sys"),
                ("A", _t(10), "0x10", "new.exe", "0x4", "sys"),
                ("A", _t(5), "0x20", "kid1.exe", "0x10", "old.exe"),
                ("A", _t(15), "0x21", "kid2.exe", "0x10", "new.exe"),
                ("B", _t(20), "0x22", "other.exe", "0x10", "new.exe"),
            ]
        )
    )
    assert _parent_name(tree, "kid1.exe") == "old.exe"
    assert _parent_name(tree, "kid2.exe") == "new.exe"
    other = tree[tree["process_name"] == "other.exe"].iloc[0]
    parent = tree[tree["proc_key"] == other["parent_key"]].iloc[0]
    assert parent["inferred"] and parent["host"] == "B" and parent["pid"] == 16
    assert set(TREE_COLUMNS) <= set(tree.columns)


def test_parent_name_mismatch_makes_an_inferred_parent():
    tree = build_process_tree(
        _4688([("A", _t(0), "0x10", "a.exe", "0x4", "s"), ("A", _t(1), "0x11", "b.exe", "0x10", "z.exe")])
    )
    parent = tree[tree["proc_key"] == tree.loc[tree["process_name"] == "b.exe", "parent_key"].iloc[0]]
    assert parent["inferred"].iloc[0] and parent["process_name"].iloc[0] == "z.exe"


def test_tree_properties():
    tree = build_process_tree(
        _4688(
            [
                ("A", _t(0), "0x10", "root.exe", "0x4", "sys"),
                ("A", _t(1), "0x11", "mid.exe", "0x10", "root.exe"),
                ("A", _t(2), "0x12", "leaf.exe", "0x11", "mid.exe"),
                ("A", _t(3), "0x13", "leaf2.exe", "0x11", "mid.exe"),
            ]
        )
    )
    by_name = tree.set_index("process_name")
    assert by_name.loc["leaf.exe", "depth"] == 3  # sys (inferred) -> root -> mid -> leaf
    assert by_name.loc["mid.exe", "child_count"] == 2
    assert tree["tree_id"].nunique() == 1 and tree["root_key"].nunique() == 1
    keys = [str(by_name.loc[n, "proc_key"]) for n in ("sys", "root.exe", "mid.exe", "leaf.exe")]
    assert by_name.loc["leaf.exe", "path"] == "/".join(keys)
    assert by_name.loc["leaf.exe", "pid"] == 0x12 and by_name.loc["leaf.exe", "user"] == "bob"


def test_int_and_hex_pids_give_the_same_tree():
    rows = [("A", _t(0), "0x10", "p.exe", "0x4", "s"), ("A", _t(1), "0x11", "c.exe", "0x10", "p.exe")]
    hexed = build_process_tree(_4688(rows))
    ints = _4688(rows).assign(NewProcessId=[16, 17], ProcessId=[4, 16])
    assert hexed["proc_key"].tolist() == build_process_tree(ints)["proc_key"].tolist()


def test_keys_are_stable_across_input_order():
    rows = [("A", _t(i), hex(16 + i), f"p{i}.exe", hex(15 + i), f"p{i - 1}.exe") for i in range(6)]
    one = build_process_tree(_4688(rows))
    two = build_process_tree(_4688(rows[::-1]))
    cols = ["proc_key", "parent_key", "path"]
    assert (
        one[cols]
        .sort_values("proc_key")
        .reset_index(drop=True)
        .equals(two[cols].sort_values("proc_key").reset_index(drop=True))
    )


def test_equal_time_cycle_is_broken():
    tree = build_process_tree(
        _4688(
            [("A", _t(0), "0x10", "x.exe", "0x11", "y.exe"), ("A", _t(0), "0x11", "y.exe", "0x10", "x.exe")]
        )
    )
    assert tree["parent_key"].isna().sum() == 1
    assert tree["depth"].max() == 1


def test_sysmon_links_by_guid():
    frame = pd.DataFrame(
        {
            "EventID": [1, 1, 3],
            "Computer": ["h"] * 3,
            "UtcTime": ["2026-01-01 10:00:00.000", "2026-01-01 10:00:01.000", "2026-01-01 10:00:02.000"],
            "ProcessGuid": ["{A}", "{B}", "{C}"],
            "ParentProcessGuid": ["{P}", "{a}", "{B}"],
            "ProcessId": [10, 10, 12],
            "ParentProcessId": [4, 10, 10],
            "Image": ["a.exe", "b.exe", "net"],
            "ParentImage": ["p.exe", "a.exe", "b.exe"],
            "CommandLine": ["a", "b", "c"],
            "ParentCommandLine": ["p -x", "a", "b"],
            "User": ["u"] * 3,
        }
    )
    tree = build_process_tree(frame)
    assert len(tree) == 3  # the network event is left out; P is inferred
    assert _parent_name(tree, "b.exe") == "a.exe"
    inferred = tree[tree["inferred"]].iloc[0]
    assert (inferred["process_name"], inferred["command_line"], inferred["pid"]) == ("p.exe", "p -x", 4)


def test_mde_links_by_initiating_pid_and_time():
    frame = pd.DataFrame(
        {
            "DeviceName": ["d"] * 3,
            "ActionType": ["ProcessCreated"] * 3,
            "ProcessId": [10, 11, 12],
            "ProcessCreationTime": [_t(0), _t(1), _t(2)],
            "FileName": ["a.exe", "b.exe", "c.exe"],
            "ProcessCommandLine": ["a", "b", "c"],
            "AccountName": ["u"] * 3,
            "InitiatingProcessId": [4, 10, 10],
            "InitiatingProcessCreationTime": [_t(-5), _t(0), _t(0.5)],
            "InitiatingProcessFileName": ["p.exe", "a.exe", "a.exe"],
            "InitiatingProcessCommandLine": ["p", "a", "a"],
            "InitiatingProcessAccountName": ["s"] * 3,
        }
    )
    tree = build_process_tree(frame)
    assert _parent_name(tree, "b.exe") == "a.exe"
    assert (
        tree.loc[tree["process_name"] == "c.exe", "depth"].iloc[0] == 1
    )  # a.exe at 0.5 s is not in the data
    assert tree["inferred"].sum() == 2
    assert tree.loc[tree["inferred"], "start"].min() == _t(-5)


def test_custom_mapping_and_schema_name():
    frame = pd.DataFrame(
        {"Host": ["h", "h"], "Pid": [1, 2], "PPid": [0, 1], "Exe": ["init", "sh"], "When": [_t(0), _t(1)]}
    )
    mapping = {"pid": "Pid", "parent_pid": "PPid", "process_name": "Exe", "start": "When", "host": "Host"}
    tree = build_process_tree(frame, mapping)
    assert _parent_name(tree, "sh") == "init"
    with pytest.raises(ProcTreeSchemaError, match="Did you mean 'parent_pid'"):
        build_process_tree(frame, {**mapping, "parentpid": "PPid"})
    with pytest.raises(ProcTreeSchemaError, match="Did you mean '4688'"):
        build_process_tree(frame, "4868")


def test_unknown_columns_list_what_each_schema_misses():
    with pytest.raises(ProcTreeSchemaError) as info:
        build_process_tree(pd.DataFrame({"NewProcessId": ["0x1"], "Computer": ["h"]}))
    assert isinstance(info.value, HuntbookError)
    assert info.value.missing["4688"] == ("ProcessId", "NewProcessName", "TimeGenerated")
    assert "sysmon: ProcessId" in str(info.value)


def test_many_hosts_make_a_forest_and_empty_input_works():
    rows = [(h, _t(0), "0x10", "p.exe", "0x4", "s") for h in ("A", "B", "C")]
    tree = build_process_tree(_4688(rows))
    assert tree["tree_id"].nunique() == 3
    assert tree.groupby("tree_id")["host"].first().tolist() == ["A", "B", "C"]
    assert build_process_tree(_4688([])).empty


def test_keys_of_inferred_parents_do_not_depend_on_other_hosts():
    rows = [("B", _t(1), "0x11", "c.exe", "0x10", "p.exe")]
    alone = build_process_tree(_4688(rows))
    with_other = build_process_tree(_4688([("A", _t(0), "0x5", "x.exe", "0x4", "s"), *rows]))
    on_b = with_other[with_other["host"] == "B"]
    assert sorted(alone["proc_key"]) == sorted(on_b["proc_key"])


def test_same_guid_on_two_hosts():
    frame = pd.DataFrame(
        {
            "Computer": ["h1", "h2", "h2"],
            "UtcTime": [_t(0), _t(0), _t(1)],
            "ProcessGuid": ["{A}", "{A}", "{B}"],
            "ParentProcessGuid": ["{P}", "{P}", "{A}"],
            "ProcessId": [1, 1, 2],
            "ParentProcessId": [0, 0, 1],
            "Image": ["a", "a2", "b"],
            "ParentImage": ["p", "p", "a2"],
        }
    )
    tree = build_process_tree(frame, "sysmon")
    assert _parent_name(tree, "b") == "a2"
    assert tree["inferred"].sum() == 2  # one parent {P} per host


PS = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
WORD = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"


def _names_and_paths(tree):
    return sorted(zip(tree["process_name"], tree["process_path"].fillna("-"), strict=True))


def test_process_name_is_the_file_name_and_process_path_the_full_path_in_4688():
    tree = build_process_tree(
        _4688(
            [
                ("A", _t(0), "0x10", WORD, "0x4", r"C:\Windows\explorer.exe"),
                ("A", _t(1), "0x11", PS, "0x10", WORD),
            ]
        )
    )
    assert _names_and_paths(tree) == [
        ("WINWORD.EXE", WORD), ("explorer.exe", r"C:\Windows\explorer.exe"), ("powershell.exe", PS)
    ]  # fmt: skip
    found = tree[tree["process_name"] == "powershell.exe"]
    assert len(found) == 1 and found["NewProcessName"].iloc[0] == PS
    assert _parent_name(tree, "powershell.exe") == "WINWORD.EXE"  # parent names match as file names


def test_defender_file_name_and_folder_path_fill_the_same_two_columns():
    frame = pd.DataFrame(
        {
            "DeviceName": ["d"] * 2,
            "ActionType": ["ProcessCreated"] * 2,
            "ProcessId": [10, 11],
            "ProcessCreationTime": [_t(0), _t(1)],
            "FileName": ["WINWORD.EXE", "powershell.exe"],
            "FolderPath": [WORD, PS],
            "InitiatingProcessId": [4, 10],
            "InitiatingProcessCreationTime": [_t(-5), _t(0)],
            "InitiatingProcessFileName": ["explorer.exe", "WINWORD.EXE"],
            "InitiatingProcessFolderPath": [r"C:\Windows\explorer.exe", WORD],
        }
    )
    tree = build_process_tree(frame)
    assert _names_and_paths(tree) == [
        ("WINWORD.EXE", WORD), ("explorer.exe", r"C:\Windows\explorer.exe"), ("powershell.exe", PS)
    ]  # fmt: skip
    assert tree.loc[tree["process_name"] == "powershell.exe", "ProcessId"].tolist() == [11]
    assert _parent_name(tree, "powershell.exe") == "WINWORD.EXE"
    no_paths = build_process_tree(frame.drop(columns=["FolderPath", "InitiatingProcessFolderPath"]))
    assert no_paths["process_name"].tolist() == tree["process_name"].tolist()
    assert no_paths["process_path"].isna().all()  # only names known: no path is made up


def test_auditd_and_bare_names():
    frame = pd.DataFrame(
        {
            "Computer": ["lx"] * 2,
            "EventType": ["SYSCALL_EXECVE"] * 2,
            "pid": [10, 11],
            "ppid": [1, 10],
            "exe": ["/bin/bash", "curl"],
            "TimeGenerated": [_t(0), _t(1)],
        }
    )
    tree = build_process_tree(frame)
    assert _names_and_paths(tree[~tree["inferred"]]) == [("bash", "/bin/bash"), ("curl", "-")]
