"""`render_tree`: a process tree as a rich Tree for the terminal, cut down to a readable size."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from huntbook.analysis.proctree.navigate import _check

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree


def render_tree(
    tree: pd.DataFrame,
    *,
    root: int | None = None,
    max_nodes: int = 200,
    max_children: int = 25,
    max_depth: int | None = None,
    command_width: int = 80,
) -> Tree:
    """Return the process tree (or the one under process *root*) as a rich Tree.

    Each process whose parent is not in *tree* starts a branch, so a part of
    a tree draws from where it starts: ``render_tree(descendants_of(tree, key))``
    from process *key*, ``render_tree(ancestors_of(tree, key))`` from the root
    down to *key*.

    Parameters
    ----------
    tree : pandas.DataFrame
        Output of `build_process_tree`, or some of its rows.
    root : int, optional
        Draw only this process and its descendants.
    max_nodes : int
        Stop after this many processes; a last line says how many were left out.
    max_children : int
        Show at most this many children of one process, then "… N more".
    max_depth : int, optional
        Show at most this many levels below the top.
    command_width : int
        Cut command lines to this many characters.

    Returns
    -------
    rich.tree.Tree
        Print it with ``rich.print`` or ``Console().print``.
    """
    from rich.text import Text
    from rich.tree import Tree

    _check(tree, root)
    rows = tree.drop_duplicates("proc_key").reset_index(drop=True)  # a process drawn twice would confuse
    children = rows.groupby("parent_key", sort=False).indices
    if root is not None:
        top = rows.index[rows["proc_key"] == root]
    else:  # the tops: no parent, or one the frame does not hold
        top = rows.index[~rows["parent_key"].isin(rows["proc_key"]) | rows["parent_key"].isna()]
    label = f"{len(rows)} processes in {rows['tree_id'].nunique()} tree(s)"
    out = Tree(Text(label) if root is None else _label(rows.iloc[top[0]], command_width))
    stack = [(out, i, 0) for i in reversed(top)] if root is None else []
    if root is not None:
        kids = children.get(root, [])
        stack = [(out, int(i), 1) for i in reversed(kids[:max_children])]
        if len(kids) > max_children:
            out.add(Text(f"… {len(kids) - max_children} more children", style="dim"))
    shown, limited = 0, False
    while stack:
        node, i, level = stack.pop()
        if shown >= max_nodes:
            limited = True
            break
        branch = node.add(_label(rows.iloc[i], command_width))
        shown += 1
        kids = children.get(rows.at[i, "proc_key"], [])
        if len(kids) and max_depth is not None and level >= max_depth:
            branch.add(Text(f"… {len(kids)} children below depth {max_depth}", style="dim"))
            continue
        if len(kids) > max_children:
            branch.add(Text(f"… {len(kids) - max_children} more children", style="dim"))
        stack.extend((branch, int(k), level + 1) for k in reversed(kids[:max_children]))
    if limited:
        out.add(Text(f"… output stopped at {max_nodes} processes (max_nodes)", style="dim"))
    return out


def _label(row: pd.Series, width: int) -> Text:
    """One process: name, pid, start and command line, all shown literally (they are attacker-written)."""
    from rich.text import Text

    from huntbook.display import literal_text

    name = str(row["process_name"]) if not pd.isna(row["process_name"]) else "?"
    short = name.replace("\\", "/").rsplit("/", 1)[-1]
    pid = "?" if pd.isna(row["pid"]) else f"{int(row['pid'])}"
    when = "" if pd.isna(row["start"]) else f" {row['start']:%Y-%m-%d %H:%M:%S}"
    cmd = "" if pd.isna(row["command_line"]) else str(row["command_line"])
    if len(cmd) > width:
        cmd = cmd[: width - 1] + "…"
    label = Text.assemble(literal_text(short, style="bold"), f" pid {pid}{when}")
    if bool(row["inferred"]):
        label.append(" (inferred)", style="yellow")
    if cmd:
        label.append("  ").append_text(literal_text(cmd, style="dim"))
    return label
