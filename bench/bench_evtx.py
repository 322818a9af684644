"""Measure Windows event ingest (EVTX and Winlogbeat JSON-lines) into a fresh lake.

::

    .venv/bin/python bench/bench_evtx.py [--repeat 5] [--copies 20] [--export-records 200000]
        [--large-copies 60] [--write]

Four inputs, each ingested into a new lake per run (parse, route, type,
write Parquet, update the manifest) after one warm-up run that pays the
imports:

- the 92 real EVTX samples under ``../shared/data/evtx`` (1,808 records in
  small files, so fixed per-file and per-table costs weigh a lot);
- *many EVTX files*: ``--copies`` copies of every sample, each made distinct
  (so that idempotence does not skip it) by one byte in the unused padding
  of the 4 KiB file header, which no parser reads;
- ``--large-copies`` such copies, read three ways: by this script (forked
  workers on every core), in a fresh ``python -c`` with a second thread
  running, as in a Jupyter kernel (workers from a fork server), and in one
  on one core;
- a *Winlogbeat export*: every sample record as Winlogbeat 7 ships it
  (``winlog.event_data`` ...), repeated with new record ids and times up to
  ``--export-records`` JSON lines in one file.

It prints records, seconds and records/s (best and median), the evtx parser
alone for comparison, and the peak memory of each large run (measured in a
child process); ``--write`` puts them in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "evtx"
_PADDING_OFFSET = 4095
"""A byte of the EVTX file header's unused padding (the header checksum covers the first 120 bytes)."""


def ingest_once(source: Path) -> tuple[int, float, float]:
    """Ingest *source* (file or folder) into a new lake; return (records, wall seconds, CPU seconds)."""
    from huntbook.data.lake.lake import Lake

    with tempfile.TemporaryDirectory() as tmp:
        started, cpu = time.perf_counter(), cpu_seconds()
        reports = Lake(Path(tmp) / "lake").ingest(source)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    failed = [str(r) for r in reports if r.error is not None or r.skipped]
    if failed:
        sys.exit("ingest failed:\n" + "\n".join(failed))
    return sum(r.records for r in reports), seconds, cpu


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the ingest's worker processes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def parse_only(folder: Path) -> tuple[int, float]:
    """Iterate every record with the evtx parser alone; return (records, seconds)."""
    from evtx import PyEvtxParser

    started = time.perf_counter()
    count = sum(1 for path in sorted(folder.rglob("*.evtx")) for _ in PyEvtxParser(str(path)).records_json())
    return count, time.perf_counter() - started


def copy_samples(folder: Path, target: Path, copies: int) -> None:
    """Write *copies* distinct copies of every EVTX file under *folder* to *target*."""
    for index in range(copies):
        for path in sorted(folder.rglob("*.evtx")):
            data = bytearray(path.read_bytes())
            if data[_PADDING_OFFSET] != 0:
                sys.exit(f"{path}: header padding is not empty; cannot make distinct copies")
            data[_PADDING_OFFSET] = index + 1
            out = target / f"copy{index:03d}" / path.relative_to(folder)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(bytes(data))


def winlogbeat_objects(folder: Path) -> list[dict[str, object]]:
    """Every record of the EVTX files under *folder* as Winlogbeat 7 ships it (values as text)."""
    from evtx import PyEvtxParser

    objects = []
    for path in sorted(folder.rglob("*.evtx")):
        for record in PyEvtxParser(str(path)).records_json():
            event = json.loads(record["data"])["Event"]
            system = event["System"]
            data = event.get("EventData") or {}
            event_id = system["EventID"]
            objects.append(
                {
                    "@timestamp": system["TimeCreated"]["#attributes"]["SystemTime"],
                    "host": {"name": system["Computer"]},
                    "winlog": {
                        "channel": system["Channel"],
                        "event_id": event_id["#text"] if isinstance(event_id, dict) else event_id,
                        "computer_name": system["Computer"],
                        "provider_name": system["Provider"]["#attributes"]["Name"],
                        "record_id": system["EventRecordID"],
                        "event_data": {
                            k: v if isinstance(v, str) else json.dumps(v)
                            for k, v in (data.items() if isinstance(data, dict) else [])
                            if k != "#attributes"
                        },
                    },
                }
            )
    return objects


def write_export(path: Path, objects: list[dict[str, object]], count: int) -> None:
    """Write *count* JSON lines cycling through *objects*, each round with new record ids and times."""
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            obj, rounds = objects[index % len(objects)], index // len(objects)
            winlog = dict(obj["winlog"])  # type: ignore[call-overload]
            winlog["record_id"] = index + 1
            stamp = dt.datetime.fromisoformat(str(obj["@timestamp"])) + dt.timedelta(days=rounds)
            line = {**obj, "@timestamp": stamp.isoformat().replace("+00:00", "Z"), "winlog": winlog}
            out.write(json.dumps(line) + "\n")


def peak_memory_mb(source: Path) -> float:
    """Peak resident memory (MB) of a fresh Python process that imports huntbook and ingests *source*.

    Read from ``VmHWM`` in ``/proc/self/status``, which starts afresh at exec (``ru_maxrss`` would
    include the parent's memory at fork).
    """
    code = (
        "import sys, tempfile; from pathlib import Path; from huntbook.data.lake.lake import Lake\n"
        "with tempfile.TemporaryDirectory() as t: Lake(Path(t) / 'l').ingest(Path(sys.argv[1]))\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(source)], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024


def measure(label: str, source: Path, files: int, repeat: int, *, count_cpu: bool = True) -> str:
    """One table row: *repeat* ingests of *source* after a warm-up run, best and median."""
    ingest_once(source)
    runs = [ingest_once(source) for _ in range(repeat)]
    records = runs[0][0]
    walls, cpus = [wall for _, wall, _ in runs], [cpu for _, _, cpu in runs]
    best, median, cpu = min(walls), statistics.median(walls), min(cpus)
    cpu_cells = f"{cpu:.3f} | {records / cpu:,.0f}" if count_cpu else "n/a | n/a"
    return (
        f"| {label} | {records:,} | {files:,} | {len(runs)} | {best:.3f} | {median:.3f} | "
        f"{records / best:,.0f} | {records / median:,.0f} | {cpu_cells} |"
    )


CHILD_SETUP = {
    "one core": "from huntbook.data.lake import event_files; event_files.PARALLEL_MIN_BYTES = 1 << 62",
    "threads": "threading.Thread(target=threading.Event().wait, daemon=True).start()",
}
"""How a child run is set up: reading on one core, or with a second thread running, as in a Jupyter kernel
(no script file there either), so that workers start from a fork server."""


def measure_in_child(label: str, source: Path, files: int, repeat: int, setup: str) -> str:
    """`measure` in a fresh ``python -c`` set up as *setup* says (a key of `CHILD_SETUP`).

    With threads, the workers are the fork server's children, not this process's: CPU is not counted.
    """
    code = (
        f"import sys, threading; sys.path.insert(0, {str(HERE)!r}); {CHILD_SETUP[setup]}\n"
        "import bench_evtx\n"
        f"print(bench_evtx.measure({label!r}, bench_evtx.Path({str(source)!r}), {files}, {repeat}, "
        f"count_cpu={setup != 'threads'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--copies", type=int, default=20, help="copies of the samples for the many-files run")
    parser.add_argument("--export-records", type=int, default=200_000)
    parser.add_argument(
        "--large-copies", type=int, default=60, help="copies for the runs on one core and with threads"
    )
    parser.add_argument("--write", action="store_true", help="write the figures to bench/RESULTS.md")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no EVTX samples at {DATA}")
    files = len(list(DATA.rglob("*.evtx")))
    load = os.getloadavg()[0]
    table = [measure(f"{files} EVTX samples", DATA, files, args.repeat)]
    parsed, parse_seconds = parse_only(DATA)
    table.append(
        f"| evtx parser alone (no ingest) | {parsed:,} | {files} | 1 | {parse_seconds:.3f} | | "
        f"{parsed / parse_seconds:,.0f} | | | |"
    )
    work = Path(tempfile.mkdtemp(prefix="bench-evtx-"))
    try:
        copies = work / "copies"
        copy_samples(DATA, copies, args.copies)
        runs = max(1, args.repeat // 2)
        table.append(measure(f"{args.copies} copies of the samples", copies, files * args.copies, runs))
        large = work / "large"
        copy_samples(DATA, large, args.large_copies)
        label, count = f"{args.large_copies} copies", files * args.large_copies
        table.append(measure(f"{label}, a script (forked workers)", large, count, runs))
        jupyter_like = f"{label}, with threads as in Jupyter (fork server)"
        table.append(measure_in_child(jupyter_like, large, count, runs, "threads"))
        table.append(measure_in_child(f"{label}, on one core", large, count, runs, "one core"))
        shutil.rmtree(large)
        export = work / "winlogbeat.jsonl"
        write_export(export, winlogbeat_objects(DATA), args.export_records)
        table.append(measure("Winlogbeat JSON lines", export, 1, runs))
        memory = (peak_memory_mb(copies), peak_memory_mb(export))
        size = export.stat().st_size
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"Command: `.venv/bin/python bench/bench_evtx.py --repeat {args.repeat} --copies {args.copies} "
        f"--export-records {args.export_records} --large-copies {args.large_copies}` "
        f"({platform.python_version()}, {os.cpu_count()} CPUs)",
        "",
        "| input | records | files | runs | best s | median s | records/s (best) | records/s (median) "
        "| CPU s (best) | records per CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *table,
        "",
        f"Load average (1 min) before / after: {load:.1f} / {os.getloadavg()[0]:.1f}. Folders of 16 MB or "
        "more are read by this process and forked workers on every core (here one worker beside it); CPU "
        "seconds count them all.",
        f"Peak memory of one ingest in a fresh process: {memory[0]:,.0f} MB for the {args.copies} copies, "
        f"{memory[1]:,.0f} MB for the Winlogbeat file ({size / 1e6:,.0f} MB).",
    ]
    body = "## EVTX and Winlogbeat ingest (`../shared/data/evtx`)\n\n" + "\n".join(lines)
    print(body)
    if args.write:
        from results_md import write_section

        write_section(HERE / "RESULTS.md", "evtx", body)


if __name__ == "__main__":
    main()
