"""The geoip / whois / domain commands (offline parts; the RDAP client is tested in test_whois.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from huntbook.cli import app

runner = CliRunner(env={"COLUMNS": "220"})


def _rows(output):
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_geoip_command():
    result = runner.invoke(app, ["geoip", "8.8.8.8", "10.1.2.3", "junk", "--offline", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    assert [r["status"] for r in rows] == ["ok", "not looked up (private)", "invalid: not an IP address"]
    assert rows[0]["country_code"] == "US"


def test_geoip_reads_stdin_and_prints_a_table():
    result = runner.invoke(app, ["geoip", "-", "--offline"], input="1.1.1.1\n\n2606:4700::1111\n")
    assert result.exit_code == 0, result.output
    assert "CLOUDFLARENET" in result.output and "2 rows" in result.output


def test_geoip_missing_database_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["geoip", "8.8.8.8", "--city-db", str(tmp_path / "none.mmdb")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_domain_command():
    result = runner.invoke(
        app, ["domain", "www.example.co.uk", "xmi6x8zg9rkanmyo.info", "a..b", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    assert rows[0]["registered_domain"] == "example.co.uk" and rows[0]["dga_score"] < 0.3
    assert rows[1]["dga_score"] > 0.9
    assert rows[2]["status"] == "invalid: empty label"


def test_whois_command_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    result = runner.invoke(app, ["whois", "10.0.0.1", "localhost", "--no-cache", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in _rows(result.output)] == [
        "not looked up (private)",
        "not looked up (no public suffix)",
    ]
