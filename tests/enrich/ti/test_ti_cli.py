"""`huntbook lookup`: the demo lake's TI table from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from huntbook.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def c2_ip(ground_truth):
    return next(i.value for i in ground_truth.indicators if i.role == "c2_ip")


def test_lookup_table(demo_lake, ground_truth):
    result = runner.invoke(app, ["lookup", c2_ip(ground_truth), "contoso-sync.net", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"{c2_ip(ground_truth)} (ipv4): malicious" in result.output
    assert "contoso-sync.net (domain): unknown" in result.output


def test_lookup_json_with_a_cache_from_config(demo_lake, ground_truth, tmp_path):
    config = tmp_path / "huntbook.yaml"
    config.write_text(f"providers:\n  ti:\n    cache_path: {tmp_path / 'ti.sqlite'}\n")
    env = {"HUNTBOOK_CONFIG": str(config), "COLUMNS": "200"}
    for _ in range(2):
        result = CliRunner(env=env).invoke(app, ["lookup", c2_ip(ground_truth), "-f", "json", "-p", "lake"])
        assert result.exit_code == 0, result.output
    row = json.loads(result.output.strip())
    assert row["verdict"] == "malicious" and row["provider"] == "lake"
    assert (tmp_path / "ti.sqlite").is_file()


def test_lookup_stdin_csv(demo_lake, ground_truth):
    result = runner.invoke(
        app, ["lookup", "-", "-f", "csv", "--no-cache"], input=f"{c2_ip(ground_truth)}\n\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("observable,type,provider,verdict")
    assert len(result.output.strip().splitlines()) == 2


def test_an_unknown_provider_is_a_clear_error():
    result = runner.invoke(app, ["lookup", "1.2.3.4", "-p", "virustota", "--no-cache"])
    assert result.exit_code == 2
    assert "unknown TI provider 'virustota'. Did you mean 'virustotal'?" in result.output


def test_importing_the_ti_package_is_light():
    code = (
        "import sys, huntbook.enrich.ti, huntbook.enrich.ti.provider, huntbook.enrich.ti.registry; "
        "print([m for m in ('pandas', 'httpx', 'duckdb', 'stix2') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
