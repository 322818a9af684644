"""What every Bokeh plot shares: the error, checks on input frames, and a saveable, displayable result."""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from huntbook.errors import HuntbookError, MissingExtraError

if TYPE_CHECKING:
    import pandas as pd
    from bokeh.model import Model

NOTEBOOK_FRAME_MARGIN = 30
"""Pixels added around a plot's own height when it is shown in a notebook frame."""


class PlotError(HuntbookError, ValueError):
    """A frame cannot be drawn as asked (a missing or unsuitable column, no rows)."""


def require_bokeh(feature: str) -> None:
    """Raise `MissingExtraError` naming *feature* when Bokeh is not installed."""
    try:
        import bokeh  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError("bokeh", "vis", feature=feature) from exc


def column_list(frame: pd.DataFrame, limit: int = 40) -> str:
    """The frame's column names for an error message, cut after *limit*."""
    names = [str(c) for c in frame.columns]
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def check_columns(frame: pd.DataFrame, columns: Iterable[str | None], *, what: str) -> None:
    """Raise `PlotError` when *frame* lacks any of *columns* (``None`` entries are skipped)."""
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise PlotError(
            f"{what}: no column {', '.join(map(repr, missing))}; the frame has: {column_list(frame)}."
        )


def check_not_empty(frame: pd.DataFrame, *, what: str) -> None:
    """Raise `PlotError` when *frame* has no rows."""
    if frame.empty:
        raise PlotError(f"{what}: the frame has no rows, so there is nothing to draw.")


def as_utc_times(frame: pd.DataFrame, column: str, *, what: str) -> pd.Series:
    """*column* as UTC timestamps; `PlotError` when it holds something else (numbers, text)."""
    import pandas as pd

    values = frame[column]
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = values.dt.tz_convert("UTC")
        return converted
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        localized: pd.Series = values.dt.tz_localize("UTC")
        return localized
    raise PlotError(
        f"{what}: column {column!r} holds {values.dtype}, not date-times; pass time_column= one of the "
        f"date-time columns ({column_list(frame.select_dtypes(include=['datetime', 'datetimetz']))}) "
        f"or convert it with pandas.to_datetime."
    )


def save_html(plot: Model | BokehPlot, path: str | Path, title: str = "huntbook") -> Path:
    """Write *plot* to a self-contained HTML file (Bokeh's JavaScript inline, no network needed)."""
    if isinstance(plot, BokehPlot):
        title = plot.title if title == "huntbook" else title
        plot = plot.model
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(bokeh_html(plot, title), encoding="utf-8")
    return out


def bokeh_html(plot: Model, title: str) -> str:
    """*plot* as a complete HTML page with Bokeh's JavaScript inline."""
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    return file_html(plot, INLINE, title)


def notebook_frame(page: str, height: int) -> str:
    """*page* (a whole HTML document) inside an ``<iframe srcdoc>``, so it shows in a notebook and in
    exported notebook HTML without any JavaScript of the notebook's own."""
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{height}px;border:none" '
        f'sandbox="allow-scripts allow-popups" loading="lazy"></iframe>'
    )


class BokehPlot:
    """A finished Bokeh plot: shows itself in a notebook and saves to a self-contained HTML file.

    Attributes
    ----------
    model : bokeh.model.Model
        The Bokeh layout, for further styling or `bokeh.io.show`.
    title : str
        The page title used when saving.
    notes : list of str
        What the plot left out or summarised (e.g. events drawn as time bins).
    """

    def __init__(self, model: Model, *, title: str, height: int, notes: list[str] | None = None):
        self.model = model
        self.title = title
        self.height = height
        self.notes = notes or []

    def __repr__(self) -> str:
        extra = f", notes={self.notes!r}" if self.notes else ""
        return f"{type(self).__name__}(title={self.title!r}{extra})"

    def save(self, path: str | Path) -> Path:
        """Write the plot to *path* as one HTML file that opens offline; returns the path."""
        return save_html(self.model, path, self.title)

    def to_html(self) -> str:
        """The plot as a complete, self-contained HTML page."""
        return bokeh_html(self.model, self.title)

    def _repr_html_(self) -> str:
        return notebook_frame(self.to_html(), self.height + NOTEBOOK_FRAME_MARGIN)
