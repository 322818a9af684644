"""Typing of event columns: EventData values as JSON decoded them, and times as text, land typed."""

import datetime as dt
import gc
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from huntbook.data.lake.storage import SMALL_PART_ROWS, write_parts
from huntbook.data.lake.winevents import EventRows, NotAnEventError, _time
from huntbook.data.lake.winfiles import read_event_file

SYSMON = "Microsoft-Windows-Sysmon/Operational"
UTC = dt.UTC


def evtx_event(channel, data, time="2020-10-20T22:33:02.063979Z", record_id=1):
    """An event as evtx's JSON rendering decodes (numbers stay numbers in EventData)."""
    system = {
        "Provider": {"#attributes": {"Name": "P"}},
        "EventID": 1,
        "Level": 4,
        "TimeCreated": {"#attributes": {"SystemTime": time}},
        "EventRecordID": record_id,
        "Channel": channel,
        "Computer": "HOST",
        "Security": {"#attributes": {"UserID": "S-1-5-18"}},
    }
    return {"Event": {"System": system, "EventData": data}}


@pytest.mark.parametrize("channel", [SYSMON, "Security", "System"])
def test_eventdata_values_become_text_as_json_writes_them(channel):
    rows = EventRows()
    values = [
        {"ProcessId": 5600, "Flag": True, "Nested": {"#text": "x"}, "Obj": {"a": [1, 2]}, "Big": 2**64 - 1},
        {"ProcessId": "12", "Flag": None, "Nested": 1.5, "Obj": "plain", "Big": -3},
    ]
    for number, data in enumerate(values, start=1):
        rows.add_evtx(evtx_event(channel, dict(data), record_id=number))
    (table,) = rows.to_arrow().values()
    expected = {
        "ProcessId": ["5600", "12"],
        "Flag": ["true", None],
        "Nested": ["x", "1.5"],
        "Obj": ['{"a":[1,2]}', "plain"],
        "Big": ["18446744073709551615", "-3"],
    }
    if channel == "System":  # other channels keep the fields in the EventData JSON only
        got = [json.loads(text) for text in table.sort_by("EventRecordId")["EventData"].to_pylist()]
        assert {k: [row[k] for row in got] for k in expected} == expected
        return
    table = table.sort_by("EventRecordId")
    assert {k: table[k].to_pylist() for k in expected} == expected
    assert all(table.schema.field(k).type == pa.string() for k in expected)


def test_a_column_of_one_kind_is_typed_at_once_and_mixed_kinds_value_by_value():
    rows = EventRows()
    for number, value in enumerate([1, True, "a", None], start=1):
        rows.add_evtx(evtx_event(SYSMON, {"Mixed": value, "Count": number}, record_id=number))
    table = rows.to_arrow()["SysmonEvent"].sort_by("EventRecordId")
    assert table["Mixed"].to_pylist() == ["1", "true", "a", None]
    assert table["Count"].to_pylist() == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-10-20T22:33:02.063979Z", dt.datetime(2020, 10, 20, 22, 33, 2, 63979, tzinfo=UTC)),
        ("2020-10-20T23:33:02+01:00", dt.datetime(2020, 10, 20, 22, 33, 2, tzinfo=UTC)),
        ("2020-10-20 22:33:02.5", dt.datetime(2020, 10, 20, 22, 33, 2, 500000, tzinfo=UTC)),
        ("2020-10-20T22:33:02,063979Z", dt.datetime(2020, 10, 20, 22, 33, 2, 63979, tzinfo=UTC)),
        ("2020-W43-2T22:33:02.063979Z", dt.datetime(2020, 10, 20, 22, 33, 2, 63979, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", dt.datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_times_land_as_the_instant_python_reads(text, expected):
    rows = EventRows()
    rows.add_evtx(evtx_event(SYSMON, {}, time=text))
    rows.add_evtx(evtx_event(SYSMON, {}, time="2021-01-01T00:00:00.000000Z", record_id=2))
    table = rows.to_arrow()["SysmonEvent"].sort_by("EventRecordId")
    assert table.schema.field("TimeGenerated").type == pa.timestamp("us", tz="UTC")
    assert table["TimeGenerated"].to_pylist()[0] == expected


def test_a_time_python_cannot_read_is_not_an_event():
    with pytest.raises(NotAnEventError, match="not an ISO 8601 time"):
        _time("2020-13-40T00:00:00Z")


@pytest.mark.parametrize(("rows", "codec"), [(10, "SNAPPY"), (SMALL_PART_ROWS, "ZSTD")])
def test_small_parts_are_written_with_snappy_and_larger_with_zstd(tmp_path, rows, codec):
    table = pa.table({"TimeGenerated": pa.array(range(rows)), "Text": pa.array(["x"] * rows)})
    (part,) = write_parts(tmp_path, {"T": table})
    meta = pq.ParquetFile(part).metadata
    assert {meta.row_group(0).column(i).compression for i in range(2)} == {codec}
    assert pq.read_table(part).equals(table)


def test_reading_a_file_leaves_the_garbage_collector_as_it_was(tmp_path):
    source = tmp_path / "one.jsonl"
    event = {"@timestamp": "2026-03-01T10:00:00Z", "EventID": 1, "Channel": SYSMON}
    source.write_text(json.dumps(event) + "\n")
    assert gc.isenabled()
    assert read_event_file(source).counts() == {"SysmonEvent": 1}
    assert gc.isenabled()
    gc.disable()
    try:
        read_event_file(source)
        assert not gc.isenabled()
    finally:
        gc.enable()
