"""`plot_matrix`: who talks to whom, as a grid of circles sized by count (or by a value)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from huntbook.vis._bokeh import BokehPlot, PlotError, check_columns, check_not_empty, require_bokeh
from huntbook.vis._time import add_note, axis_labels, natural_key, text_column

if TYPE_CHECKING:
    import pandas as pd

MAX_CATEGORIES = 40
"""Most values drawn on each axis (the busiest)."""
CELL_PIXELS = 22


def plot_matrix(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    value_column: str | None = None,
    agg: Literal["count", "sum", "mean", "max", "nunique"] = "count",
    title: str | None = None,
    max_categories: int = MAX_CATEGORIES,
) -> BokehPlot:
    """Draw one circle for each (x, y) pair in the rows, its area and colour showing how many (or how much).

    Parameters
    ----------
    data : DataFrame
        The rows, e.g. connections.
    x, y : str
        The columns that make the two axes (e.g. ``SourceIP`` and ``DestinationIP``).
    value_column : str, optional
        A column to aggregate with *agg* (default: count the rows).
    agg : {"count", "sum", "mean", "max", "nunique"}
        How the values of one pair combine.
    title : str, optional
        The plot's title (default: "<y> by <x>").
    max_categories : int
        Most values on each axis (those with the largest totals); a note says what was left out.

    Returns
    -------
    BokehPlot
        Shows in a notebook; ``.save(path)`` writes a self-contained HTML file.
    """
    require_bokeh("plot_matrix")
    import pandas as pd
    from bokeh.models import ColumnDataSource, FactorRange, HoverTool, LogColorMapper
    from bokeh.models.annotations import ColorBar
    from bokeh.palettes import Viridis256
    from bokeh.plotting import figure

    check_columns(data, [x, y, value_column], what="plot_matrix")
    check_not_empty(data, what="plot_matrix")
    if agg not in ("count", "sum", "mean", "max", "nunique"):
        raise PlotError(f"agg must be count, sum, mean, max or nunique, not {agg!r}.")
    if (
        value_column
        and agg in ("sum", "mean", "max")
        and not pd.api.types.is_numeric_dtype(data[value_column])
    ):
        raise PlotError(
            f"plot_matrix: value_column {value_column!r} holds {data[value_column].dtype}, not numbers."
        )
    frame = pd.DataFrame(
        {"x": data[x].astype("string").fillna("(none)"), "y": data[y].astype("string").fillna("(none)")}
    )
    if value_column:
        frame["v"] = data[value_column].to_numpy()
        cells = frame.groupby(["x", "y"])["v"].agg(agg).reset_index(name="value")
    else:
        cells = frame.groupby(["x", "y"]).size().reset_index(name="value")
    cells = cells[cells["value"].notna() & (cells["value"] > 0)]
    xs = cells.groupby("x")["value"].sum().nlargest(max_categories).index.tolist()
    ys = cells.groupby("y")["value"].sum().nlargest(max_categories).index.tolist()
    shown = cells[cells["x"].isin(xs) & cells["y"].isin(ys)]
    if shown.empty:
        raise PlotError("plot_matrix: no pair has a positive value to draw.")
    measure = f"{agg} of {value_column}" if value_column else "rows"
    biggest = float(shown["value"].max())
    xs, ys = sorted(xs, key=natural_key), sorted(ys, key=natural_key, reverse=True)
    x_label = dict(zip(xs, axis_labels(xs), strict=True))  # the axes: escapes shown, long values cut
    y_label = dict(zip(ys, axis_labels(ys), strict=True))
    xs, ys = [x_label[v] for v in xs], [y_label[v] for v in ys]
    source = ColumnDataSource(
        {
            "x": shown["x"].map(x_label).to_numpy(dtype=object),
            "y": shown["y"].map(y_label).to_numpy(dtype=object),
            "value": shown["value"].to_numpy(dtype="float64"),
            "size": 4 + (CELL_PIXELS - 4) * np.sqrt(shown["value"].to_numpy(dtype="float64") / biggest),
            "x_text": text_column(shown["x"], 120),
            "y_text": text_column(shown["y"], 120),
        }
    )
    label_room = min(260, 7 * max(len(v) for v in [*xs, *ys]))
    title = title or f"{y} by {x}"
    height = max(320, CELL_PIXELS * len(ys) + label_room + 80)
    plot = figure(
        title=title,
        x_range=FactorRange(factors=xs),
        y_range=FactorRange(factors=ys),
        width=max(420, CELL_PIXELS * len(xs) + label_room + 160),
        height=height,
        tools="pan,box_zoom,wheel_zoom,reset,save",
        toolbar_location="above",
        x_axis_location="above",
    )
    mapper = LogColorMapper(
        palette=Viridis256[::-1][40:], low=max(float(shown["value"].min()), 1e-9), high=biggest
    )
    dots = plot.scatter(
        "x",
        "y",
        size="size",
        source=source,
        fill_color={"field": "value", "transform": mapper},
        line_color="#444444",
        line_alpha=0.4,
    )
    plot.add_tools(
        HoverTool(renderers=[dots], tooltips=[(x, "@x_text"), (y, "@y_text"), (measure, "@value{0,0.[00]}")])
    )
    plot.add_layout(ColorBar(color_mapper=mapper, title=measure, width=10), "right")
    plot.xaxis.major_label_orientation = np.pi / 3
    plot.xaxis.axis_label, plot.yaxis.axis_label = x, y
    plot.grid.grid_line_color = "#eeeeee"
    dropped_x = cells["x"].nunique() - len(xs)
    dropped_y = cells["y"].nunique() - len(ys)
    if dropped_x or dropped_y:
        add_note(
            plot, f"The busiest {len(xs)} {x} and {len(ys)} {y} values; {dropped_x} and {dropped_y} left out."
        )
    return BokehPlot(plot, title=title, height=height)
