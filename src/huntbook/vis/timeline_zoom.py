"""Where a timeline opens, and buttons that zoom it to one lane's events or back to the whole period.

Events of a few hours vanish into one spike on a view of weeks. `lane_starts_view` opens the plot
on the span from the first lane's first event to the last lane's first event (every lane begins in
view); `zoom_buttons` puts one button per lane above the plot that sets the x range to that lane's
window (`lane_window`), and one that shows the whole period again. The buttons run a line of
JavaScript each (`CustomJS`): the page needs no server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from huntbook.vis._time import span_text

if TYPE_CHECKING:
    import pandas as pd
    from bokeh.models import Range1d

MINUTE_MS = 60_000.0
MIN_PAD_MS = 15 * MINUTE_MS
"""Least margin on each side of a window (a single event gets half an hour around it)."""
PAD_SHARE = 0.08
"""Margin on each side of a window, as a share of its span."""
LONG_LANE_MS = 2 * 86_400_000.0
"""A lane whose events span more than this (e.g. beaconing for days) zooms to its first hours..."""
LONG_LANE_VIEW_MS = 60 * MINUTE_MS
"""...this long, where single events can be told apart."""
BUTTON_CSS = ".bk-btn{padding:2px 8px;font-size:12px}"
ZOOM_JS = "x_range.setv({start: start, end: end});"
BUTTON_CHARS = 48
"""Longest button label; longer lane names are cut with '…' (the axis has the rest)."""


def padded(low: float, high: float) -> tuple[float, float]:
    """*low* .. *high* (epoch ms) with a margin each side: `PAD_SHARE` of the span, at least `MIN_PAD_MS`."""
    pad = max((high - low) * PAD_SHARE, MIN_PAD_MS)
    return low - pad, high + pad


def lane_window(times: np.ndarray) -> tuple[float, float, str]:
    """The window (epoch ms) that shows one lane's events, and a word on what it shows.

    All of the lane's events, padded; for a lane spanning more than `LONG_LANE_MS`, its first
    `LONG_LANE_VIEW_MS` (the note then says so: ``"first 1 h of 9 d 14 h"``).
    """
    low, high = float(np.nanmin(times)), float(np.nanmax(times))
    if high - low <= LONG_LANE_MS:
        return (*padded(low, high), "")
    start, end = padded(low, low + LONG_LANE_VIEW_MS)
    return start, end, f"first {span_text(LONG_LANE_VIEW_MS)} of {span_text(high - low)}"


def lane_starts_view(events: pd.DataFrame) -> tuple[float, float]:
    """From the earliest lane's first event to the latest lane's first event (epoch ms), padded.

    *events* has ``_t`` (epoch ms) and ``_lane``. Every lane begins in this view, so steps hours
    apart stay apart even when one of them (beaconing, say) goes on for days.
    """
    starts = events.groupby("_lane", sort=False)["_t"].min()
    return padded(float(starts.min()), float(starts.max()))


def zoom_buttons(
    x_range: Range1d,
    events: pd.DataFrame,
    lanes: Sequence[str],
    *,
    whole: tuple[float, float],
    opening: tuple[float, float] | None = None,
    opening_label: str = "Start view",
    label: Callable[[str], str] | None = None,
) -> Any:
    """A wrapping row of buttons: the whole period, the opening view (when given), then each lane's window.

    Parameters
    ----------
    x_range : Range1d
        The range the buttons set (the main plot's).
    events : DataFrame
        The events, with ``_t`` (epoch ms) and ``_lane``.
    lanes : sequence of str
        The lanes in the order the buttons come (top lane first).
    whole : (float, float)
        The whole period (epoch ms).
    opening, opening_label
        The view the plot opens on and the label of its button, when it is not the whole period.
    label : callable, optional
        A lane's button label from its name on the axis (default: the name, cut at `BUTTON_CHARS`);
        the button's tooltip names the lane in full.
    """
    from bokeh.models import CustomJS, Row
    from bokeh.models.widgets import Button, Div

    def button(text: str, window: tuple[float, float], name: str, tip: str) -> Button:
        made = Button(
            label=text,
            name=name,
            width_policy="min",
            html_attributes={"title": tip},
            stylesheets=[BUTTON_CSS],
        )
        zoom = CustomJS(args={"x_range": x_range, "start": window[0], "end": window[1]}, code=ZOOM_JS)
        made.js_on_click(zoom)
        return made

    children: list[Any] = [Div(text="Zoom to:", styles={"align-self": "center", "font-size": "12px"})]
    children.append(button("Whole period", whole, "timeline_zoom_whole", "Every event from first to last"))
    if opening is not None:
        tip = "The view the plot opened on"
        children.append(button(opening_label, opening, "timeline_zoom_opening", tip))
    times = events.groupby("_lane", sort=False)["_t"]
    for number, lane in enumerate(lanes):
        start, end, note = lane_window(times.get_group(lane).to_numpy())
        tip = f"Events of {lane}" + (f" ({note})" if note else "")
        text = label(lane) if label else lane
        text = text if len(text) <= BUTTON_CHARS else text[: BUTTON_CHARS - 1] + "…"
        text += f" ({note.split(' of ')[0]})" if note else ""
        children.append(button(text, (start, end), f"timeline_zoom_lane_{number}", tip))
    return Row(children=children, styles={"flex-wrap": "wrap", "gap": "4px"}, sizing_mode="stretch_width")
