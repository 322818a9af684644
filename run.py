#!/usr/bin/env python3
"""Set up huntbook in ./.venv and run a task: ``python3 run.py demo|test|bench [NAME]``.

Needs only Python 3.11+. The virtual environment is (re)installed when
``pyproject.toml`` changes; otherwise setup costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".setup-stamp"
EXTRAS = {"demo": "[vis,geo,ti]", "test": "[dev]", "bench": "[dev]"}
BENCHES = {
    name: f"bench/bench_{name}.py"
    for name in ("lake", "iocs", "proctree", "evtx", "ti", "geoip", "timeline", "notebook", "spark")
}


def _run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def setup(extras: str) -> None:
    """Create .venv and install huntbook (with *extras*) if anything changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an older python3
        sys.exit(f"huntbook needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    done = STAMP.read_text().split() if STAMP.is_file() else []
    if wanted in done:
        return
    if not PY.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PY, "-m", "pip", "install", "--quiet", "-e", f".{extras}")
    STAMP.write_text("\n".join([*done, wanted]))


def main() -> None:
    """Run the task named on the command line."""
    task = sys.argv[1] if len(sys.argv) > 1 else ""
    if task not in EXTRAS:
        sys.exit(f"usage: python3 run.py demo|test|bench [{'|'.join(BENCHES)}] [args...]")
    setup(EXTRAS[task])
    rest = sys.argv[2:]
    if task == "demo":
        _run(BIN / "huntbook", "demo", *rest)
    elif task == "test":
        _run(BIN / "ruff", "check", "src", "tests", "bench", "run.py")
        _run(BIN / "mypy")
        _run(PY, "-m", "pytest", "-n", "2", *rest)
    else:
        bench = rest.pop(0) if rest and rest[0] in BENCHES else "lake"
        _run(PY, BENCHES[bench], *rest)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
