"""Hostile values in Bokeh plots and maps: hovered in headless Chromium, they read exactly as recorded.

Every string of the corpus (tests/hostile_strings.py) is put in the columns a plot shows; the page is
opened in Chromium, the mouse is moved onto each drawn item over DevTools (a real hover), and the
hover card's text must be `expected_visible` of the value (cut where the plot cuts long text). No
value may become an element, run a script (``alert`` is hooked) or be read as a tooltip template
(``@x``, ``$index``, ``{safe}``, ``{{ }}`` stay text).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hostile_strings import HOSTILE, expected_visible
from html_probe import glyph_points, hover_each, injected_elements, texts

pytest.importorskip("bokeh")

from huntbook.vis import (
    plot_map,
    plot_matrix,
    plot_network,
    plot_process_tree,
    plot_timeline,
    plot_timeline_duration,
    plot_timeline_values,
)

VALUES = list(HOSTILE.values())
START = pd.Timestamp("2026-11-10 08:00", tz="UTC")
HOVER_CHARS = 200
"""Hover cards of timelines, matrices and networks cut text longer than this (with '…')."""
MARKER_CHARS = 60
"""Marker labels are cut at this length."""


def cut(text: str, limit: int) -> str:
    """*text* as a plot cuts it on purpose: the first *limit* - 1 characters and '…' when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_as(values: list[str]) -> list[str]:
    """What the hover card must show for each of *values*."""
    return [expected_visible(v) for v in values]


def card_values(cards: list[list[tuple[str, str]]], label: str) -> set[str]:
    """Every value the hover cards showed in rows labelled *label*."""
    return {value for card in cards for name, value in card if name == label}


def check_page(page: Any) -> None:
    """No hostile value became an element, and the page logged no error (nor called ``alert``)."""
    assert injected_elements(page, VALUES) == []
    _, problems = page.console()
    assert problems == []


def timeline_case() -> tuple[Any, str, str | None, dict[str, list[str]]]:
    half = VALUES[: len(VALUES) // 2]
    events = pd.DataFrame(
        {
            "TimeGenerated": START + pd.to_timedelta(range(len(VALUES)), unit="min"),
            "Computer": [f"host-{i % 3}" for i in range(len(VALUES))],
            "CommandLine": VALUES,
            "Account": VALUES[::-1],
        }
    )
    alerts = pd.DataFrame(
        {"TimeGenerated": START + pd.to_timedelta(range(len(half)), unit="min") + pd.Timedelta(30, "s"),
         "label": half}
    )  # fmt: skip
    plot = plot_timeline(
        events, group_by="Computer", source_columns=["CommandLine", "Account"], ref_events=alerts,
        ref_label_column="label",
    )  # fmt: skip
    expected = shown_as([cut(v, HOVER_CHARS) for v in VALUES])
    return plot, "CommandLine", "Scatter", {"CommandLine": expected, "Account": expected}


def process_tree_case() -> tuple[Any, str, str | None, dict[str, list[str]]]:
    n = len(VALUES)
    tree = pd.DataFrame(
        {
            "proc_key": range(n),
            "parent_key": [None if i % 10 == 0 else i - 1 for i in range(n)],
            "process_name": VALUES,
            "command_line": VALUES[::-1],
            "user": VALUES,
            "host": "WS-017",
            "pid": range(100, 100 + n),
            "start": START + pd.to_timedelta(range(n), unit="s"),
        }
    )
    plot = plot_process_tree(tree, rows_shown=n, title="hostile tree")
    expected = shown_as([v[:300] for v in VALUES])  # the hover card cuts at 300 characters, no ellipsis
    return (
        plot,
        "command_line",
        "Scatter",
        {"process_name": expected, "command_line": expected, "user": expected},
    )


def duration_case() -> tuple[Any, str, str | None, dict[str, list[str]]]:
    rest = VALUES[len(VALUES) // 2 :]
    events = pd.DataFrame(
        {
            "TimeGenerated": [START + pd.Timedelta(minutes=m) for i in range(len(rest)) for m in (i, i + 3)],
            "Computer": [v for v in rest for _ in (0, 1)],
        }
    )
    alerts = pd.DataFrame(
        {"TimeGenerated": START + pd.to_timedelta(range(len(rest)), unit="min"), "label": rest}
    )
    plot = plot_timeline_duration(
        events, group_by="Computer", max_groups=len(rest), ref_events=alerts, ref_label_column="label"
    )
    return plot, "group", "Scatter", {"group": shown_as([cut(v, HOVER_CHARS) for v in rest])}


def matrix_case() -> tuple[Any, str, str | None, dict[str, list[str]]]:
    rows = pd.DataFrame({"SourceIP": VALUES[:40], "DestinationIP": [f"10.0.0.{i % 4}" for i in range(40)]})
    plot = plot_matrix(rows, x="SourceIP", y="DestinationIP")
    return plot, "x_text", None, {"SourceIP": shown_as([cut(v, 120) for v in VALUES[:40]])}


def network_case() -> tuple[Any, str, str | None, dict[str, list[str]]]:
    rows = pd.DataFrame({"Account": VALUES, "Computer": [f"host-{i % 2}" for i in range(len(VALUES))]})
    plot = plot_network(rows, source="Account", target="Computer")
    return plot, "degree", None, {"node": shown_as(VALUES)}


CASES: dict[str, Callable[[], tuple[Any, str, str | None, dict[str, list[str]]]]] = {
    "timeline": timeline_case,
    "process tree": process_tree_case,
    "timeline duration": duration_case,
    "matrix": matrix_case,
    "network": network_case,
}


@pytest.mark.parametrize("case", CASES)
def test_hover_cards_show_hostile_values_exactly(case: str, tmp_path: Path, browser_page: Any) -> None:
    plot, field, glyph, wanted = CASES[case]()
    path = plot.save(tmp_path / f"hostile-{case.replace(' ', '-')}.html")
    with browser_page(path, height=1800 if case == "process tree" else 900) as page:
        cards = hover_each(page, glyph_points(page, field, glyph=glyph))
        check_page(page)
    for label, values in wanted.items():
        shown = card_values(cards, label)
        missing = [v for v in values if v not in shown]
        assert missing == [], f"{label}: {len(missing)} of {len(values)} not shown exactly"


def test_marker_labels_hover_exactly(tmp_path: Path, browser_page: Any) -> None:
    plot, *_ = timeline_case()
    half = VALUES[: len(VALUES) // 2]
    with browser_page(plot.save(tmp_path / "hostile-markers.html")) as page:
        points = glyph_points(page, "label", glyph="VSpan")
        assert len(points) == len(half)
        cards = hover_each(page, points)
        check_page(page)
    assert set(shown_as([cut(v, MARKER_CHARS) for v in half])) <= card_values(cards, "marker")


def test_group_names_are_never_read_as_a_tooltip_template(tmp_path: Path, browser_page: Any) -> None:
    """plot_timeline_values names each line's group in its hover card; the name is data, not template."""
    templates = [HOSTILE[k] for k in ("bokeh field", "bokeh html hover", "jinja expression", "python format")]
    templates += [HOSTILE[k] for k in ("script tag", "img onerror", "bidi override", "ansi colour")]
    events = pd.DataFrame(
        {
            "TimeGenerated": [START + pd.Timedelta(minutes=m) for m in range(40) for _ in templates],
            "Computer": templates * 40,
        }
    )
    plot = plot_timeline_values(events, group_by="Computer", freq="10min", max_groups=len(templates))
    with browser_page(plot.save(tmp_path / "hostile-values.html")) as page:
        points = glyph_points(page, "x", glyph="Line")
        cards = hover_each(page, points[1:2])  # a vertical line: every group's card at once
        check_page(page)
    assert card_values(cards, "group") == {expected_visible(t) for t in templates}


POPUP_CHARS = 80
"""Map popups cut text longer than this (with '…')."""


def test_map_popups_and_tooltips_show_hostile_values_exactly(tmp_path: Path, browser_page: Any) -> None:
    rows = pd.DataFrame(
        {
            "lat": [10.0 + (i % 9) * 5 for i in range(len(VALUES))],
            "lon": [-40.0 + (i // 9) * 12 for i in range(len(VALUES))],
            "CommandLine": VALUES,
            "layer": [VALUES[i % 8] for i in range(len(VALUES))],
        }
    )
    fmap = plot_map(
        rows,
        lat_column="lat",
        lon_column="lon",
        popup_columns=["CommandLine"],
        layer_by="layer",
        title=VALUES[0],
    )
    path = fmap.save(tmp_path / "hostile-map.html")
    opened = """
    const map = Object.values(window).find((v) => v instanceof L.Map);
    const shown = [];
    map.eachLayer((layer) => {
      if (layer.getPopup && layer.getPopup()) {
        layer.openPopup();
        shown.push([...layer.getPopup().getElement().querySelectorAll("td")].map((td) => td.textContent));
        layer.openTooltip && layer.openTooltip();
      }
    });
    return shown.flat();
    """
    with browser_page(path) as page:
        cells = page.evaluate(opened)
        check_page(page)
        title = texts(page, "title")
        layers = texts(page, ".leaflet-control-layers-overlays label span span")
    assert sorted(layers) == sorted(" " + expected_visible(f"layer: {v}") for v in VALUES[:8])
    assert sorted(cells) == sorted(expected_visible(cut(v, POPUP_CHARS)) for v in VALUES)
    assert title == [expected_visible(VALUES[0])]
