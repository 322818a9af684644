import os
import subprocess
import sys
from pathlib import Path

import pytest

from huntbook.config import find_config_file, load_settings
from huntbook.config_check import check_config_file
from huntbook.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "huntbook.yaml"
    path.write_text(text)
    return path


def test_empty_file_gives_defaults(tmp_path):
    settings = load_settings(write(tmp_path, ""))
    assert settings.lake.path is None
    assert settings.queries.default_lookback == "1d"


def test_values_are_read(tmp_path):
    (tmp_path / "q").mkdir()
    text = f"lake:\n  path: {tmp_path / 'lake'}\nqueries:\n  catalog_paths: [{tmp_path / 'q'}]\n"
    settings = load_settings(write(tmp_path, text))
    assert settings.lake.path == tmp_path / "lake"  # a new lake folder, made on the first ingest
    assert settings.queries.catalog_paths == [tmp_path / "q"]


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, "lake:\n  pth: /data\n"))
    assert info.value.key == "lake.pth"
    assert "unknown key 'lake.pth'" in str(info.value)
    assert "Did you mean 'path'?" in str(info.value)


def test_bad_value_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"key 'lake.demo_scale'"):
        load_settings(write(tmp_path, "lake:\n  demo_scale: -1\n"))


def test_invalid_yaml_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path, "lake: [unclosed\n"))


def test_secrets_never_print(tmp_path):
    settings = load_settings(write(tmp_path, "providers:\n  VirusTotal:\n    api_key: s3cr3t-value\n"))
    key = settings.providers["VirusTotal"].api_key
    assert key is not None and key.get_secret_value() == "s3cr3t-value"
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "s3cr3t-value" not in text


def test_env_var_pointing_nowhere_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="not a file"):
        find_config_file()


def test_env_var_wins(tmp_path, monkeypatch):
    path = write(tmp_path, "lake:\n  demo_scale: 2\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(path))
    assert find_config_file() == path
    assert load_settings().lake.demo_scale == 2


# -- values, not only keys ----------------------------------------------------------

HUNTBOOK = Path(sys.executable).with_name("huntbook")
SECRET = "Sup3r-s3cret-VALUE"


def bad_config(tmp_path):
    """A config with one bad value of every kind; returns (path, {key: (shown value, words of the form)})."""
    (tmp_path / "a-file").write_text("x")
    text = f"""
lake:
  path: {tmp_path / "a-file"}
  demo_scale: -1
queries:
  default_lookback: yesterday
  catalog_paths: [{tmp_path / "no-such-queries"}]
  timeout_seconds: soon
providers:
  ti:
    providers: [lake, virustotl]
    cache_path: {tmp_path}
  virustotal:
    api_key: {SECRET}
    base_url: ftp://vt.example
    requests_per_minute: 0
  feeds:
    paths: [{tmp_path / "feeds"}/*.json]
    verdict: evil
  Splunk:
    port: 99999
    scheme: htps
    password: [{SECRET}]
  OpenSearch:
    hosts: [https://ok.example:9200, not-a-url]
    ca_certs: {tmp_path / "ca.pem"}
  Kusto:
    cluster: mycluster
    auth: clisecret
    certificate_path: {tmp_path / "cert.pem"}
  maxmind:
    city_db: {tmp_path / "GeoLite2-City.mmdb"}
"""
    expected = {
        "lake.path": (repr(str(tmp_path / "a-file")), "a folder (this path is a file)"),
        "lake.demo_scale": ("-1", "a number greater than 0"),
        "queries.default_lookback": ("'yesterday'", "a timespan such as '1d', '6h'"),
        "queries.catalog_paths.0": (repr(str(tmp_path / "no-such-queries")), "an existing folder"),
        "queries.timeout_seconds": ("'soon'", "a number"),
        "providers.ti.providers.1": ("'virustotl'", "a TI provider: lake, feeds"),
        "providers.ti.cache_path": (repr(str(tmp_path)), "a file (this path is a folder)"),
        "providers.virustotal.base_url": ("'ftp://vt.example'", "an http:// or https:// URL"),
        "providers.virustotal.requests_per_minute": ("0", "a number greater than 0"),
        "providers.feeds.paths": (repr([f"{tmp_path / 'feeds'}/*.json"]), "files that exist"),
        "providers.feeds.verdict": ("'evil'", "one of: malicious, suspicious, benign, unknown"),
        "providers.Splunk.port": ("99999", "a number of at most 65535"),
        "providers.Splunk.scheme": ("'htps'", "one of: https, http"),
        "providers.Splunk.password": ("***", "text"),
        "providers.OpenSearch.hosts": (
            "['https://ok.example:9200', 'not-a-url']",
            "URL or a list of them ('not-a-url' is not one)",
        ),
        "providers.OpenSearch.ca_certs": (repr(str(tmp_path / "ca.pem")), "an existing file"),
        "providers.Kusto.cluster": ("'mycluster'", "an http:// or https:// URL"),
        "providers.Kusto.auth": ("'clisecret'", "one of: cli, device_code"),
        "providers.Kusto.certificate_path": (repr(str(tmp_path / "cert.pem")), "an existing file"),
        "providers.maxmind.city_db": (repr(str(tmp_path / "GeoLite2-City.mmdb")), "an existing file"),
    }
    return write(tmp_path, text), expected


def test_every_bad_value_is_one_problem_naming_file_key_value_and_form(tmp_path):
    path, expected = bad_config(tmp_path)
    problems = check_config_file(path)
    assert {p.key for p in problems} == set(expected)
    for problem in problems:
        value, form = expected[problem.key]
        assert problem.level == "error"
        assert (problem.value, problem.file) == (value, str(path))
        assert form in problem.expected
        assert str(problem) == f"{path}: key '{problem.key}' = {value}: expected {problem.expected}"
        assert "\n" not in str(problem) and SECRET not in str(problem)


def test_suggestions_for_misspelt_choices(tmp_path):
    path, _ = bad_config(tmp_path)
    by_key = {p.key: p.expected for p in check_config_file(path)}
    assert "Did you mean 'virustotal'?" in by_key["providers.ti.providers.1"]
    assert "Did you mean 'https'" in by_key["providers.Splunk.scheme"]
    assert "Did you mean 'client_secret'?" in by_key["providers.Kusto.auth"]


def test_load_settings_raises_one_line_and_keeps_every_problem(tmp_path):
    path, expected = bad_config(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    error = info.value
    first = str(error.problems[0])
    assert str(error) == f"{first} (and {len(expected) - 1} more: run 'huntbook config check' to list them)"
    assert error.key == "lake.path" and error.path == str(path)
    assert len(error.problems) == len(expected)
    assert error.__cause__ is None and error.__context__ is None
    assert SECRET not in str(error) and SECRET not in repr(error.problems)


def test_good_values_pass(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "bad.json").write_text("[]")
    (tmp_path / "ca.pem").write_text("pem")
    text = f"""
lake:
  path: {tmp_path / "new-lake"}
queries:
  default_lookback: 6h
providers:
  ti:
    providers: [lake, VirusTotal]
    cache_path: {tmp_path / "ti.sqlite"}
  virustotal:
    base_url: http://127.0.0.1:9
  feeds:
    paths: [{tmp_path / "feeds"}/*.json]
  Splunk:
    port: "8089"
    verify: false
  OpenSearch:
    hosts: https://search.example:9200
    ca_certs: {tmp_path / "ca.pem"}
  Sentinel:
    auth: client_secret
    workspaces: {{Prod: 00000000-0000-0000-0000-000000000000}}
  Defender:
    api: m365d
    verify: {tmp_path / "ca.pem"}
"""
    path = write(tmp_path, text)
    assert check_config_file(path) == []
    settings = load_settings(path)
    assert settings.queries.default_lookback == "6h"


def test_a_section_no_one_reads_is_a_warning_unless_only_its_case_is_wrong(tmp_path):
    path = write(tmp_path, "providers:\n  Sentinal:\n    auth: cli\n  splunk:\n    host: x\n")
    problems = {p.key: p for p in check_config_file(path)}
    assert problems["providers.Sentinal"].level == "warning"
    assert "Did you mean 'Sentinel'?" in str(problems["providers.Sentinal"])
    assert problems["providers.splunk"].level == "error"
    assert "Did you mean 'Splunk'? Backend names are case-sensitive." in str(problems["providers.splunk"])
    with pytest.raises(ConfigError, match=r"unknown key 'providers\.splunk'"):
        load_settings(path)


def test_secrets_are_masked_in_every_problem(tmp_path):
    text = (
        f"providers:\n  virustotal: {SECRET}\n  Splunk:\n    token: [{SECRET}]\n"
        f"  MSGraph:\n    client_secret: {{value: {SECRET}}}\n"
    )
    path = write(tmp_path, text)
    problems = check_config_file(path)
    assert {p.key: p.value for p in problems} == {
        "providers.virustotal": "***",
        "providers.Splunk.token": "***",
        "providers.MSGraph.client_secret": "***",
    }
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value.problems)


def test_hostile_values_are_shown_escaped(tmp_path):
    path = write(tmp_path, 'queries:\n  default_lookback: "[bold red]1d\\x1b[2J\\u202e"\n')
    (problem,) = check_config_file(path)
    assert problem.value == repr("[bold red]1d\x1b[2J\u202e")
    assert "\x1b" not in str(problem) and "\u202e" not in str(problem)


def test_unchecked_loading_keeps_the_file_settings(tmp_path):
    path = write(tmp_path, "queries:\n  default_lookback: yesterday\n  catalog_paths: [/no/such]\n")
    settings = load_settings(path, check_values=False)
    assert settings.queries.default_lookback == "yesterday"
    with pytest.raises(ConfigError, match=r"unknown key 'lake\.pth'"):
        load_settings(write(tmp_path, "lake:\n  pth: x\n"), check_values=False)


# -- Python entry points --------------------------------------------------------------


def test_query_provider_and_ti_lookup_raise_the_one_line(tmp_path, monkeypatch):
    from huntbook.data.provider import QueryProvider
    from huntbook.enrich.ti import TILookup

    monkeypatch.setenv("HUNTBOOK_CONFIG", str(write(tmp_path, "queries:\n  default_lookback: yesterday\n")))
    line = (
        f"{tmp_path / 'huntbook.yaml'}: key 'queries.default_lookback' = 'yesterday': "
        "expected a timespan such as '1d', '6h', '30m' or '90s'"
    )
    for make in (lambda: QueryProvider("Local"), lambda: TILookup(progress=False)):
        with pytest.raises(ConfigError) as info:
            make()
        assert str(info.value) == line
        assert info.value.__cause__ is None and info.value.__context__ is None


# -- through the real huntbook command -------------------------------------------------


def run_huntbook(config, *args, stdin=""):
    env = {**os.environ, "HUNTBOOK_CONFIG": str(config), "COLUMNS": "200"}
    return subprocess.run(
        [str(HUNTBOOK), *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_config_check_lists_every_bad_value_and_fails(tmp_path):
    path, expected = bad_config(tmp_path)
    result = run_huntbook(path, "config", "check")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected) + 1
    for key, (value, form) in expected.items():
        (line,) = [line for line in lines if f"key '{key}' = " in line]
        assert line.startswith(f"error: {path}: key '{key}' = {value}: expected ") and form in line
    assert (
        lines[-1] == f"{path}: {len(expected)} bad values; huntbook refuses this file until they are fixed."
    )
    assert SECRET not in result.stdout + result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["query", "SecurityEvent | take 3"],
        ["queries"],
        ["iocs", "-"],
        ["lake", "info"],
        ["config", "show"],
    ],
)
def test_every_command_refuses_a_bad_value_in_one_line(tmp_path, args):
    (tmp_path / "k.pem").mkdir()
    path = write(
        tmp_path,
        f"queries:\n  default_lookback: yesterday\nproviders:\n  virustotal:\n    api_key: {SECRET}\n"
        f"    base_url: {SECRET}\n",
    )
    result = run_huntbook(path, *args, stdin="1.2.3.4\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path}: key 'queries.default_lookback' = 'yesterday': expected a timespan such as "
        "'1d', '6h', '30m' or '90s' (and 1 more: run 'huntbook config check' to list them)\n"
    )


def test_help_works_with_a_bad_config_and_a_good_config_checks_clean(tmp_path):
    bad = write(tmp_path, "queries:\n  default_lookback: yesterday\n")
    result = run_huntbook(bad, "query", "--help")
    assert result.returncode == 0 and "Usage: huntbook query" in result.stdout
    good = tmp_path / "good.yaml"
    good.write_text("queries:\n  default_lookback: 2d\nproviders:\n  Sentinal:\n    auth: cli\n")
    result = run_huntbook(good, "config", "check")
    assert result.returncode == 0, result.stderr
    assert f"Config: {good} (valid)" in result.stdout
    assert result.stderr.startswith(f"warning: {good}: unknown key 'providers.Sentinal'")


def test_config_check_prints_a_hostile_value_literally(tmp_path):
    value = "[bold red]1d[/] :skull: \x1b[2J"
    path = write(tmp_path, 'queries:\n  default_lookback: "[bold red]1d[/] :skull: \\e[2J"\n')
    result = run_huntbook(path, "config", "check")
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first == (
        f"error: {path}: key 'queries.default_lookback' = {value!r}: "
        "expected a timespan such as '1d', '6h', '30m' or '90s'"
    )
    assert "\x1b" not in result.stderr


def test_the_choices_checked_are_those_the_code_accepts():
    from huntbook.config_sections import DEFENDER_APIS, SEVERITIES, VERDICTS
    from huntbook.data.drivers.defender import HUNTING_APIS
    from huntbook.enrich.ti import provider

    assert tuple(HUNTING_APIS) == DEFENDER_APIS
    assert (VERDICTS, SEVERITIES) == (provider.VERDICTS, provider.SEVERITIES)
