"""Windows event files read by several processes give the same lake as one process reading them all.

The parallel path forks, which `event_files` does only in a process with no
other thread, so each case runs in a fresh interpreter (pytest's workers
have threads). The threshold is lowered there so the 92 samples are shared.
"""

import json
import pickle
import shutil
import subprocess
import sys
import textwrap

import pytest

from huntbook.errors import IngestError

pytest.importorskip("evtx")

SCRIPT = textwrap.dedent(
    """
    import json, os, sys, threading, time
    from pathlib import Path

    import duckdb

    from huntbook.data.lake import event_files
    from huntbook.data.lake.lake import Lake

    source, lake_dir, mode, log = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    event_files.PARALLEL_MIN_BYTES = event_files.FORK_SERVER_MIN_BYTES = 0
    event_files.CHUNKS_PER_PROCESS = 4
    parent, read_chunk = os.getpid(), event_files.read_chunk

    def logged(paths, *args, **kwargs):
        if mode == "worker-dies" and os.getpid() != parent:
            os._exit(3)
        with log.open("a") as out:
            out.write(f"{os.getpid()} {len(paths)}\\n")
        if mode == "threaded":  # give the fork server's worker, which starts slower, time to take some
            time.sleep(0.3)
        return read_chunk(paths, *args, **kwargs)

    event_files.read_chunk = logged  # a forked worker runs it too; a fork server's worker does not
    if mode == "serial":
        event_files._workers = lambda files, size: (0, "fork")
    if mode == "threaded":  # as in a Jupyter kernel: another thread runs, and there is no script file
        stop = threading.Event()
        threading.Thread(target=stop.wait, daemon=True).start()
        assert event_files._workers(2, 1 << 30)[1] == "forkserver"
    paths = sorted(source.rglob("*.evtx"))
    chunks_for_two = event_files.CHUNKS_PER_PROCESS * 2  # this process and one worker
    lake = Lake(lake_dir)
    try:
        reports = lake.ingest(source, collect_errors=True)
    except Exception as exc:
        print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        sys.exit(0)
    tables = {}
    for table in lake.tables():
        files = [str(f) for f in lake.files(table)]
        rows = duckdb.sql(f"select * from read_parquet({files}, union_by_name=true) order by all").fetchall()
        tables[table] = [list(map(str, row)) for row in rows]
    print(json.dumps({
        "chunks": len(event_files._chunks(paths, event_files._sizes(paths), chunks_for_two)),
        "reports": [[r.path, dict(r.tables), r.records, r.skipped, str(r.error) if r.error else None]
                    for r in reports],
        "tables": tables,
    }))
    """
)


@pytest.fixture(scope="module")
def source(shared_data, tmp_path_factory):
    """The 92 samples, one of them again under another name, and a truncated file among them."""
    root = tmp_path_factory.mktemp("events")
    shutil.copytree(shared_data / "evtx", root / "evtx")
    samples = sorted((root / "evtx").rglob("*.evtx"))
    shutil.copy(samples[3], root / "evtx" / "zz_same_content_again.evtx")
    largest = max(samples, key=lambda p: p.stat().st_size)
    (root / "evtx" / "Other" / "m_truncated.evtx").write_bytes(largest.read_bytes()[:70_000])
    return root / "evtx"


def ingest(source, tmp_path, mode):
    log = tmp_path / f"{mode}.log"
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(source), str(tmp_path / mode), mode, str(log)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    pids = {line.split()[0] for line in log.read_text().splitlines()} if log.exists() else set()
    return json.loads(run.stdout), pids


def test_several_processes_give_the_same_rows_and_reports_as_one(source, tmp_path):
    parallel, parallel_pids = ingest(source, tmp_path, "parallel")
    serial, serial_pids = ingest(source, tmp_path, "serial")
    assert len(serial_pids) == 1
    assert len(parallel_pids) >= 2, "a worker process read some of the files"
    assert parallel["reports"] == serial["reports"]
    assert parallel["tables"] == serial["tables"]
    by_path = {path: (records, skipped, error) for path, _, records, skipped, error in parallel["reports"]}
    assert by_path[str(source / "zz_same_content_again.evtx")] == (0, True, None)
    truncated = by_path[str(source / "Other" / "m_truncated.evtx")]
    assert truncated[0] == 0 and "truncated" in truncated[2]
    assert sum(len(rows) for rows in parallel["tables"].values()) == sum(r[2] for r in parallel["reports"])


def test_a_process_with_threads_starts_its_workers_from_a_fork_server(source, tmp_path):
    threaded, parent_pids = ingest(source, tmp_path, "threaded")
    serial, _ = ingest(source, tmp_path, "serial")
    assert len(parent_pids) == 1, "only this process logs: the fork server's worker imports afresh"
    parent_chunks = len((tmp_path / "threaded.log").read_text().splitlines())
    assert parent_chunks < threaded["chunks"], "the worker read some chunks"
    assert threaded["reports"] == serial["reports"]
    assert threaded["tables"] == serial["tables"]


def test_a_worker_that_dies_is_a_clear_error_and_nothing_is_written(source, tmp_path):
    result, _ = ingest(source, tmp_path, "worker-dies")
    assert result["error"] == "IngestError"
    assert "worker process" in result["message"] and "ended without a result" in result["message"]
    assert not list((tmp_path / "worker-dies").rglob("*.parquet"))


def test_ingest_errors_cross_process_boundaries_intact():
    error = IngestError("the file is truncated", path="/evidence/a.evtx", line=7, column="Data")
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.path, again.line, again.column) == (
        IngestError,
        str(error),
        "/evidence/a.evtx",
        7,
        "Data",
    )
