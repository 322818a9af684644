"""Attacker-written values through the real ``huntbook`` command: a terminal shows them as recorded.

Every command runs as a subprocess of the installed ``huntbook`` script, with colours forced on as
in a terminal, and its output is fed to ``pyte``, a VT100 emulator: an escape sequence, ``\\r`` or
backspace that got through would be obeyed there (clear the screen, move the cursor, switch to line
drawing) and the visible text would no longer hold the value. Rich markup that got parsed would lose
its brackets. The check: each hostile value's `expected_visible` (cut with '…' where a table cuts on
purpose) is in the visible text of its column (a folded table cell is read column by column; blanks
are ignored, as the table wraps at spaces). ``--format csv|json`` stay byte-exact data.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyte
import pytest
import typer

from hostile_strings import HOSTILE, expected_visible
from huntbook.display import CELL_CHARS

HUNTBOOK = Path(sys.executable).with_name("huntbook")
WIDTH = 300
"""Terminal columns (COLUMNS) of every run."""
ARGV_SAFE = {name: s for name, s in HOSTILE.items() if "\x00" not in s}
"""The hostile values a command line can carry (argv cannot hold NUL)."""
JOINED = "\n".join(ARGV_SAFE.values())
"""Every hostile value a command line can carry, in one argument."""
START, END = "2026-01-01T00:00:00", "2026-01-02T00:00:00"


def terminal_text(raw: bytes, width: int = WIDTH) -> str:
    """What a terminal *width* columns wide shows after receiving *raw* (line feeds start a new line)."""
    screen = pyte.Screen(width, raw.count(b"\n") + raw.count(b"\r") + raw.count(b"\x1b") + 50)
    screen.set_mode(pyte.modes.LNM)  # a tty turns \n into \r\n
    pyte.ByteStream(screen).feed(raw)
    return "\n".join(line.rstrip() for line in screen.display).rstrip()


_BOX = dict.fromkeys(range(0x2500, 0x2580)) | {ord(" "): None, ord("\n"): None}


def _flat(text: str) -> str:
    """*text* without blanks, line breaks and box-drawing characters (table and tree lines)."""
    return text.translate(_BOX)


def streams(screen: str) -> list[str]:
    """The visible text read as a person reads it: each table column top to bottom, and the rest.

    A table body line is ``│ a │ b │``; consecutive ones with the same number of cells form
    one table, whose columns are read cell by cell. Every stream is flattened by `_flat`.
    """
    out: list[str] = []
    other: list[str] = []
    table: list[list[str]] = []

    def close() -> None:
        if table:
            out.extend(_flat("".join(column)) for column in zip(*table, strict=True))
            table.clear()

    for line in screen.splitlines():
        body = line.strip()
        if len(body) > 1 and body[0] == "│" and body[-1] == "│":
            cells = body[1:-1].split("│")
            if table and len(table[0]) != len(cells):
                close()
            table.append(cells)
            continue
        close()
        other.append(line)
    close()
    return [*out, _flat("\n".join(other))]


def cut(value: str, max_chars: int = CELL_CHARS) -> str:
    """What a table cell shows of *value*: cut to *max_chars* with '…', then made visible."""
    shown = value[: max_chars - 1] + "…" if len(value) > max_chars else value
    return expected_visible(shown)


def missing_from(screen: str, expected: Mapping[str, str]) -> list[str]:
    """The names of *expected* (name → visible text) whose text is in no stream of *screen*."""
    found = streams(screen)
    return [name for name, text in expected.items() if not any(_flat(text) in s for s in found)]


@dataclass
class Run:
    """A finished ``huntbook`` run."""

    code: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return terminal_text(self.stdout)

    @property
    def err(self) -> str:
        return terminal_text(self.stderr)


def huntbook(*args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run the installed ``huntbook`` as in a colour terminal *WIDTH* columns wide."""
    environ = {
        **os.environ,
        "COLUMNS": str(WIDTH),
        "LINES": "50",
        "TERM": "xterm-256color",
        "FORCE_COLOR": "1",
    }
    environ.pop("NO_COLOR", None)
    environ.update(env or {})
    done = subprocess.run(
        [str(HUNTBOOK), *map(str, args)], capture_output=True, env=environ, cwd=cwd, timeout=600, check=False
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _rows(table: str) -> list[dict[str, object]]:
    """One row per hostile value for *table*, time in range."""
    if table == "Hostile_CL":
        return [{"TimeGenerated": START + "Z", "Name": n, "Value": s} for n, s in HOSTILE.items()]
    if table == "SecurityEvent":  # one process per value: its image path and command line are hostile
        return [
            {
                "TimeGenerated": f"2026-01-01T01:{i // 60:02d}:{i % 60:02d}Z",
                "Computer": "WS-HOSTILE",
                "EventID": 4688,
                "NewProcessId": hex(0x1000 + i),
                "ProcessId": f"0x{4 + i % 3:x}",  # three parents: none has more children than are drawn
                "NewProcessName": "C:\\Windows\\" + s,
                "ParentProcessName": f"C:\\Windows\\parent{i % 3}.exe",
                "CommandLine": s,
                "SubjectUserName": "alice",
            }
            for i, s in enumerate(HOSTILE.values())
        ]
    if table == "ThreatIntelligenceIndicator":  # h0.example ... with hostile threat types and sources
        return [
            {
                "TimeGenerated": START + "Z",
                "ExpirationDateTime": "2030-01-01T00:00:00Z",
                "Active": True,
                "ConfidenceScore": 90,
                "DomainName": f"h{i}.hostile-example.com",
                "ThreatType": s,
                "SourceSystem": s,
                "Description": s,
            }
            for i, s in enumerate(HOSTILE.values())
        ]
    raise AssertionError(table)


LAKE_NAME = "lake [bold]x \x1b[31mred\x1b[0m \u202egnp.exe"
"""A lake folder named by an attacker (folders can hold anything but NUL and /)."""


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    """A lake whose cells hold every hostile value, made through ``huntbook lake ingest``."""
    base = tmp_path_factory.mktemp("hostile")
    folder = base / LAKE_NAME
    for table in ("Hostile_CL", "SecurityEvent", "ThreatIntelligenceIndicator"):
        source = base / f"{table}.jsonl"
        source.write_text("\n".join(json.dumps(row) for row in _rows(table)), encoding="utf-8")
        run = huntbook("lake", "ingest", source, "--table", table, "--lake", folder)
        assert run.code == 0, run.err
    return folder


def test_query_table_shows_every_cell_as_recorded(lake):
    run = huntbook("query", "Hostile_CL | project Name, Value", "--lake", lake, "--limit", "100")
    assert run.code == 0, run.err
    assert missing_from(run.out, {n: cut(s) for n, s in HOSTILE.items()}) == []
    assert missing_from(run.out, {n: cut(n) for n in HOSTILE}) == []
    assert f"{len(HOSTILE)}rows" in _flat(run.out)


def test_query_csv_and_json_are_the_data_byte_for_byte(lake):
    as_json = huntbook("query", "Hostile_CL | project Name, Value", "--lake", lake, "-f", "json")
    assert as_json.code == 0, as_json.err
    rows = [json.loads(line) for line in as_json.stdout.decode().splitlines()]
    assert {r["Name"]: r["Value"] for r in rows} == HOSTILE
    as_csv = huntbook("query", "Hostile_CL | project Name, Value", "--lake", lake, "-f", "csv")
    assert as_csv.code == 0, as_csv.err
    read = csv.DictReader(io.StringIO(as_csv.stdout.decode(), newline=""))
    assert {r["Name"]: r["Value"] for r in read} == HOSTILE


def test_query_show_prints_the_query_text_literally(lake):
    run = huntbook("query", JOINED, "--show", "--lake", lake)
    assert run.code == 0, run.err
    expected = {
        f"{n} line {i}": expected_visible(part)
        for n, s in ARGV_SAFE.items()
        for i, part in enumerate(s.split("\n"))
    }
    assert missing_from(run.out, expected) == []


def test_errors_quote_values_literally(lake, tmp_path):
    unknown = huntbook("queries", "--help-for", JOINED, "--lake", lake)
    short = {n: v for n, v in ARGV_SAFE.items() if len(v.encode()) < 200}  # a path part holds 255 bytes
    no_file = huntbook("iocs", "/nonexistent/" + "/".join(short.values()))
    no_host = huntbook("proctree", "--host", JOINED, "--start", START, "--end", END, "--lake", lake)
    for run, values in (
        (unknown, ARGV_SAFE),
        (no_file, short),
        (no_host, ARGV_SAFE),
    ):
        assert run.code == 2, run.err
        assert _flat(run.err).startswith("error:")
        assert missing_from(run.err, {n: expected_visible(s) for n, s in values.items()}) == []


def test_an_install_hint_keeps_its_brackets(tmp_path):
    """``pip install 'huntbook[evtx]'`` must not lose ``[evtx]`` as markup (a MissingExtraError, printed)."""
    from rich.console import Console

    from huntbook.cli import _fail
    from huntbook.errors import MissingExtraError

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=WIDTH, soft_wrap=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("huntbook.cli._Consoles.err", property(lambda self: console))
        with pytest.raises(typer.Exit) as exited:
            _fail(MissingExtraError("Evtx", "evtx", feature="Reading .evtx files"))
    assert exited.value.exit_code == 2
    assert "pip install 'huntbook[evtx]'" in terminal_text(buffer.getvalue().encode())


def test_proctree_shows_process_names_and_command_lines_as_recorded(lake):
    run = huntbook("proctree", "--host", "WS-HOSTILE", "--start", START, "--end", END, "--lake", lake)
    assert run.code == 0, run.err
    names = {
        f"{n} (name)": expected_visible(s.replace("\\", "/").rsplit("/", 1)[-1]) for n, s in HOSTILE.items()
    }
    commands = {f"{n} (command)": cut(s, 80) for n, s in HOSTILE.items()}
    assert missing_from(run.out, names | commands) == []


def test_iocs_table_shows_what_json_holds(tmp_path):
    name = "iocs [bold]x \x1b]0;title\x07.txt"
    source = tmp_path / name
    source.write_text(
        "\n".join(
            f"{s} C:\\Temp\\[{i}]\\a.ps1 http://h{i}.hostile-example.com/[x]"
            for i, s in enumerate(ARGV_SAFE.values())  # a NUL makes it a binary file
        )
    )
    table = huntbook("iocs", source, "--limit", "1000")
    as_json = huntbook("iocs", source, "-f", "json")
    assert table.code == 0 and as_json.code == 0, table.err + as_json.err
    values = [json.loads(line)["observable"] for line in as_json.stdout.decode().splitlines()]
    assert any("[" in v for v in values)  # values with brackets reach the table
    assert missing_from(table.out, {f"{i}: {v}": cut(v) for i, v in enumerate(values)}) == []


def _payloads(values: list[str]) -> str:
    """Lines that each quote one value base64-encoded."""
    return "\n".join(f'payload {i}: "{base64.b64encode(v.encode()).decode()}";' for i, v in enumerate(values))


def test_unpack_tree_and_table_show_decoded_text_as_recorded(tmp_path):
    long_enough = {n: s for n, s in HOSTILE.items() if len(s.encode()) >= 24}  # short runs are not payloads
    source = tmp_path / "payloads.txt"
    source.write_text(_payloads(list(long_enough.values())))
    as_json = huntbook("unpack", source, "-f", "json")
    assert as_json.code == 0, as_json.err
    rows = [json.loads(line) for line in as_json.stdout.decode().splitlines()]
    texts = [row["text"] for row in rows if row["depth"] == 1]
    decoded = {n: s for n, s in long_enough.items() if expected_visible(s) in texts}
    assert len(decoded) >= 20, sorted(set(long_enough) - set(decoded))
    table = huntbook("unpack", source, "-f", "table", "--limit", "1000")
    assert table.code == 0, table.err
    assert missing_from(table.out, {n: cut(expected_visible(s)) for n, s in decoded.items()}) == []
    names = list(decoded)
    for part in (names[: len(names) // 2], names[len(names) // 2 :]):  # a tree draws 24 layers
        source.write_text(_payloads([decoded[n] for n in part]))
        tree = huntbook("unpack", source)
        assert tree.code == 0, tree.err
        assert "morelayer" not in _flat(tree.out)
        heads = {n: expected_visible(decoded[n])[:44] for n in part}  # a label shows the text's head
        assert missing_from(tree.out, heads) == []


def _config(tmp_path: Path, text: str, name: str = "huntbook.yaml") -> dict[str, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {"HUNTBOOK_CONFIG": str(path)}


def _yaml_str(value: str) -> str:
    """*value* as a YAML double-quoted scalar (control characters as escapes YAML reads back)."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def test_lookup_report_shows_provider_text_as_recorded(lake, tmp_path):
    env = _config(tmp_path, f"lake:\n  path: {_yaml_str(str(lake))}\n")
    observables = [f"h{i}.hostile-example.com" for i in range(len(HOSTILE))]
    run = huntbook("lookup", *observables, *ARGV_SAFE.values(), "--provider", "lake", "--no-cache", env=env)
    assert run.code == 0, run.err
    assert missing_from(run.out, {n: expected_visible(s) for n, s in ARGV_SAFE.items()}) == []  # titles
    summaries = {n: expected_visible(s) for n, s in HOSTILE.items()}
    assert missing_from(run.out, summaries) == []
    details = {n: cut(s, 40) for n, s in HOSTILE.items()}  # details show each value's head
    assert missing_from(run.out, details) == []


@pytest.mark.parametrize("command", ["geoip", "domain", "whois"])
def test_enrichment_tables_show_the_input_as_recorded(command):
    options = {
        "geoip": ["--offline"],
        "domain": [],
        "whois": ["--no-cache", "--bootstrap-url", "http://127.0.0.1:9/"],
    }
    run = huntbook(command, *options[command], *ARGV_SAFE.values(), "--limit", "100")
    assert run.code == 0, run.err
    assert missing_from(run.out, {n: cut(s) for n, s in ARGV_SAFE.items()}) == []


def test_lake_info_and_path_show_the_folder_as_recorded(lake):
    info = huntbook("lake", "info", "--lake", lake)
    assert info.code == 0, info.err
    assert missing_from(info.out, {"folder": expected_visible(str(lake))}) == []
    path = huntbook("lake", "path", "--lake", lake)
    assert path.code == 0, path.err
    assert missing_from(path.out, {"folder": expected_visible(str(lake))}) == []


def test_lake_path_to_a_pipe_is_the_path_itself(lake):
    done = subprocess.run(
        [str(HUNTBOOK), "lake", "path", "--lake", str(lake)],
        capture_output=True,
        check=True,
        env={**os.environ},
    )
    assert done.stdout.decode() == f"{lake}\n"


FILE_SAFE = {n: s for n, s in HOSTILE.items() if "/" not in s and "\x00" not in s and len(s.encode()) < 200}
"""Hostile values that can be file names."""


def test_ingest_report_shows_file_names_and_errors_as_recorded(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    names = dict(list(FILE_SAFE.items())[:25])  # few enough files to have a row each
    for i, name in enumerate(names.values()):
        (folder / name).write_text(json.dumps({"TimeGenerated": START + "Z", "N": i}) + "\n")
    bad = folder / ("bad " + HOSTILE["rich char codes"] + HOSTILE["ansi clear screen"])
    bad.write_text('{"TimeGenerated": "' + START + 'Z", "N": 1}\n{"N": "not a number\n')
    run = huntbook(
        "lake", "ingest", *sorted(folder.iterdir()), "--table", "Files_CL", "--format", "jsonl",
        "--lake", tmp_path / LAKE_NAME, "--keep-going",
    )  # fmt: skip
    assert run.code == 1, run.err
    shown = {n: expected_visible(str(folder / s)) for n, s in names.items()}
    shown["bad file"] = expected_visible(str(bad))
    assert missing_from(run.out, shown) == []
    status = [
        s.split("failed,nothingwritten:", 1)[1] for s in streams(run.out) if "failed,nothingwritten:" in s
    ]
    assert len(status) == 1 and _flat(expected_visible(str(bad))) in status[0]  # the error names the file


def test_lake_generate_refuses_a_folder_named_by_an_attacker(tmp_path):
    target = tmp_path / LAKE_NAME
    target.mkdir()
    (target / "keep").write_text("x")
    run = huntbook("lake", "generate", target)
    assert run.code == 2
    assert missing_from(run.err, {"folder": expected_visible(str(target))}) == []


def test_config_check_and_show_print_configured_values_as_recorded(tmp_path):
    lake = str(tmp_path / LAKE_NAME)
    catalog = str(tmp_path / ("catalog " + (HOSTILE["rich link"] + HOSTILE["osc 8 link"]).replace("/", "|")))
    Path(catalog).mkdir()
    env = _config(
        tmp_path,
        f"lake:\n  path: {_yaml_str(lake)}\nqueries:\n  catalog_paths: [{_yaml_str(catalog)}]\n",
        name="cfg [red]x \x1b[2J.yaml",
    )
    check = huntbook("config", "check", env=env)
    assert check.code == 0, check.err
    expected = {"config file": expected_visible(env["HUNTBOOK_CONFIG"]), "lake": expected_visible(lake)}
    expected["catalog"] = expected_visible(catalog)
    assert missing_from(check.out, expected) == []
    assert "missing" in _flat(check.out)
    show = huntbook("config", "show", env=env)
    assert show.code == 0, show.err
    assert _flat(json.dumps(lake)[1:-1]) in _flat(show.out)  # JSON escapes, \u202e too


def test_queries_table_and_help_show_catalog_text_as_recorded(lake, tmp_path):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    lines = ["family: Hostile", "description: Hostile catalog.", "queries:"]
    for i, s in enumerate(HOSTILE.values()):
        lines += [
            f"  q{i}:",
            f"    description: {_yaml_str(s)}",
            "    tables: [Hostile_CL]",
            "    kql: Hostile_CL",
        ]
    (catalog / "hostile.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = _config(tmp_path, f"queries:\n  catalog_paths: [{_yaml_str(str(catalog))}]\n")
    table = huntbook("queries", "Hostile", "--lake", lake, env=env)
    assert table.code == 0, table.err
    described = {n: expected_visible(s.strip()) for n, s in HOSTILE.items()}  # the catalog strips blanks
    assert missing_from(table.out, described) == []
    for name in ("rich char codes", "rich close all", "ansi clear screen", "bidi override"):
        shown = huntbook(
            "queries", "--help-for", f"Hostile.q{list(HOSTILE).index(name)}", "--lake", lake, env=env
        )
        assert shown.code == 0, shown.err
        assert missing_from(shown.out, {name: expected_visible(HOSTILE[name])}) == []


def _rendered(renderable: object) -> str:
    """What a colour terminal *WIDTH* wide shows of a rich *renderable*."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, color_system="truecolor", width=WIDTH).print(renderable)
    return terminal_text(buffer.getvalue().encode())


def test_demo_findings_table_shows_findings_as_recorded():
    import datetime as dt

    from huntbook.investigation import Finding, Investigation

    findings = [
        Finding(step=f"step {n}", summary=s, queries=[], hosts=[s], accounts=[s], indicators={"url": [s]})
        for n, s in HOSTILE.items()
    ]
    findings.append(Finding(step="failing step", summary="", queries=[], error=HOSTILE["rich close all"]))
    investigation = Investigation("Local", findings, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 1.0)
    shown = _rendered(investigation.summary_renderable())
    assert missing_from(shown, {n: expected_visible(s) for n, s in HOSTILE.items()}) == []
    assert missing_from(shown, {"error": "failed: " + expected_visible(HOSTILE["rich close all"])}) == []
    facts = {f"host {h}": expected_visible(h) for h in investigation.hosts()}
    facts |= {f"account {a}": expected_visible(a) for a in investigation.accounts()}
    assert len(facts) > len(HOSTILE)
    assert missing_from(shown, facts) == []


def test_warnings_of_a_command_are_shown_literally(monkeypatch):
    from rich.console import Console

    from huntbook.cli import _show_warning
    from huntbook.errors import PartialResultWarning

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=WIDTH, soft_wrap=True)
    monkeypatch.setattr("huntbook.cli._Consoles.err", property(lambda self: console))
    for s in HOSTILE.values():
        _show_warning(PartialResultWarning(f"chunk of {s} failed"), PartialResultWarning, "x.py", 1)
    shown = terminal_text(buffer.getvalue().encode())
    assert (
        missing_from(shown, {n: f"chunk of {expected_visible(s)} failed" for n, s in HOSTILE.items()}) == []
    )
    assert _flat(shown).startswith("PartialResultWarning:")


def test_a_warning_in_a_real_run_goes_through_the_literal_printer():
    code = (
        "import warnings, sys; from huntbook.cli import app; import typer\n"
        "@app.command('warn-test')\n"
        "def _w() -> None:\n"
        "    warnings.warn('[bold]x[/] \\x1b[2Jwiped')\n"
        "sys.argv = ['huntbook', 'warn-test']; app()\n"
    )
    # The run's own warning filters: a PYTHONWARNINGS=ignore in the caller's environment would hide it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run(
        [sys.executable, "-W", "default::UserWarning", "-c", code], capture_output=True, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    assert _flat(terminal_text(done.stderr)) == _flat(
        "UserWarning: " + expected_visible("[bold]x[/] \x1b[2Jwiped")
    )
