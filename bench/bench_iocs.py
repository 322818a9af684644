"""IoC extraction and payload decoding: huntbook against msticpy 3.0.2, iocextract and ioc-finder.

Usage::

    python bench/bench_iocs.py [--quick] [--verbose] [--others-python /work/msticpy-venv/bin/python]
    python3 run.py bench iocs [same options]

1. Accuracy: every tool on the labelled corpus (``../shared/data/ioc``),
   scored per type (precision, recall, F1) by ``iocs_scoring.py``; a type a
   tool does not support (``iocs_worker.SUPPORTED``) is shown as "—" and left
   out of its overall score. ``--verbose`` prints huntbook's misses and false
   alarms case by case (``--diffs-of TOOL`` for another tool's).
2. Throughput, one core, each run in a fresh process pinned to CPU 0:
   extraction and base64 unpacking over 1,000,000 command lines (as sampled,
   and the same made all distinct) and over a 50 MB log/report text (built by
   ``iocs_data.py``, cached in ``/tmp/huntbook-bench/iocs``). msticpy runs on a
   prefix where a full run would take minutes (``--msticpy-rows``,
   ``--msticpy-chars``); rates (MB/s) are compared, and the report says so.
3. Writes the ``iocs`` section of ``bench/RESULTS.md`` (between
   ``<!-- bench:iocs:start -->`` and ``<!-- bench:iocs:end -->``).

huntbook runs in this Python (``.venv/bin/python``); the other tools live
together in their own virtualenv outside the checkout (no conflicts between
them: msticpy 3.0.2 with iocextract 1.16.1 and ioc-finder 9.4.1)::

    python3 -m venv /work/msticpy-venv
    /work/msticpy-venv/bin/pip install msticpy==3.0.2 scikit-learn statsmodels iocextract ioc-finder

A tool that cannot be imported is skipped with the command that installs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import iocs_data
from iocs_scoring import NESTABLE, Score, is_placeholder_hash, score
from iocs_worker import CORPUS_TYPES, SUPPORTED
from results_md import write_section

ROOT = Path(__file__).resolve().parent.parent
CORPUS = iocs_data.SHARED / "ioc" / "labelled.jsonl"
TOOLS = ["huntbook", "msticpy", "iocextract", "ioc-finder"]
TARGET = 50
DEFAULT_OTHERS = "/work/msticpy-venv/bin/python"
INSTALL_OTHERS = "{python} -m pip install msticpy==3.0.2 scikit-learn statsmodels iocextract ioc-finder"
INSTALL = {
    "huntbook": "python3 run.py bench iocs  (installs huntbook into .venv)",
    "msticpy": "{python} -m pip install msticpy==3.0.2 scikit-learn statsmodels",
    "iocextract": "{python} -m pip install iocextract",
    "ioc-finder": "{python} -m pip install ioc-finder",
}
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "RAYON_NUM_THREADS",
    "POLARS_MAX_THREADS",
    "ARROW_NUM_THREADS",
)
ONE_THREAD = dict.fromkeys(THREAD_VARIABLES, "1")
"""Every worker's environment: libraries that start thread pools start one thread (the worker also
pins itself to CPU 0 and sets pyarrow's CPU and I/O pools to one thread)."""
WORKER_TIMEOUT_S = 3600


def say(message: str) -> None:
    print(message, flush=True)


def worker(python: str, tool: str, task: str, source: Path | None, limit: int | None, cache: Path) -> Any:
    """Run one worker process and return its JSON."""
    out = cache / f"result-{tool}-{task}.json"
    out.unlink(missing_ok=True)
    command = [python, str(ROOT / "bench" / "iocs_worker.py"), "--tool", tool, "--task", task]
    command += ["--out", str(out)]
    command += ["--input", str(source)] if source else []
    command += ["--limit", str(limit)] if limit else []
    env = {**os.environ, **ONE_THREAD, "PYTHONWARNINGS": "ignore"}
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache")  # bytecode cached, but outside the checkout
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, check=False, timeout=WORKER_TIMEOUT_S
    )
    if done.returncode:
        raise SystemExit(
            f"{tool} {task} failed (exit {done.returncode}):\n$ {shlex.join(command)}\n{done.stderr[-3000:]}"
        )
    return json.loads(out.read_text())


def probe(pythons: dict[str, str], cache: Path) -> dict[str, dict[str, Any]]:
    """Which tools can run, with their versions; a message with the install command for each that can't."""
    found = {}
    told: set[str] = set()
    for tool in TOOLS:
        if not Path(pythons[tool]).exists():
            found[tool] = {"ok": False, "error": f"{pythons[tool]} does not exist"}
        else:
            found[tool] = worker(pythons[tool], tool, "probe", None, None, cache)
        if not found[tool]["ok"]:
            others = pythons[tool] if tool != "huntbook" else sys.executable
            hint = INSTALL[tool].format(python=others)
            if tool != "huntbook" and not Path(pythons[tool]).exists():
                venv = Path(others).parent.parent
                hint = f"python3 -m venv {venv} && " + INSTALL_OTHERS.format(python=others)
            if tool == "huntbook":
                hint = (
                    "huntbook.analysis.iocs (extract_iocs) and huntbook.analysis.decode (unpack, "
                    "unpack_frame) must both import in this Python; reinstall with " + hint
                )
            shown = hint if hint not in told else "(as above)"
            say(f"\n*** {tool} SKIPPED: {found[tool]['error']}\n***   {shown}\n")
            found[tool]["hint"] = hint
            told.add(hint)
    return found


def accuracy(
    pythons: dict[str, str], cache: Path, ready: list[str], diffs_of: list[str]
) -> tuple[str, str, dict[str, float], dict[str, float]]:
    """The accuracy tables (Markdown: strict, nested optional), each tool's overall F1 under both.

    Prints the misses of the tools in *diffs_of* (strict scoring).
    """
    cases = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    strict, lenient = {}, {}
    for tool in ready:
        found = worker(pythons[tool], tool, "accuracy", CORPUS, None, cache)["found"]
        kinds = supported_kinds(tool)
        strict[tool], notes = score(cases, found, kinds)
        lenient[tool], _ = score(cases, found, kinds, nested_optional=True)
        (cache / f"{tool}-accuracy-notes.txt").write_text("\n".join(notes) or "no misses")
        if tool in diffs_of:
            print_diffs(tool, cases, notes)
    expected = {k: sum(_counted(k, c["expected"].get(k, [])) for c in cases) for k in CORPUS_TYPES}
    return (
        accuracy_table(strict, ready, expected, CORPUS_TYPES),
        accuracy_table(lenient, ready, expected, [k for k in CORPUS_TYPES if k in NESTABLE]),
        {tool: strict[tool].f1(supported_kinds(tool))[2] for tool in ready},
        {tool: lenient[tool].f1(supported_kinds(tool))[2] for tool in ready},
    )


def url_hosts_listed() -> tuple[int, int]:
    """Cases with an expected URL, and how many of them list any domain or IP address as optional."""
    cases = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    with_url = [c for c in cases if c["expected"].get("url")]
    listed = [c for c in with_url if any(c["optional"].get(k) for k in ("domain", "ipv4", "ipv6"))]
    return len(with_url), len(listed)


def supported_kinds(tool: str) -> list[str]:
    """The corpus types *tool* finds, in corpus order."""
    return [k for k in CORPUS_TYPES if k in set(SUPPORTED[tool].values())]


def _counted(kind: str, labels: list[Any]) -> int:
    """How many of a case's expected labels of *kind* are scored (placeholder hashes are optional)."""
    choices = [label if isinstance(label, list) else [label] for label in labels]
    return sum(not all(is_placeholder_hash(kind, v) for v in c) for c in choices)


def accuracy_table(
    scores: dict[str, Score], ready: list[str], expected: dict[str, int], kinds: list[str]
) -> str:
    """P / R / F1 per tool for each of *kinds* and overall (all supported types), the best F1 in bold."""
    header = "| type | expected | " + " | ".join(f"{t} P / R / F1" for t in TOOLS) + " |"
    rows = [header, "|---|--:|" + "---|" * len(TOOLS)]
    for kind in [*kinds, "overall"]:
        f1s: dict[str, tuple[float, float, float]] = {}
        for tool in ready:
            counted = [k for k in supported_kinds(tool) if kind in (k, "overall")]
            if counted:
                f1s[tool] = scores[tool].f1(counted)
        best = max((f[2] for f in f1s.values()), default=0.0)
        cells = []
        for tool in TOOLS:
            if tool not in ready:
                cells.append("not run")
            elif tool not in f1s:
                cells.append("—")
            else:
                p, r, f1 = f1s[tool]
                cell = f"{p:.3f} / {r:.3f} / {f1:.3f}"
                cells.append(f"**{cell}**" if f1 >= best - 1e-9 else cell)
        total = sum(expected.values()) if kind == "overall" else expected[kind]
        rows.append(f"| {kind} | {total} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def print_diffs(tool: str, cases: list[dict[str, Any]], notes: list[str]) -> None:
    """*tool*'s false negatives and false positives, case by case, with the case's text."""
    by_case: dict[str, list[str]] = defaultdict(list)
    for note in notes:
        verdict, case_id, rest = note.split(" ", 2)
        by_case[case_id].append(f"{verdict} {rest}")
    say(f"\n{tool}: {len(notes)} misses and false alarms in {len(by_case)} of {len(cases)} cases")
    for case in cases:
        if case["id"] in by_case:
            text = case["text"] if len(case["text"]) <= 300 else case["text"][:300] + " ..."
            say(f"\n[{case['id']}] {case['source']}\n  text: {text!r}")
            for line in by_case[case["id"]]:
                say(f"  {line}")
    say("")


def throughput(
    pythons: dict[str, str], cache: Path, args: argparse.Namespace, ready: list[str]
) -> tuple[str, list[dict[str, Any]], dict[str, int]]:
    """The throughput table (Markdown), the raw figures and the distinct command lines per input."""
    import pandas as pd

    lines = iocs_data.command_lines(cache, args.rows)
    unique = iocs_data.command_lines(cache, args.rows, distinct=True)
    text = iocs_data.log_text(cache, args.mb)
    heavy = iocs_data.log_text(cache, args.mb / 5, payload_share=0.3)
    distinct = {
        "sampled": int(pd.read_parquet(lines)["CommandLine"].nunique()),
        "distinct": int(pd.read_parquet(unique)["CommandLine"].nunique()),
    }
    plans = [
        ("extract_rows", lines, "extraction, command lines (as sampled)", args.msticpy_rows),
        ("extract_rows", unique, "extraction, command lines (all distinct)", args.msticpy_rows),
        ("extract_text", text, "extraction, log/report text", args.msticpy_chars),
        ("unpack_rows", lines, "base64 unpacking, command lines (as sampled)", args.msticpy_unpack_rows),
        ("unpack_rows", unique, "base64 unpacking, command lines (all distinct)", args.msticpy_unpack_rows),
        ("unpack_text", text, "base64 unpacking, log/report text", args.msticpy_chars),
        ("unpack_text", heavy, "base64 unpacking, payload-heavy text (30% of lines)", args.msticpy_chars),
    ]
    rows = [
        "| task | huntbook input | huntbook MB/s | huntbook rows/s | huntbook +MB | msticpy input "
        "| msticpy MB/s | msticpy rows/s | msticpy +MB | speed ratio |",
        "|---|---|--:|--:|--:|---|--:|--:|--:|--:|",
    ]
    raw = []
    for task, source, title, theirs in plans:
        entry: dict[str, Any] = {"task": task, "title": title, "input": str(source)}
        say(f"{title}:")
        for side, limit in (("huntbook", None), ("msticpy", theirs)):
            if side in ready:
                entry[side] = result = worker(pythons[side], side, task, source, limit, cache)
                say(
                    f"  {side:8} {_size(result)}: {result['seconds']:.2f} s, {result['mb_per_s']:.2f} MB/s, "
                    f"+{result['memory_mb']:.0f} MB"
                )
        mine, other = entry.get("huntbook"), entry.get("msticpy")
        entry["ratio"] = mine["mb_per_s"] / other["mb_per_s"] if mine and other else None
        if entry["ratio"] is not None:
            say(f"  ratio {entry['ratio']:.0f}x")
        raw.append(entry)
        rows.append(f"| {title} | {_side(mine, 1)} | {_side(other, 2)} | {_ratio(entry['ratio'])} |")
    return "\n".join(rows), raw, distinct


def _size(result: dict[str, Any]) -> str:
    return f"{result['rows']:,} rows, {result['bytes'] / 1e6:.1f} MB"


def _side(result: dict[str, Any] | None, digits: int) -> str:
    if result is None:
        return "not run | | | "
    return (
        f"{_size(result)} | {result['mb_per_s']:.{digits}f} | {result['rows_per_s']:,.0f} "
        f"| {result['memory_mb']:.0f}"
    )


def _ratio(ratio: float | None) -> str:
    return "—" if ratio is None else f"**{ratio:.0f}×**"


def git_state() -> str:
    """The short commit of the checkout, marked when huntbook's code (``src/``) differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if head.returncode:
        return "unknown"
    return head.stdout.strip() + (" (src/ with uncommitted changes)" if dirty.stdout.strip() else "")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores; {platform.platform()}"


def shown_command() -> str:
    """The command that produced the report, as it can be pasted."""
    executable = Path(sys.executable)
    try:
        python = str(executable.relative_to(ROOT))
    except ValueError:
        python = str(executable)
    return f"cd {ROOT} && {shlex.join([python, 'bench/bench_iocs.py', *sys.argv[1:]])}"


def render(
    args: argparse.Namespace,
    tools: dict[str, dict[str, Any]],
    tables: tuple[str, str, dict[str, float], dict[str, float]],
    speed_table: str,
    raw: list[dict[str, Any]],
    distinct: dict[str, int],
) -> str:
    versions = ", ".join(
        f"{t} {tools[t]['version']}" if tools[t]["ok"] else f"{t} not run ({tools[t]['error']})"
        for t in TOOLS
    )
    others = tools["msticpy"] if tools["msticpy"]["ok"] else {"python": "?", "pandas": "?"}
    ratios = [r for r in raw if r["ratio"] is not None]
    verdict = "\n".join(
        f"- {r['title']}: {r['ratio']:.0f}×" + (" (met)" if r["ratio"] >= TARGET else " (missed)")
        for r in ratios
    )
    met = sum(r["ratio"] >= TARGET for r in ratios)
    strict_table, lenient_table, overall, lenient = tables
    with_url, hosts_listed = url_hosts_listed()
    quick = " **Quick mode: small inputs, for development only.**" if args.quick else ""
    return f"""## IoC extraction and base64 unpacking: huntbook vs msticpy 3.0.2, iocextract, ioc-finder

Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on huntbook commit {git_state()}.{quick} Produced by:

```bash
{shown_command()}
```

- Machine: {machine()}.
- Every throughput run in a fresh process pinned to one core (`os.sched_setaffinity(0, {{0}})`,
  thread pools of one).
- Versions: {versions}.
- huntbook side: Python {tools["huntbook"].get("python", "?")}, pandas {tools["huntbook"].get("pandas", "?")}
  (`{sys.executable}`). Other side: Python {others["python"]}, pandas {others["pandas"]}
  (`{args.others_python}`), installed with
  `{INSTALL_OTHERS.format(python=args.others_python)}` (the three tools coexist in one virtualenv).

### Accuracy on the labelled corpus (`../shared/data/ioc/labelled.jsonl`)

Precision / recall / F1 per type, scored by `bench/iocs_scoring.py` as the corpus README says
(optional indicators neither count nor hurt; domains, emails and hashes compared in lower case,
URLs with scheme and host in lower case). "—": the tool has no extractor for that type (the mapping
is `SUPPORTED` in `bench/iocs_worker.py`), left out of its overall score; bold: the best F1 of the
row. Calls: huntbook `extract_iocs(text, types=[the ten types])`; msticpy `IoCExtract().extract(src=text)`
(every type, paths included; `dns`→domain, `windows_path`→winpath, `linux_path`→linpath, `*_hash`);
iocextract `extract_ipv4s/urls/emails(text, refang=True)`, `extract_ipv6s`, `extract_md5/sha1/sha256_hashes`
(no domains, no paths); ioc-finder `find_iocs(text, included_ioc_types=[...,"file_paths"])`, its
file paths split into winpath (drive letter) and linpath (`/` or `~`). Overall F1:
{", ".join(f"{t} {v:.3f}" for t, v in overall.items())}.
huntbook was developed against this corpus (its misses guided the rules), so its score is
in-sample; the same rules are also tested on the demo lake and on hand-written cases.
`--verbose` prints huntbook's misses and false alarms case by case.
One departure from the corpus README, the same for every tool: a hash labelled expected that is
one digit repeated (the `aaaa…` placeholders of ioc-finder's `all_ioc_text` case) is no digest a
hash function makes, so it is scored as optional (`is_placeholder_hash` in `bench/iocs_scoring.py`).

{strict_table}

The corpus README names "a domain inside a URL" as an optional indicator, but of the {with_url}
cases with an expected URL, {hosts_listed} {"lists" if hosts_listed == 1 else "list"} a domain or IP \
address as optional, so a tool that also reports the host of each URL (ioc-finder by design, msticpy
often) is charged a false positive for it above. Below, the same results scored with every domain,
IP address or email that sits inside a labelled indicator of another type of the same case counted
as optional (`score(..., nested_optional=True)` in `bench/iocs_scoring.py`); the other types do not
change.
Overall F1 this way: {", ".join(f"{t} {v:.3f}" for t, v in lenient.items())}.

{lenient_table}

### Throughput, one core

Time excludes imports and reading the input; +MB is the peak RSS increment over the RSS after both.
Inputs (`bench/iocs_data.py`, seed {iocs_data.SEED}, cached in `{args.cache}`):
{args.rows:,} command lines sampled from msticpy's and the demo lake's process events
(SecurityEvent 4688 `CommandLine`, DeviceProcessEvents `ProcessCommandLine`), encoded PowerShell
and base64 blobs in 0.5%: {distinct["sampled"]:,} distinct values, as real command lines repeat, and
huntbook scans each distinct value once; "all distinct" is the same sample with the row number
appended to every line ({distinct["distinct"]:,} distinct), which shows the speed without that help.
The {args.mb:g} MB log/report text is syslog, auditd, CEF firewall and command-line records plus the
corpus texts as report prose, every line with its own timestamp and sequence number (0.5% of lines
carry encoded payloads; the payload-heavy text, a fifth the size, 30%).
Extraction: huntbook `extract_iocs(frame, columns=["CommandLine"])` / `extract_iocs(text)`, all 13 of
its types; msticpy `IoCExtract().extract_df(frame, columns=["CommandLine"])` (its default types: no
paths) / `IoCExtract().extract(src=text)` (every type). Unpacking: huntbook
`unpack_frame(frame, columns=["CommandLine"])` / `unpack(text)` (limits raised so it decodes every
payload of the text); msticpy `base64unpack.unpack_df(frame, column="CommandLine")` /
`base64unpack.unpack(input_string=text)`. msticpy reads a prefix of each input where the whole
would take minutes (its input column says how much: `--msticpy-rows`, `--msticpy-unpack-rows`,
`--msticpy-chars`); the ratio compares MB/s.

{speed_table}

Target: huntbook at least {TARGET}× msticpy on one core. Met in {met} of {len(ratios)} tasks:

{verdict or "not measured"}
"""


def main() -> None:
    raw_help = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw_help)
    parser.add_argument(
        "--others-python", default=DEFAULT_OTHERS, help="python with msticpy, iocextract, ioc-finder"
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "huntbook-bench" / "iocs")
    parser.add_argument("--rows", type=int, default=1_000_000, help="command lines")
    parser.add_argument("--mb", type=float, default=50, help="size of the log/report text")
    parser.add_argument("--msticpy-rows", type=int, default=100_000, help="lines msticpy extracts from")
    parser.add_argument("--msticpy-unpack-rows", type=int, default=100_000, help="lines msticpy unpacks")
    parser.add_argument("--msticpy-chars", type=int, default=10_000_000, help="text msticpy reads")
    parser.add_argument("--quick", action="store_true", help="20,000 rows and 2 MB: for development")
    parser.add_argument("--accuracy-only", action="store_true", help="skip the throughput runs")
    parser.add_argument("--verbose", action="store_true", help="print huntbook's misses case by case")
    parser.add_argument(
        "--diffs-of", action="append", choices=TOOLS, default=[], help="print this tool's misses too"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.mb = 20_000, 2
        args.msticpy_rows = args.msticpy_unpack_rows = 5_000
        args.msticpy_chars = 1_000_000
    if args.verbose and "huntbook" not in args.diffs_of:
        args.diffs_of.append("huntbook")
    args.cache.mkdir(parents=True, exist_ok=True)
    pythons = {"huntbook": sys.executable, **dict.fromkeys(TOOLS[1:], args.others_python)}

    tools = probe(pythons, args.cache)
    ready = [t for t in TOOLS if tools[t]["ok"]]
    say("tools: " + ", ".join(f"{t} {tools[t]['version']}" for t in ready))
    if not ready:
        raise SystemExit("no extractor can run; see the messages above")
    say("accuracy on the labelled corpus ...")
    tables = accuracy(pythons, args.cache, ready, args.diffs_of)
    say(tables[0] + "\n\nnested indicators optional:\n" + tables[1])
    if args.accuracy_only:
        return
    if not {"huntbook", "msticpy"} & set(ready):
        raise SystemExit("neither huntbook nor msticpy can run: no throughput to measure")
    speed_table, raw, distinct = throughput(pythons, args.cache, args, ready)
    say(speed_table)
    (args.cache / "throughput.json").write_text(json.dumps(raw, indent=1))
    body = render(args, tools, tables, speed_table, raw, distinct)
    say("\n" + body[body.index("Target:") :])
    for tool in TOOLS:
        if not tools[tool]["ok"]:
            say(f"*** {tool} was SKIPPED: {tools[tool]['hint']}")
    if not args.no_write:
        write_section(ROOT / "bench" / "RESULTS.md", "iocs", body)
        say("written: bench/RESULTS.md (section iocs)")


if __name__ == "__main__":
    main()
