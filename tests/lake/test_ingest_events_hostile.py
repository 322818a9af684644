"""Windows event exports with values that break naive readers: each lands or is kept raw, none crashes."""

import json

import duckdb
import pandas as pd
import pytest

from huntbook.data.lake import jsoncodec
from huntbook.data.lake.lake import Lake

SYSMON = "Microsoft-Windows-Sysmon/Operational"
STAMP = "2026-03-01T10:00:00Z"


def rows(lake, table):
    return duckdb.read_parquet([str(f) for f in lake.files(table)], union_by_name=True).df()


@pytest.fixture
def ingest(tmp_path):
    def run(*lines):
        source = tmp_path / "export.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        lake = Lake(tmp_path / "lake")
        (report,) = lake.ingest(source)
        return lake, report

    return run


def test_unpaired_surrogates_become_replacement_characters(ingest):
    line = json.dumps({"@timestamp": STAMP, "EventID": 1, "Channel": SYSMON, "Image": "a\ud800b"})
    assert "\\ud800" in line
    lake, report = ingest(line)
    assert report.tables == {"SysmonEvent": 1}
    assert rows(lake, "SysmonEvent")["Image"].tolist() == ["a\ufffdb"]


def test_numbers_beyond_64_bits_keep_every_digit(ingest):
    big = 123456789012345678901234567890
    line = json.dumps({"@timestamp": STAMP, "EventID": 4688, "Channel": "Security", "Big": big, "Ratio": 0.5})
    lake, _ = ingest(line)
    row = rows(lake, "SecurityEvent").iloc[0]
    assert (row["Big"], row["Ratio"]) == (str(big), "0.5")
    assert json.loads(row["EventData"])["Big"] == str(big)


@pytest.mark.parametrize(
    ("event_id", "reason"),
    [
        (99999999999999999999999, "EventID is not a whole number of at most 32 bits"),
        (2**31, "EventID is not a whole number of at most 32 bits"),
        ("²", "EventID is not a whole number"),  # a digit to str.isdigit, not to int()
        ("9" * 5000, "EventID is not a whole number"),  # more digits than int() reads
    ],
)
def test_an_event_id_no_column_can_hold_keeps_the_record_raw(ingest, event_id, reason):
    line = json.dumps({"@timestamp": STAMP, "EventID": event_id, "Channel": "System"})
    lake, report = ingest(line)
    assert report.tables == {"UnparsedEvent_CL": 1}
    raw = rows(lake, "UnparsedEvent_CL").iloc[0]
    assert raw["Reason"].startswith(reason) and raw["RawData"] == line


def test_out_of_range_record_ids_and_logon_types_are_left_empty(ingest):
    line = json.dumps(
        {
            "@timestamp": STAMP,
            "EventID": 4624,
            "Channel": "Security",
            "EventRecordID": 2**64,
            "LogonType": "7" * 12,
        }
    )
    lake, report = ingest(line)
    assert report.tables == {"SecurityEvent": 1}
    row = rows(lake, "SecurityEvent").iloc[0]
    assert pd.isna(row["EventRecordId"]) and pd.isna(row["LogonType"])
    assert json.loads(row["EventData"])["LogonType"] == "7" * 12  # the text is kept


def test_the_json_codec_agrees_with_the_standard_library():
    text = '{"a": [1, -2, 18446744073709551615, 1e3, NaN, "\\u00e9"], "b": {"c": null, "d": true}}'
    expected = json.loads(text)
    decoded = jsoncodec.loads(text)
    assert json.dumps(decoded) == json.dumps(expected)
    assert jsoncodec.loads(text.encode()) == decoded or json.dumps(
        jsoncodec.loads(text.encode())
    ) == json.dumps(expected)
    assert json.loads(jsoncodec.dumps({"n": 2**70, "s": "é"})) == {"n": 2**70, "s": "é"}


def test_a_byte_order_mark_and_windows_line_ends_are_read(tmp_path):
    lines = [
        json.dumps({"@timestamp": STAMP, "EventID": 7045, "Channel": "System", "n": i}) for i in range(3)
    ]
    source = tmp_path / "export.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([*lines, "{broken"]).encode() + b"\r\n")
    lake = Lake(tmp_path / "lake")
    (report,) = lake.ingest(source)
    assert report.tables == {"Event": 3, "UnparsedEvent_CL": 1}
    raw = rows(lake, "UnparsedEvent_CL").iloc[0]
    assert (raw["RecordOffset"], raw["RawData"]) == (4, "{broken")
