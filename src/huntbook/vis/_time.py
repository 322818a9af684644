"""Helpers the time plots share: event frames to millisecond times, lanes, colours and reference markers."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from huntbook.display import visible
from huntbook.vis._bokeh import PlotError, as_utc_times, check_columns, check_not_empty

if TYPE_CHECKING:
    import pandas as pd
    from bokeh.models.annotations import Title
    from bokeh.plotting import figure

MAX_LANES = 30
"""Most lanes (groups) drawn; the least busy of the rest share one "other" lane."""
MAX_MARKERS = 50
"""Most reference markers drawn."""
MAX_LABELLED_MARKERS = 8
"""Most reference markers labelled in place; with more, hover names them."""
LABEL_CHARS = 60
"""Longest axis label (a lane, a category): longer ones are cut with '…' (the hover card has more)."""
TEXT_CHARS = 200
"""Longest text shown on hover."""
OTHER = "other"
DATETIME_TIP = "{%F %T}"

Series = Mapping[str, "pd.DataFrame"]


def as_series(data: pd.DataFrame | Series, *, name: str = "events") -> dict[str, pd.DataFrame]:
    """One frame or a mapping of names to frames, as a dict (one frame becomes ``{name: frame}``)."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return {name: data}
    if isinstance(data, Mapping) and data and all(isinstance(v, pd.DataFrame) for v in data.values()):
        return {str(k): v for k, v in data.items()}
    raise PlotError(
        f"Expected a DataFrame or a non-empty dict of name -> DataFrame, got {type(data).__name__}."
    )


def epoch_ms(times: pd.Series) -> np.ndarray:
    """UTC timestamps as float milliseconds since 1970 (what a Bokeh datetime axis plots); NaT -> NaN."""
    naive = times.dt.tz_convert("UTC").dt.tz_localize(None)
    values: np.ndarray = naive.to_numpy(dtype="datetime64[ms]").astype("int64").astype("float64")
    values[naive.isna().to_numpy()] = np.nan
    return values


def event_frame(
    series: dict[str, pd.DataFrame],
    *,
    time_column: str,
    group_by: str | Sequence[str] | None,
    extra_columns: Sequence[str] = (),
    what: str,
) -> pd.DataFrame:
    """All series' events as one frame: ``_t`` (epoch ms), ``_series``, ``_group`` and *extra_columns*.

    Rows without a time are dropped. Raises `PlotError` on a missing column, a
    time column that is not date-times, or no rows at all.
    """
    import pandas as pd

    groups = [group_by] if isinstance(group_by, str) else list(group_by or [])
    parts = []
    for name, frame in series.items():
        where = what if len(series) == 1 else f"{what} (series {name!r})"
        check_columns(frame, [time_column, *groups, *extra_columns], what=where)
        times = as_utc_times(frame, time_column, what=where)
        part = pd.DataFrame({"_t": epoch_ms(times), "_series": name}, index=frame.index)
        part["_group"] = _group_labels(frame, groups) if groups else name
        for column in extra_columns:
            part[column] = frame[column].to_numpy()
        parts.append(part)
    events = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    events = events[events["_t"].notna()]
    check_not_empty(events, what=f"{what}: column {time_column!r}")
    return events


def _group_labels(frame: pd.DataFrame, groups: list[str]) -> pd.Series:
    labels = frame[groups[0]].astype("string").fillna("(none)")
    for column in groups[1:]:
        labels = labels + " | " + frame[column].astype("string").fillna("(none)")
    return labels


def lane_labels(
    events: pd.DataFrame, *, multi_series: bool, limit: int = MAX_LANES
) -> tuple[pd.Series, str | None]:
    """Each event's lane (its group, prefixed by the series when there are several) and a note when
    the least busy lanes were merged into one."""
    lanes = (events["_series"] + ": " + events["_group"]) if multi_series else events["_group"].astype(str)
    names = list(dict.fromkeys(lanes.astype(str)))
    lanes = lanes.astype(str).map(dict(zip(names, axis_labels(names), strict=True)))  # on the axis
    counts = lanes.value_counts()
    if len(counts) <= limit:
        return lanes, None
    keep = set(counts.index[: limit - 1])
    merged = len(counts) - len(keep)
    label = f"{OTHER} ({merged} groups)"
    return lanes.where(lanes.isin(keep), label), f"{merged} quieter groups share the lane {label!r}."


def lane_order(events: pd.DataFrame) -> list[str]:
    """Lanes top to bottom: by series (in the order given), then by name; the merged lane last."""
    series_rank = {name: i for i, name in enumerate(dict.fromkeys(events["_series"]))}
    first = events.drop_duplicates("_lane")
    keyed = sorted(
        zip(first["_lane"], first["_series"], strict=True),
        key=lambda ls: (ls[0].startswith(f"{OTHER} ("), series_rank[ls[1]], natural_key(ls[0])),
    )
    return [lane for lane, _ in keyed]


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts "host-2" before "host-10" (numbers by value, text without case)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold()) for part in re.split(r"(\d+)", text)
    )


def axis_labels(values: Sequence[str], limit: int = LABEL_CHARS) -> list[str]:
    """*values* as axis labels: escapes shown (`huntbook.display.visible`), cut at *limit* characters
    with '…', and kept distinct (a label that a cut makes equal to an earlier one gets `` #2``...)."""
    labels: list[str] = []
    taken: set[str] = set()
    for value in values:
        shown = visible(value)
        label = shown if len(shown) <= limit else shown[: limit - 1] + "…"
        number = 1
        while label in taken:
            number += 1
            label = f"{shown[: limit - 1]}… #{number}"
        taken.add(label)
        labels.append(label)
    return labels


def palette(count: int) -> list[str]:
    """*count* distinct colours (Category10, Category20, then cycling)."""
    from bokeh.palettes import Category10, Category20

    if count <= 10:
        return list(Category10[10][: max(count, 1)])
    return [Category20[20][i % 20] for i in range(count)]


def span_text(milliseconds: float) -> str:
    """A time span in short words: 90000 -> "1 min 30 s", 10800000 -> "3 h"."""
    seconds = round(milliseconds / 1000)
    if seconds == 0:
        return f"{milliseconds:g} ms"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts)


def text_column(values: pd.Series, limit: int = TEXT_CHARS) -> np.ndarray:
    """*values* as short display text (hover): missing -> "", long text cut with an ellipsis, control and
    invisible characters as visible escapes (`huntbook.display.visible`)."""
    text = values.astype("string").fillna("")
    long = text.str.len() > limit
    text = text.where(~long, text.str.slice(0, limit - 1) + "…")
    return text.map(visible).to_numpy(dtype=object)


def reference_times(
    ref_times: Mapping[str, Any] | None,
    ref_events: pd.DataFrame | None,
    *,
    time_column: str,
    label_column: str | None,
) -> list[tuple[str, float]]:
    """Reference markers as (label, epoch ms): *ref_times* (label -> time) and rows of *ref_events*."""
    import pandas as pd

    marks: list[tuple[str, float]] = []
    for label, value in (ref_times or {}).items():
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise PlotError(f"Reference time {label!r} is not a date-time: {value!r}.") from exc
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        marks.append((str(label), stamp.timestamp() * 1000))
    if ref_events is not None and not ref_events.empty:
        check_columns(ref_events, [time_column, label_column], what="ref_events")
        times = epoch_ms(as_utc_times(ref_events, time_column, what="ref_events"))
        labels = (
            text_column(ref_events[label_column], LABEL_CHARS)
            if label_column
            else np.array([f"ref {i + 1}" for i in range(len(ref_events))], dtype=object)
        )
        marks += [(str(lab), float(t)) for lab, t in zip(labels, times, strict=True) if not math.isnan(t)]
    return marks[:MAX_MARKERS]


def add_markers(plot: figure, marks: list[tuple[str, float]], *, labels: bool = True) -> None:
    """Draw each reference time as a dashed red line; hover names it, and a few are labelled in place."""
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.models.annotations import Label

    if not marks:
        return
    marks = [(visible(label), when) for label, when in marks]
    source = ColumnDataSource({"x": [t for _, t in marks], "label": [label for label, _ in marks]})
    lines = plot.vspan("x", source=source, line_color="#d62728", line_dash="dashed", line_width=1.5)
    if not labels:
        return
    plot.add_tools(
        HoverTool(
            renderers=[lines],
            tooltips=[("marker", "@label"), ("time", "@x" + DATETIME_TIP)],
            formatters={"@x": "datetime"},
        )
    )
    if len(marks) > MAX_LABELLED_MARKERS:
        add_note(plot, f"{len(marks)} reference markers (dashed red): hover one for its name.")
        return
    for label, when in marks:
        plot.add_layout(
            Label(
                x=when,
                y=4,
                y_units="screen",
                text=label,
                angle=math.pi / 2,
                x_offset=-3,
                text_font_size="8pt",
                text_color="#d62728",
                text_baseline="bottom",
                background_fill_color="white",
                background_fill_alpha=0.7,
            )
        )


def time_figure(title: str, width: int, height: int, **options: Any) -> figure:
    """A figure with a date-time x axis that pans and zooms along time (the wheel zooms time only)."""
    from bokeh.plotting import figure

    return figure(
        title=title,
        width=width,
        height=height,
        x_axis_type="datetime",
        tools="xpan,xwheel_zoom,box_zoom,reset,save",
        active_scroll="xwheel_zoom",
        toolbar_location="above",
        **options,
    )


def add_note(plot: figure, text: str) -> Title:
    """A short grey line above the plot, e.g. saying what was summarised."""
    from bokeh.models.annotations import Title

    note = Title(text=text, text_font_size="9pt", text_font_style="italic", text_color="#555555")
    plot.add_layout(note, "above")
    return note
