"""A map whose box has no size when Leaflet starts (a hidden or collapsed container) is drawn once shown.

Leaflet measures its box once; a map started in a 0 x 0 box stays a blank grey box unless it measures
again. The page is opened in headless Chromium with the map's box hidden from the first script on, then
shown without any window resize: the pixels inside the map must show country outlines and markers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("folium")

from PIL import Image

from huntbook.vis import plot_map
from huntbook.vis.map import OUTLINE_STYLE

HIDE = (
    "const hide = new CSSStyleSheet(); hide.replaceSync('.folium-map { display: none !important; }');"
    "document.adoptedStyleSheets = [hide];"
)
"""Before the page's scripts: the map's box is not displayed (0 x 0), as in a collapsed section."""


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_map_started_in_a_hidden_box_is_drawn_when_shown(
    tmp_path: Path, browser_page: Any, width: int, height: int
) -> None:
    places = pd.DataFrame(
        {
            "lat": [51.5155, 51.75, 52.3676], "lon": [-0.3394, -0.2, 4.9041],
            "who": ["sign-in", "sign-in", "spray source"],
        }
    )  # fmt: skip
    page_file = plot_map(
        places, lat_column="lat", lon_column="lon", layer_by="who", title="Hidden at first"
    ).save(tmp_path / "hidden-map.html")
    marker = re.compile(r'L\.circleMarker\([^;]*?"color": "(#[0-9a-f]{6})"', re.S)
    colours = set(marker.findall(page_file.read_text()))
    assert len(colours) == 2
    with browser_page(page_file, width=width, height=height) as page:
        browser, session = page._browser, page._session
        browser.send("Page.addScriptToEvaluateOnNewDocument", session=session, source=HIDE)
        browser.events.clear()
        browser.send("Page.reload", session=session)
        assert browser.wait_for("Page.loadEventFired", timeout=60)
        browser.drain(1.0)
        hidden = page.evaluate("return document.querySelector('.folium-map').clientWidth;")
        page.evaluate("document.adoptedStyleSheets = []; return 1;")
        browser.drain(1.5)
        box = page.evaluate(
            "const r = document.querySelector('.folium-map').getBoundingClientRect();"
            "return [r.left, r.top, r.right, r.bottom];"
        )
        shot = Image.open(page.screenshot(f"-hidden-{width}")).convert("RGB")
        _, problems = page.console()
    assert hidden == 0 and problems == []
    inside = shot.crop(tuple(int(v) for v in box))
    counts = {rgb: n for n, rgb in inside.getcolors(maxcolors=1 << 24) or []}
    pixels = inside.width * inside.height
    assert counts.get(_rgb(OUTLINE_STYLE["fillColor"]), 0) > 0.05 * pixels  # countries drawn
    assert len(counts) > 50
    for colour in colours:  # each layer's markers (their edges blend into the map)
        near = sum(
            n for rgb, n in counts.items()
            if sum((a - b) ** 2 for a, b in zip(rgb, _rgb(colour), strict=True)) < 30**2
        )  # fmt: skip
        assert near >= 10, colour
