"""``huntbook`` hints speak CLI (issue 13, "The terminal"): flags and commands, never Python calls.

Every run is the installed ``huntbook`` script (`test_cli_hostile.huntbook`), its stderr read back
through the ``pyte`` terminal emulator and joined into one line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from huntbook.cli_hints import cli_words
from test_cli_hostile import huntbook, terminal_text

PYTHON_WORDS = re.compile(r"Lake\.ingest|list_queries\(\)|\b(?:format|table|types)=|\w\(\w+=\.\.\.\)")
"""What a hint must not say to a command-line user: Python calls and keyword arguments."""


def said(run) -> str:
    """The run's stderr as one line of text, as a terminal shows it."""
    return " ".join(terminal_text(run.stderr).split())


@pytest.fixture(scope="module")
def small_lake(tmp_path_factory) -> Path:
    """A lake with one table, Custom_CL."""
    base = tmp_path_factory.mktemp("hints")
    (base / "rows.csv").write_text("TimeGenerated,N\n2026-01-01T00:00:00Z,1\n")
    run = huntbook("lake", "ingest", base / "rows.csv", "--table", "Custom_CL", "--lake", base / "lake")
    assert run.code == 0, run.err
    return base / "lake"


@pytest.mark.parametrize(
    ("name", "family"),
    [("WindowsSecurity.list_host_proceses", "WindowsSecurity"), ("WindowsSecurty.list_host_processes", None)],
)
def test_a_typo_in_a_catalog_query_name_gets_did_you_mean(name, family):
    run = huntbook("query", name)
    assert run.code == 2
    text = said(run)
    assert text.startswith(
        f"error: No catalog query '{name}'. Did you mean 'WindowsSecurity.list_host_processes'"
    )
    assert "column" not in text and "schema" not in text  # not read as KQL
    assert f"'huntbook queries {family}'" in text if family else "'huntbook queries'." in text


def test_help_for_a_typo_names_the_command_that_lists_queries():
    run = huntbook("queries", "--help-for", "WindowsSecurity.list_host_procs")
    assert run.code == 2
    assert "Did you mean 'WindowsSecurity.list_host_processes'" in said(run)
    assert not PYTHON_WORDS.search(said(run)) and "huntbook queries WindowsSecurity" in said(run)


LAKE_COMMANDS = [
    ["query", "SecurityEvent | take 1"],
    ["query", "WindowsSecurity.list_host_processes", "-p", "host_name=WS-017"],
    ["queries"],
    ["proctree", "--host", "WS-017"],
    ["lake", "info"],
    ["lake", "path"],
    ["demo"],
]
"""Every command that reads a lake named by --lake."""


@pytest.mark.parametrize("args", LAKE_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_lake_folder_that_is_not_there_is_an_error(args, tmp_path):
    missing = tmp_path / "no-such-lake"
    run = huntbook(*args, "--lake", missing, cwd=tmp_path)
    assert run.code == 2, said(run)
    assert f"error: --lake {missing}: no such folder" in said(run)
    assert not missing.exists()  # nothing made on the way
    assert not (tmp_path / "out").exists()  # the demo wrote no report


@pytest.mark.parametrize("args", [*LAKE_COMMANDS, ["lake", "ingest", "rows.csv", "--table", "T_CL"]],
                         ids=lambda a: " ".join(a[:2]))  # fmt: skip
def test_a_file_given_as_the_lake_is_an_error(args, tmp_path):
    afile = tmp_path / "lake.txt"
    afile.write_text("not a lake")
    (tmp_path / "rows.csv").write_text("TimeGenerated,N\n2026-01-01T00:00:00Z,1\n")
    run = huntbook(*args, "--lake", afile, cwd=tmp_path)
    assert run.code == 2, said(run)
    assert f"error: --lake {afile} is a file, not a lake folder" in said(run)
    assert "Traceback" not in said(run)
    assert afile.read_text() == "not a lake"


def test_a_configured_lake_that_is_not_there_is_an_error(tmp_path):
    config = tmp_path / "huntbook.yaml"
    config.write_text(f"lake:\n  path: {tmp_path / 'gone'}\n")
    run = huntbook("query", "SecurityEvent | take 1", env={"HUNTBOOK_CONFIG": str(config)})
    assert run.code == 2
    assert f"error: lake.path of the config {tmp_path / 'gone'}: no such folder" in said(run)


def test_ingest_into_a_new_folder_still_makes_the_lake(tmp_path):
    (tmp_path / "rows.csv").write_text("TimeGenerated,N\n2026-01-01T00:00:00Z,1\n")
    run = huntbook("lake", "ingest", tmp_path / "rows.csv", "-t", "T_CL", "--lake", tmp_path / "new")
    assert run.code == 0, said(run)
    assert (tmp_path / "new" / "T_CL").is_dir()


def test_a_missing_parameter_is_named_as_a_flag():
    run = huntbook("query", "WindowsSecurity.list_host_processes")
    assert run.code == 2
    assert "Pass it with -p host_name=VALUE." in said(run)
    assert not PYTHON_WORDS.search(said(run))


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("SigninLogs | take 1", "ingest data into it with 'huntbook lake ingest FILE --table SigninLogs'"),
        ("SysmonEvent | take 1", "JSON-lines files without a table ('huntbook lake ingest PATH')"),
        ("externaldata (x:string) [@'http://x'] | take 1", "('huntbook lake ingest PATH --table NAME')"),
    ],
)
def test_how_to_fill_a_table_names_the_ingest_command(small_lake, query, hint):
    run = huntbook("query", query, "--lake", small_lake)
    assert run.code == 2
    assert hint in said(run)
    assert not PYTHON_WORDS.search(said(run))


@pytest.mark.parametrize(
    ("table", "hint"),
    [(None, "pass --format evtx or --format jsonl"), ("T_CL", "pass --format, one of csv, json")],
)
def test_an_unknown_file_suffix_names_the_format_flag(tmp_path, table, hint):
    (tmp_path / "rows.xyz").write_text("x")
    run = huntbook(
        "lake",
        "ingest",
        tmp_path / "rows.xyz",
        *(["-t", table] if table else []),
        "--lake",
        tmp_path / "lake",
    )
    assert run.code == 2
    assert hint in said(run)
    assert not PYTHON_WORDS.search(said(run))


def test_an_observable_of_no_known_type_names_the_type_flag():
    run = huntbook("lookup", "notanindicator", "--provider", "lake", "--no-cache", "-f", "json")
    assert run.code == 0, said(run)
    reason = json.loads(run.stdout)["reason"]
    assert "pass --type to say what it is" in reason and not PYTHON_WORDS.search(reason)


def test_an_install_hint_keeps_its_brackets_in_a_real_run(tmp_path):
    """``geoip`` without the ``geoip2fast`` package: the hint is printed with ``[geo]`` in it."""
    blocker = tmp_path / "blocked" / "geoip2fast"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'geoip2fast'\", name='geoip2fast')\n"
    )
    run = huntbook("geoip", "8.8.8.8", "--offline", env={"PYTHONPATH": str(tmp_path / "blocked")})
    assert run.code == 2, said(run)
    assert "pip install 'huntbook[geo]'" in said(run)


def test_cli_words_keeps_what_it_does_not_know():
    text = "column 'format=' of [bold]x[/] \x1b[2J table='NAME'"
    assert cli_words(text) == text
