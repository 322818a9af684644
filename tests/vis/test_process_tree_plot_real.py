"""`plot_process_tree` on trees `build_process_tree` made from real data, rendered in headless Chromium."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

pytest.importorskip("bokeh")

from bokeh.models import Legend
from bokeh.palettes import Category10

from huntbook.analysis.proctree import ancestors_of, build_process_tree, descendants_of
from huntbook.data.lake.lake import Lake
from huntbook.vis.process_tree import plot_process_tree, save_html, tree_layout


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


def _deepest_small_branch(tree: pd.DataFrame) -> int:
    """The key of a process with 5 to 12 descendants, three or more levels deep."""
    for key in tree.loc[tree["child_count"] > 0, "proc_key"]:
        part = descendants_of(tree, key)
        if 5 <= len(part) <= 12 and part["depth"].max() - part["depth"].min() >= 3:
            return int(key)
    raise AssertionError("no such branch in the sample")


def test_a_branch_and_a_chain_are_drawn_from_where_they_start(tmp_path, shared_data, browser_page):
    from html_probe import glyph_points, hover_each

    tree = build_process_tree(pd.read_parquet(shared_data / "msticpy" / "win_proc_test.parquet"))
    key = _deepest_small_branch(tree)
    branch = descendants_of(tree, key)
    laid = tree_layout(branch)
    assert laid["proc_key"].iloc[0] == key and laid["_x"].iloc[0] == 0  # the start process is the top
    assert (laid["_x"] == laid["depth"] - branch["depth"].min()).all()  # every process at its own level
    chain = ancestors_of(tree, int(branch["proc_key"].iloc[-1]))
    assert tree_layout(chain)["_x"].tolist() == list(range(len(chain)))  # root down to the process
    plot = plot_process_tree(branch, title="branch")
    path = save_html(plot, tmp_path / "branch.html")
    with browser_page(path, height=900) as page:
        cards = hover_each(page, glyph_points(page, "command_line", glyph="Scatter"))
        page.screenshot("-branch")
        _, problems = page.console()
    assert problems == []
    names = [dict(card).get("process_name") for card in cards]
    paths = [dict(card).get("process_path") for card in cards]
    assert names == laid["process_name"].tolist()  # each drawn node is its process, in depth-first order
    assert paths == laid["process_path"].tolist()
    assert all(n and "\\" not in n for n in names)
    assert all(p.endswith("\\" + n) for p, n in zip(paths, names, strict=True))
