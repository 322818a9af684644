"""Record msticpy 3.0.2's process-tree edges for the shared sample files, as JSON fixtures.

Run with msticpy's own Python (it has no huntbook)::

    /work/msticpy-venv/bin/python bench/record_msticpy_proctree_edges.py

It reads ``../shared/data/msticpy/{win_proc_test.parquet, linux_proc_test.parquet,
processes_on_host.csv}``, runs ``msticpy.transform.proc_tree_builder.build_process_tree``
on each and writes ``tests/analysis/proctree/data/msticpy_edges_<name>.json``: one
``[child, parent]`` pair per process of the input, where a child is
``[host, pid, name, start]`` and a parent is ``[pid, name, start]`` (start ``null``
when msticpy inferred the parent). Pids are integers, names lower-case full paths,
times ISO-8601 with microseconds. ``test_proctree_msticpy.py`` compares huntbook's
edges with these.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from msticpy.transform.proc_tree_builder import build_process_tree

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "msticpy"
OUT = ROOT / "tests" / "analysis" / "proctree" / "data"
FILES = {
    "win_proc_test": "win_proc_test.parquet",
    "linux_proc_test": "linux_proc_test.parquet",
    "processes_on_host": "processes_on_host.csv",
}


def _read(name: str) -> pd.DataFrame:
    path = DATA / FILES[name]
    if path.suffix == ".csv":
        frame = pd.read_csv(path, index_col=0, parse_dates=["TimeGenerated", "TimeCreatedUtc"])
    else:
        frame = pd.read_parquet(path)
    return frame


def _pid(value: object) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(str(value), 0)


def _time(value: object) -> str | None:
    if value is None or pd.isna(value) or pd.Timestamp(value).year <= 1970:
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.isoformat(timespec="microseconds")


def edges(frame: pd.DataFrame) -> list[list[object]]:
    """Return msticpy's ``[child, parent]`` pairs for *frame*, sorted."""
    tree = build_process_tree(frame).reset_index()
    pid, name, time = (
        ("pid", "exe", "TimeGenerated")
        if "exe" in tree
        else ("NewProcessId", "NewProcessName", "TimeGenerated")
    )
    by_key = tree.set_index("proc_key")
    real = tree[tree["source_index"].notna() & tree["parent_key"].notna()]
    real = real[real[time].dt.year > 1970]
    pairs = []
    for row in real.itertuples(index=False):
        row_d = row._asdict()
        parent = by_key.loc[row_d["parent_key"]] if row_d["parent_key"] in by_key.index else None
        if isinstance(parent, pd.DataFrame):
            parent = parent.iloc[0]
        if parent is None:
            ppid = row_d["ppid" if "ppid" in row_d else "ProcessId"]
            pname, ptime = row_d.get("parent_proc_lc"), None
        else:
            ppid, pname, ptime = parent[pid], parent["new_process_lc"], _time(parent[time])
        pairs.append(
            [
                [row_d["Computer"], _pid(row_d[pid]), str(row_d[name]).lower(), _time(row_d[time])],
                [_pid(ppid), None if pname is None or pd.isna(pname) else str(pname), ptime],
            ]
        )
    return sorted(pairs, key=json.dumps)


def main() -> int:
    import msticpy

    OUT.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        pairs = edges(_read(name))
        doc = {"msticpy_version": msticpy.__version__, "source": FILES[name], "edges": pairs}
        lines = ",\n".join(json.dumps(pair) for pair in pairs)
        head = json.dumps({k: v for k, v in doc.items() if k != "edges"})[:-1]
        (OUT / f"msticpy_edges_{name}.json").write_text(f'{head}, "edges": [\n{lines}\n]}}\n')
        print(name, len(pairs), "edges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
