"""`AlertPicker`: a summary of SecurityAlert rows, a filterable list, and the chosen alert's details."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from huntbook.display import html_text, short_value, visible
from huntbook.notebook.widgets._base import Filterable, HuntWidget, ipywidgets
from huntbook.notebook.widgets.item_picker import ItemPicker

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_COLUMNS = ("TimeGenerated", "AlertSeverity", "AlertName", "CompromisedEntity")
"""What each line of the alert list shows (those present)."""

SEVERITY_ORDER = ("High", "Medium", "Low", "Informational")
MAX_JSON_CHARS = 100_000
"""Longest Entities/ExtendedProperties text parsed for the details view; longer shows as text."""


class AlertPicker(Filterable, HuntWidget["pd.Series | None"]):
    """Pick one alert from SecurityAlert rows and see its details.

    Parameters
    ----------
    alerts : pandas.DataFrame
        SecurityAlert rows (e.g. ``qp.exec_query("SecurityAlert | ...")`` or
        ``qp.SecurityAlert.list_alerts()``). Other tables work too: lines show
        whichever of `SUMMARY_COLUMNS` exist.
    on_select : callable, optional
        Called with the chosen alert (a pandas Series) each time the choice changes.
    rows : int
        Height of the alert list.
    """

    def __init__(
        self,
        alerts: pd.DataFrame,
        *,
        on_select: Callable[[pd.Series | None], object] | None = None,
        rows: int = 10,
    ):
        super().__init__()
        widgets = ipywidgets()
        self._alerts = alerts.reset_index(drop=True)
        labels = {alert_label(i, row): i for i, row in self._alerts.iterrows()}
        self._picker = ItemPicker(labels, rows=rows, description="Alerts")
        self._filter = self._picker._filter
        self._details = widgets.HTML()
        self._picker.observe(lambda _index: self._on_choice())
        self.widget = widgets.VBox(
            [widgets.HTML(self.summary_html()), self._picker.widget, self._details],
        )
        if on_select is not None:
            self.observe(on_select)

    def __repr__(self) -> str:
        return f"AlertPicker({len(self._alerts)} alerts, selected={self.index})"

    @property
    def alerts(self) -> pd.DataFrame:
        """The alerts offered (index 0..n-1)."""
        return self._alerts

    @property
    def labels(self) -> list[str]:
        """The list's lines, one per alert."""
        return self._picker.items

    @property
    def visible(self) -> list[str]:
        """The lines the filter lets through."""
        return self._picker.visible

    @property
    def index(self) -> int | None:
        """Position of the chosen alert in `alerts` (``None`` when none is chosen)."""
        chosen: int | None = self._picker.value
        return chosen

    @index.setter
    def index(self, position: int | None) -> None:
        if position is None:
            self._picker.label = None
            return
        if not 0 <= position < len(self._alerts):
            raise IndexError(f"alert {position} is out of range: there are {len(self._alerts)} alerts")
        self._picker.label = self._picker.items[position]

    @property
    def value(self) -> pd.Series | None:
        """The chosen alert (``None`` when none is chosen)."""
        return None if self.index is None else self._alerts.iloc[self.index]

    def summary_html(self) -> str:
        """How many alerts, by severity, over what time span."""
        return _summary_html(self._alerts)

    def details_html(self) -> str:
        """The chosen alert's fields as an HTML table (empty when none is chosen)."""
        alert = self.value
        return "" if alert is None else alert_details_html(alert)

    def _on_choice(self) -> None:
        self._details.value = self.details_html()
        self._notify()


def alert_label(position: int | Any, alert: pd.Series) -> str:
    """One line describing *alert* in a list: position, time, severity, name, entity."""
    parts = [f"#{position}"]
    for column in SUMMARY_COLUMNS:
        if column in alert.index and _present(alert[column]):
            parts.append(str(short_value(_plain(alert[column]), max_chars=80)))
    return "  ".join(parts)


def _summary_html(alerts: pd.DataFrame) -> str:
    count = len(alerts)
    text = [f"<b>{count:,} alert{'s' if count != 1 else ''}</b>"]
    if "AlertSeverity" in alerts and count:
        counts = alerts["AlertSeverity"].value_counts()
        order = [s for s in SEVERITY_ORDER if s in counts.index] + [
            s for s in counts.index if s not in SEVERITY_ORDER
        ]
        text.append(", ".join(f"{counts[s]:,} {html_text(s)}" for s in order))
    if "TimeGenerated" in alerts and count:
        first, last = alerts["TimeGenerated"].min(), alerts["TimeGenerated"].max()
        text.append(f"from {short_value(_plain(first))} to {short_value(_plain(last))}")
    if "AlertName" in alerts and count:
        top = alerts["AlertName"].value_counts().head(5)
        names = ", ".join(f"{html.escape(str(short_value(n, max_chars=60)))} ({c})" for n, c in top.items())
        text.append(f"most frequent: {names}")
    return "<div>" + " · ".join(text) + "</div>"


def alert_details_html(alert: pd.Series) -> str:
    """Return *alert*'s fields as an HTML table; JSON fields (Entities) are shown indented."""
    rows = []
    for name, value in alert.items():
        if not _present(value):
            continue
        shown = _pretty_json(value) if name in ("Entities", "ExtendedProperties") else None
        if shown is not None:
            shown = visible(shown, keep_newlines=True)
            cell = f"<pre style='white-space:pre-wrap;margin:0'>{html.escape(shown)}</pre>"
        else:
            cell = html.escape(str(short_value(_plain(value), max_chars=2000)))
        rows.append(
            f"<tr><th style='text-align:left;vertical-align:top'>{html_text(name)}</th>"
            f"<td style='text-align:left'>{cell}</td></tr>"
        )
    return f"<table>{''.join(rows)}</table>"


def _pretty_json(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_JSON_CHARS:
        return None
    try:
        return json.dumps(json.loads(value), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


def _plain(value: object) -> object:
    """A pandas Timestamp as a datetime, so `short_value` formats it."""
    to_py = getattr(value, "to_pydatetime", None)
    return to_py() if callable(to_py) else value


def _present(value: object) -> bool:
    """Whether *value* is worth a line: not None, NaN, NaT, NA or empty text."""
    import pandas as pd

    if value is None or (isinstance(value, str) and not value):
        return False
    try:
        return not bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):  # list-like values
        return True
