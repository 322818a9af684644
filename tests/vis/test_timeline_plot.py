"""`plot_timeline`: lanes, series, hover, markers, binning past max_points, errors, the page in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("bokeh")

from bokeh.models import FactorRange, GlyphRenderer, Legend, RangeTool, Rect, Scatter, Title, VSpan

from huntbook.vis import PlotError, plot_timeline


def events(n: int, hosts: int = 3, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-11-10", tz="UTC")
    return pd.DataFrame(
        {
            "TimeGenerated": start + pd.to_timedelta(np.sort(rng.integers(0, 86_400_000, n)), unit="ms"),
            "Computer": [f"host-{i % hosts}" for i in range(n)],
            "Account": rng.choice(["alice", "bob", "${alert(1)}</script>"], n),
        }
    )


def glyphs(plot: Any, kind: type) -> list[Any]:
    return [r for r in plot.model.select({"type": GlyphRenderer}) if isinstance(r.glyph, kind)]


def test_one_lane_per_group_sorted_by_name_with_hover_columns() -> None:
    plot = plot_timeline(events(300), group_by="Computer", source_columns=["Account"])
    (main_range,) = list(plot.model.select({"type": FactorRange}))
    assert list(main_range.factors) == ["host-2", "host-1", "host-0"]  # top to bottom: host-0 first
    (points,) = glyphs(plot, Scatter)
    data = points.data_source.data
    assert len(data["x"]) == 300 and set(data["lane"]) == {"host-0", "host-1", "host-2"}
    assert set(data["Account"]) == {"alice", "bob", "${alert(1)}</script>"}
    assert plot.model.select_one({"type": RangeTool}) is not None


def test_several_series_get_a_legend_and_lanes_prefixed_by_series() -> None:
    plot = plot_timeline({"logons": events(50), "processes": events(80, seed=1)}, group_by="Computer")
    lanes = set(plot.model.select_one({"type": FactorRange}).factors)
    assert "logons: host-0" in lanes and "processes: host-2" in lanes and len(lanes) == 6
    legend = plot.model.select_one({"type": Legend})
    assert [item.label.value for item in legend.items] == ["logons", "processes"]


def test_reference_markers_from_times_and_from_alert_rows() -> None:
    alerts = pd.DataFrame(
        {"TimeGenerated": pd.to_datetime(["2026-11-10 05:00"], utc=True), "AlertName": ["Spray"]}
    )
    plot = plot_timeline(
        events(100),
        ref_times={"patched": "2026-11-10 12:00"},
        ref_events=alerts,
        ref_label_column="AlertName",
    )
    (main_marks, _overview_marks) = [r.data_source.data for r in glyphs(plot, VSpan)]
    assert main_marks["label"] == ["patched", "Spray"]
    assert main_marks["x"] == [
        pd.Timestamp("2026-11-10 12:00", tz="UTC").timestamp() * 1000,
        pd.Timestamp("2026-11-10 05:00", tz="UTC").timestamp() * 1000,
    ]


def test_past_max_points_each_lane_is_binned_and_counts_add_up() -> None:
    frame = events(5_000, hosts=4)
    plot = plot_timeline(frame, group_by="Computer", max_points=1_000, time_bins=50)
    (single_events,) = glyphs(plot, Scatter)
    assert len(single_events.data_source.data["x"]) == 0  # filled in the browser when zoomed in
    (boxes,) = glyphs(plot, Rect)
    data = boxes.data_source.data
    assert int(np.sum(data["count"])) == 5_000
    per_lane = pd.Series(data["count"]).groupby(pd.Series(data["lane"])).sum()
    assert per_lane.to_dict() == frame["Computer"].value_counts().to_dict()
    assert any("5,000 events (more than 1,000)" in t.text for t in plot.model.select({"type": Title}))


def test_quiet_groups_share_one_lane_past_the_limit() -> None:
    plot = plot_timeline(events(400, hosts=40), group_by="Computer")
    lanes = plot.model.select_one({"type": FactorRange}).factors
    assert len(lanes) == 30 and lanes[0] == "other (11 groups)"  # drawn last, at the bottom
    assert plot.notes == ["11 quieter groups share the lane 'other (11 groups)'."]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group_by": "Host"}, r"no column 'Host'; the frame has: TimeGenerated, Computer, Account"),
        ({"time_column": "Account"}, r"column 'Account' holds .*not date-times.*TimeGenerated"),
        ({"source_columns": ["Nope"]}, r"no column 'Nope'"),
    ],
)
def test_bad_columns_are_named_with_the_ones_there_are(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PlotError, match=message):
        plot_timeline(events(5), **kwargs)


def test_no_rows_and_bad_markers() -> None:
    with pytest.raises(PlotError, match="no rows"):
        plot_timeline(events(5).iloc[0:0])
    with pytest.raises(PlotError, match="Reference time 'x' is not a date-time"):
        plot_timeline(events(5), ref_times={"x": "not a time"})
    with pytest.raises(PlotError, match="dict of name -> DataFrame"):
        plot_timeline([events(5)])  # type: ignore[arg-type]


def test_demo_lake_timeline_renders_in_chromium(tmp_path: Path, lake_table: Any, render_html: Any) -> None:
    processes = lake_table("DeviceProcessEvents")
    alerts = lake_table("SecurityAlert").nsmallest(3, "TimeGenerated")
    plot = plot_timeline(
        {"processes": processes.head(4_000), "network": lake_table("DeviceNetworkEvents").head(4_000)},
        group_by="DeviceName",
        source_columns=["ActionType"],
        ref_events=alerts,
        ref_label_column="AlertName",
        title="Demo lake: processes and connections",
    )
    path = plot.save(tmp_path / "timeline.html")
    html = path.read_text(encoding="utf-8")
    assert "cdn.bokeh.org" not in html and 'output_backend":"webgl' in html.replace(" ", "")
    shown = render_html(path)
    assert shown.console_problems == [], shown.console
    assert shown.drawn_fraction() > 0.08
    assert len(shown.colours_seen(["#1f77b4", "#ff7f0e"])) == 2  # both series are on screen


ZOOM_SCRIPT = """
const doc = Bokeh.documents[0];
const range = doc.get_model_by_name("timeline_x");
const events = doc.get_model_by_name("timeline_events").data.t;
const wait = () => new Promise((done) => setTimeout(done, 600));
const seen = {};
range.start = %f; range.end = %f;  // a few minutes: single events
await wait();
seen.points = doc.get_model_by_name("timeline_points").data.x.length;
seen.bins_when_zoomed_in = doc.get_model_by_name("timeline_bins").data.x.length;
range.start = events[0]; range.end = events[events.length - 1] + 1;  // everything: bins again
await wait();
seen.binned = doc.get_model_by_name("timeline_bins").data.count.reduce((a, b) => a + b, 0);
range.start = %f; range.end = %f;
await wait();
return seen;
"""


def test_many_events_are_binned_and_zooming_in_shows_single_events(tmp_path: Path, render_html: Any) -> None:
    frame = events(200_000, hosts=6)
    plot = plot_timeline(frame, group_by="Computer", max_points=2_000, time_bins=300)
    path = plot.save(tmp_path / "zoomable_timeline.html")
    assert path.stat().st_size < 6_000_000  # 9 bytes an event, base64
    times = frame["TimeGenerated"]
    start, end = pd.Timestamp("2026-11-10 12:00", tz="UTC"), pd.Timestamp("2026-11-10 12:05", tz="UTC")
    in_view = int(times.between(start, end, inclusive="left").sum())
    ms = [t.timestamp() * 1000 for t in (start, end)]
    shown = render_html(path, script=ZOOM_SCRIPT % (*ms, *ms))
    assert shown.console_problems == [], shown.console
    assert shown.script_result == {"points": in_view, "bins_when_zoomed_in": 0, "binned": 200_000}
    assert 0 < in_view <= 2_000
    assert shown.drawn_fraction() > 0.05
