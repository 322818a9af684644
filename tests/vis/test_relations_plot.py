"""`plot_matrix`, `plot_network` and `plot_anomalies`: what they draw, errors, and one page in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("bokeh")
pytest.importorskip("networkx")

from bokeh.layouts import column
from bokeh.models import ColumnDataSource, GlyphRenderer, GraphRenderer, Scatter

from huntbook.vis import PlotError, plot_anomalies, plot_matrix, plot_network, save_html

PAIRS = pd.DataFrame(
    {"src": ["a", "a", "a", "b", "c"], "dst": ["x", "x", "y", "x", "x"], "bytes": [1, 2, 3, 4, 5]}
)


def scatter_data(plot: Any) -> dict[str, Any]:
    (dots,) = [r for r in plot.model.select({"type": GlyphRenderer}) if isinstance(r.glyph, Scatter)]
    return dict(dots.data_source.data)


def test_matrix_counts_and_sums_each_pair() -> None:
    counted = scatter_data(plot_matrix(PAIRS, x="src", y="dst"))
    assert dict(zip(zip(counted["x"], counted["y"], strict=False), counted["value"], strict=False)) == {
        ("a", "x"): 2,
        ("a", "y"): 1,
        ("b", "x"): 1,
        ("c", "x"): 1,
    }
    summed = scatter_data(plot_matrix(PAIRS, x="src", y="dst", value_column="bytes", agg="sum"))
    sums = dict(zip(zip(summed["x"], summed["y"], strict=True), summed["value"], strict=True))
    assert sums[("a", "x")] == 3
    with pytest.raises(PlotError, match="no column 'dest'; the frame has: src, dst, bytes"):
        plot_matrix(PAIRS, x="src", y="dest")


def test_network_nodes_sized_by_degree_and_edges_weighted() -> None:
    plot = plot_network(PAIRS, source="src", target="dst", weight_column="bytes")
    graph = plot.model.select_one({"type": GraphRenderer})
    nodes = graph.node_renderer.data_source.data
    degree = dict(zip(nodes["index"], nodes["degree"], strict=False))
    assert degree == {"a": 2, "x": 3, "y": 1, "b": 1, "c": 1}
    assert dict(zip(nodes["index"], nodes["role"], strict=False))["x"] == "dst"
    edges = graph.edge_renderer.data_source.data
    weights = dict(zip(zip(edges["start"], edges["end"], strict=True), edges["weight"], strict=True))
    assert weights[("a", "x")] == 3.0


def series(hours: int = 48) -> pd.DataFrame:
    times = pd.date_range("2026-11-10", periods=hours, freq="1h", tz="UTC")
    total = np.full(hours, 100.0)
    total[30] = 400.0
    return pd.DataFrame(
        {"TimeGenerated": times, "Total": total, "baseline": 100.0, "upper_bound": 150.0, "lower_bound": 50.0}
    )


def test_anomalies_outside_the_band_are_marked_without_an_anomaly_column() -> None:
    marked = scatter_data(plot_anomalies(series()))
    assert marked["value"].tolist() == [400.0]
    flagged = series().assign(anomalies=0)
    flagged.loc[3, "anomalies"] = 1
    assert scatter_data(plot_anomalies(flagged))["value"].tolist() == [100.0]
    with pytest.raises(PlotError, match="needs an anomaly column or a band"):
        plot_anomalies(series()[["TimeGenerated", "Total"]])
    with pytest.raises(PlotError, match="no column 'Bytes'"):
        plot_anomalies(series(), value_column="Bytes")


def test_msticpy_time_series_sample(shared_data: Path) -> None:
    sample = pd.read_csv(shared_data / "msticpy" / "time_series.csv", parse_dates=["TimeGenerated"])
    marked = scatter_data(plot_anomalies(sample, value_column="TotalBytesSent"))
    assert len(marked["x"]) == int((sample["anomalies"] != 0).sum()) > 0


def test_demo_lake_relations_render_in_chromium(tmp_path: Path, lake_table: Any, render_html: Any) -> None:
    firewall = lake_table("CommonSecurityLog")
    logons = lake_table("SecurityEvent").query("EventID == 4624")
    hourly = firewall.set_index("TimeGenerated").resample("1h").size().rename("Total").reset_index()
    median = hourly["Total"].rolling(24, center=True, min_periods=1).median()
    spread = (hourly["Total"] - median).abs().rolling(24, center=True, min_periods=1).median()
    hourly = hourly.assign(
        baseline=median,
        upper_bound=median + 4 * spread + 5,
        lower_bound=(median - 4 * spread - 5).clip(lower=0),
    )
    plots = [
        plot_matrix(firewall, x="SourceIP", y="DestinationIP", max_categories=25),
        plot_network(logons, source="TargetUserName", target="Computer"),
        plot_anomalies(hourly, title="Firewall events per hour"),
    ]
    page = save_html(column(*(p.model for p in plots)), tmp_path / "relations.html")
    shown = render_html(page, height=2200)
    assert shown.console_problems == [], shown.console
    assert shown.drawn_fraction() > 0.05
    assert shown.colours_seen(["#d62728"])  # anomaly markers
    assert all(
        isinstance(s, ColumnDataSource) for p in plots for s in p.model.select({"type": ColumnDataSource})
    )
