"""`plot_timeline_duration`: for each group, a bar from its first to its last event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from huntbook.vis._bokeh import BokehPlot, require_bokeh
from huntbook.vis._time import (
    DATETIME_TIP,
    MAX_LANES,
    Series,
    add_markers,
    add_note,
    as_series,
    axis_labels,
    event_frame,
    palette,
    reference_times,
    span_text,
    text_column,
    time_figure,
)

if TYPE_CHECKING:
    import pandas as pd

LANE_PIXELS = 26


def plot_timeline_duration(
    data: pd.DataFrame | Series,
    *,
    group_by: str | Sequence[str],
    time_column: str = "TimeGenerated",
    ref_times: Mapping[str, Any] | None = None,
    ref_events: pd.DataFrame | None = None,
    ref_label_column: str | None = None,
    title: str = "Activity from first to last event",
    width: int = 1100,
    max_groups: int = MAX_LANES,
) -> BokehPlot:
    """Draw, for each group, a bar from its first to its last event, earliest first.

    Parameters
    ----------
    data : DataFrame or dict of str to DataFrame
        The events; with a dict, a group's label starts with its series' name.
    group_by : str or list of str
        Column(s) whose values make the groups (a user, a host, a host and a process...).
    time_column : str
        The date-time column.
    ref_times, ref_events, ref_label_column
        Reference markers, as for `plot_timeline`.
    title, width
        Title and width in pixels.
    max_groups : int
        Most groups drawn (the busiest, by event count); a note says how many were left out.

    Returns
    -------
    BokehPlot
        Shows in a notebook; ``.save(path)`` writes a self-contained HTML file.
    """
    require_bokeh("plot_timeline_duration")
    import pandas as pd
    from bokeh.models import ColumnDataSource, FactorRange, HoverTool

    series = as_series(data)
    events = event_frame(series, time_column=time_column, group_by=group_by, what="plot_timeline_duration")
    if len(series) > 1:
        events["_group"] = events["_series"] + ": " + events["_group"]
    spans = events.groupby("_group")["_t"].agg(["min", "max", "size"])
    left_out = max(0, len(spans) - max_groups)
    spans = spans.nlargest(max_groups, "size").sort_values(["min", "max"], ascending=False)
    groups = spans.index.astype(str).tolist()
    labels = axis_labels(groups)
    duration = [span_text(ms) for ms in (spans["max"] - spans["min"]).tolist()]
    source = ColumnDataSource(
        {
            "group": labels,
            "group_text": text_column(pd.Series(groups, dtype=object)),
            "first": spans["min"].to_numpy(),
            "last": spans["max"].to_numpy(),
            "events": spans["size"].to_numpy(),
            "duration": duration,
            "colour": palette(len(labels))[::-1],
        }
    )
    height = max(200, LANE_PIXELS * len(labels) + 120)
    plot = time_figure(title, width, height, y_range=FactorRange(factors=labels))
    bars = plot.hbar(
        y="group",
        left="first",
        right="last",
        height=0.55,
        source=source,
        fill_color="colour",
        fill_alpha=0.7,
        line_color="colour",
    )
    ends = plot.scatter("first", "group", source=source, size=8, color="colour", marker="circle")
    plot.scatter("last", "group", source=source, size=8, color="colour", marker="circle")
    plot.add_tools(
        HoverTool(
            renderers=[bars, ends],
            tooltips=[
                ("group", "@group_text"),
                ("first", "@first" + DATETIME_TIP),
                ("last", "@last" + DATETIME_TIP),
                ("lasted", "@duration"),
                ("events", "@events{0,0}"),
            ],
            formatters={"@first": "datetime", "@last": "datetime"},
        )
    )
    if left_out:
        add_note(
            plot, f"The {max_groups} busiest of {max_groups + left_out} groups; {left_out} are left out."
        )
    plot.xaxis.axis_label = f"{time_column} (UTC)"
    plot.ygrid.grid_line_color = "#eeeeee"
    add_markers(
        plot, reference_times(ref_times, ref_events, time_column=time_column, label_column=ref_label_column)
    )
    return BokehPlot(plot, title=title, height=height)
