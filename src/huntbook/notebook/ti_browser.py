"""The TI result browser: per observable, every provider's verdict and details, filterable by severity.

In a notebook `browse` returns widgets (a severity filter, the observables, the
chosen one's answers); elsewhere a `TIReport` that renders with rich (print it,
or let the REPL show it). All text from providers is escaped: it is hostile data.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from huntbook.display import html_text, literal_text, short_value, visible
from huntbook.enrich.ti.provider import SEVERITIES
from huntbook.errors import HuntbookError
from huntbook.notebook.query_browser import in_notebook

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console, ConsoleOptions, RenderResult

_SEVERITY_RANK = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}
"""high=5 ... none=1; a row without a severity (an error) ranks 0."""
_VERDICT_STYLE = {"malicious": "bold red", "suspicious": "yellow", "benign": "green", "unknown": "dim"}
_VERDICT_COLOUR = {"malicious": "#c62828", "suspicious": "#b26a00", "benign": "#2e7d32", "unknown": "#757575"}
_NEEDED = ("observable", "type", "provider", "verdict", "severity", "summary", "status", "reason")


def _rank(severity: Any) -> int:
    return _SEVERITY_RANK.get(severity, 0) if isinstance(severity, str) else 0


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


class TIReport:
    """TI lookup results grouped by observable, optionally only those of a minimum severity.

    Parameters
    ----------
    results : DataFrame
        What `TILookup.lookup` returned.
    min_severity : str, optional
        Keep observables whose worst answer is at least this severe
        (``high``, ``medium``, ``low``, ``info``, ``none``).
    """

    def __init__(self, results: pd.DataFrame, *, min_severity: str | None = None):
        missing = [c for c in _NEEDED if c not in results.columns]
        if missing:
            raise HuntbookError(
                f"browse() needs the DataFrame TILookup.lookup returns; missing columns {missing}"
            )
        if min_severity is not None and min_severity not in SEVERITIES:
            raise HuntbookError(f"min_severity must be one of {', '.join(SEVERITIES)}, not {min_severity!r}")
        self.results = results
        self.min_severity = min_severity
        self.groups = self._groups()

    def _groups(self) -> dict[str, pd.DataFrame]:
        floor = _rank(self.min_severity) if self.min_severity else 0
        groups: dict[str, pd.DataFrame] = {}
        for observable, rows in self.results.groupby("observable", sort=False):
            worst = max((_rank(s) for s in rows["severity"]), default=0)
            if worst >= floor:
                groups[str(observable)] = rows.sort_values(
                    "severity", key=lambda s: s.map(_rank), ascending=False, kind="stable"
                )
        return groups

    def verdict(self, observable: str) -> str:
        """Return the worst verdict any provider gave *observable* (``unknown`` when none did)."""
        order = ["malicious", "suspicious", "benign", "unknown"]
        verdicts = [v for v in self.groups[observable]["verdict"] if isinstance(v, str)]
        return min(verdicts, key=order.index, default="unknown")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table
        from rich.text import Text

        if not self.groups:
            yield "No observables at this severity."
        for observable, rows in self.groups.items():
            verdict = self.verdict(observable)
            kind = _text(rows["type"].iloc[0])
            title = Text.assemble(
                literal_text(observable, style=_VERDICT_STYLE[verdict]),
                " (",
                literal_text(kind or "unknown type"),
                f"): {verdict}",
            )
            table = Table(
                title=title,
                title_justify="left",
                expand=False,
            )
            for column in ("provider", "verdict", "severity", "summary / reason", "details"):
                table.add_column(column, overflow="fold", max_width=60 if column != "provider" else 16)
            for row in rows.itertuples(index=False):
                said = _text(row.summary) if row.status == "ok" else _text(row.reason) or _text(row.status)
                if row.status == "not_found":
                    said = "not found"
                style = _VERDICT_STYLE.get(_text(row.verdict), "dim") if row.status != "error" else "red"
                cells = (
                    _text(row.provider) or "-",
                    _text(row.verdict) or _text(row.status),
                    _text(row.severity),
                    said,
                    _details_text(getattr(row, "details", None)),
                )
                table.add_row(*(literal_text(cell) for cell in cells), style=style)  # never markup
            yield table

    def __str__(self) -> str:
        from rich.console import Console

        buffer = io.StringIO()
        Console(width=140, file=buffer, color_system=None).print(self)
        return buffer.getvalue()

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return (
            "".join(observable_html(o, rows) for o, rows in self.groups.items()) or "<p>No observables.</p>"
        )


DETAIL_ITEMS = 6
"""Details shown per row in the terminal (the HTML view shows all)."""


def _details_text(details: Any) -> str:
    if not isinstance(details, Mapping) or not details:
        return ""
    items = list(details.items())
    shown = "; ".join(f"{k}={short_value(_text(v), max_chars=40)}" for k, v in items[:DETAIL_ITEMS])
    return shown + (f"; +{len(items) - DETAIL_ITEMS} more" if len(items) > DETAIL_ITEMS else "")


def observable_html(observable: str, rows: pd.DataFrame) -> str:
    """Return an HTML table of every provider's answer about one observable (all text escaped)."""
    head = "".join(
        f"<th>{c}</th>" for c in ("provider", "verdict", "severity", "summary / reason", "reference")
    )
    body = []
    for row in rows.itertuples(index=False):
        verdict = _text(row.verdict)
        colour = _VERDICT_COLOUR.get(verdict, "#c62828" if row.status == "error" else "#757575")
        said = _text(row.summary) if row.status == "ok" else _text(row.reason) or _text(row.status)
        reference = _text(getattr(row, "reference", None))
        link = ""
        if reference.startswith(("https://", "http://")):
            href = html.escape(reference, quote=True)  # the link goes where the data says
            link = f"<a href='{href}' target='_blank' rel='noopener noreferrer'>link</a>"
        details = getattr(row, "details", None)
        pretty = json.dumps(details, indent=1, default=str, ensure_ascii=False)[:4000] if details else ""
        pretty = visible(pretty, keep_newlines=True)
        body.append(
            f"<tr><td>{html_text(_text(row.provider) or '-')}</td>"
            f"<td style='color:{colour};font-weight:bold'>{html_text(verdict or _text(row.status))}</td>"
            f"<td>{html_text(_text(row.severity))}</td><td>{html_text(said)}"
            + (
                f"<details><summary>details</summary><pre>{html.escape(pretty)}</pre></details>"
                if pretty
                else ""
            )
            + f"</td><td>{link}</td></tr>"
        )
    kind = html_text(_text(rows["type"].iloc[0]))
    return (
        f"<h4>{html_text(observable)} <small>({kind})</small></h4>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def browse(results: pd.DataFrame, *, min_severity: str | None = None) -> Any:
    """Browse TI lookup results: per observable, every provider's verdict and details.

    Parameters
    ----------
    results : DataFrame
        What `TILookup.lookup` returned.
    min_severity : str, optional
        Start filtered to observables at least this severe.

    Returns
    -------
    ipywidgets.VBox or TIReport
        Widgets (a severity filter, the observables, the chosen one's answers)
        in a Jupyter kernel with ipywidgets; a `TIReport` elsewhere.
    """
    import importlib.util

    report = TIReport(results, min_severity=min_severity)
    if not in_notebook() or importlib.util.find_spec("ipywidgets") is None:
        return report
    return browser_widget(results, min_severity=min_severity)


def browser_widget(results: pd.DataFrame, *, min_severity: str | None = None) -> Any:
    """Return the ipywidgets browser of *results* (see `browse`)."""
    import ipywidgets as widgets

    choices = [("all", None), *((f"{s} or worse", s) for s in SEVERITIES if s != "none")]
    severity = widgets.Dropdown(options=choices, value=min_severity, description="Severity")
    picker = widgets.Select(rows=16, layout=widgets.Layout(width="35%"))
    pane = widgets.HTML(layout=widgets.Layout(width="65%"))
    state: dict[str, TIReport] = {}

    def refill(level: str | None) -> None:
        report = TIReport(results, min_severity=level)
        state["report"] = report
        picker.options = [(f"{o}  [{report.verdict(o)}]", o) for o in report.groups]
        picker.value = next(iter(report.groups), None)
        show(picker.value)

    def show(observable: str | None) -> None:
        report = state["report"]
        pane.value = observable_html(observable, report.groups[observable]) if observable else "<p>None.</p>"

    severity.observe(lambda change: refill(change["new"]), names="value")
    picker.observe(lambda change: show(change["new"]), names="value")
    refill(min_severity)
    return widgets.VBox([severity, widgets.HBox([picker, pane])])
