"""Measure Windows event ingest: every EVTX file under ``../shared/data/evtx`` into a fresh lake.

::

    .venv/bin/python bench/bench_evtx.py [--repeat 5] [--write]

Each run ingests the whole folder into a new lake (parse, route, type, write
Parquet, update the manifest), after one warm-up run that pays the imports.
It prints records, seconds and records/s (best and median of the runs), the
parser alone for comparison, and with ``--write`` puts them in
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "evtx"


def ingest_once(folder: Path) -> tuple[int, float]:
    """Ingest *folder* into a new lake; return (records, seconds)."""
    from huntbook.data.lake.lake import Lake

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        reports = Lake(Path(tmp) / "lake").ingest(folder)
        seconds = time.perf_counter() - started
    failed = [str(r) for r in reports if r.error is not None]
    if failed:
        sys.exit("ingest failed:\n" + "\n".join(failed))
    return sum(r.records for r in reports), seconds


def parse_only(folder: Path) -> tuple[int, float]:
    """Iterate every record with the evtx parser alone; return (records, seconds)."""
    from evtx import PyEvtxParser

    started = time.perf_counter()
    count = sum(1 for path in sorted(folder.rglob("*.evtx")) for _ in PyEvtxParser(str(path)).records_json())
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the figures to bench/RESULTS.md")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no EVTX samples at {DATA}")
    files = len(list(DATA.rglob("*.evtx")))
    ingest_once(DATA)  # warm-up: imports, page cache
    runs = [ingest_once(DATA) for _ in range(args.repeat)]
    records = runs[0][0]
    times = [seconds for _, seconds in runs]
    parsed, parse_seconds = parse_only(DATA)
    lines = [
        f"Command: `.venv/bin/python bench/bench_evtx.py --repeat {args.repeat}` "
        f"({platform.python_version()}, {os.cpu_count()} CPUs)",
        "",
        "| what | records | files | seconds | records/s |",
        "|---|---:|---:|---:|---:|",
        f"| ingest, best of {args.repeat} | {records:,} | {files} | {min(times):.3f} | "
        f"{records / min(times):,.0f} |",
        f"| ingest, median | {records:,} | {files} | {statistics.median(times):.3f} | "
        f"{records / statistics.median(times):,.0f} |",
        f"| evtx parser alone | {parsed:,} | {files} | {parse_seconds:.3f} | {parsed / parse_seconds:,.0f} |",
    ]
    body = "## EVTX ingest (`../shared/data/evtx`)\n\n" + "\n".join(lines)
    print(body)
    if args.write:
        from results_md import write_section

        write_section(HERE / "RESULTS.md", "evtx", body)


if __name__ == "__main__":
    main()
