"""Hostile values in what a notebook shows (DataViewer, TI browser, alert picker, setup checks).

Each object's HTML (its ``_repr_html_``, or the HTML its widget shows) is written into a page and
opened in headless Chromium: the DOM text must be `expected_visible` of every value of the corpus
(cut where a table cuts long cells on purpose), no value may become an element or run a script, and
the console stays clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hostile_strings import HOSTILE, expected_visible
from html_probe import injected_elements, texts
from huntbook.display import CELL_CHARS

VALUES = list(HOSTILE.values())


def cut(text: str, limit: int) -> str:
    """*text* as a table cuts it on purpose: *limit* - 1 characters and '…' when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_in_browser(markup: str, path: Path, browser_page: Any, selector: str) -> list[str]:
    """The text of the elements *selector* picks once *markup* is shown in a page (checked clean)."""
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{markup}</body></html>")
    with browser_page(path) as page:
        found = texts(page, selector)
        assert injected_elements(page, VALUES) == []
        _, problems = page.console()
    assert problems == []
    return found


def test_data_viewer_cells(tmp_path: Path, browser_page: Any) -> None:
    pytest.importorskip("ipywidgets")
    from huntbook.notebook.widgets import DataViewer

    frame = pd.DataFrame({"CommandLine": VALUES, "Account": VALUES[::-1], "n": range(len(VALUES))})
    viewer = DataViewer(frame, page_size=100)
    cells = shown_in_browser(viewer._repr_html_(), tmp_path / "viewer.html", browser_page, "td")
    expected = [expected_visible(cut(v, CELL_CHARS)) for v in VALUES]
    assert cells[0::3] == expected and cells[1::3] == expected[::-1]
    assert viewer._table.value == viewer.to_html()  # the widget shows the same escaped table


def test_data_viewer_column_names(tmp_path: Path, browser_page: Any) -> None:
    pytest.importorskip("ipywidgets")
    from huntbook.notebook.widgets import DataViewer

    names = list(dict.fromkeys(VALUES))
    viewer = DataViewer(pd.DataFrame([range(len(names))], columns=names))
    headers = shown_in_browser(viewer.to_html(), tmp_path / "columns.html", browser_page, "thead th")
    assert headers[1:] == [expected_visible(n) for n in names]  # the first is the index's


def test_ti_browser(tmp_path: Path, browser_page: Any) -> None:
    from huntbook.notebook.ti_browser import TIReport

    results = pd.DataFrame(
        {
            "observable": VALUES,
            "type": "url",
            "provider": VALUES[::-1],
            "verdict": "malicious",
            "severity": "high",
            "summary": VALUES,
            "status": "ok",
            "reason": "",
            "details": [{"said": v} for v in VALUES],
        }
    )
    report = TIReport(results)
    markup = report._repr_html_()
    headings = shown_in_browser(markup, tmp_path / "ti.html", browser_page, "h4")
    assert headings == [f"{expected_visible(v)} (url)" for v in VALUES]
    cells = shown_in_browser(markup, tmp_path / "ti-cells.html", browser_page, "tbody td:first-child")
    assert cells == [expected_visible(v) for v in VALUES[::-1]]


def test_alert_picker_details(tmp_path: Path, browser_page: Any) -> None:
    from huntbook.notebook.widgets.alert_picker import alert_details_html

    alert = pd.Series({f"field {i}": v for i, v in enumerate(VALUES)})
    cells = shown_in_browser(alert_details_html(alert), tmp_path / "alert.html", browser_page, "td")
    assert cells == [expected_visible(cut(v, 2000)) for v in VALUES]


def test_setup_report(tmp_path: Path, browser_page: Any) -> None:
    from huntbook.notebook.setup_checks import Finding, SetupReport

    findings = tuple(Finding(topic=v, level="warning", message=v) for v in VALUES)
    report = SetupReport(findings, settings=None)  # type: ignore[arg-type]  # the HTML does not read them
    topics = shown_in_browser(report._repr_html_(), tmp_path / "setup.html", browser_page, "li b")
    assert topics == [expected_visible(v) for v in VALUES]
