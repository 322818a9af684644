"""`plot_process_tree` on trees `build_process_tree` made from real data, rendered in headless Chromium."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

pytest.importorskip("bokeh")

from bokeh.models import Legend
from bokeh.palettes import Category10

from huntbook.analysis.proctree import build_process_tree
from huntbook.data.lake.lake import Lake
from huntbook.vis.process_tree import plot_process_tree, save_html


def legend_of(plot) -> Legend:
    (legend,) = plot.model.select({"type": Legend})
    return legend


def test_msticpy_4688_sample_renders_with_names_pids_and_colours(tmp_path, shared_data, render_html):
    tree = build_process_tree(pd.read_parquet(shared_data / "msticpy" / "win_proc_test.parquet"))
    assert tree["inferred"].any() and tree["depth"].max() >= 3
    plot = plot_process_tree(tree, title="win_proc_test")
    legend = legend_of(plot)
    assert legend.title == "process_name"  # one host: colours say what ran
    assert {"cmd.exe", "conhost.exe"} <= {item.label.value for item in legend.items}
    path = save_html(plot, tmp_path / "win_proc_test.html")
    html = path.read_text(encoding="utf-8")
    assert "WaAppAgent.exe (6548)" in html  # file name and pid, not a cut-off folder path
    shown = render_html(path)  # tests/conftest.py: headless Chromium over DevTools
    assert shown.console_problems == [], shown.console
    assert shown.drawn_fraction() > 0.02, shown.screenshot
    drawn = shown.colours_seen(list(Category10[10]))
    assert len(drawn) >= 4, drawn  # nodes of several colours are on screen


def test_sysmon_evtx_tree_of_several_hosts_is_coloured_by_host(tmp_path, shared_data, render_html):
    pytest.importorskip("evtx")
    lake = Lake(tmp_path / "lake")
    lake.ingest(shared_data / "evtx")
    sysmon = duckdb.read_parquet([str(f) for f in lake.files("SysmonEvent")], union_by_name=True).df()
    tree = build_process_tree(sysmon)
    plot = plot_process_tree(tree, title="Sysmon samples")
    legend = legend_of(plot)
    top = tree["host"].value_counts().index[:9].tolist()
    assert legend.title == "host"
    assert [item.label.value for item in legend.items] == [*top, "other"]
    shown = render_html(save_html(plot, tmp_path / "sysmon.html"))
    assert shown.console_problems == [], shown.console
    assert len(shown.colours_seen(list(Category10[10]))) >= 2
