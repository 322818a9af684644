"""`build_process_tree`: process-creation events to a forest of parent/child processes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from huntbook.analysis.proctree.normalise import (
    MISSING,
    NO_TIME,
    hash_guids,
    hash_strings,
    lower_codes,
    mix,
    names_and_paths,
    time_ints,
    to_pids,
    to_times,
)
from huntbook.analysis.proctree.schema import BoundSchema, Columns, ProcSchema, resolve_schema

#: The columns `build_process_tree` adds (input columns of these names are replaced).
TREE_COLUMNS = (
    "proc_key",
    "parent_key",
    "root_key",
    "depth",
    "path",
    "child_count",
    "tree_id",
    "host",
    "pid",
    "parent_pid",
    "process_name",
    "process_path",
    "command_line",
    "user",
    "start",
    "inferred",
)
_TEXT = ("process_name", "process_path", "command_line", "user")
_INFERRED_FROM = {
    "process_name": "parent_name",
    "process_path": "parent_path",
    "command_line": "parent_command_line",
    "user": "parent_user",
}


def build_process_tree(
    df: pd.DataFrame,
    schema: str | ProcSchema | Mapping[str, Columns] | None = None,
    *,
    paths: bool = True,
) -> pd.DataFrame:
    """Link process-creation events into trees of parents and children.

    A parent is found by process guid (Sysmon), by pid and start time of the
    initiating process (Defender), or else as the latest process with the
    parent's pid on the same host that started no later than the child (and,
    when the events name the parent, has that file name). Parents missing from the
    data become inferred nodes built from the child's parent fields.

    Parameters
    ----------
    df : pandas.DataFrame
        Process-creation events: Windows 4688 (``SecurityEvent``), Sysmon
        event 1, Defender ``DeviceProcessEvents``, Linux auditd execve, or
        anything *schema* describes. Other event types in the same table
        (``EventID``, ``ActionType``, ``EventType``) are left out.
    schema : str, ProcSchema or mapping, optional
        ``"4688"``, ``"sysmon"``, ``"mde"``, ``"auditd"``, a `ProcSchema`, or a
        mapping of `ProcSchema` fields to columns (``{"pid": "Pid",
        "parent_pid": "PPid", "process_name": "Exe", "start": "Time",
        "host": "Host"}``). Detected from the columns when omitted.
    paths : bool
        Add the ``path`` column (the costliest; leave it out for speed).

    Returns
    -------
    pandas.DataFrame
        One row per process: the input columns (NaN for inferred parents;
        duplicate events dropped) plus ``proc_key`` (a stable int64 hash of
        host, pid or guid and start), ``parent_key`` and ``root_key`` (nullable
        Int64), ``depth`` (0 for a root), ``path`` (the keys from the root,
        joined by ``/``), ``child_count``, ``tree_id`` (0, 1, ... by host and
        root start), and the normalised ``host``, ``pid``, ``parent_pid``,
        ``process_name`` (the image's file name, ``powershell.exe``),
        ``process_path`` (its full path,
        ``C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe``; missing
        where the events give only a name), ``command_line``, ``user``,
        ``start`` (UTC) and ``inferred``. Rows keep the input order; inferred
        parents follow. Select by name with
        ``tree[tree["process_name"].str.lower() == "powershell.exe"]``.

    Raises
    ------
    ProcTreeSchemaError
        If no known schema fits the columns (the message lists the missing
        columns of each), or *schema* names columns the data lacks.
    """
    chosen, cols = resolve_schema(df, schema)
    events = _process_events(df, chosen)
    procs = _Procs.read(events, cols)
    keep = ~pd.Series(procs.key).duplicated().to_numpy()
    if not keep.all():
        events, procs = events.iloc[np.flatnonzero(keep)], procs.take(keep)
    parent = _link(procs, cols)
    orphans = np.flatnonzero((parent == MISSING) & procs.has_parent)
    nodes, parent = _add_inferred(procs, parent, orphans, cols)
    parent = _break_cycles(parent, nodes.time)
    root, depth = _roots_and_depths(parent)
    return _assemble(events, nodes, parent, root, depth, paths=paths)


def _process_events(df: pd.DataFrame, schema: ProcSchema) -> pd.DataFrame:
    column, value = schema.event_column, schema.event_value
    if column is None or column not in df.columns or value is None:
        return df
    mask = df[column] == value
    if not mask.any():
        mask = df[column].astype(str) == str(value)
    return df[mask.to_numpy(dtype=bool, na_value=False)]


@dataclass(frozen=True)
class _Procs:
    """The normalised facts of each process, as aligned arrays."""

    host: pd.Series
    host_code: np.ndarray
    host_hash: np.ndarray
    pid: np.ndarray
    parent_pid: np.ndarray
    time: np.ndarray
    parent_time: np.ndarray
    name_code: np.ndarray
    parent_name_code: np.ndarray
    guid: np.ndarray
    parent_guid: np.ndarray
    text: dict[str, pd.Series]
    key: np.ndarray
    inferred: np.ndarray

    @classmethod
    def read(cls, events: pd.DataFrame, cols: BoundSchema) -> _Procs:
        """Return the facts of *events* under *cols*."""
        n = len(events)

        def text(field: str) -> pd.Series:
            column = getattr(cols, field)
            if column is None:
                return pd.Series([None] * n, index=events.index, dtype=object)
            values: pd.Series = events[column]
            return values

        host = text("host").fillna("") if cols.host else pd.Series([""] * n, index=events.index)
        host_hash = hash_strings(host)
        pid = to_pids(events[cols.pid])
        start = to_times(events[cols.start])
        time = time_ints(start)
        guid = hash_guids(text("process_guid")) if cols.process_guid else np.zeros(n, np.uint64)
        parent_guid = hash_guids(text("parent_guid")) if cols.parent_guid else np.zeros(n, np.uint64)
        parent_time = time_ints(to_times(text("parent_start"))) if cols.parent_start else np.full(n, NO_TIME)
        key = mix(host_hash, pid, time)
        if cols.process_guid:  # a process Sysmon gave no guid keeps the pid-and-time key
            key = np.where(guid != 0, mix(host_hash, guid.view(np.int64)), key)
        name, path = names_and_paths(text("process_name"), text("process_path"))
        parent_name, parent_path = names_and_paths(text("parent_name"), text("parent_path"))
        name_code, parent_name_code = lower_codes(name, parent_name)  # file names: paths may be missing
        all_text = {f: text(f) for f in ("command_line", "user", "parent_command_line", "parent_user")}
        all_text |= {
            "process_name": name,
            "process_path": path,
            "parent_name": parent_name,
            "parent_path": parent_path,
        }
        return cls(
            host=host,
            host_code=pd.factorize(host, sort=True)[0].astype(np.int64),
            host_hash=host_hash.view(np.int64),
            pid=pid,
            parent_pid=to_pids(events[cols.parent_pid]),
            time=time,
            parent_time=parent_time,
            name_code=name_code,
            parent_name_code=parent_name_code,
            guid=guid,
            parent_guid=parent_guid,
            text=all_text,
            key=key,
            inferred=np.zeros(n, dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.pid)

    @property
    def has_parent(self) -> np.ndarray:
        """Whether each process names a parent (by guid or pid)."""
        named: np.ndarray = (self.parent_guid != 0) | (self.parent_pid != MISSING)
        return named

    def take(self, rows: np.ndarray) -> _Procs:
        """Return the processes at *rows* (positions or a boolean mask)."""
        fields: dict[str, Any] = {
            name: (value.iloc[rows] if isinstance(value, pd.Series) else value[rows])
            for name, value in vars(self).items()
            if name != "text"
        }
        return _Procs(**fields, text={k: v.iloc[rows] for k, v in self.text.items()})


def _link(procs: _Procs, cols: BoundSchema) -> np.ndarray:
    """Return each process's parent position, -1 where the parent is not in the data."""
    n = len(procs)
    if cols.process_guid:
        own = mix(procs.host_code, procs.guid.view(np.int64))
        own = np.where(procs.guid != 0, own, -1 - np.arange(n))  # no guid: matches nothing (mix is >= 0)
        found = pd.Index(own).get_indexer(mix(procs.host_code, procs.parent_guid.view(np.int64)))
        found = np.where(procs.parent_guid == 0, MISSING, found)
    else:
        exact = cols.parent_start is not None
        when = procs.parent_time if exact else procs.time
        found = _latest_before(procs, when)
        ok = found != MISSING
        if exact:
            ok &= procs.time[np.maximum(found, 0)] == procs.parent_time
        elif cols.parent_name:
            named = procs.parent_name_code != MISSING
            ok &= ~named | (procs.name_code[np.maximum(found, 0)] == procs.parent_name_code)
        found = np.where(ok, found, MISSING)
    ok = found != MISSING
    ok &= found != np.arange(n)
    ok &= procs.time[np.maximum(found, 0)] <= procs.time  # a parent starts no later than its child
    linked: np.ndarray = np.where(ok, found, MISSING)
    return linked


def _latest_before(procs: _Procs, when: np.ndarray) -> np.ndarray:
    """Return, per process, the latest process on its host with its parent pid started at or before *when*."""
    n = len(procs)
    host_pid = procs.host_code << 32 | procs.pid
    parent_host_pid = procs.host_code << 32 | procs.parent_pid
    child_rows = np.flatnonzero((procs.parent_pid != MISSING) & (when != NO_TIME))
    cand_rows = np.flatnonzero((procs.pid != MISSING) & (procs.time != NO_TIME))
    left = pd.DataFrame({"t": when[child_rows], "k": parent_host_pid[child_rows], "i": child_rows})
    right = pd.DataFrame({"t": procs.time[cand_rows], "k": host_pid[cand_rows], "j": cand_rows})
    matched = pd.merge_asof(
        left.sort_values("t", kind="stable"), right.sort_values("t", kind="stable"), on="t", by="k"
    )
    found = np.full(n, MISSING, dtype=np.int64)
    hit = matched["j"].notna().to_numpy()
    found[matched["i"].to_numpy()[hit]] = matched["j"].to_numpy()[hit].astype(np.int64)
    return found


def _add_inferred(
    procs: _Procs, parent: np.ndarray, orphans: np.ndarray, cols: BoundSchema
) -> tuple[_Procs, np.ndarray]:
    """Add one inferred parent per distinct missing parent of *orphans*; return nodes and parents."""
    n = len(procs)
    by_guid = cols.process_guid is not None
    parent_ids = procs.parent_pid[orphans]
    if by_guid:  # parents without a guid (all zeros: Sysmon did not know it) differ by pid
        parent_ids = mix(procs.parent_guid[orphans].view(np.int64), parent_ids)
    ident = mix(
        procs.host_hash[orphans],
        parent_ids,
        procs.parent_time[orphans],
        procs.parent_name_code[orphans],
    )
    group, first = pd.factorize(ident)[0], pd.Series(ident).drop_duplicates().index.to_numpy()
    src = orphans[first]
    inferred = _Procs(
        host=procs.host.iloc[src],
        host_code=procs.host_code[src],
        host_hash=procs.host_hash[src],
        pid=procs.parent_pid[src],
        parent_pid=np.full(len(src), MISSING, dtype=np.int64),
        time=procs.parent_time[src],
        parent_time=np.full(len(src), NO_TIME, dtype=np.int64),
        name_code=procs.parent_name_code[src],
        parent_name_code=np.full(len(src), MISSING, dtype=np.int64),
        guid=procs.parent_guid[src],
        parent_guid=np.zeros(len(src), dtype=np.uint64),
        text={f: _inferred_text(procs, f, src) for f in _TEXT},
        key=mix(ident[first], np.ones(len(src), dtype=np.int64)),
        inferred=np.ones(len(src), dtype=bool),
    )
    parent = parent.copy()
    parent[orphans] = n + group
    columns: dict[str, Any] = {
        name: (
            pd.concat([value, getattr(inferred, name)])
            if isinstance(value, pd.Series)
            else np.concatenate([value, getattr(inferred, name)])
        )
        for name, value in vars(procs).items()
        if name != "text"
    }
    merged = _Procs(**columns, text={f: pd.concat([procs.text[f], inferred.text[f]]) for f in _TEXT})
    return merged, np.concatenate([parent, np.full(len(src), MISSING, dtype=np.int64)])


def _inferred_text(procs: _Procs, field: str, src: np.ndarray) -> pd.Series:
    """Return *field* of the inferred parents: the children's parent column, else empty (same dtype)."""
    values = procs.text[_INFERRED_FROM[field]].iloc[src]
    if values.isna().all():
        empty: pd.Series = procs.text[field].iloc[:0].reindex(np.arange(len(src)))
        return empty
    return values


def _roots_and_depths(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each node's root and depth by pointer jumping (parent is acyclic)."""
    n = len(parent)
    has = parent != MISSING
    jump = np.where(has, parent, np.arange(n))
    dist = has.astype(np.int64)
    while True:
        further = jump[jump]
        if np.array_equal(further, jump):
            return jump, dist
        dist = dist + dist[jump]
        jump = further


def _break_cycles(parent: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Cut one edge of every cycle (at its latest-starting node); cycles need equal start times."""
    n = len(parent)
    has = parent != MISSING
    jump = np.where(has, parent, np.arange(n))
    for _ in range(int(np.log2(max(n, 2))) + 2):
        jump = jump[jump]
    stuck = np.flatnonzero(has[jump])  # still below a parent after 2**k steps: on or under a cycle
    if not len(stuck):
        return parent
    parent = parent.copy()
    seen: set[int] = set()
    for start in stuck.tolist():
        path: list[int] = []
        node = start
        while node != MISSING and node not in seen:
            seen.add(node)
            path.append(node)
            node = int(parent[node])
        if node != MISSING and node in path:
            cycle = path[path.index(node) :]
            parent[max(cycle, key=lambda i: (time[i], i))] = MISSING
    return parent


def _assemble(
    events: pd.DataFrame,
    nodes: _Procs,
    parent: np.ndarray,
    root: np.ndarray,
    depth: np.ndarray,
    *,
    paths: bool,
) -> pd.DataFrame:
    n_real, n = len(events), len(nodes)
    key = nodes.key
    roots = np.flatnonzero(parent == MISSING)
    root_order = np.lexsort((key[roots], nodes.time[roots], nodes.host_code[roots]))
    tree_of_root = np.empty(n, dtype=np.int64)
    tree_of_root[roots[root_order]] = np.arange(len(roots))
    extra = {
        "proc_key": key,
        "parent_key": pd.array(np.where(parent == MISSING, 0, key[parent]), dtype="Int64"),
        "root_key": pd.array(key[root], dtype="Int64"),
        "depth": depth,
        "child_count": np.bincount(parent[parent != MISSING], minlength=n),
        "tree_id": tree_of_root[root],
        "host": nodes.host.array,
        "pid": pd.array(np.where(nodes.pid == MISSING, 0, nodes.pid), dtype="Int64"),
        "parent_pid": pd.array(np.where(nodes.parent_pid == MISSING, 0, nodes.parent_pid), dtype="Int64"),
        **{f: nodes.text[f].array for f in _TEXT},
        "start": pd.DatetimeIndex(
            np.where(nodes.time == NO_TIME, NO_TIME, nodes.time).view("datetime64[ns]")
        ).tz_localize("UTC"),
        "inferred": nodes.inferred,
    }
    extra["parent_key"][parent == MISSING] = pd.NA
    extra["pid"][nodes.pid == MISSING] = pd.NA
    extra["parent_pid"][nodes.parent_pid == MISSING] = pd.NA
    if paths:
        extra["path"] = _paths(key, parent, depth).array
    base = events.drop(columns=[c for c in TREE_COLUMNS if c in events.columns]).reset_index(drop=True)
    if n > n_real:  # empty input columns for the inferred parents (concat keeps Arrow columns cheap)
        base = pd.concat([base, base.iloc[:0].reindex(np.arange(n - n_real))], ignore_index=True)
    return base.assign(**{c: extra[c] for c in TREE_COLUMNS if c in extra})


def _paths(key: np.ndarray, parent: np.ndarray, depth: np.ndarray) -> pd.Series:
    """Return each node's path: the keys from its root to itself, joined by ``/`` (built in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(key).cast(pa.string())
    order = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[order], np.arange(int(depth.max(initial=0)) + 2))
    position = np.empty(len(key), dtype=np.int64)
    chunks: list[pa.Array] = []
    for lo, hi in pairwise(bounds):
        level = order[lo:hi]
        own = pc.take(text, level)
        if chunks:
            own = pc.binary_join_element_wise(pc.take(chunks[-1], position[parent[level]]), own, "/")
        position[level] = np.arange(len(level))
        chunks.append(own)
    joined = pa.concat_arrays(chunks) if chunks else text
    inverse = np.empty(len(key), dtype=np.int64)
    inverse[order] = np.arange(len(key))
    text_dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.Series(pc.take(joined, inverse).to_pandas(types_mapper=lambda _: text_dtype))
