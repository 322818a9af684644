"""Inputs (str, list, Series, DataFrame), the result's shape, custom types and bad arguments."""

from __future__ import annotations

import pandas as pd
import pytest

from huntbook.analysis.iocs import (
    IocInputError,
    IocTypeError,
    extract_iocs,
    register_ioc_type,
    unregister_ioc_type,
)
from huntbook.analysis.iocs.extract import COLUMNS


def test_result_columns_and_order() -> None:
    frame = extract_iocs("b 10.0.0.2 then 10.0.0.1")
    assert list(frame.columns) == COLUMNS
    assert frame["observable"].tolist() == ["10.0.0.2", "10.0.0.1"]
    assert frame["start"].tolist() == [2, 16]


def test_nothing_found_is_an_empty_frame_with_the_columns() -> None:
    frame = extract_iocs("nothing here")
    assert frame.empty
    assert list(frame.columns) == COLUMNS


def test_dataframe_rows_keep_their_index_labels() -> None:
    frame = pd.DataFrame(
        {"cmd": ["ping 10.0.0.1", None, "ping 10.0.0.1", "curl http://a.example.com/x"], "n": [1, 2, 3, 4]},
        index=["e1", "e2", "e3", "e4"],
    )
    found = extract_iocs(frame, columns="cmd")
    assert found[["row", "column", "observable"]].values.tolist() == [
        ["e1", "cmd", "10.0.0.1"],
        ["e3", "cmd", "10.0.0.1"],
        ["e4", "cmd", "http://a.example.com/x"],
    ]


def test_dataframe_default_columns_are_the_text_ones() -> None:
    frame = pd.DataFrame({"a": ["1.1.1.1"], "b": ["x 2.2.2.2"], "n": [3]})
    assert extract_iocs(frame)["column"].tolist() == ["a", "b"]


def test_series_name_is_the_column() -> None:
    found = extract_iocs(pd.Series(["x 8.8.8.8"], name="Msg", index=[7]))
    assert found[["row", "column"]].values.tolist() == [[7, "Msg"]]


def test_non_strings_are_searched_as_text() -> None:
    assert extract_iocs([b"no".decode(), 12, None])["row"].tolist() == []


def test_unknown_type_suggests_a_name() -> None:
    with pytest.raises(IocTypeError, match=r"'ipv5'.*Did you mean.*'ipv4'"):
        extract_iocs("x", types=["ipv5"])


def test_unknown_column_lists_the_columns() -> None:
    with pytest.raises(IocInputError, match=r"No column 'cmdline'.*Did you mean 'CmdLine'"):
        extract_iocs(pd.DataFrame({"CmdLine": ["x"]}), columns=["cmdline"])


@pytest.mark.parametrize("data", [b"bytes", 42, 3.5])
def test_wrong_input_type(data: object) -> None:
    with pytest.raises(IocInputError):
        extract_iocs(data)  # type: ignore[arg-type]


def test_columns_only_for_frames() -> None:
    with pytest.raises(IocInputError, match="only to a DataFrame"):
        extract_iocs("text", columns=["a"])


def test_custom_type_with_validator_and_normalisation() -> None:
    register_ioc_type(
        "ticket", r"(?i)\binc-[0-9]{6}\b", lambda s: s.upper() if not s.endswith("000000") else None
    )
    try:
        found = extract_iocs("see inc-123456 and INC-000000", types=["ticket"])
        assert found["observable"].tolist() == ["INC-123456"]
        assert "ticket" in set(extract_iocs("inc-654321")["type"])
    finally:
        unregister_ioc_type("ticket")
    with pytest.raises(IocTypeError):
        extract_iocs("x", types=["ticket"])


@pytest.mark.parametrize(
    ("name", "pattern", "message"),
    [
        ("ipv4", "x", "new name"),
        ("bad name", "x", "letters"),
        ("backref", r"(a)\1", "not a valid RE2"),
        ("lookahead", r"a(?=b)", "not a valid RE2"),
    ],
)
def test_bad_custom_types(name: str, pattern: str, message: str) -> None:
    with pytest.raises(IocTypeError, match=message):
        register_ioc_type(name, pattern)


def test_lines_of_a_text_are_scanned_once_each_but_reported_everywhere() -> None:
    text = "é 10.0.0.1\nok\né 10.0.0.1\r\nx\x00 evil[.]com\n"
    frame = extract_iocs([text, "10.0.0.1"])
    spans = [(r.row, r.observable, text[r.start : r.end] if r.row == 0 else "") for r in frame.itertuples()]
    assert spans == [
        (0, "10.0.0.1", "10.0.0.1"),
        (0, "10.0.0.1", "10.0.0.1"),
        (0, "evil.com", "evil[.]com"),
        (1, "10.0.0.1", ""),
    ]
    assert frame["start"].tolist()[:3] == [2, 16, 29]
