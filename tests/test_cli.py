import json

import pytest
from typer.testing import CliRunner

from huntbook.cli import app

runner = CliRunner(env={"COLUMNS": "220"})

CSV = (
    "TimeGenerated,Computer,EventID,CommandLine\n"
    "2026-01-01 00:00,WS-1,4688,whoami\n"
    "2026-01-01 01:00,WS-2,4688,ipconfig\n"
)


@pytest.fixture
def lake(tmp_path):
    (tmp_path / "a.csv").write_text(CSV)
    result = runner.invoke(
        app,
        [
            "lake",
            "ingest",
            str(tmp_path / "a.csv"),
            "--table",
            "SecurityEvent",
            "--lake",
            str(tmp_path / "lake"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 rows into SecurityEvent" in result.output
    return tmp_path / "lake"


def test_query_kql_as_json(lake):
    result = runner.invoke(
        app,
        [
            "query",
            "SecurityEvent | where Computer == 'WS-2' | project CommandLine",
            "--lake",
            str(lake),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.output.splitlines()] == [{"CommandLine": "ipconfig"}]


def test_catalog_query_with_params_as_csv(lake):
    result = runner.invoke(
        app,
        [
            "query",
            "WindowsSecurity.list_host_processes",
            "-p",
            "host_name=ws-1",
            "--lake",
            str(lake),
            "-f",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("TimeGenerated,Computer,")
    assert len(lines) == 2 and "whoami" in lines[1]


def test_show_prints_the_query_text(lake):
    result = runner.invoke(
        app,
        [
            "query",
            "WindowsSecurity.list_host_processes",
            "-p",
            "host_name=WS-1",
            "--show",
            "--lake",
            str(lake),
        ],
    )
    assert result.exit_code == 0, result.output
    assert 'host_name:string = "WS-1"' in result.output


def test_sql(lake):
    result = runner.invoke(
        app, ["query", "SELECT count(*) AS n FROM SecurityEvent", "--sql", "--lake", str(lake), "-f", "csv"]
    )
    assert result.output.splitlines() == ["n", "2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "SecurityEvents | take 1"], "no table 'SecurityEvents'"),
        (["query", "WindowsSecurity.list_host_processes"], "needs a value for 'host_name'"),
        (["query", "WindowsSecurity.list_host_processes", "-p", "host_name"], "is not NAME=VALUE"),
        (["query", "SecurityEvent | take 1", "-f", "xml"], "Unknown format 'xml'"),
        (["queries", "--help-for", "WindowsSecurity.list_host_procs"], "Did you mean"),
        (["queries", "WindowsSecurty"], "Did you mean 'WindowsSecurity'"),
    ],
)
def test_errors_exit_2_with_a_message(lake, args, message):
    result = runner.invoke(app, [*args, "--lake", str(lake)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_ingest_error_names_the_line(tmp_path):
    (tmp_path / "bad.csv").write_text("TimeGenerated,EventID\n2026-01-01,x\n")
    result = runner.invoke(
        app,
        [
            "lake",
            "ingest",
            str(tmp_path / "bad.csv"),
            "-t",
            "SecurityEvent",
            "--lake",
            str(tmp_path / "lake"),
        ],
    )
    assert result.exit_code == 2
    assert "line 2, column 'EventID'" in " ".join(result.output.split())


def test_queries_lists_the_catalog(lake):
    result = runner.invoke(app, ["queries", "WindowsSecurity", "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    assert "list_encoded_powershell" in result.output
    assert "AzureAD" not in result.output


def test_queries_help_for_one(lake):
    result = runner.invoke(app, ["queries", "--help-for", "AzureAD.detect_password_spray"])
    assert result.exit_code == 0
    assert "min_accounts : int (default 10)" in result.output
    assert "SigninLogs" in result.output


def test_lake_info(lake):
    result = runner.invoke(app, ["lake", "info", "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    assert "SecurityEvent" in result.output


def test_config_check_without_file(tmp_path, monkeypatch):
    monkeypatch.delenv("HUNTBOOK_CONFIG")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "No huntbook.yaml found" in result.output


def test_config_check_reports_bad_key(tmp_path, monkeypatch):
    (tmp_path / "huntbook.yaml").write_text("lake:\n  pat: x\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(tmp_path / "huntbook.yaml"))
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 2
    assert "unknown key 'lake.pat'" in result.output


def test_config_show_masks_secrets(tmp_path, monkeypatch):
    (tmp_path / "huntbook.yaml").write_text("providers:\n  VT:\n    api_key: topsecret\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(tmp_path / "huntbook.yaml"))
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert "topsecret" not in result.output and "**********" in result.output


def test_ingest_without_a_lake_says_how_to_name_one(tmp_path):
    (tmp_path / "a.csv").write_text(CSV)
    result = runner.invoke(app, ["lake", "ingest", str(tmp_path / "a.csv"), "-t", "SecurityEvent"])
    assert result.exit_code == 2
    assert "pass --lake FOLDER, or set lake.path" in " ".join(result.output.split())


def test_ingest_into_the_configured_lake(tmp_path, monkeypatch):
    (tmp_path / "a.csv").write_text(CSV)
    (tmp_path / "huntbook.yaml").write_text(f"lake:\n  path: {tmp_path / 'mylake'}\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(tmp_path / "huntbook.yaml"))
    result = runner.invoke(app, ["lake", "ingest", str(tmp_path / "a.csv"), "-t", "SecurityEvent"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mylake" / "SecurityEvent").is_dir()
    result = runner.invoke(app, ["query", "SecurityEvent | count", "-f", "csv"])
    assert result.output.splitlines() == ["Count", "2"]
