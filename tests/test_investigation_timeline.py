"""The demo report's timeline in headless Chromium: it opens on the attack steps (not the whole lake), the
steps hours apart are drawn apart, and one click on a step's button zooms to it (real mouse clicks)."""

from __future__ import annotations

import pytest

pytest.importorskip("bokeh")

from huntbook.investigation import run_investigation
from huntbook.report import timeline_events
from huntbook.vis.timeline_zoom import MIN_PAD_MS, lane_window
from timeline_page import apart, buttons, click_button, drawn_events, first_pixels, x_range

DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def investigation(qp):
    return run_investigation(qp)


@pytest.fixture(scope="module")
def lanes(investigation) -> dict[str, list[float]]:
    """Each timeline lane's event times (epoch ms), as the report draws them."""
    events = timeline_events(investigation.findings)
    events["ms"] = events["TimeGenerated"].map(lambda t: t.timestamp() * 1000)
    return {str(step): sorted(rows["ms"]) for step, rows in events.groupby("step")}


def test_the_timeline_opens_on_the_steps_and_each_step_is_one_click_away(
    investigation, lanes, tmp_path, browser_page
):
    report = investigation.write_html(tmp_path / "demo-timeline.html")
    firsts = {lane: times[0] for lane, times in lanes.items()}
    with browser_page(report, width=1400, height=1000) as page:
        opened_range = x_range(page)
        opened = first_pixels(drawn_events(page))
        page.screenshot("-opened")
        names = buttons(page)
        click_button(page, names["Whole period"])
        whole_range = x_range(page)
        whole = first_pixels(drawn_events(page))
        page.screenshot("-whole")
        click_button(page, names["2 · Initial access"])
        access_range, access = x_range(page), drawn_events(page)
        page.screenshot("-initial-access")
        click_button(page, names["7 · Credential access"])
        dump_range, dump = x_range(page), drawn_events(page)
        page.screenshot("-credential-access")
        click_button(page, names["Every step's start"])
        back = x_range(page)
        problems = page.console()[1]
    assert problems == []

    # opened: from the first step's start to the last one's, not the two weeks of the lake
    assert opened_range[0] <= min(firsts.values()) and max(firsts.values()) <= opened_range[1]
    assert opened_range[1] - opened_range[0] < 5 * DAY_MS < whole_range[1] - whole_range[0]
    assert set(opened) == set(lanes)  # every step begins in view
    # the steps of hours apart (09:41, 11:02, 11:47 on the intrusion's first day) stand apart
    assert apart(list(opened.values()), gap=4) >= 6 > apart(list(whole.values()), gap=4)

    # one click on a step: its window, its neighbours in time at their own places
    access_lane = next(lane for lane in lanes if lane.startswith("2 · "))
    assert access_range == [firsts[access_lane] - MIN_PAD_MS, firsts[access_lane] + MIN_PAD_MS]
    beacons = [x for lane, x, _ in access if lane.startswith("5 · ")]
    assert len(beacons) >= 10 and apart(beacons, gap=5) >= 10  # the C2 calls a minute apart
    assert {lane for lane, _, _ in access} >= {
        access_lane,
        next(lane for lane in lanes if lane.startswith("3 · ")),
    }
    dump_lane = next(lane for lane in lanes if lane.startswith("7 · "))
    assert dump_range == list(lane_window(lanes[dump_lane])[:2])
    assert len([x for lane, x, _ in dump if lane == dump_lane]) == len(lanes[dump_lane])
    assert back == opened_range
