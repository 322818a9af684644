"""Lakes for the QueryProvider tests: a few rows, the shared EVTX files, a Sysmon DNS export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from huntbook.data.lake.lake import Lake


def _lake_of_rows(folder: Path, table: str, rows: list[dict[str, Any]]) -> Lake:
    """A lake in *folder* whose *table* holds *rows*, ingested as JSON lines as a user would."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    lake = Lake(folder / "lake")
    lake.ingest(folder / "rows.jsonl", table)
    return lake


@pytest.fixture(scope="session")
def lake_of_rows() -> Callable[[Path, str, list[dict[str, Any]]], Lake]:
    """`_lake_of_rows`, for fixtures of any scope."""
    return _lake_of_rows


@pytest.fixture(scope="session")
def evtx_lake(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Lake:
    """A lake ingested once per session from ``../shared/data/evtx`` (Security, Sysmon, other channels)."""
    pytest.importorskip("evtx")
    lake = Lake(tmp_path_factory.mktemp("evtx-lake") / "lake")
    lake.ingest(shared_data / "evtx")
    return lake


SYSMON_DNS_LOOKUPS = [
    ("2024-05-01T10:00:00Z", "WS-1.corp.example", "evil.example.com"),
    ("2024-05-01T10:00:01Z", "WS-1.corp.example", "cdn.EVIL.example.com"),
    ("2024-05-01T10:00:02Z", "WS-1.corp.example", "notevil.example.com"),
    ("2024-05-01T10:00:03Z", "WS-2.corp.example", "evil.example.com"),
]
"""(time, host, name) of the Sysmon 22 events in `sysmon_dns_lake`."""


def _winlogbeat_dns(time: str, host: str, name: str) -> dict[str, Any]:
    """A Sysmon 22 (DNS query) event as Winlogbeat exports it."""
    data = {
        "QueryName": name,
        "QueryStatus": "0",
        "QueryResults": "::ffff:203.0.113.7;",
        "Image": "C:\\Windows\\System32\\curl.exe",
        "ProcessId": "4242",
    }
    return {
        "@timestamp": time,
        "winlog": {
            "channel": "Microsoft-Windows-Sysmon/Operational",
            "event_id": 22,
            "computer_name": host,
            "provider_name": "Microsoft-Windows-Sysmon",
            "event_data": data,
        },
    }


@pytest.fixture(scope="session")
def sysmon_dns_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """A lake of the Sysmon 22 events `SYSMON_DNS_LOOKUPS`, ingested from a Winlogbeat export
    (the shared EVTX files hold none)."""
    folder = tmp_path_factory.mktemp("sysmon-dns")
    (folder / "sysmon.jsonl").write_text(
        "\n".join(json.dumps(_winlogbeat_dns(*x)) for x in SYSMON_DNS_LOOKUPS)
    )
    lake = Lake(folder / "lake")
    lake.ingest(folder / "sysmon.jsonl")
    return lake
