"""Walking a built tree, its per-tree summary, and the rich rendering."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from rich.console import Console

from huntbook.analysis.proctree import (
    ProcTreeKeyError,
    ancestors_of,
    build_process_tree,
    children_of,
    descendants_of,
    parent_of,
    render_tree,
    root_of,
    roots,
    siblings_of,
    tree_summary,
)

T0 = pd.Timestamp("2026-01-01 10:00:00", tz="UTC")
# name, pid, parent pid, seconds: init -> sh -> (ls, cat, vim -> (py, bash))
ROWS = [
    ("init", 1, 0, 0),
    ("sh", 2, 1, 1),
    ("ls", 3, 2, 2),
    ("cat", 4, 2, 3),
    ("vim", 5, 2, 4),
    ("py", 6, 5, 5),
    ("bash", 7, 5, 6),
]


@pytest.fixture
def tree():
    frame = pd.DataFrame(ROWS, columns=["exe", "pid", "ppid", "s"])
    frame = frame.assign(
        TimeGenerated=T0 + pd.to_timedelta(frame["s"], unit="s"),
        Computer="lx",
        cmdline=frame["exe"] + " --flag",
        EventType="SYSCALL_EXECVE",
    )
    return build_process_tree(frame)


def _key(tree, name):
    return tree.loc[tree["process_name"] == name, "proc_key"].iloc[0]


def _names(frame):
    return frame["process_name"].fillna("?").tolist()


def test_navigation(tree):
    vim = _key(tree, "vim")
    assert _names(roots(tree)) == ["?"]  # pid 0 is inferred
    assert _names(root_of(tree, vim)) == ["?"]
    assert _names(parent_of(tree, vim)) == ["sh"]
    assert parent_of(tree, roots(tree)["proc_key"].iloc[0]).empty
    assert _names(children_of(tree, vim)) == ["py", "bash"]
    assert _names(siblings_of(tree, vim)) == ["ls", "cat"]
    assert _names(ancestors_of(tree, _key(tree, "py"))) == ["?", "init", "sh", "vim", "py"]
    assert _names(ancestors_of(tree, _key(tree, "py"), include_self=False)) == ["?", "init", "sh", "vim"]
    assert _names(descendants_of(tree, _key(tree, "sh"))) == ["sh", "ls", "cat", "vim", "py", "bash"]
    below = descendants_of(tree, _key(tree, "sh"), include_self=False)
    assert _names(below) == ["ls", "cat", "vim", "py", "bash"]
    assert _names(descendants_of(tree, _key(tree, "sh"), max_depth=1)) == ["sh", "ls", "cat", "vim"]
    assert _names(ancestors_of(tree, roots(tree)["proc_key"].iloc[0])) == ["?"]


def test_errors(tree):
    with pytest.raises(ProcTreeKeyError, match="no process with proc_key 42"):
        children_of(tree, 42)
    with pytest.raises(ProcTreeKeyError, match="not a process tree"):
        roots(pd.DataFrame({"a": [1]}))


def test_summary(tree):
    summary = tree_summary(tree)
    assert summary.shape[0] == 1
    row = summary.iloc[0]
    assert (row["host"], row["processes"], row["depth"]) == ("lx", 8, 4)
    assert row["first"] == T0 and row["last"] == T0 + pd.Timedelta(seconds=6)


def _text(renderable) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def test_render_whole_and_truncated(tree):
    text = _text(render_tree(tree))
    assert text.splitlines()[0] == "8 processes in 1 tree(s)"
    assert "vim pid 5 2026-01-01 10:00:04  vim --flag" in text
    assert "(inferred)" in text
    small = _text(render_tree(tree, root=_key(tree, "sh"), max_children=2, max_nodes=3))
    assert small.splitlines()[0].startswith("sh pid 2")
    assert "… 1 more children" in small
    assert "output stopped at 3 processes" in _text(render_tree(tree, max_nodes=3))
    shallow = _text(render_tree(tree, max_depth=2))
    assert "… 3 children below depth 2" in shallow


def _drawn(text: str) -> list[tuple[int, str]]:
    """Each drawn process as (nesting level, name): the tree guides before the name give the level."""
    drawn = []
    for line in text.splitlines()[1:]:
        guide = len(line) - len(line.lstrip("│├└─ "))
        drawn.append((guide // 4 - 1, line[guide:].split(" pid ")[0]))  # "└── " is level 0
    return drawn


def test_render_a_subtree_from_its_start_process(tree):
    text = _text(render_tree(descendants_of(tree, _key(tree, "sh"))))
    assert text.splitlines()[0] == "6 processes in 1 tree(s)"
    assert _drawn(text) == [(0, "sh"), (1, "ls"), (1, "cat"), (1, "vim"), (2, "py"), (2, "bash")]
    below = _text(render_tree(descendants_of(tree, _key(tree, "vim"), include_self=False)))
    assert _drawn(below) == [(0, "py"), (0, "bash")]


def test_render_the_chain_of_ancestors_down_to_the_process(tree):
    text = _text(render_tree(ancestors_of(tree, _key(tree, "bash"))))
    assert _drawn(text) == [(0, "?"), (1, "init"), (2, "sh"), (3, "vim"), (4, "bash")]
    assert "(inferred)" in text.splitlines()[1]


def test_render_a_filtered_frame_draws_each_process_it_holds(tree):
    text = _text(render_tree(tree[tree["process_name"].isin(["ls", "vim", "py"])]))
    assert _drawn(text) == [(0, "ls"), (0, "vim"), (1, "py")]
    chain = pd.concat([ancestors_of(tree, _key(tree, "vim")), descendants_of(tree, _key(tree, "vim"))])
    assert _drawn(_text(render_tree(chain))) == [
        (0, "?"), (1, "init"), (2, "sh"), (3, "vim"), (4, "py"), (4, "bash")
    ]  # fmt: skip


def test_summary_of_a_part_names_its_top(tree):
    summary = tree_summary(descendants_of(tree, _key(tree, "sh")))
    row = summary.iloc[0]
    assert (row["root_key"], row["root_name"], row["processes"]) == (_key(tree, "sh"), "sh", 6)
    assert _names(roots(descendants_of(tree, _key(tree, "vim"), include_self=False))) == ["py", "bash"]
