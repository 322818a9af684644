"""Run one hunt on huntbook's local lake in this fresh process and report times and memory as JSON.

Usage (bench_lake.py calls it; it is not meant to be run by hand)::

    python bench/huntbook_worker.py --hunt a --lake LAKE --params '{...}' --repeats 3 --out result.json

The hunts are written in KQL and run through ``QueryProvider.exec_query``
with their values bound by ``declare query_parameters``, as an analyst
writes them; hunt ``e`` calls a catalog query function.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from typing import TYPE_CHECKING

from _common import canonical, current_rss_mb, median, parse_time, peak_rss_mb, rss_mb

if TYPE_CHECKING:
    import pandas as pd

    import huntbook

PRELOADED = (
    "duckdb",
    "duckdb_kql",
    "duckdb_kql.engine",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "pydantic",
    "yaml",
    "huntbook",
    "huntbook.config",
    "huntbook.data.provider",
    "huntbook.data.drivers.local",
)
"""Imported before the memory baseline is read, so the increment is the hunt's own and
not the libraries' (huntbook imports most of these lazily, on first use)."""

KQL = {
    "a": """
declare query_parameters(host_name:string, start:datetime, end:datetime);
SecurityEvent
| where TimeGenerated >= start and TimeGenerated < end
| where EventID == 4688 and (Computer =~ host_name or Computer startswith strcat(host_name, "."))
| project TimeGenerated, Computer, Account, SubjectLogonId, NewProcessId, NewProcessName,
    ProcessId, ParentProcessName, CommandLine
| sort by TimeGenerated asc
""",
    "b": """
SecurityEvent
| summarize Events = count() by Hour = bin(TimeGenerated, 1h), EventID
| sort by Hour asc, EventID asc
""",
    "c": """
declare query_parameters(host_name:string);
let logons = SecurityEvent
    | where EventID == 4624 and LogonType == 3
    | where Computer =~ host_name or Computer startswith strcat(host_name, ".")
    | project LogonTime = TimeGenerated, Computer, TargetUserName, TargetLogonId, IpAddress;
let processes = SecurityEvent
    | where EventID == 4688
    | where Computer =~ host_name or Computer startswith strcat(host_name, ".")
    | project ProcessTime = TimeGenerated, Computer, SubjectLogonId, NewProcessName, CommandLine;
logons
| join kind=inner processes on Computer, $left.TargetLogonId == $right.SubjectLogonId
| project LogonTime, Computer, TargetUserName, TargetLogonId, IpAddress, ProcessTime,
    NewProcessName, CommandLine
| sort by ProcessTime asc
""",
    # The window is a literal: duckdb-kql 1.1.2 cannot bin a datetime by a declared timespan
    # parameter (`window:timespan = 1h` ... `bin(TimeGenerated, window)` fails in DuckDB's binder
    # with "Cannot mix values of type TIMESTAMP WITH TIME ZONE and BIGINT in CASE expression").
    "d": """
declare query_parameters(min_accounts:long = 10);
SigninLogs
| where ResultType == "50126"
| summarize Accounts = dcount(UserPrincipalName), Attempts = count(),
    FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated)
    by IPAddress, Window = bin(TimeGenerated, 1h)
| where Accounts >= min_accounts
| sort by Accounts desc, IPAddress asc, Window asc
""",
}


def bound_params(hunt: str, raw: dict) -> dict:
    """The parameter values of *hunt* as the analyst passes them."""
    if hunt in ("a", "e"):
        return {"host_name": raw["host"], "start": parse_time(raw["start"]), "end": parse_time(raw["end"])}
    if hunt == "c":
        return {"host_name": raw["host"]}
    if hunt == "d":
        return {"min_accounts": raw["min_accounts"]}
    return {}


def run_hunt(qp: huntbook.QueryProvider, hunt: str, params: dict) -> pd.DataFrame:
    """Answer *hunt* once."""
    if hunt == "e":
        return qp.WindowsSecurity.list_host_processes(**params)
    return qp.exec_query(KQL[hunt], params=params)


def profile(qp: huntbook.QueryProvider, hunt: str, params: dict, repeats: int) -> dict:
    """Where a warm run's time goes: schema read, KQL translation, DuckDB execution."""
    import duckdb_kql
    import duckdb_kql.engine

    driver = qp.driver
    con = driver._con  # the driver's DuckDB connection (read-only use)
    if hunt == "e":
        fn = qp.WindowsSecurity.list_host_processes
        kql = fn.query.text("kql")
        values = fn.query.bind(params, time_range=qp.time_range)
    else:
        kql, values = KQL[hunt], params
    steps: dict[str, list[float]] = {"schema_s": [], "translate_s": [], "duckdb_s": []}
    sql = ""
    for _ in range(repeats):
        t0 = time.perf_counter()
        schema = duckdb_kql.engine.schema(con)
        t1 = time.perf_counter()
        translated = duckdb_kql.to_sql(kql, schema=schema, parameters=values, allow_write=False)
        t2 = time.perf_counter()
        sql, bound = str(translated), translated.parameters
        con.execute("SET TimeZone='UTC'")
        (con.execute(sql, bound) if bound else con.execute(sql)).df()
        t3 = time.perf_counter()
        steps["schema_s"].append(t1 - t0)
        steps["translate_s"].append(t2 - t1)
        steps["duckdb_s"].append(t3 - t2)
    result = {k: median(v) for k, v in steps.items()}
    result["sql_chars"] = len(sql)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hunt", required=True, choices=["a", "b", "c", "d", "e"])
    parser.add_argument("--lake", required=True)
    parser.add_argument("--params", required=True, help="JSON of the hunt's values")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    for name in PRELOADED:
        importlib.import_module(name)
    import_s = time.perf_counter() - started
    baseline_peak = peak_rss_mb()
    baseline = current_rss_mb()

    import duckdb
    import duckdb_kql
    import pandas as pd
    import pyarrow

    import huntbook

    params = bound_params(args.hunt, json.loads(args.params))

    t0 = time.perf_counter()
    qp = huntbook.QueryProvider("Local", lake=args.lake)
    t1 = time.perf_counter()
    after_init = peak_rss_mb()
    qp.connect()  # what the first query would do anyway: open DuckDB, create the views
    t2 = time.perf_counter()
    after_connect = peak_rss_mb()
    frame = run_hunt(qp, args.hunt, params)
    t3 = time.perf_counter()
    after_first = peak_rss_mb()
    answer = canonical(frame)
    del frame
    warm = []
    for _ in range(args.repeats):
        s = time.perf_counter()
        frame = run_hunt(qp, args.hunt, params)
        warm.append(time.perf_counter() - s)
        del frame
    peak = peak_rss_mb()
    ru_maxrss = rss_mb()

    out = {
        "side": "huntbook",
        "hunt": args.hunt,
        "import_s": import_s,
        "init_s": t1 - t0,
        "connect_s": t2 - t1,
        "first_query_s": t3 - t2,
        "cold_s": t3 - t0,
        "warm_s": warm,
        "baseline_mb": baseline,
        "baseline_peak_mb": baseline_peak,
        "peak_mb": peak,
        "ru_maxrss_mb": ru_maxrss,
        "peak_after_init_mb": after_init,
        "peak_after_connect_mb": after_connect,
        "peak_after_first_query_mb": after_first,
        "profile": profile(qp, args.hunt, params, args.repeats),
        "answer": answer,
        "versions": {
            "huntbook": getattr(huntbook, "__version__", "?"),
            "duckdb": duckdb.__version__,
            "duckdb_kql": getattr(duckdb_kql, "__version__", "?"),
            "pandas": pd.__version__,
            "pyarrow": pyarrow.__version__,
        },
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main()
