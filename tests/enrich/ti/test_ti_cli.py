"""`huntbook lookup`: the demo lake's TI table from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from huntbook.cli import app
from huntbook.data.lake.demo import load_ground_truth
from huntbook.data.lake.intel_feed import FEED_FILE, feed_indicators

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


HUNTBOOK = str(Path(sys.executable).with_name("huntbook"))
"""The real ``huntbook`` command of this environment."""


def _lookup_feeds(values, tmp_path, config_text=None):
    """``huntbook lookup -p feeds VALUES -f json`` in a fresh process; rows by observable."""
    env = {k: v for k, v in os.environ.items() if k != "HUNTBOOK_CONFIG"}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"), "COLUMNS": "200"}
    if config_text is not None:
        (tmp_path / "huntbook.yaml").write_text(config_text)
        env["HUNTBOOK_CONFIG"] = str(tmp_path / "huntbook.yaml")
    out = subprocess.run(
        [HUNTBOOK, "lookup", "-p", "feeds", *values, "-f", "json", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    return {row["observable"]: row for row in map(json.loads, out.stdout.splitlines())}


def test_feeds_on_the_demo_lake_uses_its_feed_without_config(demo_lake, ground_truth, tmp_path):
    in_feed = [i.value for i in feed_indicators(ground_truth)]
    only_in_table = ground_truth.password_spray.source_ip  # the TI table has it, the feed does not
    rows = _lookup_feeds([*in_feed, only_in_table], tmp_path)
    for value in in_feed:
        assert rows[value]["provider"] == "feeds" and rows[value]["verdict"] == "malicious", rows[value]
        assert rows[value]["details"]["file"] == FEED_FILE.name
    assert rows[only_in_table]["verdict"] == "unknown" and rows[only_in_table]["status"] != "error"
    assert (demo_lake.path / FEED_FILE).is_file()


def test_feeds_on_a_generated_lake_from_lake_path(tmp_path):
    lake = tmp_path / "lake"
    subprocess.run(
        [HUNTBOOK, "lake", "generate", str(lake), "--scale", "0.05"], check=True, capture_output=True
    )
    truth = load_ground_truth(lake)
    c2_domain = next(i.value for i in truth.indicators if i.role == "c2_domain")
    rows = _lookup_feeds([c2_domain, "192.0.2.200"], tmp_path, f"lake:\n  path: {lake}\n")
    assert rows[c2_domain]["verdict"] == "malicious" and "STIX indicator" in rows[c2_domain]["summary"]
    assert rows["192.0.2.200"]["verdict"] == "unknown"


def test_feeds_on_a_lake_that_is_not_a_demo_says_what_to_set(tmp_path):
    (tmp_path / "lake").mkdir()
    rows = _lookup_feeds(["203.0.113.9"], tmp_path, f"lake:\n  path: {tmp_path / 'lake'}\n")
    row = rows["203.0.113.9"]
    assert row["status"] == "error" and "providers.feeds.paths" in row["reason"]
    assert "is not a demo lake" in row["reason"]
