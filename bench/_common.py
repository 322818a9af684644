"""What both sides of the lake benchmark share: the hunts, the answer format, memory readings.

This module is imported by `huntbook_worker.py` (huntbook's virtualenv) and by
`msticpy_worker.py` (msticpy's own virtualenv, which has no huntbook), so it
uses only the standard library and pandas.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import resource
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Hunt:
    """One typical hunt: the question both sides answer."""

    key: str
    title: str
    tables: tuple[str, ...]
    question: str


HUNTS: dict[str, Hunt] = {
    h.key: h
    for h in (
        Hunt(
            "a",
            "Filter by host and time",
            ("SecurityEvent",),
            "4688 process creations of the intrusion's victim host in the 1-day window of the intrusion.",
        ),
        Hunt(
            "b",
            "Summarize counts by hour",
            ("SecurityEvent",),
            "Events per hour and EventID over the whole SecurityEvent table.",
        ),
        Hunt(
            "c",
            "Join logons to process creations",
            ("SecurityEvent",),
            "Network logons (4624, LogonType 3) on the last lateral-movement target and the processes "
            "(4688) started in those logon sessions (SubjectLogonId == TargetLogonId, same Computer).",
        ),
        Hunt(
            "d",
            "Password-spray detection",
            ("SigninLogs",),
            "Source IPs with password failures (50126) for >= 10 distinct users within one clock hour.",
        ),
        Hunt(
            "e",
            "Catalog query through its function",
            ("SecurityEvent",),
            "WindowsSecurity.list_host_processes(host_name, start, end) on the victim host, intrusion day.",
        ),
    )
}

PICKLE_FILES = {"SecurityEvent": "securityevent.pkl", "SigninLogs": "signinlogs.pkl"}
"""The file each lake table is converted to for msticpy's LocalData provider."""

MSTICPY_CATALOG_FILE = "processes_on_host.pkl"
"""The file msticpy's LocalData catalog reads for ``WindowsSecurity.list_host_processes``."""


def rss_mb() -> float:
    """Peak resident set size of this process so far (``ru_maxrss``), in MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024


def _proc_status_mb(field: str) -> float | None:
    """A memory field of ``/proc/self/status`` (Linux) in MiB, or None where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """Peak resident set size of this process's own memory so far, in MiB.

    On Linux this is ``VmHWM``, not ``ru_maxrss``: a process started by
    fork+exec carries its parent's peak in ``ru_maxrss`` (the kernel folds the
    old address space's high-water mark into it at exec), so a worker started
    by a parent that once held 360 MB reports at least 360 MB whatever it
    does. ``VmHWM`` belongs to the address space exec created. Elsewhere,
    ``ru_maxrss``.
    """
    hwm = _proc_status_mb("VmHWM")
    return rss_mb() if hwm is None else hwm


def current_rss_mb() -> float:
    """Resident set size of this process right now, in MiB (Linux; elsewhere the peak so far).

    The memory baseline is read with this rather than the peak: importing a
    library can peak above where it settles (compiling bytecode, say), and a
    peak baseline would hide that much of the hunt's own increment.
    """
    gc.collect()
    rss = _proc_status_mb("VmRSS")
    return peak_rss_mb() if rss is None else rss


def parse_time(text: str) -> dt.datetime:
    """An ISO-8601 text as an aware UTC datetime."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _cell(value: Any) -> Any:
    """One answer value in a form both pandas versions agree on."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
    except ImportError:  # pragma: no cover - both workers have pandas
        pass
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    return str(value)


def canonical(frame: Any) -> dict[str, Any]:
    """The answer of a hunt as plain JSON: columns, row count and every row.

    Rows keep the order the hunt produced (``ordered_rows``) and are also
    given sorted (``rows``), so equal answers compare equal however ties in a
    ``sort`` came out.
    """
    columns = [str(c) for c in frame.columns]
    data = [[_cell(v) for v in frame[c].astype(object).tolist()] for c in frame.columns]
    ordered = [list(row) for row in zip(*data, strict=True)] if data else []
    return {
        "columns": columns,
        "row_count": len(frame),
        "rows": sorted(ordered, key=lambda r: json.dumps(r)),
        "ordered_rows": ordered,
    }


def median(values: list[float]) -> float:
    """The median of *values*."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
