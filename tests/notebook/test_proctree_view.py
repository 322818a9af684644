"""The process-tree summary a notebook shows: headline and one escaped row per tree."""

import pandas as pd

from huntbook.analysis.proctree import ancestors_of, build_process_tree, descendants_of, tree_summary
from huntbook.notebook import ProcessTreeSummary
from huntbook.notebook.proctree_view import process_tree_summary_html


def _events(**overrides):
    rows = [
        # host, pid, ppid, name, parent name, time
        ("h1", 0x10, 0x4, "C:\\Windows\\explorer.exe", "C:\\Windows\\userinit.exe", "2026-11-10 09:00"),
        ("h1", 0x20, 0x10, "C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\explorer.exe", "2026-11-10 09:01"),
        (
            "h1",
            0x30,
            0x20,
            "C:\\Windows\\System32\\whoami.exe",
            "C:\\Windows\\System32\\cmd.exe",
            "2026-11-10 09:02",
        ),
        ("h2", 0x40, 0x8, "C:\\Temp\\evil.exe", "C:\\<img src=x onerror=alert(1)>.exe", "2026-11-10 10:00"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "Computer",
            "NewProcessId",
            "ProcessId",
            "NewProcessName",
            "ParentProcessName",
            "TimeGenerated",
        ],
    )
    frame["NewProcessId"] = frame["NewProcessId"].map(hex)
    frame["ProcessId"] = frame["ProcessId"].map(hex)
    frame["TimeGenerated"] = pd.to_datetime(frame["TimeGenerated"], utc=True)
    frame["EventID"] = 4688
    frame["CommandLine"] = frame["NewProcessName"]
    frame["SubjectUserName"] = "alice"
    return frame.assign(**overrides)


def test_summary_headline_and_rows():
    tree = build_process_tree(_events(), schema="4688")
    view = ProcessTreeSummary(tree)
    assert view.headline() == (
        "6 processes in 2 trees on 2 hosts (2 parents inferred from their children's events), "
        "2026-11-10 09:00:00 to 2026-11-10 10:00:00 UTC"
    )
    summary = view.frame
    assert summary["processes"].tolist() == sorted(tree_summary(tree)["processes"], reverse=True)
    html = process_tree_summary_html(tree)
    assert html.count("<tr>") == 1 + len(summary)
    assert "&lt;img src=x onerror=alert(1)&gt;.exe" in html and "<img" not in html
    assert repr(view).splitlines()[1:] == [
        "  tree 0: h1  userinit.exe  4 processes, depth 3",
        "  tree 1: h2  <img src=x onerror=alert(1)>.exe  2 processes, depth 1",
    ]


def test_a_part_of_a_tree_is_summarised_from_its_top():
    tree = build_process_tree(_events(), schema="4688")
    cmd = int(tree.loc[tree["process_name"] == "cmd.exe", "proc_key"].iloc[0])
    view = ProcessTreeSummary(descendants_of(tree, cmd))
    assert view.headline() == (
        "2 processes in 1 tree on 1 host, 2026-11-10 09:01:00 to 2026-11-10 09:02:00 UTC"
    )
    assert repr(view).splitlines()[1:] == ["  tree 0: h1  cmd.exe  2 processes, depth 3"]
    html = process_tree_summary_html(ancestors_of(tree, cmd))
    assert "<td style='text-align:left'>userinit.exe</td>" in html
