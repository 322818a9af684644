"""`plot_timeline_values`: event counts, or a value column, per time bin and group, as lines or bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from huntbook.vis._bokeh import BokehPlot, PlotError, require_bokeh
from huntbook.vis._time import (
    DATETIME_TIP,
    Series,
    add_markers,
    add_note,
    as_series,
    event_frame,
    lane_labels,
    lane_order,
    palette,
    reference_times,
    span_text,
    time_figure,
)

if TYPE_CHECKING:
    import pandas as pd

AGGREGATES = ("count", "sum", "mean", "min", "max")
TARGET_BINS = 300
"""About how many time bins the automatic bin size aims for."""
BIN_SIZES = ("1s", "5s", "15s", "1min", "5min", "15min", "30min", "1h", "3h", "6h", "12h", "1D", "7D")
MAX_GROUPS = 10
"""Most groups drawn as their own line; the rest are summed into "other"."""


def plot_timeline_values(
    data: pd.DataFrame | Series,
    *,
    time_column: str = "TimeGenerated",
    value_column: str | None = None,
    group_by: str | Sequence[str] | None = None,
    agg: Literal["count", "sum", "mean", "min", "max"] = "count",
    freq: str | None = None,
    kind: Literal["line", "bar"] = "line",
    ref_times: Mapping[str, Any] | None = None,
    ref_events: pd.DataFrame | None = None,
    ref_label_column: str | None = None,
    title: str = "Events over time",
    width: int = 1100,
    height: int = 360,
    max_groups: int = MAX_GROUPS,
) -> BokehPlot:
    """Plot how many events (or how much of a value) fall in each time bin, one line or bar stack per group.

    Parameters
    ----------
    data : DataFrame or dict of str to DataFrame
        The events; a dict makes each frame a group of its own (or prefixes its groups).
    time_column : str
        The date-time column.
    value_column : str, optional
        A numeric column to aggregate with *agg*; without it, events are counted.
    group_by : str or list of str, optional
        Column(s) whose values get their own line.
    agg : {"count", "sum", "mean", "min", "max"}
        How the values in one bin combine (``count`` when there is no *value_column*).
    freq : str, optional
        The bin size as a pandas offset ("5min", "1h"); default: a round size giving about 300 bins.
    kind : {"line", "bar"}
        Lines, or bars stacked by group.
    ref_times, ref_events, ref_label_column
        Reference markers, as for `plot_timeline`.
    title, width, height
        Title and size in pixels.
    max_groups : int
        Most groups drawn separately; the others are combined into "other".

    Returns
    -------
    BokehPlot
        Shows in a notebook; ``.save(path)`` writes a self-contained HTML file.
    """
    require_bokeh("plot_timeline_values")
    import pandas as pd
    from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter, Range1d
    from bokeh.models.annotations import Legend, LegendItem

    if agg not in AGGREGATES:
        raise PlotError(f"agg must be one of {', '.join(AGGREGATES)}, not {agg!r}.")
    if kind not in ("line", "bar"):
        raise PlotError(f"kind must be 'line' or 'bar', not {kind!r}.")
    series = as_series(data)
    extra = [value_column] if value_column else []
    events = event_frame(
        series, time_column=time_column, group_by=group_by, extra_columns=extra, what="plot_timeline_values"
    )
    if value_column and not pd.api.types.is_numeric_dtype(events[value_column]):
        raise PlotError(
            f"plot_timeline_values: value_column {value_column!r} holds "
            f"{events[value_column].dtype}, not numbers."
        )
    how = agg if value_column else "count"
    events["_lane"], merged_note = lane_labels(
        events, multi_series=len(series) > 1 and group_by is not None, limit=max_groups
    )
    step = _bin_ms(events["_t"], freq)
    events["_bin"] = np.floor(events["_t"].to_numpy() / step) * step
    table = (
        events.groupby(["_bin", "_lane"])[value_column or "_t"].agg(how).unstack("_lane")
        if value_column
        else events.groupby(["_bin", "_lane"]).size().unstack("_lane")
    )
    full = np.arange(table.index.min(), table.index.max() + step, step)
    table = table.reindex(full)
    if how in ("count", "sum"):
        table = table.fillna(0)
    groups = [g for g in lane_order(events) if g in table.columns]
    colours = dict(zip(groups, palette(len(groups)), strict=True))
    label = f"{how} of {value_column}" if value_column else "events"

    plot = time_figure(title, width, height, output_backend="webgl")
    source = ColumnDataSource(
        {
            "x": table.index.to_numpy(dtype="float64") + step / 2,
            **{f"g{i}": table[g].to_numpy(dtype="float64") for i, g in enumerate(groups)},
            # the group names are data: the hover card reads them from a column, never from its template
            **{f"name{i}": np.full(len(table), g, dtype=object) for i, g in enumerate(groups)},
        }
    )
    items = []
    renderers: list[Any] = []
    if kind == "bar":
        stack = plot.vbar_stack(
            [f"g{i}" for i in range(len(groups))],
            x="x",
            width=step * 0.9,
            source=source,
            color=[colours[g] for g in groups],
            line_color=None,
        )
        bars: Any
        for i, (group, bars) in enumerate(zip(groups, stack, strict=True)):
            items.append(LegendItem(label=group, renderers=[bars]))
            renderers.append(bars)
            bars.tags = [group, f"g{i}"]
    else:
        for i, group in enumerate(groups):
            line: Any = plot.line("x", f"g{i}", source=source, color=colours[group], line_width=2)
            items.append(LegendItem(label=group, renderers=[line]))
            renderers.append(line)
            line.tags = [group, f"g{i}"]
    for renderer in renderers:
        group, field_name = renderer.tags
        plot.add_tools(
            HoverTool(
                renderers=[renderer],
                mode="vline" if kind == "line" else "mouse",
                tooltips=[
                    ("time", "@x" + DATETIME_TIP),
                    ("group", f"@name{field_name[1:]}"),
                    (label, f"@{field_name}{{0,0.[00]}}"),
                ],
                formatters={"@x": "datetime"},
            )
        )
    if len(groups) > 1 or group_by is not None:
        plot.add_layout(Legend(items=items, click_policy="hide", title="click to hide"), "right")
    add_note(plot, f"{label} per {span_text(step)}" + (f"; {merged_note}" if merged_note else ""))
    plot.yaxis.axis_label = label
    plot.yaxis.formatter = NumeralTickFormatter(format="0.[0]a")
    plot.xaxis.axis_label = f"{time_column} (UTC)"
    if how in ("count", "sum"):
        plot.y_range = Range1d(
            start=0, end=float(np.nanmax(table.to_numpy(dtype="float64"), initial=1.0)) * 1.05
        )
    add_markers(
        plot, reference_times(ref_times, ref_events, time_column=time_column, label_column=ref_label_column)
    )
    return BokehPlot(plot, title=title, height=height)


def _bin_ms(times: pd.Series, freq: str | None) -> float:
    """The bin width in milliseconds: *freq*, or the smallest round size giving at most `TARGET_BINS` bins."""
    import pandas as pd

    if freq is not None:
        try:
            width = pd.Timedelta(freq)
        except ValueError as exc:
            raise PlotError(f"freq {freq!r} is not a time span such as '5min' or '1h'.") from exc
        if width <= pd.Timedelta(0):
            raise PlotError(f"freq must be a positive time span, not {freq!r}.")
        return float(width / pd.Timedelta(milliseconds=1))
    span = float(times.max() - times.min())
    for size in BIN_SIZES:
        width_ms = float(pd.Timedelta(size) / pd.Timedelta(milliseconds=1))
        if span / width_ms <= TARGET_BINS:
            return width_ms
    return max(span / TARGET_BINS, 1.0)
