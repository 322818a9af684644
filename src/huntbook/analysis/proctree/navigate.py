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
    """Return the top processes: those whose parent is not in *tree*.

    In a whole tree from `build_process_tree` these are the roots, one per
    tree; in a part of one (`descendants_of`, `ancestors_of`, a filter) they
    are the processes the part starts from.
    """
    _check(tree)
    return _rows(tree, ~tree["parent_key"].isin(tree["proc_key"]) | tree["parent_key"].isna())


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


def descendants_of(
    tree: pd.DataFrame, key: int, *, max_depth: int | None = None, include_self: bool = True
) -> pd.DataFrame:
    """Return process *key* and its descendants, level by level.

    Parameters
    ----------
    tree : pandas.DataFrame
        Output of `build_process_tree`.
    key : int
        The ``proc_key`` of the process to start from.
    max_depth : int, optional
        Go at most this many levels down (1: the children only).
    include_self : bool
        Start with process *key* itself (as msticpy's ``include_source``), so
        that ``render_tree(descendants_of(tree, key))`` draws the subtree from it.

    Returns
    -------
    pandas.DataFrame
        Rows of *tree*: *key* first (unless left out), then each level down.
    """
    _check(tree, key)
    parts: list[pd.DataFrame] = [tree[tree["proc_key"] == key].head(1)] if include_self else []
    level = pd.Series([key])
    sub = tree[tree["root_key"] == tree.loc[tree["proc_key"] == key, "root_key"].iloc[0]]
    for _ in range(len(sub) if max_depth is None else max_depth):
        if not len(level):
            break
        found = sub[sub["parent_key"].isin(level)]
        parts.append(found)
        level = found["proc_key"]
    return pd.concat(parts) if parts else tree.iloc[0:0]


def ancestors_of(tree: pd.DataFrame, key: int, *, include_self: bool = True) -> pd.DataFrame:
    """Return the ancestors of process *key*, root first, then (unless left out) *key* itself.

    Parameters
    ----------
    tree : pandas.DataFrame
        Output of `build_process_tree`.
    key : int
        The ``proc_key`` of the process whose chain of parents is wanted.
    include_self : bool
        End with process *key* (as msticpy's ``include_source``), so that
        ``render_tree(ancestors_of(tree, key))`` draws the chain down to it.

    Returns
    -------
    pandas.DataFrame
        Rows of *tree* from the root down.
    """
    _check(tree, key)
    rows = [key] if include_self else []
    parent = tree.loc[tree["proc_key"] == key, "parent_key"].iloc[0]
    by_key = tree.set_index("proc_key")["parent_key"]
    while not pd.isna(parent) and parent not in rows:
        rows.append(parent)
        parent = by_key.get(parent)
    order = {k: i for i, k in enumerate(reversed(rows))}
    found = tree[tree["proc_key"].isin(rows)].drop_duplicates("proc_key")
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
    ``depth`` (the deepest level), ``first`` and ``last`` start time.

    ``root_key`` and ``root_name`` are the tree's highest process in *tree*:
    its root, or where *tree* holds only part of it, the top of that part.
    """
    _check(tree)
    tops = roots(tree).sort_values("depth", kind="stable").drop_duplicates("tree_id").set_index("tree_id")
    grouped = tree.groupby("tree_id", sort=True)
    summary = grouped.agg(
        host=("host", "first"),
        processes=("proc_key", "size"),
        depth=("depth", "max"),
        first=("start", "min"),
        last=("start", "max"),
    )
    summary.insert(0, "root_key", tops["proc_key"].reindex(summary.index).astype("Int64"))
    summary.insert(1, "root_name", tops["process_name"].reindex(summary.index))
    return summary.reset_index()
