"""Walk a tree from `build_process_tree`: roots, parents, children, ancestors, descendants, summaries."""

from __future__ import annotations

import pandas as pd

from huntbook.errors import HuntbookError

_NEEDED = ("proc_key", "parent_key", "root_key", "depth", "tree_id", "host", "start")


class ProcTreeKeyError(HuntbookError, KeyError):
    """A process key is not in the tree, or the frame is not a process tree."""

    def __init__(self, message: str, *, key: int | None = None):
        self.key = key
        super().__init__(message)


def _check(tree: pd.DataFrame, key: int | None = None) -> None:
    missing = [c for c in _NEEDED if c not in tree.columns]
    if missing:
        raise ProcTreeKeyError(
            f"not a process tree (missing {', '.join(missing)}); make one with build_process_tree"
        )
    if key is not None and not (tree["proc_key"] == key).any():
        raise ProcTreeKeyError(f"no process with proc_key {key} in the tree", key=key)


def _rows(tree: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    found: pd.DataFrame = tree[mask]
    return found


def roots(tree: pd.DataFrame) -> pd.DataFrame:
    """Return the root processes (those without a parent), one per tree."""
    _check(tree)
    found: pd.DataFrame = tree[tree["parent_key"].isna()]
    return found


def root_of(tree: pd.DataFrame, key: int) -> pd.DataFrame:
    """Return the root of the tree that holds process *key* (one row)."""
    _check(tree, key)
    root = tree.loc[tree["proc_key"] == key, "root_key"].iloc[0]
    return _rows(tree, tree["proc_key"] == root)


def parent_of(tree: pd.DataFrame, key: int) -> pd.DataFrame:
    """Return the parent of process *key* (no rows for a root)."""
    _check(tree, key)
    parent = tree.loc[tree["proc_key"] == key, "parent_key"].iloc[0]
    return tree.iloc[0:0] if pd.isna(parent) else tree[tree["proc_key"] == parent]


def children_of(tree: pd.DataFrame, key: int) -> pd.DataFrame:
    """Return the direct children of process *key*."""
    _check(tree, key)
    return _rows(tree, tree["parent_key"] == key)


def descendants_of(tree: pd.DataFrame, key: int, *, max_depth: int | None = None) -> pd.DataFrame:
    """Return the descendants of process *key*, at most *max_depth* levels down, in depth order."""
    _check(tree, key)
    parts: list[pd.DataFrame] = []
    level = pd.Series([key])
    sub = tree[tree["root_key"] == tree.loc[tree["proc_key"] == key, "root_key"].iloc[0]]
    while len(level) and (max_depth is None or len(parts) < max_depth):
        found = sub[sub["parent_key"].isin(level)]
        parts.append(found)
        level = found["proc_key"]
    return pd.concat(parts) if parts else tree.iloc[0:0]


def ancestors_of(tree: pd.DataFrame, key: int) -> pd.DataFrame:
    """Return the ancestors of process *key*, root first."""
    _check(tree, key)
    rows = []
    parent = tree.loc[tree["proc_key"] == key, "parent_key"].iloc[0]
    by_key = tree.set_index("proc_key")["parent_key"]
    while not pd.isna(parent):
        rows.append(parent)
        parent = by_key.get(parent)
    order = {k: i for i, k in enumerate(reversed(rows))}
    found = tree[tree["proc_key"].isin(rows)]
    ordered: pd.DataFrame = found.iloc[found["proc_key"].map(order).argsort()]
    return ordered


def siblings_of(tree: pd.DataFrame, key: int) -> pd.DataFrame:
    """Return the other children of process *key*'s parent (roots have no siblings)."""
    _check(tree, key)
    parent = tree.loc[tree["proc_key"] == key, "parent_key"].iloc[0]
    if pd.isna(parent):
        return tree.iloc[0:0]
    return _rows(tree, (tree["parent_key"] == parent) & (tree["proc_key"] != key))


def tree_summary(tree: pd.DataFrame) -> pd.DataFrame:
    """Return one row per tree: ``tree_id``, ``root_key``, ``root_name``, ``host``, ``processes``,
    ``depth`` (the deepest level), ``first`` and ``last`` start time."""
    _check(tree)
    grouped = tree.groupby("tree_id", sort=True)
    summary = grouped.agg(
        root_key=("root_key", "first"),
        host=("host", "first"),
        processes=("proc_key", "size"),
        depth=("depth", "max"),
        first=("start", "min"),
        last=("start", "max"),
    )
    names = roots(tree).set_index("tree_id")["process_name"]
    summary.insert(1, "root_name", names.reindex(summary.index))
    return summary.reset_index()
