"""The msticpy side of the lake benchmark, run with msticpy's own Python (no huntbook there).

Three modes (bench_lake.py calls them; they are not meant to be run by hand)::

    python bench/msticpy_worker.py convert --lake LAKE --out-dir DIR [--dtypes arrow|numpy]
    python bench/msticpy_worker.py sizes --lake LAKE --out FILE [--dtypes arrow|numpy]
    python bench/msticpy_worker.py run --hunt a --data-dir DIR --params '{...}' --repeats 3 --out FILE

``convert`` writes each needed lake table once as a pickled DataFrame (the
format msticpy's ``LocalData`` provider loads fastest; it reads only whole
``.pkl``/``.csv`` files by name). ``run`` answers one hunt in this fresh
process the way a msticpy analyst does: ``QueryProvider("LocalData",
data_paths=[DIR]).exec_query("securityevent.pkl")`` loads the table, then
pandas filters and aggregates it.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from _common import (
    MSTICPY_CATALOG_FILE,
    PICKLE_FILES,
    canonical,
    current_rss_mb,
    median,
    parse_time,
    peak_rss_mb,
    rss_mb,
)

if TYPE_CHECKING:
    import pandas as pd

TABLES_NEEDED = ("SecurityEvent", "SigninLogs")


def _read_table(lake: Path, table: str, dtypes: str) -> pd.DataFrame:
    import pandas as pd

    kwargs = {"dtype_backend": "pyarrow"} if dtypes == "arrow" else {}
    return pd.read_parquet(lake / table, **kwargs)


def table_sizes(lake: Path, dtypes: str, out_dir: Path | None) -> dict:
    """Rows and in-memory bytes of each needed table; with *out_dir*, also pickle it there."""
    import pandas as pd

    sizes = {}
    for table in TABLES_NEEDED:
        frame = _read_table(lake, table, dtypes)
        entry = {"rows": len(frame), "memory_bytes": int(frame.memory_usage(deep=True).sum())}
        if out_dir is not None:
            path = out_dir / PICKLE_FILES[table]
            frame.to_pickle(path)
            entry["pickle_bytes"] = path.stat().st_size
        sizes[table] = entry
        del frame
    return {"dtypes": dtypes, "pandas": pd.__version__, "tables": sizes}


# -- the hunts, in pandas --------------------------------------------------------------


def _true(mask: pd.Series) -> pd.Series:
    """A filter mask with missing values as False (Arrow-backed comparisons give NA for nulls)."""
    return mask.fillna(False).astype(bool)


def _on_host(frame: pd.DataFrame, host: str) -> pd.Series:
    """KQL's ``Computer =~ host or Computer startswith strcat(host, ".")`` (both case-insensitive)."""
    computer = frame["Computer"].str.lower()
    host = host.lower()
    return _true((computer == host) | computer.str.startswith(host + "."))


PROCESS_COLUMNS = [
    "TimeGenerated",
    "Computer",
    "Account",
    "SubjectLogonId",
    "NewProcessId",
    "NewProcessName",
    "ProcessId",
    "ParentProcessName",
    "CommandLine",
]
"""The columns of a 4688 process listing, as the catalog's query projects them."""


def hunt_a(events: pd.DataFrame, p: dict) -> pd.DataFrame:
    start, end = parse_time(p["start"]), parse_time(p["end"])
    when = events["TimeGenerated"]
    rows = events.loc[_true((events["EventID"] == 4688) & (when >= start) & (when < end))]
    rows = rows.loc[_on_host(rows, p["host"])]
    cols = PROCESS_COLUMNS
    return rows[cols].sort_values("TimeGenerated", kind="stable").reset_index(drop=True)


def hunt_b(events: pd.DataFrame, p: dict) -> pd.DataFrame:
    del p
    hour = events["TimeGenerated"].dt.floor("h").rename("Hour")
    counts = events.groupby([hour, "EventID"]).size().rename("Events").reset_index()
    return counts.sort_values(["Hour", "EventID"], kind="stable").reset_index(drop=True)


def hunt_c(events: pd.DataFrame, p: dict) -> pd.DataFrame:
    logons = events.loc[_true((events["EventID"] == 4624) & (events["LogonType"] == 3))]
    logons = logons.loc[_on_host(logons, p["host"])]
    logons = logons[["TimeGenerated", "Computer", "TargetUserName", "TargetLogonId", "IpAddress"]]
    logons = logons.rename(columns={"TimeGenerated": "LogonTime"})
    procs = events.loc[_true(events["EventID"] == 4688)]
    procs = procs.loc[_on_host(procs, p["host"])]
    procs = procs[["TimeGenerated", "Computer", "SubjectLogonId", "NewProcessName", "CommandLine"]]
    procs = procs.rename(columns={"TimeGenerated": "ProcessTime"})
    joined = logons.merge(
        procs, how="inner", left_on=["Computer", "TargetLogonId"], right_on=["Computer", "SubjectLogonId"]
    )
    cols = [
        "LogonTime",
        "Computer",
        "TargetUserName",
        "TargetLogonId",
        "IpAddress",
        "ProcessTime",
        "NewProcessName",
        "CommandLine",
    ]
    return joined[cols].sort_values("ProcessTime", kind="stable").reset_index(drop=True)


def hunt_d(signins: pd.DataFrame, p: dict) -> pd.DataFrame:
    failed = signins.loc[_true(signins["ResultType"] == "50126")]
    window = failed["TimeGenerated"].dt.floor("h").rename("Window")
    spray = (
        failed.groupby(["IPAddress", window])
        .agg(
            Accounts=("UserPrincipalName", "nunique"),
            Attempts=("TimeGenerated", "size"),
            FirstSeen=("TimeGenerated", "min"),
            LastSeen=("TimeGenerated", "max"),
        )
        .reset_index()
    )
    spray = spray.loc[spray["Accounts"] >= p["min_accounts"]]
    spray = spray.sort_values(["Accounts", "IPAddress", "Window"], ascending=[False, True, True])
    return spray.reset_index(drop=True)


def hunt_e(events: pd.DataFrame, p: dict) -> pd.DataFrame:
    """The rest of ``list_host_processes`` after msticpy's catalog function returned the whole file."""
    start, end = parse_time(p["start"]), parse_time(p["end"])
    when = events["TimeGenerated"]
    rows = events.loc[_true((when >= start) & (when <= end) & (events["EventID"] == 4688))]
    rows = rows.loc[_on_host(rows, p["host"])]
    cols = [*PROCESS_COLUMNS, "TokenElevationType"]
    return rows[cols].sort_values("TimeGenerated", kind="stable").reset_index(drop=True)


ANALYSES = {"a": hunt_a, "b": hunt_b, "c": hunt_c, "d": hunt_d, "e": hunt_e}
SOURCE = {"a": "SecurityEvent", "b": "SecurityEvent", "c": "SecurityEvent", "d": "SigninLogs"}


def load(qp, hunt: str, p: dict) -> pd.DataFrame:
    """Fetch the hunt's table through msticpy's LocalData provider."""
    if hunt == "e":
        # msticpy's LocalData catalog maps this query to a fixed file; it takes no filter.
        return qp.WindowsSecurity.list_host_processes(host_name=p["host"], start=p["start"], end=p["end"])
    return qp.exec_query(PICKLE_FILES[SOURCE[hunt]])


def run_once(qp, hunt: str, p: dict) -> tuple[pd.DataFrame, float, float]:
    """Answer *hunt* once; the loaded table is released on return."""
    import pandas as pd

    t0 = time.perf_counter()
    frame = load(qp, hunt, p)
    if not isinstance(frame, pd.DataFrame):
        raise SystemExit(f"msticpy returned {type(frame).__name__}, not a DataFrame: {frame!r}")
    t1 = time.perf_counter()
    answer = ANALYSES[hunt](frame, p)
    return answer, t1 - t0, time.perf_counter() - t1


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    import msticpy
    import pandas as pd
    from msticpy.data import QueryProvider  # the import is part of the baseline

    import_s = time.perf_counter() - started
    baseline_peak = peak_rss_mb()
    baseline = current_rss_mb()
    p = json.loads(args.params)

    t0 = time.perf_counter()
    qp = QueryProvider("LocalData", data_paths=[args.data_dir])
    t1 = time.perf_counter()
    answer_frame, load_s, pandas_s = run_once(qp, args.hunt, p)
    t2 = time.perf_counter()
    answer = canonical(answer_frame)
    del answer_frame
    warm, loads, analyses = [], [], []
    for _ in range(args.repeats):
        s = time.perf_counter()
        frame, load_s_i, pandas_s_i = run_once(qp, args.hunt, p)
        warm.append(time.perf_counter() - s)
        loads.append(load_s_i)
        analyses.append(pandas_s_i)
        del frame
    peak = peak_rss_mb()
    ru_maxrss = rss_mb()

    # The pandas step alone, on a table already in memory (an analyst who keeps the frame).
    table = load(qp, args.hunt, p)
    pandas_only = []
    for _ in range(args.repeats):
        s = time.perf_counter()
        ANALYSES[args.hunt](table, p)
        pandas_only.append(time.perf_counter() - s)

    out = {
        "side": "msticpy",
        "hunt": args.hunt,
        "import_s": import_s,
        "init_s": t1 - t0,
        "first_query_s": t2 - t1,
        "first_load_s": load_s,
        "first_pandas_s": pandas_s,
        "cold_s": t2 - t0,
        "warm_s": warm,
        "warm_load_s": median(loads),
        "warm_pandas_s": median(analyses),
        "pandas_only_s": median(pandas_only),
        "baseline_mb": baseline,
        "baseline_peak_mb": baseline_peak,
        "peak_mb": peak,
        "ru_maxrss_mb": ru_maxrss,
        "answer": answer,
        "versions": {"msticpy": msticpy.__version__, "pandas": pd.__version__},
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(out, handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    modes = parser.add_subparsers(dest="mode", required=True)
    convert = modes.add_parser("convert")
    convert.add_argument("--lake", required=True, type=Path)
    convert.add_argument("--out-dir", required=True, type=Path)
    convert.add_argument("--dtypes", choices=["arrow", "numpy"], default="arrow")
    sizes = modes.add_parser("sizes")
    sizes.add_argument("--lake", required=True, type=Path)
    sizes.add_argument("--out", required=True, type=Path)
    sizes.add_argument("--dtypes", choices=["arrow", "numpy"], default="arrow")
    hunt = modes.add_parser("run")
    hunt.add_argument("--hunt", required=True, choices=sorted(ANALYSES))
    hunt.add_argument("--data-dir", required=True)
    hunt.add_argument("--params", required=True)
    hunt.add_argument("--repeats", type=int, default=3)
    hunt.add_argument("--out", required=True)
    args = parser.parse_args()

    if args.mode == "run":
        run(args)
    elif args.mode == "convert":
        args.out_dir.mkdir(parents=True, exist_ok=True)
        info = table_sizes(args.lake, args.dtypes, args.out_dir)
        link = args.out_dir / MSTICPY_CATALOG_FILE
        link.unlink(missing_ok=True)
        os.symlink(PICKLE_FILES["SecurityEvent"], link)
        (args.out_dir / "sizes.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    else:
        args.out.write_text(json.dumps(table_sizes(args.lake, args.dtypes, None), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
