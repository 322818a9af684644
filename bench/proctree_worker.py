"""One process-tree build in a fresh process (run by bench_proctree.py; not meant to be run by hand).

    python bench/proctree_worker.py --tool huntbook|msticpy --input FILE.parquet --out FILE.json

Runs with huntbook's Python (``--tool huntbook``) or msticpy's (``--tool msticpy``);
it imports only the tool it measures. Writes seconds, peak RSS and the RSS after
loading the input (both MB), and the number of output rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    """VmHWM: this process's peak RSS since exec (ru_maxrss can carry the parent's over)."""
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", choices=["huntbook", "msticpy"], required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    import pandas as pd

    if args.tool == "huntbook":
        from huntbook.analysis.proctree import build_process_tree
    else:
        from msticpy.transform.proc_tree_builder import build_process_tree
    frame = pd.read_parquet(args.input)
    loaded = _rss_mb()
    started = time.perf_counter()
    tree = build_process_tree(frame)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    result = {"seconds": seconds, "peak_mb": peak, "loaded_mb": loaded, "rows": len(tree)}
    with open(args.out, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
