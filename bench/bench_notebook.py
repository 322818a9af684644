"""`init_notebook()` time, huntbook vs msticpy 3.0.2, in a plain Python process and in a real Jupyter kernel.

    .venv/bin/python bench/bench_notebook.py [--runs 5] [--msticpy-python /work/msticpy-venv/bin/python]
        [--write-results]

Each run is a fresh process: a ``python -c`` script, or a fresh IPython
kernel started through nbclient (each side's kernel runs its own
virtualenv's Python; the kernel's start-up is not counted). The figure is
what the user waits for: importing the package plus the ``init_notebook()``
call, timed inside the process. Both sides run as a new user would: no config
file (the working folder is an empty temporary one and ``HUNTBOOK_CONFIG`` /
``MSTICPYCONFIG`` are unset). huntbook and msticpy runs alternate, so drift
on the shared machine hits both alike; the median of ``--runs`` is shown.

The kernel runs need ``ipykernel`` in both virtualenvs and ``nbclient`` here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MSTICPY_PYTHON = "/work/msticpy-venv/bin/python"
TARGET_SECONDS = 0.5

CODE = {
    "huntbook": (
        "import time as _t\n_s, _c = _t.perf_counter(), _t.process_time()\n"
        "from huntbook.notebook import init_notebook\n_i = _t.perf_counter()\n"
        "init_notebook()\n_e = _t.perf_counter()\n"
        "import sys as _sys\n"
        "print('BENCH', _i - _s, _e - _i, _t.process_time() - _c, len(_sys.modules), flush=True)\n"
    ),
    "msticpy": (
        "import time as _t\n_s, _c = _t.perf_counter(), _t.process_time()\n"
        "import msticpy\n_i = _t.perf_counter()\n"
        "msticpy.init_notebook()\n_e = _t.perf_counter()\n"
        "import sys as _sys\n"
        "print('BENCH', _i - _s, _e - _i, _t.process_time() - _c, len(_sys.modules), flush=True)\n"
    ),
}
"""The cell (or script) each side runs: import, then init_notebook(), each timed."""


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HUNTBOOK_CONFIG", "MSTICPYCONFIG")}
    env["HOME"] = str(workdir)  # no user-level config on either side
    return env


def _parse(text: str) -> dict[str, float]:
    line = next(line for line in text.splitlines() if line.startswith("BENCH "))
    _, imports, init, cpu, modules = line.split()
    return {
        "cpu": float(cpu),
        "import": float(imports),
        "init": float(init),
        "total": float(imports) + float(init),
        "modules": int(modules),
    }


def run_script(python: str, side: str, workdir: Path) -> dict[str, float]:
    """One fresh ``python -c`` process."""
    out = subprocess.run(
        [python, "-c", CODE[side]],
        cwd=workdir,
        env=_environment(workdir),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return _parse(out.stdout)


def _kernelspec(root: Path, name: str, python: str) -> None:
    folder = root / "kernels" / name
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": name,
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec))


def run_kernel(side: str, workdir: Path) -> dict[str, float]:
    """One fresh Jupyter kernel executing the cell through nbclient."""
    import nbclient
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CODE[side])]
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(_environment(workdir))
    os.environ["JUPYTER_PATH"] = str(workdir / "jupyter")
    try:
        nbclient.NotebookClient(
            notebook, timeout=300, kernel_name=f"bench-{side}", resources={"metadata": {"path": str(workdir)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    text = "".join(o.get("text", "") for o in notebook.cells[0].outputs if o["output_type"] == "stream")
    return _parse(text)


def git_state() -> str:
    """Short commit of the checkout, marked when ``src/`` has uncommitted changes."""
    root = HERE.parent
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True, text=True
    )
    return head.stdout.strip() + (" (src/ with uncommitted changes)" if dirty.stdout.strip() else "")


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--msticpy-python", default=MSTICPY_PYTHON)
    parser.add_argument("--no-kernel", action="store_true", help="only the plain-process runs")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    pythons = {"huntbook": sys.executable, "msticpy": args.msticpy_python}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as tmp:
        workdir = Path(tmp)
        for side, python in pythons.items():
            _kernelspec(workdir / "jupyter", f"bench-{side}", python)
        contexts = ["script"] + ([] if args.no_kernel else ["kernel"])
        for context in contexts:
            for run in range(args.runs):
                for side in pythons:
                    if context == "script":
                        figures = run_script(pythons[side], side, workdir)
                    else:
                        figures = run_kernel(side, workdir)
                    results.setdefault((context, side), []).append(figures)
                    print(
                        f"{context:6} {side:8} run {run + 1}: import {figures['import']:.3f} s, "
                        f"init_notebook {figures['init']:.3f} s",
                        flush=True,
                    )
    body = _section(results, args)
    print(body)
    if args.write_results:
        sys.path.insert(0, str(HERE))
        from results_md import write_section

        write_section(HERE / "RESULTS.md", "notebook", body)
    return 0


def _section(results: dict[tuple[str, str], list[dict[str, float]]], args: argparse.Namespace) -> str:
    lines = [
        "## Notebook start-up: `init_notebook()`",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on huntbook commit {git_state()}. "
        "Produced by:",
        "",
        "```bash",
        f"cd /work/main && .venv/bin/python bench/bench_notebook.py --runs {args.runs} --write-results",
        "```",
        "",
        "Import of the package plus the `init_notebook()` call, timed inside a fresh process; median of "
        f"{args.runs} runs and the best run, huntbook and msticpy runs alternating. `kernel`: a fresh "
        "IPython kernel per run, started by nbclient with each side's own virtualenv (start-up not "
        "counted); `script`: `python -c`. CPU s: the process's CPU time over the same span (less "
        "disturbed by other work on the machine than the wall time). No config file on either side. "
        f"Target (issue 6): under {TARGET_SECONDS} s.",
        "",
        "| context | side | import s | init_notebook() s | total s, median | total s, best | CPU s, median "
        "| modules | target |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for (context, side), runs in results.items():
        total, best = _median(runs, "total"), min(r["total"] for r in runs)
        met = ""
        if side == "huntbook":
            met = (
                "met"
                if total < TARGET_SECONDS
                else ("met by the best run only" if best < TARGET_SECONDS else "MISSED")
            )
        lines.append(
            f"| {context} | {side} | {_median(runs, 'import'):.3f} | {_median(runs, 'init'):.3f} | "
            f"{total:.3f} | {best:.3f} | {_median(runs, 'cpu'):.3f} | {int(_median(runs, 'modules')):,} "
            f"| {met} |"
        )
    lines.append("")
    lines.append(
        f"Machine load average (1 min) before / after: {args.load_before:.1f} / {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs (shared with other work; the best run is the least disturbed figure)."
    )
    lines.append("")
    for context in dict.fromkeys(c for c, _ in results):
        ours, theirs = results.get((context, "huntbook")), results.get((context, "msticpy"))
        if ours and theirs:
            ratio = _median(theirs, "total") / _median(ours, "total")
            best = min(r["total"] for r in theirs) / min(r["total"] for r in ours)
            lines.append(
                f"- {context}: msticpy takes {ratio:.1f}× as long as huntbook ({best:.1f}× best to best)."
            )
    lines += [
        "",
        "huntbook's `init_notebook()` imports pandas, numpy, `QueryProvider` (DuckDB loads on connect), "
        "IoC extraction, decoding, process trees and the TI lookup into the notebook, registers the "
        "DataFrame accessors, "
        "sets pandas display options and checks the setup (config file, lake folder, TI keys, extras, "
        "dependency versions from the installed metadata); it leaves Bokeh, ipywidgets and cloud SDKs "
        "until they are used. After msticpy's, these are loaded too (checked in a plain process): its "
        "pivots, data providers, TI lookup and timeline modules, bokeh, ipywidgets, folium, networkx, "
        "httpx and azure-identity.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
