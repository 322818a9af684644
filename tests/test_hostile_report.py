"""The investigation report with hostile values everywhere: in Chromium, every value reads as recorded.

An investigation whose findings carry the whole corpus (tests/hostile_strings.py) in their step names,
summaries, error, indicators, evidence, timeline events, alert markers and process tree is written as
the HTML report and opened in headless Chromium. The DOM text must be `expected_visible` of each
value (cut where the report cuts long cells on purpose), the hover cards of the timeline and the
process tree must show them the same way (a real mouse hover over DevTools), no value may become an
element or run a script, and the console stays clean.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hostile_strings import HOSTILE, expected_visible
from html_probe import glyph_points, hover_each, injected_elements, texts
from huntbook.display import CELL_CHARS
from huntbook.investigation import Finding, Investigation

pytest.importorskip("bokeh")

VALUES = list(HOSTILE.values())
HALF = len(VALUES) // 2
START = pd.Timestamp("2026-11-10 08:00", tz="UTC")
CHUNK = 14
"""Evidence rows per finding (the report shows 15)."""
HOVER_CHARS, MARKER_CHARS = 200, 60


def cut(text: str, limit: int) -> str:
    """*text* as a table or hover card cuts it on purpose: *limit* - 1 characters and '…' when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hostile_investigation() -> Investigation:
    findings = []
    for k in range(0, len(VALUES), CHUNK):
        chunk = VALUES[k : k + CHUNK]
        times = START + pd.to_timedelta(range(k, k + len(chunk)), unit="min")
        evidence = pd.DataFrame(
            {"TimeGenerated": times, "Computer": chunk, "CommandLine": chunk[::-1], "Account": chunk}
        )
        findings.append(
            Finding(
                f"Hunt step {k // CHUNK + 1}", " | ".join(chunk), [f"query_{k}"],
                start=times[0].to_pydatetime(), end=times[-1].to_pydatetime(),
                indicators={"hostile": chunk}, evidence=evidence,
            )
        )  # fmt: skip
    alerts = pd.DataFrame(
        {"TimeGenerated": START + pd.to_timedelta(range(HALF), unit="min") + pd.Timedelta(30, "s"),
         "label": VALUES[HALF:][:HALF]}
    )  # fmt: skip
    findings.append(Finding("Alerts", "alerts in the window", ["alerts"], markers=alerts, evidence=alerts))
    tree = pd.DataFrame(
        {
            "proc_key": range(HALF),
            "parent_key": [None if i % 9 == 0 else i - 1 for i in range(HALF)],
            "process_name": VALUES[:HALF],
            "command_line": VALUES[HALF : 2 * HALF],
            "user": VALUES[-HALF:],
            "host": "WS-017",
            "pid": range(100, 100 + HALF),
            "start": START + pd.to_timedelta(range(HALF), unit="s"),
        }
    )
    findings.append(Finding("Process tree", "winword.exe started powershell.exe; more", ["procs"], tree=tree))
    findings.append(Finding("Broken step", "s", ["q"], error=" | ".join(VALUES)))
    findings += [Finding(v, "nothing found", [], evidence=pd.DataFrame()) for v in VALUES]
    return Investigation("hostile lake", findings, dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC), 1.5)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_investigation().write_html(tmp_path_factory.mktemp("report") / "hostile-report.html")


def test_report_text_shows_hostile_values_exactly(report_page: Path, browser_page: Any) -> None:
    with browser_page(report_page, height=1200) as page:
        cells = texts(page, "table.ev td")
        headings = texts(page, "h2")
        paragraphs = texts(page, "p")
        facts = dict(zip(texts(page, ".facts td:first-child"), texts(page, ".facts td + td"), strict=True))
        title = page.evaluate("return document.title;")
        page.screenshot("-top")
        assert injected_elements(page, VALUES) == []
        _, problems = page.console()
    assert problems == []
    assert title == "huntbook investigation"
    missing = [v for v in VALUES if expected_visible(cut(v, CELL_CHARS)) not in cells]
    assert missing == []
    assert [h for h in headings if h in {expected_visible(v) for v in VALUES}] == [
        expected_visible(v) for v in VALUES
    ]
    for k in range(0, len(VALUES), CHUNK):
        assert expected_visible(" | ".join(VALUES[k : k + CHUNK])) in paragraphs
    assert "This step failed: " + expected_visible(" | ".join(VALUES)) in paragraphs
    assert facts["hostile"] == ", ".join(expected_visible(cut(v, CELL_CHARS)) for v in VALUES)


def test_report_hover_cards_show_hostile_values_exactly(report_page: Path, browser_page: Any) -> None:
    with browser_page(report_page, height=1200) as page:
        timeline = hover_each(page, glyph_points(page, "what", glyph="Scatter"))
        markers = hover_each(page, glyph_points(page, "label", glyph="VSpan"))
        tree = hover_each(page, glyph_points(page, "command_line", glyph="Scatter"))
        assert injected_elements(page, VALUES) == []
        _, problems = page.console()
    assert problems == []

    def shown(cards: list[list[tuple[str, str]]], label: str) -> set[str]:
        return {value for card in cards for name, value in card if name == label}

    every = {expected_visible(cut(v, HOVER_CHARS)) for v in VALUES}
    assert shown(timeline, "what") == every and shown(timeline, "where") == every
    assert shown(markers, "marker") == {expected_visible(cut(v, MARKER_CHARS)) for v in VALUES[HALF:][:HALF]}
    assert shown(tree, "process_name") == {expected_visible(v[:300]) for v in VALUES[:HALF]}
    assert shown(tree, "command_line") == {expected_visible(v[:300]) for v in VALUES[HALF : 2 * HALF]}
    assert shown(tree, "user") == {expected_visible(v[:300]) for v in VALUES[-HALF:]}
