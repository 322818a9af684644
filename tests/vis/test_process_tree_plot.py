"""`plot_process_tree`: layout, errors, and a self-contained HTML file that renders in a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("bokeh")

from huntbook.vis._bokeh import BokehPlot
from huntbook.vis.process_tree import PlotError, plot_process_tree, save_html, tree_layout


def forest(n: int, seed: int = 3) -> pd.DataFrame:
    """*n* processes on three hosts; each process's parent is an earlier one (or none)."""
    rng = np.random.default_rng(seed)
    parents = [
        None if i < 3 or rng.random() < 0.05 else f"p{rng.integers(max(0, i - 50), i)}" for i in range(n)
    ]
    return pd.DataFrame(
        {
            "proc_key": [f"p{i}" for i in range(n)],
            "parent_key": parents,
            "process_name": rng.choice(["cmd.exe", "powershell.exe", "svchost.exe", "odsync.exe"], n),
            "command_line": [f'cmd.exe /c "echo {i}" & <script>alert({i})</script>' for i in range(n)],
            "user": "CONTOSO\\mgarcia",
            "host": rng.choice(["WS-017", "FS01", "DC01"], n),
            "pid": rng.integers(100, 9000, n),
            "start": pd.Timestamp("2026-11-10", tz="UTC") + pd.to_timedelta(np.arange(n), unit="s"),
        }
    )


def test_layout_is_depth_first_with_siblings_by_start() -> None:
    tree = pd.DataFrame(
        {
            "proc_key": ["a", "b", "c", "d", "e"],
            "parent_key": [None, "a", "a", "b", "missing"],
            "process_name": ["winword", "late", "early", "child", "orphan"],
            "start": pd.to_datetime(["2026-01-01 00:00", "2026-01-01 00:05", "2026-01-01 00:01",
                                     "2026-01-01 00:06", "2026-01-01 00:02"]),
        }
    )
    laid = tree_layout(tree)
    assert laid["proc_key"].tolist() == ["a", "c", "b", "d", "e"]
    assert laid["_x"].tolist() == [0, 1, 1, 2, 0]
    assert laid["_y"].tolist() == [0, -1, -2, -3, -4]


def test_cycles_in_bad_input_are_drawn_once() -> None:
    tree = pd.DataFrame({"proc_key": ["a", "b"], "parent_key": ["b", "a"], "process_name": ["x", "y"]})
    assert sorted(tree_layout(tree)["proc_key"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"x": [1]}), "no proc_key"),
        (forest(5).iloc[0:0], "empty"),
    ],
)
def test_bad_frames(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(PlotError, match=message):
        plot_process_tree(frame)


def test_unknown_colour_column() -> None:
    with pytest.raises(PlotError, match="No column 'nope'"):
        plot_process_tree(forest(5), color_by="nope")


def test_large_tree_saves_self_contained_html(tmp_path: Path, render_html: Any) -> None:
    plot = plot_process_tree(forest(12_000), color_by="host")
    assert isinstance(plot, BokehPlot) and plot._repr_html_().startswith("<iframe srcdoc=")
    path = save_html(plot, tmp_path / "tree.html")
    assert "<title>Process tree</title>" in plot.save(tmp_path / "same.html").read_text()
    html = path.read_text()
    assert "<script>alert(" not in html  # data is JSON, not markup
    assert "cdn.bokeh.org" not in html and "Bokeh" in html
    rendered = render_html(path)
    assert rendered.console_problems == [], rendered.console
    assert rendered.drawn_fraction() > 0.05
