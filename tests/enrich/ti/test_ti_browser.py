"""browse(): per observable, every provider's answer, filterable by severity; rich text and widgets."""

from __future__ import annotations

import pandas as pd
import pytest

from huntbook.enrich.ti.result import LookupResult, to_frame
from huntbook.errors import HuntbookError
from huntbook.notebook.ti_browser import TIReport, browse, browser_widget


@pytest.fixture
def results():
    return to_frame(
        [
            LookupResult(
                "203.0.113.66", "ipv4", "lake", "ok", "malicious", "high", "C2 (active)",
                details={"ThreatType": "C2"},
            ),
            LookupResult("203.0.113.66", "ipv4", "tor", "not_found", "unknown", "none"),
            LookupResult("203.0.113.66", "ipv4", "vt", "error", reason="gave up after 3 attempts: HTTP 503"),
            LookupResult("contoso.com", "domain", "lake", "ok", "benign", "none", "clean"),
            LookupResult("<script>alert(1)</script>.net", "domain", "feeds", "ok", "suspicious", "low",
                         "<img src=x onerror=alert(1)>", reference="javascript:alert(1)"),
        ]
    )  # fmt: skip


def test_terminal_report(results):
    text = str(TIReport(results))
    assert "203.0.113.66 (ipv4): malicious" in text
    assert "gave up after 3 attempts: HTTP 503" in text
    assert "not found" in text and "ThreatType=C2" in text
    assert text.index("lake") < text.index("tor") < text.index("vt")  # worst severity first


def test_terminal_text_is_never_markup():
    hostile = to_frame(
        [
            LookupResult(
                "[red]x[/red].com", "domain", "feeds", "ok", "malicious", "high", "[link=http://a]y[/link]"
            )
        ]
    )
    text = str(TIReport(hostile))
    assert "[red]x[/red].com (domain): malicious" in text
    assert "[link=http://a]y[/link]" in text


def test_filter_by_severity(results):
    assert list(TIReport(results, min_severity="high").groups) == ["203.0.113.66"]
    assert list(TIReport(results, min_severity="low").groups) == [
        "203.0.113.66",
        "<script>alert(1)</script>.net",
    ]
    assert len(TIReport(results).groups) == 3
    assert "No observables at this severity." in str(TIReport(results.iloc[3:4], min_severity="high"))
    with pytest.raises(HuntbookError, match="min_severity must be one of"):
        TIReport(results, min_severity="critical")


def test_html_escapes_hostile_text(results):
    page = TIReport(results)._repr_html_()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.net" in page
    assert "javascript:" not in page  # only http(s) links are made


def test_browse_outside_a_notebook_returns_the_report(results):
    assert isinstance(browse(results), TIReport)
    with pytest.raises(HuntbookError, match="missing columns"):
        browse(pd.DataFrame({"observable": ["x"]}))


def test_the_widget_filters_and_shows_one_observable(results):
    box = browser_widget(results)
    severity, (picker, pane) = box.children[0], box.children[1].children
    assert [value for _, value in picker.options] == [
        "203.0.113.66",
        "contoso.com",
        "<script>alert(1)</script>.net",
    ]
    assert picker.options[0][0] == "203.0.113.66  [malicious]"
    assert "C2 (active)" in pane.value
    severity.value = "low"
    assert [value for _, value in picker.options] == ["203.0.113.66", "<script>alert(1)</script>.net"]
    picker.value = "<script>alert(1)</script>.net"
    assert "&lt;img src=x onerror=alert(1)&gt;" in pane.value and "<img" not in pane.value
