"""`QueryTimeRange`: start and end pickers and a lookback slider that feed a QueryProvider's defaults."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from huntbook.data.params import parse_datetime, parse_timedelta
from huntbook.display import html_text
from huntbook.errors import QueryError
from huntbook.notebook.widgets._base import HuntWidget, ipywidgets

if TYPE_CHECKING:
    from huntbook.data.provider import QueryProvider

LOOKBACKS: tuple[tuple[str, dt.timedelta], ...] = (
    ("15 min", dt.timedelta(minutes=15)),
    ("1 h", dt.timedelta(hours=1)),
    ("6 h", dt.timedelta(hours=6)),
    ("12 h", dt.timedelta(hours=12)),
    ("1 d", dt.timedelta(days=1)),
    ("2 d", dt.timedelta(days=2)),
    ("7 d", dt.timedelta(days=7)),
    ("14 d", dt.timedelta(days=14)),
    ("30 d", dt.timedelta(days=30)),
    ("90 d", dt.timedelta(days=90)),
)
"""The stops of the lookback slider."""

TimeRange = tuple[dt.datetime, dt.datetime]


class QueryTimeRange(HuntWidget[TimeRange]):
    """Pick the time range of queries: start, end, and a lookback slider that moves start.

    Bound to a `QueryProvider` (``provider=`` or `bind`), it becomes that
    provider's default ``start``/``end``: every catalog query run without
    them uses what the widget shows at that moment.

    Parameters
    ----------
    start, end : datetime or str, optional
        Anything ``QueryProvider.set_time_range`` accepts (``"now-2h"``,
        ISO-8601, a datetime). By default the bound provider's current range,
        else the last day up to now.
    lookback : timedelta or str, optional
        Put start this long before end (``"6h"``, ``"7d"``).
    provider : QueryProvider, optional
        Provider whose default time range this widget sets.
    description : str
        Title shown above the pickers.
    """

    def __init__(
        self,
        *,
        start: object = None,
        end: object = None,
        lookback: object = None,
        provider: QueryProvider | None = None,
        description: str = "Query time range",
    ):
        super().__init__()
        widgets = ipywidgets()
        default = provider.time_range if provider is not None else None
        high = parse_datetime(end) if end is not None else (default[1] if default else _now_minute())
        if lookback is not None:
            low = high - parse_timedelta(lookback)
        elif start is not None:
            low = parse_datetime(start)
        else:
            low = default[0] if default else high - dt.timedelta(days=1)
        self._start_picker = widgets.DatetimePicker(value=low, description="Start")
        self._end_picker = widgets.DatetimePicker(value=high, description="End")
        self._slider = widgets.SelectionSlider(
            options=[label for label, _ in LOOKBACKS],
            value=_nearest_lookback(high - low),
            description="Lookback",
            continuous_update=False,
            layout=widgets.Layout(width="60%"),
        )
        self._status = widgets.HTML()
        self._updating = False
        self._start_picker.observe(self._on_pick, names="value")
        self._end_picker.observe(self._on_pick, names="value")
        self._slider.observe(self._on_slide, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{html_text(description)}</b>"),
                widgets.HBox([self._start_picker, self._end_picker]),
                self._slider,
                self._status,
            ]
        )
        self._show_status()
        if provider is not None:
            self.bind(provider)

    def __repr__(self) -> str:
        start, end = self._start_picker.value, self._end_picker.value
        return f"QueryTimeRange(start={_text(start)}, end={_text(end)})"

    # -- the plain-Python API --------------------------------------------------

    @property
    def value(self) -> TimeRange:
        """``(start, end)`` as UTC datetimes.

        Raises
        ------
        QueryError
            A picker is empty, or start is after end.
        """
        start, end = self._start_picker.value, self._end_picker.value
        if start is None or end is None:
            which = "start" if start is None else "end"
            raise QueryError(f"The time-range picker has no {which}; pick one.")
        low, high = parse_datetime(start), parse_datetime(end)
        if low > high:
            raise QueryError(
                f"The time-range picker's start ({_text(low)}) is after its end ({_text(high)})."
            )
        return low, high

    @property
    def time_range(self) -> TimeRange:
        """The same as `value`: what a bound QueryProvider uses as default ``start``/``end``."""
        return self.value

    @property
    def start(self) -> dt.datetime | None:
        """The start (UTC), or ``None`` when the picker is empty."""
        value = self._start_picker.value
        return parse_datetime(value) if value is not None else None

    @start.setter
    def start(self, value: object) -> None:
        self._start_picker.value = parse_datetime(value)

    @property
    def end(self) -> dt.datetime | None:
        """The end (UTC), or ``None`` when the picker is empty."""
        value = self._end_picker.value
        return parse_datetime(value) if value is not None else None

    @end.setter
    def end(self, value: object) -> None:
        self._end_picker.value = parse_datetime(value)

    @property
    def lookback(self) -> dt.timedelta | None:
        """``end - start``, or ``None`` while a picker is empty."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    @lookback.setter
    def lookback(self, value: object) -> None:
        span = parse_timedelta(value)
        end = self.end or _now_minute()
        label = next((label for label, stop in LOOKBACKS if stop == span), None)
        if label is not None and label != self._slider.value:
            if self.end is None:
                self.end = end
            self._slider.value = label  # moves start through _on_slide
        else:
            self.set(end - span, end)

    def set(self, start: object, end: object) -> None:
        """Set both ends at once (observers hear one change)."""
        low, high = parse_datetime(start), parse_datetime(end)
        self._updating = True
        try:
            self._start_picker.value = low
            self._end_picker.value = high
            self._slider.value = _nearest_lookback(high - low)
        finally:
            self._updating = False
        self._changed()

    def bind(self, provider: QueryProvider) -> None:
        """Make this widget *provider*'s default time range (undo with ``provider.set_time_range()``)."""
        provider.set_time_range(self)

    # -- reactions ---------------------------------------------------------------

    def _on_slide(self, change: dict[str, Any]) -> None:
        if self._updating:
            return
        span = dict(LOOKBACKS)[change["new"]]
        end = self.end or _now_minute()
        self._updating = True
        try:
            self._start_picker.value = end - span
        finally:
            self._updating = False
        self._changed()

    def _on_pick(self, change: dict[str, Any]) -> None:
        if not self._updating:
            self._changed()

    def _changed(self) -> None:
        self._show_status()
        try:
            self.value  # noqa: B018 - observers hear only valid ranges
        except QueryError:
            return
        self._notify()

    def _show_status(self) -> None:
        try:
            low, high = self.value
        except QueryError as exc:
            self._status.value = f"<span style='color:#c62828'>{html_text(str(exc))}</span>"
            return
        self._status.value = f"{_text(low)} → {_text(high)} UTC ({_span_text(high - low)})"


def _now_minute() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def _nearest_lookback(span: dt.timedelta) -> str:
    return min(LOOKBACKS, key=lambda stop: abs(stop[1] - span))[0]


def _text(value: dt.datetime | None) -> str:
    return "None" if value is None else parse_datetime(value).strftime("%Y-%m-%d %H:%M:%S")


def _span_text(span: dt.timedelta) -> str:
    days, rest = divmod(int(span.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or f"{span.total_seconds():.0f} s"
