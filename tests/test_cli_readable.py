"""What ``huntbook`` prints reads well in a terminal of any width (issue 13, "The terminal").

Every run is the installed ``huntbook`` script in a colour terminal (`test_cli_hostile.huntbook`),
its output read back through the ``pyte`` terminal emulator. A screen is read WIDE columns wide, so
that a line the command printed longer than its terminal would show as such.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rich.text import Text

from huntbook.cli_frames import COLUMN_CHARS, empty_columns, fit_widths
from test_cli_hostile import _flat, huntbook, terminal_text

WIDE = 400
"""Columns of the emulated screen: wider than any COLUMNS a run is given."""
TAKE3 = "SecurityEvent | take 3"
RECORD = re.compile(r"record (\d+) of (\d+) ─+$")
FIELD = re.compile(r"(\S+) {2,}(\S.*)$")


def run_at(width: int, *args: object, env: dict[str, str] | None = None):
    """Run huntbook with COLUMNS=*width*; return the run and its stdout as a WIDE screen shows it."""
    run = huntbook(*args, env={"COLUMNS": str(width), **(env or {})})
    return run, terminal_text(run.stdout, WIDE)


def records(screen: str) -> list[dict[str, str]]:
    """The ``field  value`` lines of each ``record i of n`` block (folded values joined, blanks dropped)."""
    out: list[dict[str, str]] = []
    last = ""
    for line in screen.splitlines():
        if RECORD.match(line.strip()):
            out.append({})
        elif out and (field := FIELD.match(line)) and not line.startswith(" "):
            last = field[1]
            out[-1][last] = "".join(field[2].split())
        elif out and line.startswith(" ") and line.strip():
            out[-1][last] += "".join(line.split())
        elif out and not line.strip():
            continue
        elif out and not FIELD.match(line):
            break  # the lines after the records (count, note)
    return out


@pytest.fixture(scope="module")
def take3(demo_lake) -> list[dict[str, object]]:
    """The three rows, as ``--format json`` gives them."""
    run = huntbook("query", TAKE3, "--lake", demo_lake.path, "-f", "json")
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.stdout.decode().splitlines()]


def _blank(value: object) -> bool:
    return value is None or value == ""


@pytest.mark.parametrize("width", [80, 200])
def test_take3_is_one_block_per_record_within_the_width(demo_lake, take3, width):
    run, screen = run_at(width, "query", TAKE3, "--lake", demo_lake.path)
    assert run.code == 0, run.err
    assert max(len(line) for line in screen.splitlines()) <= width
    empty = [c for c in take3[0] if all(_blank(row[c]) for row in take3)]
    assert empty  # the demo's SecurityEvent has columns no one of these rows fills
    shown = records(screen)
    assert len(shown) == 3
    for row, block in zip(take3, shown, strict=True):
        assert set(block) == {c for c, v in row.items() if not _blank(v)}  # empty fields left out
        for column, value in row.items():
            if isinstance(value, str) and value and column != "TimeGenerated":
                assert block[column] == "".join(value.split()), column
            elif isinstance(value, int):
                assert block[column] == str(value), column
        assert block["TimeGenerated"] == "".join(str(row["TimeGenerated"])[:19].replace("T", " ").split())
    note = f"{len(empty)} empty columns not shown: {', '.join(empty)}"
    assert _flat(note) in _flat(screen)
    assert "3rows" in _flat(screen)


def test_columns_that_fit_are_a_table_with_whole_words(demo_lake, take3):
    projected = TAKE3 + " | project TimeGenerated, Computer, EventID, CommandLine, TargetAccount"
    run, screen = run_at(200, "query", projected, "--lake", demo_lake.path)
    assert run.code == 0, run.err
    header = next(line for line in screen.splitlines() if "TimeGenerated" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "TimeGenerated", "Computer", "EventID", "CommandLine", "TargetAccount",
    ]  # fmt: skip
    body = [line for line in screen.splitlines() if line.startswith("│")]
    assert len(body) == 3  # one line per row: nothing folded
    assert [cell.strip() for cell in body[0].strip("│").split("│")][3] == take3[0]["CommandLine"]
    narrow, screen = run_at(80, "query", projected, "--lake", demo_lake.path)
    assert narrow.code == 0, narrow.err
    assert "┃" not in screen and len(records(screen)) == 3


def test_csv_json_and_parquet_keep_every_column(demo_lake, take3):
    import pyarrow.parquet as pq

    columns = list(demo_lake.columns("SecurityEvent"))
    assert list(take3[0]) == columns
    as_csv = huntbook("query", TAKE3, "--lake", demo_lake.path, "-f", "csv")
    assert as_csv.code == 0, as_csv.err
    assert next(csv.reader(io.StringIO(as_csv.stdout.decode()))) == columns
    as_parquet = huntbook("query", TAKE3, "--lake", demo_lake.path, "-f", "parquet")
    assert as_parquet.code == 0, as_parquet.err
    table = pq.read_table(io.BytesIO(as_parquet.stdout))
    assert table.column_names == columns and table.num_rows == 3
    assert table.column("TargetSid").null_count == 3  # an empty column is kept


def test_parquet_is_not_written_to_a_terminal(demo_lake):
    import os
    import pty
    import subprocess

    from test_cli_hostile import HUNTBOOK

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [str(HUNTBOOK), "query", TAKE3, "--lake", str(demo_lake.path), "-f", "parquet"],
            stdout=follower, stderr=subprocess.PIPE, timeout=600, check=False,
        )  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert "redirect it" in " ".join(done.stderr.decode().split())


def test_proctree_defaults_to_the_lake_span(demo_lake):
    default = huntbook("proctree", "--host", "WS-017", "--lake", demo_lake.path)
    assert default.code == 0, default.err
    assert "WINWORD.EXE" in default.out  # the intrusion, days after the lake's first event
    start, end = demo_lake.time_range()
    assert start.date().isoformat() == "2026-11-06"
    wide = huntbook(
        "proctree",
        "--host",
        "WS-017",
        "--start",
        "2026-11-06",
        "--end",
        "2026-11-21",
        "--lake",
        demo_lake.path,
    )
    assert wide.code == 0, wide.err
    assert default.stdout == wide.stdout and default.err == wide.err
    late = huntbook("proctree", "--host", "WS-017", "--start", "2026-11-15", "--lake", demo_lake.path)
    assert late.code == 0, late.err
    assert late.stdout != default.stdout  # --start alone narrows it; the end is still the lake's
    none = huntbook("proctree", "--host", "NO-SUCH-HOST", "--lake", demo_lake.path)
    assert none.code == 2
    span = f"from {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S} (UTC)"
    assert _flat(span) in _flat(none.err)


def test_geoip_leaves_out_an_asn_the_bundled_data_lacks():
    run, screen = run_at(80, "geoip", "8.8.8.8", "1.1.1.1", "--offline")
    assert run.code == 0, run.err
    blocks = records(screen)
    assert [b["as_org"] for b in blocks] == ["GOOGLE", "CLOUDFLARENET"]
    assert all("asn" not in b for b in blocks)
    assert "asn not shown" in screen and "--asn-db" in screen  # says why, and how to get it
    _, screen = run_at(400, "geoip", "8.8.8.8", "1.1.1.1", "--offline")
    header = next(line for line in screen.splitlines() if "as_org" in line)  # a table, that wide
    assert "asn" not in [cell.strip() for cell in header.split("┃")]
    as_json = huntbook("geoip", "8.8.8.8", "--offline", "-f", "json")
    assert json.loads(as_json.stdout)["asn"] is None  # the column stays in data formats


def test_geoip_shows_the_asn_an_asn_database_has(tmp_path):
    mmdb_writer = pytest.importorskip("mmdb_writer")
    netaddr = pytest.importorskip("netaddr")
    writer = mmdb_writer.MMDBWriter(ip_version=6, database_type="GeoLite2-ASN", ipv4_compatible=True)
    writer.insert_network(
        netaddr.IPSet(["8.8.8.0/24"]),
        {"autonomous_system_number": 15169, "autonomous_system_organization": "GOOGLE"},
    )
    writer.to_db_file(str(tmp_path / "GeoLite2-ASN.mmdb"))
    run, screen = run_at(120, "geoip", "8.8.8.8", "1.1.1.1", "--asn-db", tmp_path / "GeoLite2-ASN.mmdb")
    assert run.code == 0, run.err
    google, cloudflare = records(screen)
    assert google["asn"] == "15169" and google["as_org"] == "GOOGLE"
    assert "asn" not in cloudflare  # the file does not know it: empty, so left out of its block
    assert "--asn-db" not in screen


def _texts(*values: str) -> list[Text]:
    return [Text(v) for v in values]


def test_fit_widths_never_breaks_a_word():
    headers = _texts("location_precision", "source")
    rows = [_texts("country", "geoip2fast (MAXMIND:GeoLite2-CountryASN-IPv4IPv6-en-20240618)")]
    widths = fit_widths(headers, rows, 3 * 2 + 1 + 18 + 52)
    assert widths is not None and widths[0] == len("location_precision")
    assert widths[1] >= len("(MAXMIND:GeoLite2-CountryASN-IPv4IPv6-en-20240618)")
    assert fit_widths(headers, rows, 3 * 2 + 1 + 18 + 40) is None
    long = [_texts("x", "y" * 500)]  # a word longer than a column folds inside it
    assert fit_widths(headers, long, 200) == [len("location_precision"), COLUMN_CHARS]


def test_empty_columns_are_missing_or_empty_text_in_every_row():
    import pandas as pd

    frame = pd.DataFrame({"a": [None, ""], "b": [None, " "], "c": [float("nan"), None], "d": [[], None]})
    assert empty_columns(frame) == ["a", "c"]
    assert empty_columns(frame.head(0)) == []
