"""unpack_frame: one row per decoded layer of every text in a Series or DataFrame."""

from __future__ import annotations

import base64
import gzip

import pandas as pd
import pytest

from huntbook.analysis.decode import UnpackInputError, unpack_frame
from huntbook.analysis.decode.frame import COLUMNS

HELLO = base64.b64encode("Write-Host hello".encode("utf-16-le")).decode()
NESTED = base64.b64encode(gzip.compress(f"powershell -enc {HELLO}".encode())).decode()


def test_a_series_gives_one_row_per_layer_with_its_source_row():
    series = pd.Series(["dir C:\\", f"powershell -enc {HELLO}", None, f"x {NESTED}"], index=[10, 11, 12, 13])
    frame = unpack_frame(series)
    assert list(frame.columns) == list(COLUMNS)
    shown = frame[["row", "column", "path", "depth", "encoding", "chain", "charset", "text"]]
    assert shown.values.tolist() == [
        [11, None, "0", 1, "base64", "base64", "utf-16le", "Write-Host hello"],
        [13, None, "0", 1, "base64", "base64", "binary", frame.text[1]],
        [13, None, "0.0", 2, "gzip", "base64 > gzip", "utf-8", f"powershell -enc {HELLO}"],
        [13, None, "0.0.0", 3, "base64", "base64 > gzip > base64", "utf-16le", "Write-Host hello"],
    ]
    assert frame.file_type[1] == "gzip"
    first = frame.iloc[0]
    assert (first.start, first.end, first.source, first["name"]) == (16, 16 + len(HELLO), HELLO, None)
    assert first["size"] == 32 and not first.truncated and first.limit is None
    assert first.sha256 == __import__("hashlib").sha256("Write-Host hello".encode("utf-16-le")).hexdigest()


def test_dtypes():
    frame = unpack_frame(pd.Series([f"a {HELLO}"]))
    assert {c: str(frame[c].dtype) for c in ("depth", "start", "end", "size", "truncated")} == {
        "depth": "int64",
        "start": "int64",
        "end": "int64",
        "size": "int64",
        "truncated": "bool",
    }


def test_repeated_values_are_unpacked_once_and_reported_for_each_row():
    series = pd.Series([f"run {HELLO}"] * 3 + ["nothing"] * 2, name="CommandLine")
    frame = unpack_frame(series)
    assert frame.row.tolist() == [0, 1, 2]
    assert set(frame.column) == {"CommandLine"}


def test_a_dataframe_unpacks_its_text_columns_row_by_row():
    data = pd.DataFrame(
        {
            "EventID": [4688, 4688],
            "CommandLine": ["cmd /c dir", f"powershell -enc {HELLO}"],
            "ParentCommandLine": [f"p -e {HELLO}", "explorer.exe"],
        },
        index=["a", "b"],
    )
    frame = unpack_frame(data)
    assert frame[["row", "column", "text"]].values.tolist() == [
        ["a", "ParentCommandLine", "Write-Host hello"],
        ["b", "CommandLine", "Write-Host hello"],
    ]
    assert unpack_frame(data, columns="ParentCommandLine").row.tolist() == ["a"]
    assert unpack_frame(data, columns=["EventID"]).empty


def test_bytes_values_are_unpacked_as_files():
    frame = unpack_frame(pd.Series([gzip.compress(b"dropped script"), bytearray(b"plain")], dtype=object))
    assert frame[["row", "encoding", "text"]].values.tolist() == [[0, "gzip", "dropped script"]]


def test_limits_apply_to_each_value():
    frame = unpack_frame(pd.Series([f"x {NESTED}", f"y {NESTED}"]), max_depth=2)
    assert frame.depth.tolist() == [1, 2, 1, 2]
    assert unpack_frame(pd.Series([f"x {NESTED}"]), max_layer_bytes=10).truncated.all()


def test_nothing_to_unpack_gives_an_empty_frame_with_the_columns():
    frame = unpack_frame(pd.Series(["dir", None, "whoami"]))
    assert frame.empty and list(frame.columns) == list(COLUMNS)


def test_non_string_values_are_unpacked_as_text():
    assert unpack_frame(pd.Series([1, 2.5, True], dtype=object)).empty


def test_bad_arguments():
    with pytest.raises(UnpackInputError, match="Series or a DataFrame, not str"):
        unpack_frame("text")
    with pytest.raises(UnpackInputError, match="'columns' applies only to a DataFrame"):
        unpack_frame(pd.Series(["a"]), columns="x")
    with pytest.raises(UnpackInputError, match=r"No column 'Commandline'.*Did you mean 'CommandLine'"):
        unpack_frame(pd.DataFrame({"CommandLine": ["a"]}), columns=["Commandline"])
    with pytest.raises(UnpackInputError, match="a column name or a list of them, not int"):
        unpack_frame(pd.DataFrame({"CommandLine": ["a"]}), columns=5)


def test_the_demo_lake_powershell_is_decoded(demo_lake, ground_truth):
    intrusion = ground_truth.intrusion
    for table, columns in [
        ("DeviceProcessEvents", ["ProcessCommandLine", "InitiatingProcessCommandLine"]),
        ("SecurityEvent", ["CommandLine"]),
    ]:
        data = pd.concat(pd.read_parquet(path, columns=columns) for path in demo_lake.files(table))
        frame = unpack_frame(data)
        cradle = frame[frame.text == intrusion.decoded_command]
        assert len(cradle) >= 1, table
        assert set(cradle.chain) == {"base64"} and set(cradle.charset) == {"utf-16le"}
        rows = data.loc[cradle.row.unique()]
        assert (rows == intrusion.powershell_command_line).any(axis=None)
        assert set(frame.text) <= {
            intrusion.decoded_command,
            "Get-Service -Name MSSQLSERVER,SQLSERVERAGENT | Select-Object Name,Status | ConvertTo-Json",
        }
