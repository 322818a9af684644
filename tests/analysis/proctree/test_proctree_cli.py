"""`huntbook proctree`: the trees of one host, from whichever process table has its events."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from huntbook.cli import app
from huntbook.data.lake.lake import Lake

runner = CliRunner(env={"COLUMNS": "220"})
SYSMON_SAMPLES = "AutomatedTestingTools"
"""EVTX samples with Sysmon event 1 only (no Security channel)."""


SPAN = ("--start", "2019-01-01", "--end", "2022-01-01")
"""Every sample's time."""


def proctree(*args: str, lake: Lake):
    return runner.invoke(app, ["proctree", *args, "--lake", str(lake.path)])


@pytest.fixture(scope="module")
def sysmon_lake(shared_data, tmp_path_factory):
    pytest.importorskip("evtx")
    lake = Lake(tmp_path_factory.mktemp("sysmon") / "lake")
    lake.ingest(shared_data / "evtx" / SYSMON_SAMPLES)
    assert lake.tables() == ["SysmonEvent"]
    return lake


def test_the_intrusion_branch_of_the_demo_lake(demo_lake) -> None:
    result = proctree("--host", "WS-017", "--start", "2026-11-10T09:40:00", "--end", "2026-11-10T12:00:00",
                      lake=demo_lake)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "WINWORD.EXE" in result.output and "odsync.exe" in result.output
    assert "process creations from SecurityEvent" in result.output
    lines = result.output.splitlines()
    word = next(i for i, line in enumerate(lines) if "── WINWORD.EXE pid " in line)
    cradle = lines[word + 1]  # the file name, as process_name holds it, one level below Word
    assert "── powershell.exe pid " in cradle
    assert cradle.index("powershell.exe") == lines[word].index("WINWORD") + 4


def test_an_evtx_lake_of_sysmon_events_needs_no_table(sysmon_lake) -> None:
    result = proctree("--host", "MSEDGEWIN10", *SPAN, lake=sysmon_lake)
    assert result.exit_code == 0, result.output
    assert "process creations from SysmonEvent" in result.output
    assert "tree(s)" in result.output and "rundll32.exe" in result.output


def test_a_table_the_lake_lacks_is_named(sysmon_lake) -> None:
    result = proctree("--host", "MSEDGEWIN10", *SPAN, "--table", "SecurityEvent", lake=sysmon_lake)
    assert result.exit_code != 0
    assert "no table 'SecurityEvent'" in result.output and "Tables: SysmonEvent" in result.output


def test_no_events_names_every_table_tried(sysmon_lake) -> None:
    result = proctree("--host", "NO-SUCH-HOST", *SPAN, lake=sysmon_lake)
    assert result.exit_code != 0
    assert "No process events for host 'NO-SUCH-HOST'" in result.output
    assert "SecurityEvent or SysmonEvent or DeviceProcessEvents" in result.output


def test_an_unknown_table_is_refused(sysmon_lake) -> None:
    result = proctree("--host", "X", *SPAN, "--table", "Syslog", lake=sysmon_lake)
    assert result.exit_code != 0 and "--table must be one of" in result.output
