"""Evidence tables of the report: numbers, missing values, JSON cells, rows that open in place."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from huntbook.report_table import EMBEDDED_ROWS, JSON_LINES, SHOWN_ROWS, cell_html, evidence_table


@pytest.mark.parametrize(
    ("value", "column", "shown"),
    [
        (1961992454.0, "SentBytes", "1,961,992,454"),
        (np.float64(4826.0), "AvgSentBytes", "4826"),
        (np.int64(13826), "Connections", "13,826"),
        (619.5612, "Hours", "619.56"),
        (0.012345, "Ratio", "0.0123"),
        (44321, "DestinationPort", "44321"),
        (4625.0, "EventID", "4625"),
        (True, "Flag", "True"),
    ],
)
def test_numbers_read_as_numbers(value: object, column: str, shown: str) -> None:
    assert cell_html(value, column=column) == shown


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NaT, pd.NA])
def test_missing_values_are_empty(value: object) -> None:
    assert cell_html(value) == ""


def test_json_text_becomes_key_value_lines_with_every_value_escaped() -> None:
    entities = (
        '[{"Name": "<b>lnguyen</b>", "Sid": null, "Type": "account", "$id": "2"},'
        ' {"Address": "203.0.113.45", "Type": "ip", "Geo": {"cc": "NL"}}]'
    )
    shown = cell_html(entities, column="Entities")
    lines = re.findall(r"<li[^>]*>(.*?)</li>", shown)
    assert lines == [
        "<span class='k'>Name</span>: &lt;b&gt;lnguyen&lt;/b&gt;",
        "<span class='k'>Type</span>: account",
        "<span class='k'>$id</span>: 2",
        "<span class='k'>Address</span>: 203.0.113.45",
        "<span class='k'>Type</span>: ip",
        "<span class='k'>Geo</span>: {&quot;cc&quot;: &quot;NL&quot;}",
    ]
    assert "<li class='gap'><span class='k'>Address" in shown  # the second entity starts a new block
    assert cell_html('["T1110.003", "T1078"]') == "T1110.003, T1078"
    assert cell_html({"a": 1, "b": "x\u202ey"}) == (
        "<ul class='kv'><li><span class='k'>a</span>: 1</li><li><span class='k'>b</span>: x\\u202ey</li></ul>"
    )


def test_long_json_is_cut_and_counted_and_text_that_is_not_json_stays_text() -> None:
    shown = cell_html({f"k{n}": n for n in range(JSON_LINES + 5)})
    assert shown.count("<li>") == JSON_LINES and "… and 5 more</li>" in shown
    assert cell_html("[not json") == "[not json"
    assert cell_html("{<script>}") == "{&lt;script&gt;}"


def test_rest_of_the_rows_open_in_place_and_what_is_left_out_is_counted() -> None:
    rows = pd.DataFrame({"n": range(EMBEDDED_ROWS + 40), "text": "a"})
    html = evidence_table(rows)
    first, rest = html.split("<details", 1)
    assert first.count("<tr>") == SHOWN_ROWS + 1  # and the header
    assert f"<summary>… and {EMBEDDED_ROWS + 40 - SHOWN_ROWS:,} more rows</summary>" in rest
    assert rest.count("<tr>") == EMBEDDED_ROWS - SHOWN_ROWS + 1
    assert rest.count("<th>") == first.count("<th>") == 2
    assert "40 more rows are not in this report (it keeps the first 300)." in rest


def test_a_short_table_has_nothing_to_open() -> None:
    paris = pd.Timestamp("2026-11-10 09:00", tz="Europe/Paris")
    html = evidence_table(pd.DataFrame({"TimeGenerated": [paris]}))
    assert "<details" not in html
    assert "<td class='t'>2026-11-10 08:00:00</td>" in html  # in UTC, as the report says
