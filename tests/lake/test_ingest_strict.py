"""Malformed CSV, JSON and JSON-lines files are refused whole, naming file and line; good ones land whole.

Every file of the corpora is also read by an independent strict parse (the
``csv`` module with ``strict=True``, ``json`` with a hook that refuses a key
given twice): a malformed file must be one it refuses too, and a well-formed
file must land with exactly the rows it counts.
"""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from huntbook.data.lake.lake import Lake
from huntbook.errors import IngestError, TableNeededError

HEADER = "When,Computer,Account,CommandLine\n"  # all text: values compare exactly
ROW = "2026-01-01T00:00:00Z,WS-1,alice,cmd.exe\n"


class MalformedError(Exception):
    """The independent parse refused the file."""


def strict_csv_rows(data: bytes) -> list[list[str]]:
    """The data rows of a CSV file by the csv module in strict mode; MalformedError for any defect."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedError("not UTF-8") from exc
    if "\x00" in text:
        raise MalformedError("NUL")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise MalformedError(str(exc)) from exc
    if not rows:
        raise MalformedError("empty")
    header, body = rows[0], [row for row in rows[1:] if row]
    if len({name.casefold() for name in header}) != len(header) or not all(header):
        raise MalformedError("header")
    for row in body:
        if len(row) != len(header):
            raise MalformedError("width")
        for value in row:
            kinds = {"\r\n"} if "\r\n" in value else set()
            rest = value.replace("\r\n", "")
            kinds |= {c for c in "\r\n" if c in rest}
            if len(kinds) > 1:
                raise MalformedError("mixed line breaks")
    return body


def _unique(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise MalformedError("duplicate key")
    return dict(pairs)


def strict_json_lines(data: bytes) -> list[dict]:
    """The objects of a JSON-lines file by the json module, refusing a key given twice."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedError("not UTF-8") from exc
    objects = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            obj = json.loads(line, object_pairs_hook=_unique)
        except json.JSONDecodeError as exc:
            raise MalformedError(str(exc)) from exc
        if not isinstance(obj, dict):
            raise MalformedError("not an object")
        objects.append(obj)
    if len({k.casefold() for o in objects for k in o}) != len({k for o in objects for k in o}):
        raise MalformedError("keys differing in case")
    return objects


def strict_json_array(data: bytes) -> list[dict]:
    try:
        value = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_unique)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedError(str(exc)) from exc
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedError("not an array of objects")
    return value


ORACLES = {".csv": strict_csv_rows, ".jsonl": strict_json_lines, ".json": strict_json_array}

# name, content, line, column, words the message must hold
MALFORMED = [
    ("unterminated_quote.csv", HEADER + ROW + 'x,WS-2,"bob,cmd\n' + ROW + ROW, 3, "Account", "never closed"),
    (
        "unterminated_last_field.csv",
        HEADER + ROW + 'x,WS-2,bob,"cmd /c\n' + ROW,
        3,
        "CommandLine",
        "never closed",
    ),
    ("text_after_quote.csv", HEADER + ROW + 'x,WS-2,"bob"by,cmd\n', 3, None, "expected after"),
    ("too_many_fields.csv", HEADER + ROW + "x,WS-2,bob,cmd,extra\n", 3, None, "expected 4 fields"),
    ("too_few_fields.csv", HEADER + ROW + ROW + "x,WS-2\n" + ROW, 4, None, "found 2"),
    ("only_commas.csv", HEADER + ROW + ",\n", 3, None, "found 2"),
    ("unquoted_comma.csv", HEADER + "x,WS-1,alice,cmd.exe /c a,b\n", 2, None, "must be quoted"),
    ("nul_in_value.csv", HEADER + ROW + "x,WS-2,b\x00ob,cmd\n", 3, "Account", "NUL"),
    ("nul_in_header.csv", "TimeGenerated,Comp\x00uter\n" + "x,y\n", 1, None, "NUL"),
    ("latin1.csv", (HEADER + ROW + "x,WS-2,jos\xe9,cmd\n").encode("latin-1"), 3, "Account", "not UTF-8"),
    (
        "cut_utf8.csv",
        (HEADER + ROW).encode() + "x,WS-2,bob,caf\xe9\n".encode()[:-2],
        3,
        "CommandLine",
        "UTF-8",
    ),
    ("mixed_breaks.csv", HEADER + ROW + 'x,WS-2,bob,"line1\r\nline2\nline3"\n', 3, "CommandLine", "mixes"),
    (
        "bare_cr_in_crlf.csv",
        (HEADER + ROW).replace("\n", "\r\n") + 'x,WS-2,"a\rb\r\nc",cmd\r\n',
        3,
        "Account",
        "mixes",
    ),
    ("duplicate_header.csv", "TimeGenerated,Account,Account\nx,a,b\n", 1, "Account", "twice"),
    (
        "case_duplicate_header.csv",
        "TimeGenerated,Account,account\nx,a,b\n",
        1,
        "account",
        "differ only in case",
    ),
    ("empty_header_name.csv", "TimeGenerated,,Account\nx,a,b\n", 1, None, "empty column name"),
    ("empty.csv", "", None, None, "empty"),
    ("truncated.jsonl", '{"Account": "a"}\n{"Account": "b"}\n{"Account": "c', 3, None, "truncated"),
    ("array_line.jsonl", '{"Account": "a"}\n[1, 2]\n', 2, None, "an array"),
    ("string_line.jsonl", '{"Account": "a"}\n"just text"\n', 2, None, "a string"),
    ("duplicate_key.jsonl", '{"Account": "a"}\n{"Account": "b", "Account": "c"}\n', 2, None, "twice"),
    ("nested_duplicate.jsonl", '{"Account": "a", "Extra": {"k": 1, "k": 2}}\n', 1, None, "'k' twice"),
    ("latin1.jsonl", '{"Account": "a"}\n{"Account": "jos\xe9"}\n'.encode("latin-1"), 2, None, "not UTF-8"),
    ("raw_nul.jsonl", '{"Account": "a"}\n{"Account": "b\x00"}\n', 2, None, "not valid JSON"),
    ("case_keys.jsonl", '{"Account": "a"}\n{"account": "b"}\n', 2, "account", "differ only in case"),
    ("duplicate_key.json", '[\n {"Account": "a"},\n {"Account": "b", "Account": "c"}\n]\n', 3, None, "twice"),
    ("truncated.json", '[\n {"Account": "a"},\n {"Account": "b"', 3, None, "not valid JSON"),
    ("latin1.json", '[{"Account": "a"},\n {"Account": "jos\xe9"}]'.encode("latin-1"), 2, None, "not UTF-8"),
]

WELL_FORMED = [
    ("plain.csv", HEADER + ROW + ROW),
    ("quoted_newlines.csv", HEADER + ROW + 'x,WS-2,bob,"powershell\n-enc\nAAAA"\n' + ROW),
    ("quoted_crlf_in_crlf.csv", (HEADER + ROW).replace("\n", "\r\n") + 'x,WS-2,bob,"a\r\nb"\r\n'),
    ("quoted_lf_in_crlf.csv", (HEADER + ROW).replace("\n", "\r\n") + 'x,WS-2,bob,"a\nb"\r\n'),
    ("quoted_delimiters.csv", HEADER + 'x,WS-2,"smith, bob","cmd /c ""a,b"""\n' + ROW),
    ("bom.csv", "\ufeff" + HEADER + ROW + ROW),
    ("crlf.csv", (HEADER + ROW + ROW + ROW).replace("\n", "\r\n")),
    ("cr_only.csv", (HEADER + ROW + ROW).replace("\n", "\r")),
    ("mixed_record_endings.csv", HEADER + ROW.replace("\n", "\r\n") + ROW),
    ("empty_trailing_line.csv", HEADER + ROW + ROW + "\n"),
    ("no_final_newline.csv", HEADER + ROW + ROW.rstrip("\n")),
    ("empty_values.csv", HEADER + "x,,,\n" + ROW),
    ("header_only.csv", HEADER),
    ("unicode.csv", HEADER + "x,WS-\u00e9,\u202eevil,\u2028sep\n"),
    ("objects.jsonl", '{"Account": "a"}\n\n{"Account": "b", "Extra": {"k": [1, {"k": 2}]}}\n'),
    ("crlf_bom.jsonl", '\ufeff{"Account": "a"}\r\n{"Account": "b"}\r\n\r\n'),
    ("line_separator.jsonl", '{"Account": "a\u2028b"}\n'),
    ("array.json", '\ufeff[\n {"Account": "a"},\n {"Account": "b"}\n]\n'),
]


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _parquet_rows(lake: Lake) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in lake.path.rglob("*.parquet"))


def test_the_corpora_are_large_enough():
    assert sum(name.endswith(".csv") for name, *_ in MALFORMED) >= 15
    assert len({name for name, *_ in MALFORMED + WELL_FORMED}) == len(MALFORMED) + len(WELL_FORMED)


@pytest.mark.parametrize(
    ("name", "content", "line", "column", "words"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_file_is_refused_naming_file_and_line_and_nothing_is_written(
    tmp_path, name, content, line, column, words
):
    bad = _write(tmp_path, name, content)
    with pytest.raises(MalformedError):
        ORACLES[bad.suffix](bad.read_bytes())
    good = _write(tmp_path, "good.csv", HEADER + ROW)
    lake = Lake(tmp_path / "lake")
    with pytest.raises(IngestError) as info:
        lake.ingest([good, bad], "MyLogs_CL")
    error = info.value
    assert (error.path, error.line, error.column) == (str(bad), line, column)
    assert words in error.message
    assert str(error).startswith(f"{bad}, line {line}" if line else f"{bad}:")
    assert not lake.path.exists() or not list(lake.path.rglob("*.parquet"))


@pytest.mark.parametrize(("name", "content"), WELL_FORMED, ids=[w[0] for w in WELL_FORMED])
def test_a_well_formed_file_lands_with_the_rows_a_strict_parse_counts(tmp_path, name, content):
    path = _write(tmp_path, name, content)
    expected = ORACLES[path.suffix](path.read_bytes())
    lake = Lake(tmp_path / "lake")
    (report,) = lake.ingest(path, "MyLogs_CL")
    assert report.error is None and report.rows == len(expected) == _parquet_rows(lake)
    if path.suffix == ".csv" and expected:
        table = pq.read_table(lake.files("MyLogs_CL")).to_pylist()
        names = next(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
        assert [[row[n] or "" for n in names] for row in table] == expected  # every value exactly


def test_keep_going_reports_each_bad_file_and_lands_the_others(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, content, *_ in MALFORMED:
        _write(folder, name, content)
    good = [(name, content) for name, content in WELL_FORMED if name != "header_only.csv"]
    for name, content in good:
        _write(folder, name, content)
    lake = Lake(tmp_path / "lake")
    reports = lake.ingest(folder, "MyLogs_CL", collect_errors=True)
    by_name = {Path(r.path).name: r for r in reports}
    assert {n for n, r in by_name.items() if r.error is not None} == {m[0] for m in MALFORMED}
    for name, _, line, column, _ in MALFORMED:
        assert (by_name[name].error.line, by_name[name].error.column) == (line, column)
        assert by_name[name].rows == 0
    expected = {name: len(ORACLES[Path(name).suffix](content.encode())) for name, content in good}
    assert {name: by_name[name].rows for name in expected} == expected
    assert _parquet_rows(lake) == sum(expected.values())


def test_a_value_that_does_not_fit_still_stops_the_batch_with_file_line_and_column(tmp_path):
    good = _write(tmp_path, "good.csv", "TimeGenerated,EventID\n2026-01-01,4624\n")
    bad = _write(
        tmp_path, "bad.csv", 'TimeGenerated,EventID\n2026-01-01,"46\n24"\n2026-01-02,4625\n2026-01-03,x\n'
    )
    lake = Lake(tmp_path / "lake")
    with pytest.raises(IngestError) as info:
        lake.ingest([good, bad], "SecurityEvent")
    assert (info.value.path, info.value.line, info.value.column) == (str(bad), 2, "EventID")
    assert not lake.path.exists() or not list(lake.path.rglob("*.parquet"))


def test_an_unpaired_surrogate_in_json_text_is_refused_with_its_line(tmp_path):
    bad = _write(tmp_path, "s.jsonl", '{"Account": "a"}\n{"Account": "x\\ud800y"}\n')
    with pytest.raises(IngestError) as info:
        Lake(tmp_path / "lake").ingest(bad, "MyLogs_CL")
    assert (info.value.line, info.value.column) == (2, "Account")
    assert "surrogate" in info.value.message


@pytest.mark.parametrize(
    ("name", "fmt", "kind"), [("a.csv", None, "CSV"), ("a.parquet", None, "Parquet"), ("a.txt", "csv", "CSV")]
)
def test_table_rows_without_a_table_ask_for_table_in_python_words(tmp_path, name, fmt, kind):
    path = _write(tmp_path, name, HEADER + ROW)
    with pytest.raises(TableNeededError) as info:
        Lake(tmp_path / "lake").ingest(path, format=fmt)
    assert info.value.path == str(path) and info.value.kind == kind
    assert "pass table='NAME'" in str(info.value) and "evtx" not in str(info.value)


def test_a_folder_of_only_csv_without_a_table_asks_for_one(tmp_path):
    (tmp_path / "in").mkdir()
    path = _write(tmp_path / "in", "a.csv", HEADER + ROW)
    with pytest.raises(TableNeededError) as info:
        Lake(tmp_path / "lake").ingest(tmp_path / "in")
    assert info.value.path == str(path)


# --- the real command ---------------------------------------------------------------------------

HUNTBOOK = Path(sys.executable).with_name("huntbook")


def huntbook(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "2000", "NO_COLOR": "1"}
    return subprocess.run(
        [str(HUNTBOOK), *map(str, args)], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_command_refuses_a_malformed_csv_naming_file_and_line(tmp_path):
    name, content, line, column, words = MALFORMED[0]
    bad = _write(tmp_path, name, content)
    result = huntbook("lake", "ingest", bad, "--table", "MyLogs_CL", "--lake", tmp_path / "lake")
    assert result.returncode != 0
    out = _one_line(result.stdout + result.stderr)
    assert f"{bad}, line {line}, column '{column}'" in out and words in out
    assert not (tmp_path / "lake").exists() or not list((tmp_path / "lake").rglob("*.parquet"))


def test_command_keep_going_reports_the_bad_file_and_lands_the_good(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "bad.csv", HEADER + ROW + "x,WS-2,b\x00ob,cmd\n")
    _write(folder, "good.csv", HEADER + ROW + ROW)
    result = huntbook(
        "lake", "ingest", folder, "--table", "MyLogs_CL", "--lake", tmp_path / "lake", "--keep-going"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = _one_line(result.stdout)
    assert "2 files: 1 ingested, 0 skipped, 1 failed; 2 records, 2 rows" in out
    assert f"{folder / 'bad.csv'}, line 3, column 'Account'" in out and "NUL" in out
    assert _parquet_rows(Lake(tmp_path / "lake")) == 2


def test_command_without_table_says_pass_table_name(tmp_path):
    path = _write(tmp_path, "a.csv", HEADER + ROW)
    result = huntbook("lake", "ingest", path, "--lake", tmp_path / "lake")
    assert result.returncode != 0
    out = _one_line(result.stderr)
    assert "pass --table NAME" in out and str(path) in out
    assert "format=" not in out and "table=" not in out
