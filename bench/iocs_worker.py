"""Run one extractor on one task in this fresh process, pinned to one core, and write JSON.

Usage (bench_iocs.py calls it, in huntbook's virtualenv or in the one with
msticpy 3.0.2, iocextract and ioc-finder)::

    python bench/iocs_worker.py --tool msticpy --task extract_text --input log.txt --out result.json

Tasks: ``probe`` (can this Python run the tool? which versions?),
``accuracy`` (every case of the labelled corpus; the indicators found, by
corpus type name), ``extract_rows`` / ``unpack_rows`` (a command-line
table), ``extract_text`` / ``unpack_text`` (one text). Times exclude imports
and reading the input; memory is the peak RSS increment over the RSS right
after both.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

from _common import current_rss_mb, peak_rss_mb

CORPUS_TYPES = ["ipv4", "ipv6", "domain", "url", "email", "md5", "sha1", "sha256", "winpath", "linpath"]

SUPPORTED: dict[str, dict[str, str]] = {
    "huntbook": {t: t for t in CORPUS_TYPES},
    "msticpy": {
        "ipv4": "ipv4",
        "ipv6": "ipv6",
        "dns": "domain",
        "url": "url",
        "email": "email",
        "md5_hash": "md5",
        "sha1_hash": "sha1",
        "sha256_hash": "sha256",
        "windows_path": "winpath",
        "linux_path": "linpath",
    },
    "iocextract": {t: t for t in ("ipv4", "ipv6", "url", "email", "md5", "sha1", "sha256")},
    "ioc-finder": {
        "ipv4s": "ipv4",
        "ipv6s": "ipv6",
        "domains": "domain",
        "urls": "url",
        "email_addresses": "email",
        "md5s": "md5",
        "sha1s": "sha1",
        "sha256s": "sha256",
        # one type, "file_paths" (not parsed by default; asked for here), split by shape:
        "file_paths:windows": "winpath",  # drive letter, colon, ... (its Windows grammar)
        "file_paths:unix": "linpath",  # starts with / or ~ (its Unix grammar)
    },
}
"""Per tool: its own type name -> the corpus type it finds (types not listed are unsupported).

A type a tool cannot find shows as "—" and stays out of its overall score:
iocextract 1.16 has no domain or path extractor; ioc-finder finds paths only
when they end in a file extension. msticpy 3.0.2's ``IoCExtract`` does have an ``email`` type
(``IoCType.email``), and ``extract(src=...)`` searches every type, paths too.
ioc-finder's paths: ``C:\\dir\\name.ext``, ``/dir/name.ext``, ``~/name.ext``.
"""

VERSION_OF = {tool: tool for tool in ("huntbook", "msticpy", "iocextract", "ioc-finder")}
"""The distribution whose version is reported for each tool."""

MODULES = {
    "huntbook": ["huntbook.analysis.iocs", "huntbook.analysis.decode"],
    "msticpy": ["msticpy.transform.iocextract", "msticpy.transform.base64unpack"],
    "iocextract": ["iocextract"],
    "ioc-finder": ["ioc_finder"],
}
"""What each tool's side imports: a worker that cannot import them reports the tool missing."""


def extractor(tool: str) -> Callable[[str], dict[str, list[str]]]:
    """A function from text to the indicators *tool* finds, by corpus type name."""
    if tool == "huntbook":
        from huntbook.analysis.iocs import extract_iocs

        def run(text: str) -> dict[str, list[str]]:
            frame = extract_iocs(text, types=CORPUS_TYPES)
            found: dict[str, list[str]] = {}
            for kind, value in zip(frame["type"].astype(str), frame["observable"].astype(str), strict=True):
                found.setdefault(kind, []).append(value)
            return found

        return run
    if tool == "msticpy":
        from msticpy.transform.iocextract import IoCExtract

        msticpy = IoCExtract()
        names = SUPPORTED["msticpy"]
        return lambda text: {names[k]: sorted(v) for k, v in msticpy.extract(src=text).items() if k in names}
    if tool == "iocextract":
        import iocextract

        def run_iocextract(text: str) -> dict[str, list[str]]:
            return {
                "ipv4": list(iocextract.extract_ipv4s(text, refang=True)),
                "ipv6": list(iocextract.extract_ipv6s(text)),
                "url": list(iocextract.extract_urls(text, refang=True)),
                "email": list(iocextract.extract_emails(text, refang=True)),
                "md5": list(iocextract.extract_md5_hashes(text)),
                "sha1": list(iocextract.extract_sha1_hashes(text)),
                "sha256": list(iocextract.extract_sha256_hashes(text)),
            }

        return run_iocextract
    if tool == "ioc-finder":
        import re

        from ioc_finder import find_iocs

        names = SUPPORTED["ioc-finder"]
        wanted = sorted({name.split(":")[0] for name in names})
        windows = re.compile(r"[A-Za-z0-9]:")

        def run_ioc_finder(text: str) -> dict[str, list[str]]:
            found = find_iocs(text, included_ioc_types=wanted)
            out = {names[k]: list(v) for k, v in found.items() if k in names}
            for path in found.get("file_paths", []):
                shape = "windows" if windows.match(path) else "unix"
                out.setdefault(names[f"file_paths:{shape}"], []).append(path)
            return out

        return run_ioc_finder
    raise SystemExit(f"unknown tool {tool}")


def probe(tool: str) -> dict[str, Any]:
    """Whether this Python can run *tool*, and the versions it would run."""
    import importlib
    import importlib.metadata
    import platform

    try:
        for module in MODULES[tool]:
            importlib.import_module(module)
    except Exception as exc:  # any failure to import means the tool cannot run here
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {
        "ok": True,
        "version": importlib.metadata.version(VERSION_OF[tool]),
        "pandas": importlib.metadata.version("pandas"),
        "python": platform.python_version(),
    }


def run_task(tool: str, task: str, source: str | None, limit: int | None) -> dict[str, Any]:
    """Time *task*; the result holds seconds, input size, output size and memory."""
    import pandas as pd

    if task == "probe":
        return probe(tool)
    if task == "accuracy":
        assert source is not None
        with open(source, encoding="utf-8") as corpus:
            cases = [json.loads(line) for line in corpus if line.strip()]
        extract = extractor(tool)
        started = time.perf_counter()
        found = {case["id"]: extract(case["text"]) for case in cases}
        return {"found": found, "seconds": time.perf_counter() - started}
    assert source is not None
    if task.endswith("_rows"):
        data: Any = pd.read_parquet(source)
        if limit:
            data = data.head(limit)
        size = int(data["CommandLine"].str.len().sum())
        rows = len(data)
    else:
        with open(source, encoding="utf-8") as text:
            data = text.read()
        if limit:
            data = data[:limit]
        size, rows = len(data), data.count("\n") + 1
    call = _call(tool, task)
    call(data.head(20) if task.endswith("_rows") else data[:2000])  # one-time setup (compiling patterns)
    baseline = current_rss_mb()
    started = time.perf_counter()
    out = call(data)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "bytes": size,
        "rows": rows,
        "found": _count(out),
        "mb_per_s": size / 1e6 / seconds,
        "rows_per_s": rows / seconds,
        "memory_mb": peak_rss_mb() - baseline,
    }


def _call(tool: str, task: str) -> Callable[[Any], Any]:
    if tool == "huntbook":
        if task.startswith("extract"):
            from huntbook.analysis.iocs import extract_iocs

            if task.endswith("rows"):
                return lambda d: extract_iocs(d, columns=["CommandLine"])
            return extract_iocs
        from huntbook.analysis.decode import unpack, unpack_frame

        if task.endswith("rows"):
            return lambda d: unpack_frame(d, columns=["CommandLine"])
        # limits high enough to decode every payload of a 50 MB text, as msticpy does
        return lambda d: unpack(d, max_layers=10_000_000, max_total_bytes=1 << 34)
    if tool == "msticpy":
        if task.startswith("extract"):
            from msticpy.transform.iocextract import IoCExtract

            msticpy = IoCExtract()
            if task.endswith("rows"):
                return lambda d: msticpy.extract_df(d, columns=["CommandLine"])
            return lambda d: msticpy.extract(src=d)
        from msticpy.transform import base64unpack

        if task.endswith("rows"):
            return lambda d: base64unpack.unpack_df(d, column="CommandLine")
        return lambda d: base64unpack.unpack(input_string=d)
    raise SystemExit(f"{tool} has no {task}")


def _count(out: Any) -> int:
    """How many indicators or decoded layers *out* holds."""
    if isinstance(out, dict):
        return sum(len(v) for v in out.values())
    if isinstance(out, tuple):  # msticpy's unpack: (decoded text, frame)
        return len(out[1])
    if hasattr(out, "layers"):  # huntbook's unpack: the root layer
        return sum(1 for _ in out.layers())
    return len(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tool", required=True, choices=list(SUPPORTED))
    parser.add_argument("--task", required=True)
    parser.add_argument("--input")
    parser.add_argument("--limit", type=int, help="rows (tables) or characters (text) to use")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.sched_setaffinity(0, {0})
    try:
        import pyarrow

        pyarrow.set_cpu_count(1)
        pyarrow.set_io_thread_count(1)
    except ImportError:
        pass
    result = run_task(args.tool, args.task, args.input, args.limit)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
