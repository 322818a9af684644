import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from huntbook.data.lake.lake import Lake
from huntbook.errors import IngestError, LakeError

CSV = """TimeGenerated,Computer,EventID,LogonType,Extra
2026-01-01 00:00:00,WS-1,4624,3,a
2026-01-01T01:00:00Z,WS-2,4625,10,b
"""


def snapshot(lake):
    return sorted(p.relative_to(lake.path) for p in lake.path.rglob("*") if p.is_file())


def test_csv_gets_sentinel_types_and_keeps_extra_columns(tmp_path):
    (tmp_path / "a.csv").write_text(CSV)
    lake = Lake(tmp_path / "lake")
    (report,) = lake.ingest(tmp_path / "a.csv", "SecurityEvent")
    assert report.rows == 2 and not report.skipped
    import duckdb

    files = [str(f) for f in lake.files("SecurityEvent")]
    rel = duckdb.read_parquet(files)
    types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
    assert types["TimeGenerated"] == "TIMESTAMP WITH TIME ZONE"
    assert types["EventID"] == "INTEGER"
    assert types["LogonType"] == "INTEGER"
    assert types["CommandLine"] == "VARCHAR"  # declared column absent from the file: typed nulls
    assert types["Extra"] == "VARCHAR"
    assert lake.time_range() == (
        pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime(),
        pd.Timestamp("2026-01-01 01:00", tz="UTC").to_pydatetime(),
    )


def test_same_file_twice_is_skipped_unless_forced(tmp_path):
    (tmp_path / "a.csv").write_text(CSV)
    lake = Lake(tmp_path / "lake")
    lake.ingest(tmp_path / "a.csv", "SecurityEvent")
    assert lake.ingest(tmp_path / "a.csv", "SecurityEvent")[0].skipped
    assert lake.info()["rows"].tolist() == [2]
    lake.ingest(tmp_path / "a.csv", "SecurityEvent", force=True)
    assert lake.info()["rows"].tolist() == [4]
    lake.ingest(tmp_path / "a.csv", "SecurityEvent", replace=True)
    assert lake.info()["rows"].tolist() == [2]


@pytest.mark.parametrize(
    ("name", "text", "line", "column", "message"),
    [
        ("bad.csv", CSV + "2026-01-01,WS-3,notanumber,3,c\n", 4, "EventID", "not a number"),
        ("bad.csv", CSV + "yesterday,WS-3,1,3,c\n", 4, "TimeGenerated", "not a date/time"),
        ("bad.csv", CSV + "2026-01-01,WS-3,1.5,3,c\n", 4, "EventID", "not a number fit for a int column"),
        ("bad.csv", CSV + "2026-01-01,WS-3,1\n", 4, None, "expected 5 fields"),
        (
            "bad.csv",
            'TimeGenerated,Computer\n2026-01-01,"multi\nline"\nnot-a-date,x\n',
            4,
            "TimeGenerated",
            "date",
        ),
        ("bad.jsonl", '{"Computer": "a"}\n{"Computer": \n', 2, None, "not valid JSON"),
        ("bad.jsonl", '{"Computer": "a"}\n\n[1, 2]\n', 3, None, "must be a JSON object"),
        ("bad.jsonl", '{"EventID": 1}\n{"EventID": "x"}\n', 2, "EventID", "not a number"),
        (
            "bad.json",
            '[\n {"EventID": 1},\n {"EventID": 2},\n {"EventID": "x"}\n]',
            4,
            "EventID",
            "not a number",
        ),
        ("bad.json", '[{"EventID": 1},\n{"EventID": 2,}]', 2, None, "not valid JSON"),
        ("bad.csv", "A,A\n1,2\n", 1, "A", "twice"),
    ],
)
def test_malformed_input_names_file_line_column_and_writes_nothing(
    tmp_path, name, text, line, column, message
):
    good = tmp_path / "good.csv"
    good.write_text(CSV)
    lake = Lake(tmp_path / "lake")
    lake.ingest(good, "SecurityEvent")
    before = snapshot(lake)
    (tmp_path / name).write_text(text)
    other = tmp_path / "other.csv"
    other.write_text(CSV.replace("WS-1", "WS-9"))
    with pytest.raises(IngestError) as info:
        lake.ingest([other, tmp_path / name], "SecurityEvent")
    err = info.value
    assert (err.path, err.line, err.column) == (str(tmp_path / name), line, column)
    assert message in str(err)
    assert snapshot(lake) == before  # not even the good file of the batch was written


def test_dynamic_columns_take_objects_and_check_json_text(tmp_path):
    lake = Lake(tmp_path / "lake")
    rows = [
        {
            "TimeGenerated": "2026-01-01T00:00:00Z",
            "UserPrincipalName": "a@x.com",
            "LocationDetails": {"city": "Oslo"},
            "ResultType": 0,
        },
    ]
    (tmp_path / "s.json").write_text(json.dumps(rows))
    lake.ingest(tmp_path / "s.json", "SigninLogs")
    from huntbook.data.provider import QueryProvider

    with QueryProvider("Local", lake=lake) as qp:
        frame = qp.exec_query("SigninLogs | project City = tostring(LocationDetails.city), ResultType")
    assert frame.to_dict("records") == [{"City": "Oslo", "ResultType": "0"}]
    (tmp_path / "bad.csv").write_text('UserPrincipalName,Status\na@x.com,"{not json"\n')
    with pytest.raises(IngestError, match="not valid JSON for a dynamic column") as info:
        lake.ingest(tmp_path / "bad.csv", "SigninLogs")
    assert (info.value.line, info.value.column) == (2, "Status")


def test_parquet_and_custom_tables(tmp_path):
    frame = pd.DataFrame({"TimeGenerated": pd.to_datetime(["2026-01-01"]), "Count": [3], "Note": ["x"]})
    frame.to_parquet(tmp_path / "c.parquet")
    lake = Lake(tmp_path / "lake")
    lake.ingest(tmp_path / "c.parquet", "MyApp_CL")
    assert lake.tables() == ["MyApp_CL"]
    from huntbook.data.provider import QueryProvider

    with QueryProvider("Local", lake=lake) as qp:
        out = qp.exec_query("MyApp_CL | project Count, Note")
    assert out.to_dict("records") == [{"Count": 3, "Note": "x"}]


def test_type_clash_with_existing_table_is_refused(tmp_path):
    lake = Lake(tmp_path / "lake")
    (tmp_path / "a.jsonl").write_text('{"Value": 1}\n')
    (tmp_path / "b.jsonl").write_text('{"Value": "text"}\n')
    lake.ingest(tmp_path / "a.jsonl", "Custom_CL")
    with pytest.raises(IngestError, match="already holds this column as int64") as info:
        lake.ingest(tmp_path / "b.jsonl", "Custom_CL")
    assert info.value.column == "Value"


def _clashing_batch(tmp_path):
    for name, value in (("a", "1"), ("b", '"text"'), ("c", "3")):
        (tmp_path / f"{name}.jsonl").write_text(f'{{"Value": {value}}}\n')
    return [tmp_path / f"{n}.jsonl" for n in "abc"]


def test_a_type_clash_inside_a_batch_stops_it_before_anything_is_written(tmp_path):
    lake = Lake(tmp_path / "lake")
    with pytest.raises(IngestError, match="already holds this column as int64"):
        lake.ingest(_clashing_batch(tmp_path), "Custom_CL")
    assert lake.tables() == []


def test_keep_going_reports_the_clashing_file_and_ingests_the_others(tmp_path):
    lake = Lake(tmp_path / "lake")
    reports = lake.ingest(_clashing_batch(tmp_path), "Custom_CL", collect_errors=True)
    assert [(Path(r.path).name, r.rows, r.error is not None) for r in reports] == [
        ("a.jsonl", 1, False),
        ("b.jsonl", 0, True),
        ("c.jsonl", 1, False),
    ]
    assert reports[1].error.column == "Value"
    assert sorted(pd.read_parquet(lake.files("Custom_CL"))["Value"]) == [1, 3]
    again = lake.ingest(_clashing_batch(tmp_path), "Custom_CL", collect_errors=True)
    assert [r.skipped for r in again] == [True, False, True]  # the failed file was not recorded as seen


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x.csv", "Bad Name"), "Invalid table name"),
        (("missing.csv", "T"), "cannot read the file: No such file"),
        (("x.xlsx", "T"), "cannot tell the format"),
        (([], "T"), "No files"),
        (("no-such-folder", "T"), "No such file or folder: .*no-such-folder"),
        (("no-such-folder", None), "No such file or folder: .*no-such-folder"),
    ],
)
def test_bad_arguments(tmp_path, args, message):
    (tmp_path / "x.xlsx").write_text("")
    (tmp_path / "x.csv").write_text(CSV)
    sources = [tmp_path / s for s in args[0]] if isinstance(args[0], list) else tmp_path / args[0]
    with pytest.raises(LakeError, match=message):
        Lake(tmp_path / "lake").ingest(sources, args[1])


def test_unknown_table_suggests_names(tmp_path):
    (tmp_path / "a.csv").write_text(CSV)
    lake = Lake(tmp_path / "lake")
    lake.ingest(tmp_path / "a.csv", "SecurityEvent")
    with pytest.raises(LakeError, match="Did you mean 'SecurityEvent'"):
        lake.files("SecurityEvents")


def test_write_failure_leaves_no_partial_file(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from huntbook.data.lake import storage

    def boom(table, where, **kwargs):
        with open(where, "wb") as handle:
            handle.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        storage.write_part(tmp_path, "T", pa.table({"a": [1]}))
    assert list((tmp_path / "T").iterdir()) == []
