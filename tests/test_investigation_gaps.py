"""The demo investigation on lakes that are not the demo lake: the steps their tables feed run and keep
their results; the others say which tables they need and how to ingest them; the command's exit code.

The command runs as the installed ``huntbook`` script (a subprocess), as a user runs it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from huntbook.data.lake.lake import Lake
from huntbook.data.provider import QueryProvider
from huntbook.investigation import STEPS, run_investigation
from huntbook.investigation_gaps import how_to_fill, missing_tables

HUNTBOOK = Path(sys.executable).with_name("huntbook")
PART = ("SecurityEvent", "SecurityAlert", "SigninLogs")
"""The demo lake's tables copied into the partial lake."""


def huntbook(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command, its terminal wide enough that no table cell wraps."""
    environ = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run(
        [str(HUNTBOOK), *map(str, args)], capture_output=True, text=True, env=environ, cwd=cwd, timeout=600
    )


@pytest.fixture(scope="module")
def partial_lake(demo_lake, tmp_path_factory) -> Path:
    """A lake holding three of the demo lake's tables, ingested from its Parquet files."""
    path = tmp_path_factory.mktemp("partial") / "lake"
    lake = Lake(path)
    for table in PART:
        lake.ingest(demo_lake.files(table), table)
    return path


@pytest.fixture(scope="module")
def unrelated_lake(tmp_path_factory) -> Path:
    """A lake with one table the investigation has no use for."""
    folder = tmp_path_factory.mktemp("unrelated")
    rows = folder / "rows.csv"
    rows.write_text("TimeGenerated,Message\n2026-01-01T00:00:00Z,hello\n")
    Lake(folder / "lake").ingest([rows], "MyLogs_CL")
    return folder / "lake"


@pytest.fixture(scope="module")
def partial(partial_lake):
    provider = QueryProvider("Local", lake=partial_lake)
    provider.connect()
    yield run_investigation(provider)
    provider.close()


def finding(investigation, title):
    (found,) = [f for f in investigation.findings if f.step.startswith(title)]
    return found


def test_steps_the_tables_feed_run_and_keep_their_results(partial, ground_truth):
    intrusion = ground_truth.intrusion
    alerts = finding(partial, "Alerts")
    assert alerts.ran and alerts.found
    phishing = finding(partial, "Initial access")
    assert phishing.ran and [h.split(".")[0] for h in phishing.hosts] == [intrusion.host]
    execution = finding(partial, "Execution")
    assert execution.indicators["url"] == [intrusion.cradle_url]
    assert finding(partial, "Credential access").found
    spray = finding(partial, "Password spray")
    assert spray.ran and ground_truth.password_spray.source_ip in spray.indicators["ip"]
    assert intrusion.host in partial.hosts()


def test_steps_without_their_tables_are_not_run_and_name_them(partial):
    c2 = finding(partial, "Command and control")
    assert not c2.ran and c2.error is None
    assert c2.not_run == "needs table CommonSecurityLog, which the lake does not have"
    assert set(c2.missing) == {"CommonSecurityLog", "DnsEvents"}  # DNS too: the step would use it
    ti = finding(partial, "Threat intelligence")
    assert ti.not_run == (
        "needs tables ThreatIntelligenceIndicator and CommonSecurityLog, which the lake does not have"
    )
    assert finding(partial, "SSH brute force").not_run == "needs table Syslog, which the lake does not have"
    assert [f.step for f in partial.findings if f.error is not None] == []  # nothing is a failure


def test_a_step_without_an_optional_table_runs_and_says_what_it_left_out(partial, ground_truth):
    exfil = finding(partial, "Collection and exfiltration")
    assert exfil.ran and exfil.queries == ["WindowsSecurity.list_archive_staging"]
    assert exfil.summary.startswith("Data archived with 7z.exe on ")
    assert exfil.missing == {"CommonSecurityLog": ["Network.list_large_outbound_transfers"]}
    assert exfil.left_out() == "Network.list_large_outbound_transfers was not run: no table CommonSecurityLog"
    lateral = finding(partial, "Lateral movement")
    assert lateral.ran and "Heartbeat" in lateral.missing
    assert lateral.summary.startswith("The compromised host's address is not known")  # not "no logons"


def test_missing_tables_say_what_they_hold_who_needs_them_and_how_to_add_them(partial, partial_lake):
    rows = {row.table: row for row in missing_tables(partial.findings, partial.lake)}
    assert set(rows) == {
        "CommonSecurityLog",
        "DnsEvents",
        "ThreatIntelligenceIndicator",
        "Heartbeat",
        "Syslog",
    }
    csl = rows["CommonSecurityLog"]
    assert csl.steps == ("Command and control: beaconing", "Threat intelligence matches")
    assert csl.partly == ("Collection and exfiltration",)
    assert csl.holds == "Firewall and proxy logs in CEF form."
    assert csl.how.startswith(f"huntbook lake ingest FILE --table CommonSecurityLog --lake {partial_lake} ")


def test_how_to_fill_an_event_table_is_from_event_files():
    assert how_to_fill("SecurityEvent").startswith(
        "huntbook lake ingest PATH --lake LAKE (Windows event files"
    )
    assert "Security events go to SecurityEvent" in how_to_fill("SecurityEvent")
    assert how_to_fill("SysmonEvent", Path("my lake")).startswith(
        "huntbook lake ingest PATH --lake 'my lake' "
    )


def test_every_step_declares_the_catalog_queries_it_runs(qp):
    names = set(qp.list_queries())
    for step in STEPS:
        assert step.needs or step.optional, step.title
        assert set(step.needs) | set(step.optional) <= names
        assert all(qp.query(q).query.tables for q in (*step.needs, *step.optional))  # so they can be checked


def test_a_backend_table_error_mid_step_is_not_run_rather_than_failed(qp, monkeypatch):
    """A table the catalog did not declare (or a backend that cannot list its tables): the error says so."""
    from huntbook.errors import UnknownTableError

    def lacks(*args, **kwargs):
        raise UnknownTableError("no table 'SecurityAlert'", table="SecurityAlert")

    monkeypatch.setattr("huntbook.investigation._lake_tables", lambda provider: None)  # cannot tell
    monkeypatch.setattr("huntbook.investigation.STEPS", STEPS[:2])
    monkeypatch.setattr(qp, "run", lacks)
    result = run_investigation(qp)
    assert [f.not_run for f in result.findings] == [
        "needs table SecurityAlert, which the lake does not have"
    ] * 2
    assert result.ran() == []


def test_demo_on_a_partial_lake_runs_what_it_can_and_says_what_to_ingest(partial_lake, tmp_path):
    done = huntbook("demo", "--lake", partial_lake, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "not run: needs table CommonSecurityLog, which the lake does not have" in out
    assert "Missing tables: ingest them to run these steps" in out
    assert f"huntbook lake ingest FILE --table Syslog --lake {partial_lake} (a CSV" in out
    assert "8 of 11 steps ran; 3 could not run: the tables they need are not in the lake." in out
    assert "failed:" not in out and ".yaml:" not in out  # no catalog paths, no failures
    report = (tmp_path / "out" / "huntbook-demo-report.html").read_text(encoding="utf-8")
    assert "<h2>Steps that could not run</h2>" in report
    assert "Not run: needs table Syslog, which the lake does not have." in report
    assert (
        "Left out: Network.list_large_outbound_transfers was not run: no table CommonSecurityLog." in report
    )
    assert "<h2>Timeline (UTC)</h2>" in report  # what ran is drawn


def test_demo_on_a_lake_with_nothing_it_can_use_fails_plainly_and_writes_no_report(unrelated_lake, tmp_path):
    done = huntbook("demo", "--lake", unrelated_lake, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    error = " ".join(done.stderr.split())
    assert error.startswith(f"error: No step of the investigation ran on the lake at {unrelated_lake}: ")
    assert "0 of 11 steps ran; 11 could not run" in error and "No report written." in error
    assert "'huntbook lake generate FOLDER', then 'huntbook demo --lake FOLDER'" in error
    assert "SecurityEvent" in done.stdout and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_demo_on_a_lake_of_windows_event_files(shared_data, tmp_path):
    """A lake made by 'huntbook lake ingest' from .evtx files: the Windows steps run, the rest are named."""
    lake = tmp_path / "evtx-lake"
    made = huntbook(
        "lake", "ingest", shared_data / "evtx" / "Credential_Access", "--lake", lake, cwd=tmp_path
    )
    assert made.returncode == 0, made.stdout + made.stderr
    done = huntbook("demo", "--lake", lake, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not run: needs table SecurityAlert" in done.stdout and "failed:" not in done.stdout
    ran = re.search(r"(\d+) of 11 steps ran", done.stdout)
    assert ran and int(ran.group(1)) >= 5  # the steps on SecurityEvent
    assert (tmp_path / "out" / "huntbook-demo-report.html").is_file()
