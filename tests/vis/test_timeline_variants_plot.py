"""`plot_timeline_values` and `plot_timeline_duration`: what they draw, errors, the page in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("bokeh")

from bokeh.models import ColumnDataSource, GlyphRenderer, HBar, Title, VBar

from huntbook.vis import PlotError, plot_timeline_duration, plot_timeline_values


def frame() -> pd.DataFrame:
    times = pd.to_datetime(
        ["2026-11-10 00:10", "2026-11-10 00:20", "2026-11-10 01:05", "2026-11-10 03:59"], utc=True
    )
    return pd.DataFrame({"TimeGenerated": times, "Computer": ["a", "b", "a", "a"], "Bytes": [10, 20, 30, 40]})


def source_data(plot: Any) -> dict[str, Any]:
    (source,) = {
        r.data_source
        for r in plot.model.select({"type": GlyphRenderer})
        if isinstance(r.data_source, ColumnDataSource) and "g0" in r.data_source.data
    }
    return dict(source.data)


def test_counts_per_hour_by_group_fill_empty_hours_with_zero() -> None:
    data = source_data(plot_timeline_values(frame(), group_by="Computer", freq="1h"))
    assert data["g0"].tolist() == [1, 1, 0, 1]  # a: 00:00, 01:00, (02:00), 03:00
    assert data["g1"].tolist() == [1, 0, 0, 0]  # b


def test_sum_of_a_value_column_as_stacked_bars() -> None:
    plot = plot_timeline_values(frame(), value_column="Bytes", agg="sum", freq="2h", kind="bar")
    assert source_data(plot)["g0"].tolist() == [60, 40]
    assert any(isinstance(r.glyph, VBar) for r in plot.model.select({"type": GlyphRenderer}))
    assert any("sum of Bytes per 2 h" in t.text for t in plot.model.select({"type": Title}))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"value_column": "Computer", "agg": "sum"}, "holds .* not numbers"),
        ({"freq": "soon"}, "freq 'soon' is not a time span"),
        ({"agg": "median"}, "agg must be one of"),
        ({"group_by": "Host"}, "no column 'Host'; the frame has: TimeGenerated, Computer, Bytes"),
    ],
)
def test_values_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PlotError, match=message):
        plot_timeline_values(frame(), **kwargs)


def test_duration_bars_run_from_first_to_last_event_per_group() -> None:
    plot = plot_timeline_duration(frame(), group_by="Computer")
    (bars,) = [r for r in plot.model.select({"type": GlyphRenderer}) if isinstance(r.glyph, HBar)]
    data = bars.data_source.data
    assert list(data["group"]) == ["b", "a"]  # earliest start at the top
    first_a = pd.Timestamp("2026-11-10 00:10", tz="UTC").timestamp() * 1000
    assert data["first"].tolist()[1] == first_a and data["events"].tolist() == [1, 3]
    assert data["duration"] == ["0 ms", "3 h 49 min"]


def test_values_and_duration_of_demo_lake_render_in_chromium(
    tmp_path: Path, lake_table: Any, render_html: Any
) -> None:
    signins = lake_table("SigninLogs")
    firewall = lake_table("CommonSecurityLog")
    values = plot_timeline_values(firewall, group_by="DeviceAction", title="Firewall actions", width=1300)
    duration = plot_timeline_duration(signins, group_by="UserPrincipalName", max_groups=12, width=1300)
    from bokeh.layouts import column

    page = tmp_path / "timeline_variants.html"
    from huntbook.vis import save_html

    save_html(column(values.model, duration.model), page)
    shown = render_html(page)
    assert shown.console_problems == [], shown.console
    assert shown.drawn_fraction() > 0.08
    assert np.isclose(sum(source_data(values)["g0"]) + sum(source_data(values)["g1"]), len(firewall))
