"""The demo report in headless Chromium as a person opens it: maps drawn, tables that read as a report.

Maps sit in sandboxed frames, out of reach of the page's scripts: each is scrolled into view and the
pixels inside its frame are read from a screenshot (country outlines in sand, its markers' colours).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("folium")
pytest.importorskip("bokeh")

from PIL import Image

from huntbook.investigation import run_investigation
from huntbook.vis.map import OUTLINE_STYLE

VIEWPORTS = [(1280, 800), (1920, 1080)]
SEA = (0xDD, 0xDD, 0xDD)
"""Leaflet's empty map: what a map that was not drawn shows."""
WORD = r"/(?<![^\s\-\/(])[A-Za-z0-9]{2,24}(?![^\s\-\/.,;:)])/g"
"""A word (JavaScript regex): letters and digits between spaces, hyphens, slashes or punctuation."""


@pytest.fixture(scope="module")
def demo_report(qp: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_investigation(qp).write_html(tmp_path_factory.mktemp("demo") / "demo-report.html")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(counts: dict[tuple[int, int, int], int], colour: tuple[int, int, int], within: int = 30) -> int:
    """Pixels within *within* (RGB distance) of *colour*: markers' edges are blended."""
    distance = {rgb: sum((a - b) ** 2 for a, b in zip(rgb, colour, strict=True)) for rgb in counts}
    return sum(n for rgb, n in counts.items() if distance[rgb] < within**2)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_every_map_shows_outlines_and_markers_when_opened(
    demo_report: Path, browser_page: Any, width: int, height: int
) -> None:
    with browser_page(demo_report, width=width, height=height) as page:
        maps = page.evaluate(
            "return [...document.querySelectorAll('iframe.map')].map(f => ({title: f.title, colours:"
            " [...new Set([...f.srcdoc.matchAll(/L\\.circleMarker\\([^;]*?\"color\": \"(#[0-9a-f]{6})\"/g)]"
            ".map(m => m[1]))]}));"
        )
        assert len(maps) >= 2  # threat intelligence and the password spray
        seen = []
        for n, drawn in enumerate(maps):
            box = page.evaluate(
                f"const f = document.querySelectorAll('iframe.map')[{n}]; f.scrollIntoView();"
                "const r = f.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];"
            )
            page._browser.drain(1.0)
            shot = Image.open(page.screenshot(f"-{width}-map{n}")).convert("RGB")
            inside = shot.crop((int(box[0]) + 2, int(box[1]) + 2, int(box[2]) - 2, int(box[3]) - 2))
            counts = {rgb: k for k, rgb in inside.getcolors(maxcolors=1 << 24) or []}
            pixels = inside.width * inside.height
            seen.append(
                {
                    "map": drawn["title"],
                    "sand": counts.get(_rgb(OUTLINE_STYLE["fillColor"]), 0) / pixels,
                    "sea": counts.get(SEA, 0) / pixels,
                    "colours": len(counts),
                    "markers": {c: _near(counts, _rgb(c)) for c in drawn["colours"]},
                }
            )
        _, problems = page.console()
    assert problems == []
    for m in seen:
        assert m["sand"] > 0.05, m  # country outlines drawn (a blank map is all sea-grey)
        assert m["sea"] < 0.9, m
        assert m["colours"] > 50, m  # outlines, markers, controls: not a flat box
        assert drawn["colours"] and all(k >= 10 for k in m["markers"].values()), m


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_tables_read_as_a_report(demo_report: Path, browser_page: Any, width: int, height: int) -> None:
    with browser_page(demo_report, width=width, height=height) as page:
        page.evaluate(
            "document.querySelector('table.ev').scrollIntoView(); "
            "document.querySelectorAll('details.more').forEach(d => d.open = true); return 1;"
        )
        page._browser.drain(0.5)
        page.screenshot(f"-{width}-tables")
        headers = page.evaluate(
            "return [...document.querySelectorAll('table.ev th')].map(th => {"
            " const r = document.createRange(); r.selectNodeContents(th);"
            " return [th.textContent, r.getClientRects().length]; });"
        )
        split_words = page.evaluate(
            "const split = []; for (const td of document.querySelectorAll('table.ev td')) {"
            " const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);"
            " for (let node = walk.nextNode(); node; node = walk.nextNode()) {"
            "  for (const m of node.data.matchAll(WORD)) {"
            "   const r = document.createRange(); r.setStart(node, m.index);"
            "   r.setEnd(node, m.index + m[0].length);"
            "   if (r.getClientRects().length > 1) split.push(m[0]); } } } return split;"
            .replace("WORD", WORD)
        )
        cells = page.evaluate("return [...document.querySelectorAll('table.ev td')].map(td => td.innerText);")
        entities = page.evaluate(
            "const t = [...document.querySelectorAll('table.ev')].find(t => [...t.rows[0].cells]"
            ".some(c => c.textContent === 'Entities')); const k = [...t.rows[0].cells]"
            ".findIndex(c => c.textContent === 'Entities'); return t.rows[1].cells[k].innerText;"
        )
    assert len(headers) > 50
    assert [h for h, lines in headers if lines != 1] == []  # every header on one line, no word split
    assert split_words == []  # cells wrap between words (and after hyphens); only an over-long token breaks
    assert "1,961,992,454" in cells
    assert [c for c in cells if re.fullmatch(r"-?\d+\.0", c)] == []
    assert [c for c in cells if c.strip() in {"None", "NaT", "nan", "NaN", "<NA>"}] == []
    assert entities.startswith("Name: ") and "\nType: account" in entities and "{" not in entities


def test_more_rows_open_in_place(demo_report: Path, browser_page: Any) -> None:
    with browser_page(demo_report, width=1280, height=800) as page:
        found = page.evaluate(
            "const d = document.querySelector('details.more'); d.scrollIntoView();"
            "const rows = () => [...d.querySelectorAll('tbody tr')];"
            "const before = rows().filter(r => r.checkVisibility()).length;"
            "const s = d.querySelector('summary').getBoundingClientRect();"
            "return {summary: d.querySelector('summary').textContent, before, rows: rows().length,"
            " x: s.left + 40, y: s.top + s.height / 2, heads: d.querySelectorAll('th').length,"
            " first: d.previousElementSibling.querySelectorAll('th').length};"
        )
        page.move_mouse(found["x"], found["y"])
        for kind in ("mousePressed", "mouseReleased"):  # a real click on the summary
            page._browser.send(
                "Input.dispatchMouseEvent", session=page._session, type=kind,
                x=found["x"], y=found["y"], button="left", clickCount=1,
            )  # fmt: skip
        page._browser.drain(0.5)
        after = page.evaluate(
            "return [...document.querySelector('details.more').querySelectorAll('tbody tr')]"
            ".filter(r => r.checkVisibility()).length;"
        )
        page.screenshot("-more-rows")
    more = int(re.search(r"and ([\d,]+) more rows", found["summary"]).group(1).replace(",", ""))
    assert found["before"] == 0 and after == found["rows"] == more > 0
    assert found["heads"] == found["first"]  # the same columns as the rows above
