"""`plot_timeline(view=..., zoom_buttons=...)`: where the plot opens, each lane's zoom window, the buttons,
and the page in Chromium (real clicks on the buttons move the x range; events hours apart stay apart)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("bokeh")

from bokeh.models import Button, CustomJS, Range1d

from huntbook.vis import PlotError, plot_timeline
from huntbook.vis.timeline_zoom import LONG_LANE_VIEW_MS, MIN_PAD_MS, lane_starts_view, lane_window
from timeline_page import apart, click_button, drawn_events, first_pixels, x_range

HOUR_MS = 3_600_000.0
T0 = pd.Timestamp("2026-11-01", tz="UTC")


def steps_frame() -> pd.DataFrame:
    """Four steps an hour apart on day 9, one of them beaconing every minute for ten days."""
    rows = [
        ("2 · access", T0 + pd.Timedelta(days=9, hours=9)),
        ("3 · execution", T0 + pd.Timedelta(days=9, hours=10)),
        ("5 · dump", T0 + pd.Timedelta(days=9, hours=12)),
    ]
    beacon = [("4 · beacon", T0 + pd.Timedelta(days=9, hours=11, minutes=m)) for m in range(0, 14_400)]
    return pd.DataFrame(rows + beacon, columns=["step", "TimeGenerated"])


def ms(stamp: pd.Timestamp) -> float:
    return stamp.timestamp() * 1000


def main_range(plot: Any) -> Range1d:
    return plot.model.select_one({"name": "timeline_x"})


def test_a_single_event_lane_zooms_to_half_an_hour_around_it():
    start, end, note = lane_window(np.array([1_000 * HOUR_MS]))
    assert (start, end, note) == (1_000 * HOUR_MS - MIN_PAD_MS, 1_000 * HOUR_MS + MIN_PAD_MS, "")


def test_a_lane_of_days_zooms_to_its_first_hour_and_says_so():
    times = np.arange(0, 10 * 24 * HOUR_MS, 60_000.0)
    start, end, note = lane_window(times)
    assert start == -MIN_PAD_MS and end == LONG_LANE_VIEW_MS + MIN_PAD_MS
    assert note == "first 1 h of 9 d 23 h 59 min"


def test_a_lane_of_hours_zooms_to_all_of_it():
    start, end, _ = lane_window(np.array([0.0, 20 * HOUR_MS]))
    assert start < 0 < 20 * HOUR_MS < end < 24 * HOUR_MS


def test_lane_starts_view_spans_each_lanes_first_event():
    events = pd.DataFrame(
        {"_lane": ["a", "b", "b", "c"], "_t": [5 * HOUR_MS, 6 * HOUR_MS, 900 * HOUR_MS, 8 * HOUR_MS]}
    )
    start, end = lane_starts_view(events)
    assert start < 5 * HOUR_MS and 8 * HOUR_MS < end < 9 * HOUR_MS  # b's late event is not stretched to


def test_by_default_the_plot_opens_on_every_event_without_buttons():
    plot = plot_timeline(steps_frame(), group_by="step")
    view = main_range(plot)
    assert view.start < ms(T0 + pd.Timedelta(days=9, hours=9)) and view.end > ms(T0 + pd.Timedelta(days=19))
    assert list(plot.model.select({"type": Button})) == []


def test_view_lane_starts_opens_where_the_lanes_begin():
    plot = plot_timeline(steps_frame(), group_by="step", view="lane starts")
    view = main_range(plot)
    first, last = ms(T0 + pd.Timedelta(days=9, hours=9)), ms(T0 + pd.Timedelta(days=9, hours=12))
    assert first - HOUR_MS < view.start < first and last < view.end < last + HOUR_MS


def test_view_as_a_pair_of_times_and_bad_views():
    plot = plot_timeline(steps_frame(), group_by="step", view=("2026-11-10 08:00", "2026-11-10 13:00"))
    view = main_range(plot)
    assert (view.start, view.end) == (
        ms(pd.Timestamp("2026-11-10 08:00", tz="UTC")),
        ms(pd.Timestamp("2026-11-10 13:00", tz="UTC")),
    )
    with pytest.raises(PlotError, match="use 'lane starts'"):
        plot_timeline(steps_frame(), view="everything")
    with pytest.raises(PlotError, match="start must come before the end"):
        plot_timeline(steps_frame(), view=("2026-11-10", "2026-11-09"))
    with pytest.raises(PlotError, match=r"pair of date-times"):
        plot_timeline(steps_frame(), view=("soon", "later"))


def test_zoom_buttons_one_per_lane_each_setting_the_main_range():
    plot = plot_timeline(
        steps_frame(),
        group_by="step",
        view="lane starts",
        zoom_buttons=lambda lane: lane.upper(),
        view_label="Starts",
    )
    buttons = {b.name: b for b in plot.model.select({"type": Button})}
    labels = [buttons[f"timeline_zoom_lane_{i}"].label for i in range(4)]
    assert labels == ["2 · ACCESS", "3 · EXECUTION", "4 · BEACON (first 1 h)", "5 · DUMP"]  # top lane first
    assert buttons["timeline_zoom_whole"].label == "Whole period"
    assert buttons["timeline_zoom_opening"].label == "Starts"
    (callback,) = buttons["timeline_zoom_lane_2"].js_event_callbacks["button_click"]
    assert isinstance(callback, CustomJS) and callback.args["x_range"] is main_range(plot)
    beacon_start = ms(T0 + pd.Timedelta(days=9, hours=11))
    assert callback.args["start"] == beacon_start - MIN_PAD_MS
    assert callback.args["end"] == beacon_start + LONG_LANE_VIEW_MS + MIN_PAD_MS
    assert "Events of 4 · beacon (first 1 h of" in buttons["timeline_zoom_lane_2"].html_attributes["title"]


def test_hostile_lane_names_stay_text_on_the_buttons():
    frame = pd.DataFrame(
        {"TimeGenerated": [T0, T0 + pd.Timedelta(hours=1)], "Computer": ["<b>x</b>", "a\u202eb"]}
    )
    plot = plot_timeline(frame, group_by="Computer", zoom_buttons=True)
    labels = sorted(
        b.label for b in plot.model.select({"type": Button}) if b.name.startswith("timeline_zoom_lane")
    )
    assert labels == ["<b>x</b>", "a\\u202eb"]  # escapes shown; Bokeh sets a label as text, never HTML


def test_in_chromium_steps_hours_apart_are_apart_and_each_button_zooms(tmp_path, browser_page):
    plot = plot_timeline(steps_frame(), group_by="step", view="lane starts", zoom_buttons=True)
    page_path = plot.save(tmp_path / "steps.html")
    with browser_page(page_path, width=1300, height=900) as page:
        start, end = x_range(page)
        assert (start, end) == (main_range(plot).start, main_range(plot).end)
        opened = first_pixels(drawn_events(page))
        page.screenshot("-opened")
        click_button(page, "timeline_zoom_whole")
        whole = first_pixels(drawn_events(page))
        page.screenshot("-whole")
        label = click_button(page, "timeline_zoom_lane_2")
        beacon = drawn_events(page)
        page.screenshot("-beacon")
        (_, zoomed_end) = x_range(page)
        console = page.console()[1]
    assert console == []
    # opened on the lanes' starts, every step begins in view, each at its own place (an hour ~ >100 px)
    assert set(opened) == {"2 · access", "3 · execution", "4 · beacon", "5 · dump"}
    assert apart(list(opened.values()), gap=50) == 4
    # the whole ten days squeeze the same four starts (all within 3 h) into a few pixels
    assert apart(list(whole.values()), gap=15) == 1
    # a click on the beacon's button: its first hour, a diamond a minute, each in its own place
    assert label == "4 · beacon (first 1 h)"
    assert zoomed_end == ms(T0 + pd.Timedelta(days=9, hours=11)) + LONG_LANE_VIEW_MS + MIN_PAD_MS
    pixels = [x for lane, x, _ in beacon if lane == "4 · beacon"]
    assert 60 <= len(pixels) <= 80 and apart(pixels, gap=5) == len(pixels)
