"""`plot_process_tree`: an interactive Bokeh process tree that stays usable at 10,000+ processes.

Each process is a row: x is its depth, y its place in depth-first order
(siblings by start time), elbows join it to its parent. The main view shows
a window of rows; the overview beside it holds the whole forest and a range
tool that scrolls the window. Hover shows the command line, user, host and
time; colour follows any column, with a legend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from huntbook.display import visible
from huntbook.errors import MissingExtraError
from huntbook.vis._bokeh import BokehPlot, PlotError, save_html

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PlotError", "plot_process_tree", "save_html", "tree_layout"]

TREE_COLUMNS = ("proc_key", "parent_key", "process_name")
"""What a process tree frame must have (`build_process_tree` gives more)."""
HOVER_COLUMNS = ("process_name", "process_path", "command_line", "user", "host", "pid", "start")
PALETTE_SIZE = 10
VISIBLE_DEPTH = 15
"""Levels shown at first; pan sideways for deeper ones."""
HOLLOW = "#ffffff"
"""The fill of inferred parents (processes the events name but do not hold)."""


def plot_process_tree(
    tree: pd.DataFrame,
    *,
    color_by: str | None = None,
    rows_shown: int = 40,
    width: int = 1100,
    title: str = "Process tree",
) -> BokehPlot:
    """Draw a process tree (the frame `build_process_tree` returns).

    Parameters
    ----------
    tree : DataFrame
        One row per process with ``proc_key``, ``parent_key`` and
        ``process_name`` (the file name, ``powershell.exe``; a path is cut to
        its file name); ``process_path``, ``command_line``, ``user``, ``host``,
        ``pid`` and ``start`` are shown on hover when present. A process whose
        parent is not in the frame starts a branch, so a part of a tree
        (``descendants_of``, ``ancestors_of``) is drawn from where it starts.
    color_by : str, optional
        A column to colour processes by (``process_name`` colours by file
        name). Default: ``host`` when there are several hosts, else
        ``process_name``. Inferred parents (``inferred``) are drawn hollow.
    rows_shown : int
        Processes visible at once; the overview scrolls through the rest.
    width : int
        Width of the main view in pixels.
    title : str
        The plot's title.

    Returns
    -------
    BokehPlot
        Shows itself in a notebook; ``.save(path)`` writes a self-contained
        HTML file; ``.model`` is the Bokeh layout.
    """
    try:
        from bokeh.layouts import row
        from bokeh.models import ColumnDataSource, HoverTool, Range1d, RangeTool
        from bokeh.models.annotations import Legend, LegendItem
        from bokeh.palettes import Category10
        from bokeh.plotting import figure
    except ImportError as exc:
        raise MissingExtraError("bokeh", "vis", feature="plot_process_tree") from exc

    missing = [c for c in TREE_COLUMNS if c not in tree.columns]
    if missing:
        raise PlotError(
            f"The frame has no {', '.join(missing)} column(s); pass the result of build_process_tree "
            f"(it has {', '.join(map(str, tree.columns[:12]))}...)."
        )
    if color_by is not None and color_by not in tree.columns:
        raise PlotError(f"No column {color_by!r} to colour by; columns: {', '.join(map(str, tree.columns))}.")
    if tree.empty:
        raise PlotError("The process tree is empty: nothing to draw.")

    layout = tree_layout(tree)
    names = _file_names(layout["process_name"])
    if color_by is None:  # hosts when there are several, else what ran
        color_by = "host" if "host" in tree.columns and tree["host"].nunique() > 1 else "process_name"
    groups = (names if color_by == "process_name" else layout[color_by]).astype("string").fillna("(none)")
    groups = groups.map(visible)  # legend entries
    top = groups.value_counts().index[: PALETTE_SIZE - 1].tolist()
    groups = groups.where(groups.isin(top), "other")
    palette = dict(zip([*top, "other"], Category10[PALETTE_SIZE], strict=False))
    colors = groups.map(palette)
    inferred = layout["inferred"].fillna(False).astype(bool) if "inferred" in layout.columns else None
    data: dict[str, Any] = {
        "x": layout["_x"].to_numpy(),
        "y": layout["_y"].to_numpy(),
        "label": _labels(names, layout),
        "color": colors.to_numpy(),
        "fill": (colors.where(~inferred, HOLLOW) if inferred is not None else colors).to_numpy(),
        "group": groups.to_numpy(dtype=object),
    }
    hover_fields = [c for c in (*HOVER_COLUMNS, "inferred") if c in layout.columns]
    for column in hover_fields:
        data[column] = (
            layout[column].astype(str).str.slice(0, 300).map(visible, na_action="ignore").to_numpy()
        )
    source = ColumnDataSource(data)
    edges = ColumnDataSource(dict(_elbows(layout)))

    depth = int(layout["_x"].max())
    height = max(300, min(rows_shown, len(layout)) * 18 + 60)
    main = figure(
        title=title,
        width=width,
        height=height,
        x_range=Range1d(start=-0.5, end=min(depth, VISIBLE_DEPTH) + 3),
        y_range=Range1d(start=-min(rows_shown, len(layout)) + 0.5, end=0.5),
        tools="xpan,ypan,ywheel_zoom,reset,save",
        active_scroll="ywheel_zoom",
        toolbar_location="above",
    )
    main.multi_line("xs", "ys", source=edges, line_color="#9aa0a6", line_width=1)
    nodes: Any = main.scatter(
        "x", "y", source=source, size=9, fill_color="fill", line_color="color", line_width=2
    )
    main.text("x", "y", text="label", source=source, x_offset=8, y_offset=0, text_font_size="9pt",
              text_baseline="middle")  # fmt: skip
    tips = [(name, f"@{name}") for name in hover_fields]
    main.add_tools(HoverTool(renderers=[nodes], tooltips=tips))
    main.yaxis.visible = False
    main.xaxis.axis_label = "depth"
    main.ygrid.grid_line_color = None
    solid = data["fill"] != HOLLOW  # a legend entry shows a process found in the data, not an inferred one
    items = [LegendItem(label=g, renderers=[nodes], index=_first(data["group"] == g, solid))
             for g in palette if (data["group"] == g).any()]  # fmt: skip
    legend = Legend(items=items, title=color_by)
    main.add_layout(legend, "right")

    overview = figure(
        width=160,
        height=height,
        x_range=Range1d(start=-0.5, end=depth + 0.5),
        y_range=Range1d(start=-len(layout) + 0.5, end=0.5),
        tools="",
        toolbar_location=None,
        title="all",
    )
    overview.scatter("x", "y", source=source, size=3, color="color")
    overview.xaxis.visible = overview.yaxis.visible = False
    scroller = RangeTool(y_range=main.y_range)
    scroller.overlay.fill_alpha = 0.2
    overview.add_tools(scroller)
    return BokehPlot(row(main, overview), title=title, height=height)


def tree_layout(tree: pd.DataFrame) -> pd.DataFrame:
    """*tree* with ``_x`` (depth) and ``_y`` (minus the depth-first row number), in depth-first order.

    Siblings go by ``start`` when the column is present; a process whose
    parent is not in the frame is a root.
    """
    keys = tree["proc_key"].to_numpy()
    position = {key: i for i, key in enumerate(keys.tolist())}
    parents = [position.get(p, -1) for p in tree["parent_key"].tolist()]
    order_key = tree["start"].rank(method="first").fillna(0).to_numpy() if "start" in tree.columns else None
    children: dict[int, list[int]] = {}
    for child, parent in enumerate(parents):
        children.setdefault(parent, []).append(child)
    if order_key is not None:
        for siblings in children.values():
            siblings.sort(key=lambda i: order_key[i])
    order: list[int] = []
    depths = np.zeros(len(keys), dtype=np.int64)
    stack = [(root, 0) for root in reversed(children.get(-1, []))]
    seen = np.zeros(len(keys), dtype=bool)
    while stack:
        node, level = stack.pop()
        if seen[node]:
            continue  # a cycle in bad input: each process is drawn once
        seen[node] = True
        order.append(node)
        depths[node] = level
        stack.extend((child, level + 1) for child in reversed(children.get(node, [])))
    order += np.flatnonzero(~seen).tolist()  # processes only reachable through a cycle
    laid = tree.iloc[order].copy()
    laid["_x"] = depths[order]
    laid["_y"] = -np.arange(len(order))
    return laid


def _first(mask: np.ndarray, prefer: np.ndarray) -> int:
    """The first row of *mask*, preferring rows also in *prefer*."""
    both = mask & prefer
    return int(np.argmax(both if both.any() else mask))


def _file_names(paths: pd.Series) -> pd.Series:
    """The file name of each process path (``C:\\Windows\\cmd.exe`` -> ``cmd.exe``), as text."""
    text = paths.astype("string").fillna("")
    names = text.str.rsplit("\\", n=1).str[-1].str.rsplit("/", n=1).str[-1]
    return names.where(names != "", text)


def _labels(names: pd.Series, layout: pd.DataFrame) -> np.ndarray:
    """What each node says: its file name, and its pid when known."""
    labels = names.str.slice(0, 40).fillna("?").replace("", "?").map(visible)
    if "pid" in layout.columns:
        pids = layout["pid"].astype("string").str.replace(r"^-1$", "", regex=True).fillna("")
        labels = labels + (" (" + pids + ")").where(pids != "", "")
    return labels.to_numpy(dtype=object)


def _elbows(layout: pd.DataFrame) -> dict[str, Any]:
    """Lines from each parent down and across to its children."""
    ys_of = layout["_y"].tolist()
    position = {key: n for n, key in enumerate(layout["proc_key"].tolist())}
    xs: list[list[float]] = []
    ys: list[list[float]] = []
    pairs = zip(layout["parent_key"].tolist(), layout["_x"].tolist(), strict=True)
    for n, (parent_key, x) in enumerate(pairs):
        parent = position.get(parent_key)
        if parent is None:
            continue
        xs.append([x - 1, x - 1, x])
        ys.append([ys_of[parent], ys_of[n], ys_of[n]])
    return {"xs": xs, "ys": ys}
