"""Benchmark typical hunts on a ~10-million-row lake, huntbook side by side with msticpy 3.0.2.

::

    python bench/bench_lake.py [--scale 40] [--msticpy-python /work/msticpy-venv/bin/python]

Run it with huntbook's Python (``.venv/bin/python`` or ``python3 run.py bench``).
It

1. generates the demo lake at ``--scale`` (40: ~10.1 M rows, ~20 s) once and
   caches it outside the checkout (``/tmp/huntbook-bench/lake-scale40``);
2. converts the tables the hunts need, once, into pickled DataFrames, the
   fastest format msticpy's ``LocalData`` provider reads (it loads whole
   ``.pkl``/``.csv`` files by name and cannot filter);
3. runs each hunt on each side in a fresh process (cold first run, then warm
   repeats; peak RSS against the process's baseline after imports), checks
   that both sides give the same answer (and that it finds what the generator
   planted), and fails loudly when they differ;
4. prints the figures and writes them to ``bench/RESULTS.md`` with the command.

Without msticpy's virtualenv it measures huntbook alone and says that the
baseline was skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import HUNTS, PICKLE_FILES, median
from results_md import write_section

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "huntbook-bench"
DEFAULT_MSTICPY = Path("/work/msticpy-venv/bin/python")
MSTICPY_VERSION = "3.0.2"
INSTALL_HINT = (
    "python3 -m venv /work/msticpy-venv && "
    f"/work/msticpy-venv/bin/pip install msticpy=={MSTICPY_VERSION} scikit-learn statsmodels"
)
TIME_TARGET_S = 2.0
WORKER_TIMEOUT_S = 1800
ORDER_KEYS = {
    "a": ["TimeGenerated"],
    "b": ["Hour", "EventID"],
    "c": ["ProcessTime"],
    "d": ["Accounts", "IPAddress", "Window"],
    "e": ["TimeGenerated"],
}
"""The columns each hunt sorts by: their sequence must match too, not just the set of rows."""

MB = 1024 * 1024


def say(text: str) -> None:
    print(text, flush=True)


# -- data -----------------------------------------------------------------------------


def ensure_lake(path: Path, scale: float) -> None:
    """Generate the demo lake at *path* unless a finished one is there."""
    truth = path / "ground_truth.json"
    if truth.is_file():
        found = json.loads(truth.read_text(encoding="utf-8")).get("scale")
        if found != scale:
            say(f"note: the lake at {path} was generated at scale {found}, not {scale}; using it as it is")
        say(f"lake: reusing {path}")
        return
    from huntbook.data.lake.demo import generate_demo_lake

    say(f"lake: generating scale {scale:g} into {path} (about 20 s at scale 40) ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        started = time.perf_counter()
        generate_demo_lake(staging, scale=scale, progress=True)
        if path.exists():
            shutil.rmtree(path)
        os.rename(staging, path)
        say(f"lake: generated in {time.perf_counter() - started:.1f} s")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def lake_fingerprint(lake: Path) -> str:
    """A hash of the lake's files (names, sizes, times): a changed lake gets new pickles."""
    digest = hashlib.sha256()
    for path in sorted(lake.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(lake)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def parquet_sizes(lake: Path) -> dict[str, dict[str, int]]:
    """Rows and Parquet bytes on disk per table (from the files' metadata)."""
    from huntbook.data.lake.lake import Lake

    info = Lake(lake).info()
    return {str(r["table"]): {"rows": int(r["rows"]), "bytes": int(r["bytes"])} for _, r in info.iterrows()}


def worker_env(cache: Path) -> dict[str, str]:
    """The environment of the worker processes: bytecode cached, but outside the checkout.

    An analyst's imports load cached bytecode; with ``PYTHONDONTWRITEBYTECODE``
    set (as in some CI and sandbox shells) every worker would compile huntbook
    afresh, which inflates its import time and its memory baseline. The cache
    goes to ``CACHE/pycache`` so nothing is written into the repository.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache")
    return env


def run_checked(cmd: list[str], what: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run *cmd* in *cwd* (the cache folder); on failure show its output and stop."""
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=worker_env(cwd),
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        say(f"FAILED: {what}\n$ {shlex.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
        raise SystemExit(f"{what} failed (exit {proc.returncode})")
    return proc


def ensure_pickles(python: str, lake: Path, cache: Path, dtypes: str) -> tuple[Path, dict]:
    """Convert the needed tables to pickles for msticpy once; return their folder and sizes."""
    folder = cache / f"msticpy-{lake.name}-{dtypes}"
    sizes_file = folder / "sizes.json"
    fingerprint = lake_fingerprint(lake)
    if sizes_file.is_file():
        sizes = json.loads(sizes_file.read_text(encoding="utf-8"))
        if sizes.get("lake_fingerprint") == fingerprint and all(
            (folder / name).is_file() for name in PICKLE_FILES.values()
        ):
            say(f"msticpy data: reusing {folder}")
            return folder, sizes
    say(f"msticpy data: converting {', '.join(PICKLE_FILES)} to pickles in {folder} (not timed) ...")
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=cache))
    try:
        worker = str(BENCH / "msticpy_worker.py")
        cmd = [python, worker, "convert", "--lake", str(lake), "--out-dir", str(staging), "--dtypes", dtypes]
        run_checked(cmd, "converting the lake tables to pickles", cache)
        sizes = json.loads((staging / "sizes.json").read_text(encoding="utf-8"))
        sizes["lake_fingerprint"] = fingerprint
        (staging / "sizes.json").write_text(json.dumps(sizes, indent=1), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder, sizes


def pandas_sizes(python: str, lake: Path, cache: Path, dtypes: str) -> dict:
    """In-memory sizes of the needed tables as pandas DataFrames (when msticpy is not there)."""
    out = cache / f"sizes-{lake.name}-{dtypes}.json"
    fingerprint = lake_fingerprint(lake)
    if out.is_file():
        sizes = json.loads(out.read_text(encoding="utf-8"))
        if sizes.get("lake_fingerprint") == fingerprint:
            return sizes
    worker = str(BENCH / "msticpy_worker.py")
    cmd = [python, worker, "sizes", "--lake", str(lake), "--out", str(out), "--dtypes", dtypes]
    run_checked(cmd, "measuring the tables' in-memory size", cache)
    sizes = json.loads(out.read_text(encoding="utf-8"))
    sizes["lake_fingerprint"] = fingerprint
    out.write_text(json.dumps(sizes, indent=1), encoding="utf-8")
    return sizes


def msticpy_version(python: Path) -> tuple[str | None, str]:
    """msticpy's version in the baseline virtualenv, or None and why not."""
    if not python.exists():
        return None, f"{python} does not exist"
    probe = "import msticpy, platform; print(msticpy.__version__, platform.python_version())"
    proc = subprocess.run(
        [str(python), "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if proc.returncode != 0:
        return None, f"{python} cannot import msticpy: {proc.stderr.strip().splitlines()[-1:]}"
    version, py = proc.stdout.split()
    if version != MSTICPY_VERSION:
        say(f"note: the baseline is msticpy {version}, not {MSTICPY_VERSION}")
    return version, py


def warm_up_imports(with_msticpy: bool, args: argparse.Namespace) -> None:
    """Import both sides once, untimed, so no measured worker compiles bytecode."""
    hb = "import duckdb, duckdb_kql.engine, pandas, pyarrow.parquet, huntbook.data.provider, huntbook.config"
    hb += "; import huntbook.data.drivers.local, huntbook.data.catalog"
    run_checked([sys.executable, "-c", hb], "importing huntbook", args.cache)
    if with_msticpy:
        ms = "from msticpy.data import QueryProvider"
        run_checked([str(args.msticpy_python), "-c", ms], "importing msticpy", args.cache)


# -- the hunts ------------------------------------------------------------------------


def hunt_params(lake: Path) -> tuple[dict[str, dict], dict]:
    """Each hunt's values, taken from what the generator planted (``ground_truth.json``)."""
    truth = json.loads((lake / "ground_truth.json").read_text(encoding="utf-8"))
    intrusion = truth["intrusion"]
    first = dt.datetime.fromisoformat(intrusion["stages"][0]["start"].replace("Z", "+00:00"))
    day = first.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    window = {
        "host": intrusion["host"],
        "start": day.isoformat().replace("+00:00", "Z"),
        "end": (day + dt.timedelta(days=1)).isoformat().replace("+00:00", "Z"),
    }
    params = {
        "a": window,
        "b": {},
        "c": {"host": intrusion["lateral_targets"][-1]},
        "d": {"min_accounts": 10},
        "e": window,
    }
    return params, truth


def run_worker(side: str, hunt: str, params: dict, args: argparse.Namespace, data_dir: Path) -> dict:
    """Run one hunt on one side in a fresh process and return what it measured."""
    out = args.cache / f"result-{side}-{hunt}.json"
    out.unlink(missing_ok=True)
    common = ["--hunt", hunt, "--params", json.dumps(params), "--repeats", str(args.repeats)]
    common += ["--out", str(out)]
    if side == "huntbook":
        cmd = [sys.executable, str(BENCH / "huntbook_worker.py"), "--lake", str(args.lake), *common]
    else:
        cmd = [str(args.msticpy_python), str(BENCH / "msticpy_worker.py"), "run", "--data-dir", str(data_dir)]
        cmd += common
    started = time.perf_counter()
    run_checked(cmd, f"hunt {hunt} on {side}", args.cache)
    result: dict = json.loads(out.read_text(encoding="utf-8"))
    result["process_wall_s"] = time.perf_counter() - started
    result["warm_median_s"] = median(result["warm_s"])
    result["increment_mb"] = result["peak_mb"] - result["baseline_mb"]
    return result


def _column(answer: dict, name: str, ordered: bool = False) -> list:
    index = answer["columns"].index(name)
    return [row[index] for row in answer["ordered_rows" if ordered else "rows"]]


def compare(hunt: str, hb: dict, ms: dict) -> list[str]:
    """Differences between the two answers (empty when they are equal)."""
    a, b = hb["answer"], ms["answer"]
    problems = []
    if a["columns"] != b["columns"]:
        problems.append(f"columns differ: huntbook {a['columns']} vs msticpy {b['columns']}")
        return problems
    if a["row_count"] != b["row_count"]:
        problems.append(f"row counts differ: huntbook {a['row_count']} vs msticpy {b['row_count']}")
    if a["rows"] != b["rows"]:
        only_hb = [r for r in a["rows"] if r not in b["rows"]][:5]
        only_ms = [r for r in b["rows"] if r not in a["rows"]][:5]
        problems.append(f"row values differ; only in huntbook: {only_hb}; only in msticpy: {only_ms}")
    for key in ORDER_KEYS[hunt]:
        if _column(a, key, ordered=True) != _column(b, key, ordered=True):
            problems.append(f"the rows come in a different order of {key}")
    return problems


def check_truth(hunt: str, answer: dict, truth: dict) -> list[str]:
    """Does the answer find what the generator planted?"""
    intrusion, spray = truth["intrusion"], truth["password_spray"]
    if hunt in ("a", "e"):
        wanted = intrusion["powershell_command_line"]
        if wanted not in _column(answer, "CommandLine"):
            return [f"the planted encoded PowerShell ({wanted[:40]}...) is not in the answer"]
    elif hunt == "b":
        total = sum(_column(answer, "Events"))
        if total != truth["row_counts"]["SecurityEvent"]:
            return [f"the hourly counts add up to {total}, not {truth['row_counts']['SecurityEvent']}"]
    elif hunt == "c":
        if intrusion["stolen_account"] not in _column(answer, "TargetUserName"):
            return [f"no process of the stolen account {intrusion['stolen_account']} in the answer"]
    elif hunt == "d" and spray["source_ip"] not in _column(answer, "IPAddress"):
        return [f"the spray source {spray['source_ip']} is not in the answer"]
    return []


# -- report ---------------------------------------------------------------------------


def fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def fmt_mb(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def ratio(num: float | None, den: float | None) -> str:
    if num is None or den is None or den <= 0:
        return "–"
    value = num / den
    return f"{value:.0f}×" if value >= 10 else f"{value:.1f}×"


def machine_facts(versions: dict) -> list[str]:
    cpu = "?"
    mem = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- CPU: {cpu}; nproc {usable} (os.cpu_count {os.cpu_count()}); memory {mem}",
        f"- OS: {platform.platform()}",
        f"- huntbook side: Python {platform.python_version()}, huntbook {versions.get('huntbook', '?')}, "
        f"duckdb {versions.get('duckdb', '?')}, duckdb-kql {versions.get('duckdb_kql', '?')}, "
        f"pandas {versions.get('pandas', '?')}, pyarrow {versions.get('pyarrow', '?')}",
        f"- msticpy side: {versions.get('msticpy_side', 'skipped')}",
    ]


def git_state() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes" if dirty else "")


def render(ctx: dict) -> str:
    """RESULTS.md."""
    results, sizes, parquet, args = ctx["results"], ctx["sizes"], ctx["parquet"], ctx["args"]
    baseline = ctx["msticpy"] is not None
    lines = [
        "# Lake benchmarks: typical hunts on a ~10-million-row lake, huntbook vs msticpy",
        "",
        f"Measured {ctx['date']} on huntbook commit {ctx['git']}. Produced by:",
        "",
        "```bash",
        ctx["command"],
        "```",
        "",
    ]
    if not baseline:
        lines += [
            f"**The msticpy baseline was skipped** ({ctx['msticpy_reason']}). Install it with "
            f"`{INSTALL_HINT}` and run again.",
            "",
        ]
    total_rows = sum(t["rows"] for t in parquet.values())
    total_bytes = sum(t["bytes"] for t in parquet.values())
    lines += [
        f"Lake: demo lake at scale {args.scale:g}, {total_rows:,} rows in {len(parquet)} tables, "
        f"{total_bytes / MB:,.0f} MB of Parquet (`{args.lake}`). Every figure below comes from one run "
        f"of the command on the same data. Warm = median of {args.repeats} runs.",
        "",
        "## Summary",
        "",
        "Targets (from the issue): every typical hunt answers in under "
        f"{TIME_TARGET_S:g} s, in less memory than the data's size (here: huntbook's peak-RSS increment "
        "below the in-memory size of the pandas table(s) the hunt reads).",
        "",
        "| hunt | rows out | huntbook cold s | huntbook warm s | msticpy cold s | msticpy warm s "
        "| time ratio (warm, cold) | huntbook +MB | msticpy +MB | memory ratio | huntbook targets |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for key, res in results.items():
        hb, ms = res["huntbook"], res.get("msticpy")
        lines.append(
            f"| {key}. {HUNTS[key].title} | {hb['answer']['row_count']:,} | {fmt_s(hb['cold_s'])} "
            f"| {fmt_s(hb['warm_median_s'])} | {fmt_s(ms and ms['cold_s'])} "
            f"| {fmt_s(ms and ms['warm_median_s'])} "
            f"| {ratio(ms and ms['warm_median_s'], hb['warm_median_s'])}, "
            f"{ratio(ms and ms['cold_s'], hb['cold_s'])} "
            f"| {fmt_mb(hb['increment_mb'])} | {fmt_mb(ms and ms['increment_mb'])} "
            f"| {ratio(ms and ms['increment_mb'], hb['increment_mb'])} | {res['verdict']} |"
        )
    lines += [
        "",
        "Ratios are msticpy / huntbook (higher = huntbook better). +MB = peak RSS minus the same "
        "process's RSS right after its imports. Cold = a fresh process's first answer, from creating the "
        'provider (huntbook: connect and create the DuckDB views; msticpy: `QueryProvider("LocalData")`) '
        "to the result, imports excluded (listed in the profile). msticpy's LocalData reads the whole "
        "pickle on every `exec_query`, so its warm runs reload the table too; the per-hunt tables also "
        "show the pandas step alone on a table already in memory.",
        "",
    ]
    if ctx["missed"]:
        lines += ["**Missed targets:**", ""]
        lines += [f"- {m}" for m in ctx["missed"]]
        lines.append("")
    else:
        lines += ["All huntbook hunts met both targets (time, cold and warm; memory).", ""]
    lines += ["## Hunts", ""]
    for key, res in results.items():
        hunt, hb, ms = HUNTS[key], res["huntbook"], res.get("msticpy")
        lines += [
            f"### {key}. {hunt.title}",
            "",
            f"{hunt.question} Table: {', '.join(hunt.tables)}. Values: `{json.dumps(res['params'])}`.",
            f"Answer: {hb['answer']['row_count']:,} rows × {len(hb['answer']['columns'])} columns; "
            + (
                "equal on both sides (every value, and the order of the sort keys)"
                if baseline
                else "not compared (no baseline)"
            )
            + "; finds what the generator planted.",
            "",
            "| side | imports s | cold s | warm s | peak MB | baseline MB | +MB | ru_maxrss MB |",
            "|---|--:|--:|--:|--:|--:|--:|--:|",
            f"| huntbook (KQL via `exec_query`) | {fmt_s(hb['import_s'])} | {fmt_s(hb['cold_s'])} "
            f"| {fmt_s(hb['warm_median_s'])} "
            f"| {fmt_mb(hb['peak_mb'])} | {fmt_mb(hb['baseline_mb'])} | {fmt_mb(hb['increment_mb'])} "
            f"| {fmt_mb(hb['ru_maxrss_mb'])} |",
        ]
        if key == "e":
            lines[-1] = lines[-1].replace("KQL via `exec_query`", "`qp.WindowsSecurity.list_host_processes`")
        if ms:
            lines += [
                f"| msticpy {ctx['msticpy']} (LocalData + pandas) | {fmt_s(ms['import_s'])} "
                f"| {fmt_s(ms['cold_s'])} "
                f"| {fmt_s(ms['warm_median_s'])} | {fmt_mb(ms['peak_mb'])} | {fmt_mb(ms['baseline_mb'])} "
                f"| {fmt_mb(ms['increment_mb'])} | {fmt_mb(ms['ru_maxrss_mb'])} |",
                f"| ratio msticpy / huntbook | {ratio(ms['import_s'], hb['import_s'])} "
                f"| {ratio(ms['cold_s'], hb['cold_s'])} "
                f"| {ratio(ms['warm_median_s'], hb['warm_median_s'])} "
                f"| {ratio(ms['peak_mb'], hb['peak_mb'])} "
                f"| | {ratio(ms['increment_mb'], hb['increment_mb'])} | |",
                "",
                f"msticpy warm run = load {fmt_s(ms['warm_load_s'])} s "
                f"({'catalog function' if key == 'e' else '`exec_query`'}) "
                f"+ pandas {fmt_s(ms['warm_pandas_s'])} s;"
                f" the pandas step alone on a table already in memory: {fmt_s(ms['pandas_only_s'])} s "
                f"({ratio(ms['pandas_only_s'], hb['warm_median_s'])} huntbook's warm query).",
            ]
        lines.append("")
    lines += [
        "## Where huntbook's time goes",
        "",
        "Warm medians in the same worker process, after the measured runs. `exec_query` = the whole "
        "call; schema = duckdb-kql reading the connection's columns (`information_schema`), done on "
        "every query; translate = `duckdb_kql.to_sql`; DuckDB = executing the SQL and fetching a "
        "DataFrame; rest = provider/driver overhead (parameter binding, timeout timer, UTC marking). "
        "Cold = creating `QueryProvider` + `connect()` (open DuckDB, create one view per table, read "
        "the lake's time span from Parquet statistics) + the first query.",
        "",
        "| hunt | imports s | provider init s | connect s | first query s | warm exec_query s | schema s "
        "| translate s | DuckDB s | rest s | SQL chars |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key, res in results.items():
        hb = res["huntbook"]
        prof = hb["profile"]
        rest = max(0.0, hb["warm_median_s"] - prof["schema_s"] - prof["translate_s"] - prof["duckdb_s"])
        lines.append(
            f"| {key} | {fmt_s(hb['import_s'])} | {fmt_s(hb['init_s'])} | {fmt_s(hb['connect_s'])} "
            f"| {fmt_s(hb['first_query_s'])} | {fmt_s(hb['warm_median_s'])} | {fmt_s(prof['schema_s'])} "
            f"| {fmt_s(prof['translate_s'])} | {fmt_s(prof['duckdb_s'])} | {fmt_s(rest)} "
            f"| {prof['sql_chars']:,} |"
        )
    lines += [
        "",
        "## Where huntbook's memory goes",
        "",
        "Peak RSS (MB) read at each step of the huntbook worker. The increment counts everything after "
        "the imports: creating the provider (settings, query catalog), connecting (a DuckDB instance, "
        "the views, the Parquet metadata read for the time span), then the hunt's runs. The last "
        "column is what the hunt's own queries add on top of a connected provider.",
        "",
        "| hunt | after imports | + provider init | + connect | + first query | + warm runs (peak) "
        "| total +MB | queries' own +MB | data in memory MB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key, res in results.items():
        hb = res["huntbook"]
        data_mb = sum(sizes["tables"][t]["memory_bytes"] for t in HUNTS[key].tables) / MB
        steps = [
            hb["baseline_mb"],
            hb["peak_after_init_mb"],
            hb["peak_after_connect_mb"],
            hb["peak_after_first_query_mb"],
            hb["peak_mb"],
        ]
        deltas = " | ".join(f"{b - a:+,.0f}" for a, b in itertools.pairwise(steps))
        lines.append(
            f"| {key} | {fmt_mb(steps[0])} | {deltas} | {fmt_mb(hb['increment_mb'])} "
            f"| {fmt_mb(hb['peak_mb'] - hb['peak_after_connect_mb'])} | {fmt_mb(data_mb)} |"
        )
    lines += [
        "",
        "## Data size",
        "",
        f"In memory = `DataFrame.memory_usage(deep=True)` of the table as msticpy loads it "
        f"(pandas {sizes.get('pandas', '?')}, {sizes.get('dtypes', '?')}-backed dtypes"
        + (", the dtypes of the pickles msticpy reads" if baseline else "")
        + ").",
        "",
        "| table | rows | Parquet on disk MB | pandas in memory MB | pickle MB |",
        "|---|--:|--:|--:|--:|",
    ]
    for table, info in sizes["tables"].items():
        pickle = info.get("pickle_bytes")
        lines.append(
            f"| {table} | {info['rows']:,} | {parquet[table]['bytes'] / MB:,.1f} "
            f"| {info['memory_bytes'] / MB:,.0f} | {'–' if pickle is None else f'{pickle / MB:,.0f}'} |"
        )
    lines += [
        f"| whole lake ({len(parquet)} tables) | {total_rows:,} | {total_bytes / MB:,.1f} | | |",
        "",
        "## Machine",
        "",
        *machine_facts(ctx["versions"]),
        f"- OS file cache warm for both sides (the lake and pickles were read before timing); "
        f"DuckDB with its default threads ({os.cpu_count()}).",
        "",
        "## Method",
        "",
        "- Data: `huntbook.data.lake.demo.generate_demo_lake(path, scale=...)`, cached outside the repo.",
        '- huntbook: `huntbook.QueryProvider("Local", lake=PATH)`, hunts a–d written in KQL and run with '
        "`qp.exec_query(kql, params=...)` (values bound through `declare query_parameters`); hunt e calls "
        "`qp.WindowsSecurity.list_host_processes(host_name=..., start=..., end=...)`. The KQL is in "
        "`bench/huntbook_worker.py`.",
        '- msticpy: `QueryProvider("LocalData", data_paths=[DIR]).exec_query("securityevent.pkl")` '
        "(the real provider front; LocalData maps a query name to a file name), then the same filter, "
        "aggregation or join in pandas (`bench/msticpy_worker.py`). Hunt e: msticpy's LocalData catalog "
        "function `qp.WindowsSecurity.list_host_processes(...)`, which reads its fixed file "
        "`processes_on_host.pkl` (here a link to `securityevent.pkl`) whatever the parameters, then pandas.",
        '- The pickles hold Arrow-backed dtypes (`pd.read_parquet(..., dtype_backend="pyarrow")`), the '
        "form msticpy loads fastest and holds in the least memory; classic NumPy/object dtypes load "
        "several times slower (`--msticpy-dtypes numpy` measures that variant).",
        "- Hunt d bins by a literal `1h`: with the window as a declared parameter "
        "(`declare query_parameters(window:timespan = 1h)` ... `bin(TimeGenerated, window)`) duckdb-kql "
        '1.1.2 produces SQL that DuckDB refuses ("Cannot mix values of type TIMESTAMP WITH TIME ZONE and '
        'BIGINT in CASE expression").',
        "- Each hunt and side runs in its own fresh process: cold run, then warm repeats. Peak memory is "
        "the process's high-water resident size at the end of the timed runs: `VmHWM` from "
        "`/proc/self/status`. `resource.getrusage(RUSAGE_SELF).ru_maxrss` is shown beside it but is not "
        "used, because on Linux a fork+exec'd process inherits its parent's peak in `ru_maxrss` (the "
        "kernel folds the old address space's high-water mark into it at exec): a worker started by a "
        "parent that once held 360 MB reads at least 360 MB there whatever it does; where the two "
        "columns agree, the parent's peak was below the worker's. The baseline is the resident size "
        "(`VmRSS`, after `gc.collect()`) right after the process's imports (huntbook: huntbook, duckdb, "
        "duckdb_kql, pandas, pyarrow; msticpy: `msticpy.data.QueryProvider`, pandas): the current size, "
        "because an import can peak above where it settles and a peak baseline would hide part of the "
        "hunt's increment (`results-latest.json` keeps the peak as `baseline_peak_mb`). Both sides' "
        "imports are run once before "
        "timing, with bytecode cached under the cache folder (`PYTHONPYCACHEPREFIX`), so no worker pays "
        "for compiling it.",
        "- Answers are compared value by value (timestamps as UTC text, missing as null) and in the "
        "order of the sort keys; the run stops with an error if they differ, or if an answer misses what "
        "the generator planted (`ground_truth.json`).",
        "",
    ]
    return "\n".join(lines)


# -- main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=40.0, help="demo-lake scale (40: ~10.1 M rows)")
    parser.add_argument("--lake", type=Path, help="lake folder (default CACHE/lake-scaleN)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where data and pickles are kept")
    parser.add_argument("--msticpy-python", type=Path, default=DEFAULT_MSTICPY, help="msticpy venv's python")
    parser.add_argument(
        "--msticpy-dtypes",
        choices=["arrow", "numpy"],
        default="arrow",
        help="dtypes of the pickled tables: arrow (fastest to load, default) or numpy/object",
    )
    parser.add_argument("--repeats", type=int, default=3, help="warm runs per hunt and side")
    parser.add_argument("--hunts", default="abcde", help="which hunts, e.g. 'abd'")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="the report to write")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()

    args.cache.mkdir(parents=True, exist_ok=True)
    args.lake = (args.lake or args.cache / f"lake-scale{args.scale:g}").resolve()
    hunts = [h for h in args.hunts if h in HUNTS]
    if not hunts:
        parser.error(f"--hunts: choose from {''.join(HUNTS)}")

    version, why = msticpy_version(args.msticpy_python)
    if version is None:
        say(
            f"\n*** msticpy baseline SKIPPED: {why}.\n*** Measuring huntbook alone. To compare, install "
            f"the baseline:\n***   {INSTALL_HINT}\n"
        )
    ensure_lake(args.lake, args.scale)
    parquet = parquet_sizes(args.lake)
    if version is not None:
        data_dir, sizes = ensure_pickles(str(args.msticpy_python), args.lake, args.cache, args.msticpy_dtypes)
    else:
        data_dir, sizes = args.cache, pandas_sizes(sys.executable, args.lake, args.cache, args.msticpy_dtypes)
    params, truth = hunt_params(args.lake)
    warm_up_imports(version is not None, args)

    results: dict[str, dict] = {}
    failures: list[str] = []
    missed: list[str] = []
    versions: dict = {}
    for key in hunts:
        hunt = HUNTS[key]
        say(f"hunt {key}. {hunt.title}: huntbook ...")
        entry: dict = {"params": params[key]}
        entry["huntbook"] = hb = run_worker("huntbook", key, params[key], args, data_dir)
        versions.update(hb["versions"])
        problems = [f"huntbook: {p}" for p in check_truth(key, hb["answer"], truth)]
        line = (
            f"  huntbook cold {hb['cold_s']:.3f} s, warm {hb['warm_median_s']:.3f} s, "
            f"+{hb['increment_mb']:.0f} MB"
        )
        if version is not None:
            say(line + "; msticpy ...")
            entry["msticpy"] = ms = run_worker("msticpy", key, params[key], args, data_dir)
            versions["msticpy_side"] = (
                f"msticpy {ms['versions']['msticpy']}, pandas {ms['versions']['pandas']}, Python {why} "
                f"({args.msticpy_python})"
            )
            problems += [f"msticpy: {p}" for p in check_truth(key, ms["answer"], truth)]
            problems += compare(key, hb, ms)
            say(
                f"  msticpy  cold {ms['cold_s']:.3f} s, warm {ms['warm_median_s']:.3f} s, "
                f"+{ms['increment_mb']:.0f} MB; answers {'DIFFER' if problems else 'equal'} "
                f"({hb['answer']['row_count']} rows)"
            )
        else:
            say(line)
        failures += [f"hunt {key}: {p}" for p in problems]
        data_bytes = sum(sizes["tables"][t]["memory_bytes"] for t in hunt.tables)
        verdicts = []
        for label, seconds in (("cold", hb["cold_s"]), ("warm", hb["warm_median_s"])):
            if seconds >= TIME_TARGET_S:
                verdicts.append(f"{label} {seconds:.2f} s ≥ {TIME_TARGET_S:g} s")
        if hb["increment_mb"] * MB >= data_bytes:
            setup = hb["peak_after_connect_mb"] - hb["baseline_mb"]
            verdicts.append(
                f"peak-RSS increment {hb['increment_mb']:.0f} MB ≥ the data's {data_bytes / MB:.0f} MB in "
                f"memory ({', '.join(hunt.tables)}); {setup:.0f} MB of it is there before any query runs "
                f"(provider init + connect), the queries themselves add "
                f"{hb['peak_mb'] - hb['peak_after_connect_mb']:.0f} MB"
            )
        missed += [f"hunt {key} ({hunt.title}): {v}" for v in verdicts]
        entry["verdict"] = "MISSED: " + "; ".join(verdicts) if verdicts else "met"
        results[key] = entry

    if failures:
        say("\n*** THE ANSWERS DIFFER OR MISS THE PLANTED ACTIVITY:")
        for failure in failures:
            say(f"***   {failure}")
        raise SystemExit(1)

    executable = Path(sys.executable)
    try:
        shown = str(executable.relative_to(ROOT))
    except ValueError:
        shown = str(executable)
    command = f"cd {ROOT} && {shlex.join([shown, 'bench/bench_lake.py', *sys.argv[1:]])}"
    ctx = {
        "results": results,
        "sizes": sizes,
        "parquet": parquet,
        "args": args,
        "msticpy": version,
        "msticpy_reason": why,
        "missed": missed,
        "versions": versions,
        "command": command,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git": git_state(),
    }
    report = render(ctx)
    slim = {
        key: {
            side: {k: v for k, v in r.items() if k != "answer"} if isinstance(r, dict) else r
            for side, r in entry.items()
        }
        for key, entry in results.items()
    }
    (args.cache / "results-latest.json").write_text(json.dumps(slim, indent=1, default=str), encoding="utf-8")
    summary = report.split("## Hunts")[0]
    say("\n" + summary)
    if version is None:
        say(f"*** msticpy baseline SKIPPED ({why}). Install: {INSTALL_HINT}")
    if not args.no_write:
        write_section(args.results, "lake", report)
        say(f"written: {args.results}")


if __name__ == "__main__":
    main()
