"""check_setup says in plain words what is missing and how to fix it; secrets never show."""

import pytest

from huntbook.notebook import check_setup


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Write a huntbook.yaml and point HUNTBOOK_CONFIG at it."""

    def write(text):
        path = tmp_path / "huntbook.yaml"
        path.write_text(text)
        monkeypatch.setenv("HUNTBOOK_CONFIG", str(path))
        return path

    monkeypatch.delenv("HUNTBOOK_VIRUSTOTAL_API_KEY", raising=False)
    return write


def by_topic(report):
    return {f.topic: f for f in report.findings}


def test_defaults_are_fine(config):
    path = config("{}\n")
    report = check_setup()
    found = by_topic(report)
    assert found["config"].level == "ok" and str(path) in found["config"].message
    assert found["lake"].level == "ok" and "demo lake" in found["lake"].message
    assert report.ok


def test_missing_lake_folder_says_how_to_make_one(config, tmp_path):
    config(f"lake:\n  path: {tmp_path / 'no-such-lake'}\n")
    lake = by_topic(check_setup())["lake"]
    assert lake.level == "error" and "is not a folder" in lake.message
    assert f"huntbook lake generate {tmp_path / 'no-such-lake'}" in lake.fix


def test_empty_lake_folder_is_a_warning(config, tmp_path):
    (tmp_path / "lake").mkdir()
    config(f"lake:\n  path: {tmp_path / 'lake'}\n")
    lake = by_topic(check_setup())["lake"]
    assert lake.level == "warning" and "huntbook lake ingest" in lake.fix


def test_existing_lake_counts_tables(config, demo_lake):
    config(f"lake:\n  path: {demo_lake.path}\n")
    lake = by_topic(check_setup())["lake"]
    assert lake.level == "ok" and f"({len(demo_lake.tables())} tables)" in lake.message


def test_a_bad_config_is_reported_and_the_rest_still_checked(config):
    config("lake:\n  pth: x\n")
    report = check_setup()
    found = by_topic(report)
    assert found["config"].level == "error" and "unknown key 'lake.pth'" in found["config"].message
    assert "Did you mean 'path'" in found["config"].message
    assert found["lake"].level == "ok"  # checked with the defaults
    assert not report.ok


def test_a_ti_provider_without_its_key_says_where_to_put_it(config):
    config("providers:\n  ti:\n    providers: [lake, virustotal]\n")
    vt = by_topic(check_setup())["threat intel: virustotal"]
    assert vt.level == "error" and "needs an API key" in vt.message
    assert "providers.virustotal.api_key" in vt.fix and "HUNTBOOK_VIRUSTOTAL_API_KEY" in vt.fix


def test_a_present_key_is_ok_and_never_shown(config, monkeypatch):
    config("providers:\n  virustotal:\n    api_key: env:MY_VT_KEY\n")
    monkeypatch.setenv("MY_VT_KEY", "abcdef0123456789secret")
    report = check_setup()
    assert by_topic(report)["threat intel: virustotal"].level == "ok"
    for shown in (str(report), repr(report), report._repr_html_()):
        assert "abcdef0123456789secret" not in shown


def test_a_key_reference_to_an_unset_variable_is_an_error(config):
    config("providers:\n  virustotal:\n    api_key: env:HUNTBOOK_TEST_UNSET_VARIABLE\n")
    finding = by_topic(check_setup())["threat intel: virustotal"]
    assert finding.level == "error" and "HUNTBOOK_TEST_UNSET_VARIABLE" in finding.message


def test_unknown_names_get_suggestions(config):
    config("providers:\n  ti:\n    providers: [virustotl]\n  virustota:\n    api_key: x\n")
    report = check_setup()
    messages = [f.message for f in report.problems]
    assert any("'virustotl', which is not a TI provider. Did you mean 'virustotal'" in m for m in messages)
    assert any("providers.virustota is neither" in m and "virustotal" in m for m in messages)


def test_a_missing_catalog_folder_is_a_warning(config, tmp_path):
    config(f"queries:\n  catalog_paths: [{tmp_path / 'my-queries'}]\n")
    finding = by_topic(check_setup())["queries"]
    assert finding.level == "warning" and "my-queries" in finding.message


def test_text_and_html_list_every_finding(config):
    config("lake:\n  path: /nonexistent/<lake>\n")
    report = check_setup()
    text, page = str(report), report._repr_html_()
    assert text.splitlines()[0] == report.summary() and "error(s)" in report.summary()
    assert "✘ lake: lake.path /nonexistent/<lake> is not a folder." in text
    assert "/nonexistent/&lt;lake&gt;" in page and "<lake>" not in page


def _summary_agrees_with_lines(report):
    """The summary's verdict matches the lines below it, in text and in HTML."""
    text, page = str(report), report._repr_html_()
    fix_lines = [line for line in text.splitlines() if line.lstrip().startswith("fix:")]
    if "nothing to fix" in report.summary():
        assert not fix_lines and "fix:" not in page
    else:
        errors = sum(f.level == "error" for f in report.findings)
        assert report.summary().startswith(f"huntbook setup: {errors} error(s)")
    # every "fix:" belongs to a problem; every hint on a passing check is a tip
    assert len(fix_lines) == sum(bool(f.fix) for f in report.problems)
    assert text.count("tip: ") == sum(bool(f.fix) for f in report.findings if not f.needs_action)


def test_no_config_says_nothing_to_fix_and_shows_no_fix_lines(tmp_path, monkeypatch):
    monkeypatch.delenv("HUNTBOOK_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.chdir(tmp_path)
    report = check_setup()
    assert by_topic(report)["config"].level == "info" and by_topic(report)["config"].fix
    assert not report.problems and "nothing to fix" in report.summary()
    assert "tip(s) below" in report.summary()
    assert "\n    tip: To configure huntbook, create huntbook.yaml" in str(report)
    _summary_agrees_with_lines(report)


@pytest.mark.parametrize(
    "text",
    [
        "{}\n",
        "lake:\n  path: /nonexistent/lake\n",
        "providers:\n  ti:\n    providers: [lake, virustotal]\n",
        "queries:\n  catalog_paths: [/nonexistent/queries]\n",
        "lake:\n  pth: x\n",
    ],
)
def test_the_summary_agrees_with_the_fix_lines(config, text):
    config(text)
    report = check_setup()
    _summary_agrees_with_lines(report)
    if report.problems:
        assert "to fix" in report.summary() and "nothing to fix" not in report.summary()
