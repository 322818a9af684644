"""`plot_timeline`: events on parallel lanes over time, with an overview that selects the range shown.

Up to ``max_points`` events are drawn one by one (WebGL), each with a hover
card of chosen columns. Past that the page would grow by every event's hover
text, so each lane is cut into ``time_bins`` equal time bins and every busy
bin is drawn as a box shaded by its event count (hover gives the count); a
note above the plot says so. Either way the overview below holds all events
and its range tool drives the main view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from huntbook.vis import timeline_zoom
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
    text_column,
    time_figure,
)
from huntbook.vis._zoom_bins import draw_zoomable_bins

if TYPE_CHECKING:
    import pandas as pd
    from bokeh.plotting import figure

MAX_POINTS = 50_000
"""Events drawn one by one; more are drawn as time bins per lane."""
TIME_BINS = 1_000
"""Time bins per lane when the events are binned."""
OVERVIEW_BINS = 400
LANE_PIXELS = 30
OVERVIEW_HEIGHT = 110
BUTTONS_HEIGHT = 40
BUTTONS_A_ROW = 4
"""Zoom buttons that fit a row, roughly (for the height of a notebook frame)."""


def plot_timeline(
    data: pd.DataFrame | Series,
    *,
    time_column: str = "TimeGenerated",
    group_by: str | Sequence[str] | None = None,
    source_columns: Sequence[str] = (),
    ref_times: Mapping[str, Any] | None = None,
    ref_events: pd.DataFrame | None = None,
    ref_label_column: str | None = None,
    title: str = "Event timeline",
    width: int = 1100,
    max_points: int = MAX_POINTS,
    time_bins: int = TIME_BINS,
    view: str | tuple[Any, Any] | None = None,
    zoom_buttons: bool | Callable[[str], str] = False,
    view_label: str = "Start view",
) -> BokehPlot:
    """Draw events on parallel lanes over time.

    Parameters
    ----------
    data : DataFrame or dict of str to DataFrame
        The events; a dict draws each frame as its own series (colour and lanes).
    time_column : str
        The date-time column (in every frame).
    group_by : str or list of str, optional
        Column(s) whose values get a lane each (default: one lane per series).
    source_columns : list of str
        Columns shown when hovering over an event.
    ref_times : dict of str to date-time, optional
        Key times to mark with a labelled line (label -> time).
    ref_events : DataFrame, optional
        Rows to mark (e.g. alerts), at their *time_column*, labelled by *ref_label_column*.
    ref_label_column : str, optional
        The column of *ref_events* that labels each marker.
    title : str
        The plot's title.
    width : int
        Width in pixels.
    max_points : int
        Most events drawn one by one; past this, events are drawn as time bins per lane.
    time_bins : int
        Number of time bins per lane when binning.
    view : "lane starts" or (start, end), optional
        What the plot opens on (default: every event). ``"lane starts"``: from the first lane's
        first event to the last lane's first event, so lanes that begin hours apart stay apart
        when one of them lasts days. A pair of date-times: that span.
    zoom_buttons : bool or callable
        Put buttons above the plot: the whole period, the opening view (*view_label*) and one
        per lane that zooms to that lane's events (`huntbook.vis.timeline_zoom.lane_window`).
        A callable makes a lane's button label from its name on the axis.
    view_label : str
        The label of the opening view's button.

    Returns
    -------
    BokehPlot
        Shows in a notebook; ``.save(path)`` writes a self-contained HTML file.

    Raises
    ------
    PlotError
        A named column is missing (the message lists those there are), the time
        column does not hold date-times, or there are no events.
    """
    require_bokeh("plot_timeline")
    from bokeh.layouts import column
    from bokeh.models import FactorRange, HoverTool, Range1d, RangeTool

    series = as_series(data)
    source_columns = [source_columns] if isinstance(source_columns, str) else list(source_columns)
    events = event_frame(
        series, time_column=time_column, group_by=group_by, extra_columns=source_columns, what="plot_timeline"
    )
    marks = reference_times(ref_times, ref_events, time_column=time_column, label_column=ref_label_column)
    events["_lane"], lanes_note = lane_labels(events, multi_series=len(series) > 1 and group_by is not None)
    lanes = lane_order(events)[::-1]  # a categorical axis runs upwards
    colour_key = "_series" if len(series) > 1 else "_lane"
    keys = list(dict.fromkeys(events[colour_key])) if colour_key == "_series" else lanes[::-1]
    colours = dict(zip(keys, palette(len(keys)), strict=True))

    start, end = _padded_extent(events["_t"].to_numpy(), [t for _, t in marks])
    opening = _opening_view(view, events)
    main_height = max(220, LANE_PIXELS * len(lanes) + 110)
    view_start, view_end = opening or (start, end)
    x_range = Range1d(start=view_start, end=view_end, name="timeline_x")
    main = time_figure(
        title,
        width,
        main_height,
        x_range=x_range,
        y_range=FactorRange(factors=lanes),
        output_backend="webgl",
    )
    if len(events) <= max_points:
        renderers = [_draw_events(main, events, colours, colour_key, source_columns)]
        tips = [("time", "@x" + DATETIME_TIP), ("lane", "@lane"), *((c, f"@{{{c}}}") for c in source_columns)]
    else:
        note = add_note(
            main,
            f"{len(events):,} events (more than {max_points:,}): {time_bins:,} time bins per lane, "
            "shaded by count; zoom in to see single events.",
        )
        lane_colour = events.groupby("_lane", sort=False)[colour_key].first().map(colours)
        renderers = draw_zoomable_bins(
            main, x_range, events, lanes, [str(lane_colour[lane]) for lane in lanes],
            bins=time_bins, max_points=max_points, note=note,
        )  # fmt: skip
        tips = [
            ("lane", "@lane"),
            ("time", "@x" + DATETIME_TIP),
            ("bin from", "@start" + DATETIME_TIP),
            ("to", "@end" + DATETIME_TIP),
            ("events", "@count{0,0}"),
        ]
    if lanes_note:
        add_note(main, lanes_note)
    main.add_tools(
        HoverTool(
            renderers=renderers,
            tooltips=tips,
            formatters={"@x": "datetime", "@start": "datetime", "@end": "datetime"},
        )
    )
    main.ygrid.grid_line_color = "#eeeeee"
    main.xaxis.axis_label = f"{time_column} (UTC)"
    add_markers(main, marks)

    overview = _overview(events["_t"].to_numpy(), main, width, start, end)
    add_markers(overview, marks, labels=False)
    selector = RangeTool(x_range=main.x_range)
    selector.overlay.fill_color = "#1f77b4"
    selector.overlay.fill_alpha = 0.15
    overview.add_tools(selector)
    if len(series) > 1:
        _legend(main, colours, lanes[0])
    height = main_height + OVERVIEW_HEIGHT
    parts = [main, overview]
    if zoom_buttons:
        buttons = timeline_zoom.zoom_buttons(
            x_range, events, lanes[::-1], whole=(start, end), opening=opening, opening_label=view_label,
            label=zoom_buttons if callable(zoom_buttons) else None,
        )  # fmt: skip
        parts.insert(0, buttons)
        height += BUTTONS_HEIGHT * (1 + len(lanes) // BUTTONS_A_ROW)
    return BokehPlot(column(*parts), title=title, height=height, notes=[n for n in (lanes_note,) if n])


def _opening_view(view: str | tuple[Any, Any] | None, events: pd.DataFrame) -> tuple[float, float] | None:
    """The x range (epoch ms) *view* asks to open on, or None for every event."""
    import pandas as pd

    if view is None:
        return None
    if isinstance(view, str):
        if view != "lane starts":
            raise PlotError(f"view={view!r}: use 'lane starts', a (start, end) pair of date-times or None.")
        return timeline_zoom.lane_starts_view(events)
    try:
        low, high = (pd.Timestamp(v) for v in view)
    except (TypeError, ValueError) as exc:
        raise PlotError(f"view={view!r}: expected a (start, end) pair of date-times.") from exc
    low, high = (t.tz_localize("UTC") if t.tzinfo is None else t for t in (low, high))
    if not low < high:
        raise PlotError(f"view={view!r}: the start must come before the end.")
    return low.timestamp() * 1000, high.timestamp() * 1000


def _padded_extent(times: np.ndarray, extra: list[float]) -> tuple[float, float]:
    low, high = float(np.nanmin(times)), float(np.nanmax(times))
    if extra:
        low, high = min(low, *extra), max(high, *extra)
    pad = max((high - low) * 0.02, 60_000.0)
    return low - pad, high + pad


def _draw_events(
    plot: figure, events: pd.DataFrame, colours: dict[str, str], colour_key: str, hover: list[str]
) -> Any:
    from bokeh.models import ColumnDataSource

    data: dict[str, Any] = {
        "x": events["_t"].to_numpy(),
        "lane": events["_lane"].to_numpy(dtype=object),
        "colour": events[colour_key].map(colours).to_numpy(dtype=object),
        "series": events["_series"].to_numpy(dtype=object),
    }
    for column in hover:
        data[column] = text_column(events[column])
    return plot.scatter(
        "x",
        "lane",
        source=ColumnDataSource(data),
        size=9,
        marker="diamond",
        fill_color="colour",
        line_color="colour",
        fill_alpha=0.55,
        line_alpha=0.9,
    )


def _overview(times: np.ndarray, main: figure, width: int, start: float, end: float) -> figure:
    """All events counted over time (a strip chart) to select the main view's range from."""
    from bokeh.models import Range1d
    from bokeh.models.annotations import Title
    from bokeh.plotting import figure

    counts, edges = np.histogram(times, bins=OVERVIEW_BINS, range=(start, end))
    overview = figure(
        width=width,
        height=OVERVIEW_HEIGHT,
        x_axis_type="datetime",
        x_range=Range1d(start=start, end=end),
        y_range=Range1d(start=0, end=max(1, int(counts.max())) * 1.1),
        tools="",
        toolbar_location=None,
        title=Title(
            text="All events: drag the box to choose the range above",
            text_font_size="8pt",
            text_font_style="normal",
        ),
    )
    overview.quad(
        left=edges[:-1],
        right=edges[1:],
        bottom=0,
        top=counts,
        fill_color="#7f7f7f",
        line_color=None,
        fill_alpha=0.7,
    )
    overview.yaxis.visible = False
    overview.ygrid.grid_line_color = None
    return overview


def _legend(plot: figure, colours: dict[str, str], lane: str) -> None:
    """One legend entry per series, each drawn from a glyph of its own with one point that is never shown
    (its time is NaN), so the legend stays whatever the view shows."""
    from bokeh.models.annotations import Legend, LegendItem

    items = []
    for name, colour in colours.items():
        swatch: Any = plot.scatter(x=[np.nan], y=[lane], marker="diamond", size=9, color=colour)
        items.append(LegendItem(label=name, renderers=[swatch]))
    plot.add_layout(Legend(items=items, title="series", click_policy="none"), "right")
