"""A self-contained HTML report of an investigation (no external resources).

With the ``vis`` extra the report draws the attack timeline and the process
tree of the attack chain (Bokeh, one inline copy of BokehJS) and maps of
the places findings name (offline Leaflet pages in sandboxed frames);
without it, an inline SVG timeline stands in.

Every value from the data is HTML-escaped, with control and invisible characters shown as escapes
(`huntbook.display.html_text`): logs hold attacker-written text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from html import escape
from typing import TYPE_CHECKING, TypeVar

from huntbook.display import html_text, short_value
from huntbook.report_table import CSS as TABLE_CSS
from huntbook.report_table import evidence_table

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd
    from bokeh.model import Model

    from huntbook.investigation import Finding, Investigation
    from huntbook.vis._bokeh import BokehPlot
    from huntbook.vis.map import MapPlot

T = TypeVar("T")

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;
background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#b8c0cc}main{padding:16px 32px;max-width:1400px}
section{background:#fff;border-radius:8px;padding:14px 20px;margin:14px 0;box-shadow:0 1px 2px #0001}
h2{font-size:17px;margin:0 0 6px}.facts td{padding:2px 12px 2px 0;vertical-align:top}
.facts td:first-child{font-weight:600;white-space:nowrap}.q{color:#5a6473;font-size:12px}
.err{color:#b3261e}.none{color:#5a6473}h2,p,.facts td{overflow-wrap:anywhere}
svg text{font:11px system-ui,sans-serif;fill:#1d2330}
.pic{overflow-x:auto}iframe.map{width:100%;border:1px solid #dde1e6;border-radius:4px}
"""
_COLORS = ("#3b6fd4", "#d4543b", "#2e9e6a", "#a05cc8", "#d49a22", "#1f9bb3", "#c2427a", "#6b7a2a")


TIMELINE_TEXT_COLUMNS = (
    "CommandLine", "command_line", "SyslogMessage", "AlertName", "UserPrincipalName", "TargetUserName",
    "DestinationIP",
)  # fmt: skip
"""Columns that say what a timeline event was (the first one a finding's rows have)."""
TIMELINE_HOST_COLUMNS = ("Computer", "host", "SourceIP", "IPAddress")
"""Columns that say where a timeline event happened (the first one a finding's rows have)."""
MAP_COLUMNS = ("Latitude", "Longitude", "layer")
"""The columns of `Finding.places` that place a row; the others go into its popup."""
MAP_HEIGHT = 520


@dataclass
class Pictures:
    """The report's drawings: HTML sections, and what the page head needs for them."""

    head: str = ""
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Why a drawing is missing (no ``vis`` extra, a plot that could not be drawn)."""


def render_report(investigation: Investigation) -> str:
    """Return the report of *investigation* as one HTML document."""
    from huntbook.investigation_gaps import gaps_html

    pictures = draw_pictures(investigation.findings)
    notes = "".join(f"<p class='none'>{html_text(n)}</p>" for n in pictures.notes)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>huntbook investigation</title><style>",
        _CSS,
        TABLE_CSS,
        "</style>",
        pictures.head,
        "</head><body><header><h1>huntbook investigation</h1>",
        f"<p>{html_text(investigation.environment)} · run {investigation.started:%Y-%m-%d %H:%M} UTC · "
        f"{investigation.seconds:.1f} s · {len(investigation.findings)} steps</p></header><main>",
        _facts(investigation),
        gaps_html(investigation),  # steps the lake's tables could not feed, and what to ingest
        *(pictures.sections or [_timeline(investigation.findings)]),
        f"<section>{notes}</section>" if notes else "",
        *(_finding(f) for f in investigation.findings),
        "</main></body></html>",
    ]
    return "".join(parts)


def draw_pictures(findings: list[Finding]) -> Pictures:
    """The attack timeline, the process tree of the attack chain and a map per finding with places.

    Bokeh plots share one inline copy of BokehJS (in `Pictures.head`); the map is
    a whole offline Leaflet page in a sandboxed ``<iframe srcdoc>``. Without the
    ``vis`` extra the result is empty apart from a note saying how to get the pictures.
    """
    try:
        from bokeh.embed import components
        from bokeh.resources import INLINE

        from huntbook.vis import plot_map, plot_process_tree, plot_timeline
    except ImportError:
        return Pictures(notes=["Install huntbook[vis] to see the timeline, process tree and map here."])
    pictures = Pictures()
    models: dict[str, Model] = {}  # by section title
    timeline = _attempt(pictures, "timeline", lambda: _timeline_model(findings, plot_timeline))
    if timeline is not None:
        models["Timeline (UTC)"] = timeline
    chain = next((f for f in findings if f.error is None and f.tree is not None and len(f.tree)), None)
    if chain is not None and chain.tree is not None:
        tree, title = chain.tree, chain.summary.split(";")[0]  # the first clause: who started what
        drawn = _attempt(
            pictures,
            "process tree",
            lambda: plot_process_tree(tree, color_by="process_name", title=title).model,
        )
        if drawn is not None:
            models[chain.step] = drawn
    if models:
        script, divs = components(models)
        pictures.head = INLINE.render() + script
        pictures.sections = [
            f"<section><h2>{html_text(title)}</h2><div class='pic'>{div}</div></section>"
            for title, div in divs.items()
        ]
    for f in findings:
        if f.error is None and f.places is not None and len(f.places):
            section = _attempt(pictures, f"map of {f.step}", partial(_map_section, f, plot_map))
            pictures.sections += [section] if section is not None else []
    return pictures


def _attempt(pictures: Pictures, what: str, draw: Callable[[], T]) -> T | None:
    """What *draw* returns, or None with a note in *pictures* when the plot refuses its data."""
    from huntbook.vis import PlotError

    try:
        return draw()
    except PlotError as exc:
        pictures.notes.append(f"The {what} could not be drawn: {exc}")
        return None


def _timeline_model(findings: list[Finding], plot_timeline: Callable[..., BokehPlot]) -> Model | None:
    import pandas as pd

    events = timeline_events(findings)
    if events.empty:
        return None
    marked = [n for n, f in enumerate(findings, start=1) if f.markers is not None and len(f.markers)]
    marks = [f.markers for f in findings if f.markers is not None and len(f.markers)]
    about = f"red dashed lines are the alerts (step {', '.join(map(str, marked))})" if marked else ""
    return plot_timeline(
        events,
        group_by="step",
        source_columns=["where", "what"],
        ref_events=pd.concat(marks, ignore_index=True) if marks else None,
        ref_label_column="label" if marks else None,
        title="What happened when: one lane per step" + (f"; {about}" if about else ""),
        view="lane starts",  # where every step begins: steps hours apart stay apart
        zoom_buttons=_step_button_label,
        view_label="Every step's start",
    ).model


def _step_button_label(lane: str) -> str:
    """A zoom button's label: the lane up to a colon (``"3 · Execution: encoded"`` -> ``"3 · Execution"``)."""
    return lane.split(":", 1)[0]


def timeline_events(findings: list[Finding]) -> pd.DataFrame:
    """The events to draw: ``TimeGenerated``, ``step`` (numbered as in *findings*), ``where``, ``what``.

    A finding's `Finding.events` (else its evidence) gives the rows; those without a time are left
    out, and so are findings that mark moments instead (`Finding.markers`).
    """
    import pandas as pd

    frames = []
    for number, f in enumerate(findings, start=1):
        rows = f.events if f.events is not None else f.evidence
        if f.error is not None or rows is None or rows.empty or f.markers is not None:
            continue
        time = next((c for c in ("TimeGenerated", "FirstSeen", "start") if c in rows.columns), None)
        if time is None:
            continue
        frames.append(
            pd.DataFrame(
                {
                    "TimeGenerated": rows[time],
                    "step": f"{number} · {f.step}",  # lanes sort by number, so they keep the steps' order
                    "where": _first_column(rows, TIMELINE_HOST_COLUMNS),
                    "what": _first_column(rows, TIMELINE_TEXT_COLUMNS),
                }
            ).dropna(subset=["TimeGenerated"])
        )
    if not frames:
        return pd.DataFrame(columns=["TimeGenerated", "step", "where", "what"])
    return pd.concat(frames, ignore_index=True)


def _first_column(rows: pd.DataFrame, names: tuple[str, ...]) -> pd.Series | str:
    column = next((c for c in names if c in rows.columns), None)
    return rows[column].astype("string") if column else ""


def _map_section(finding: Finding, plot_map: Callable[..., MapPlot]) -> str:
    places = finding.places
    assert places is not None
    popups = [str(c) for c in places.columns if c not in MAP_COLUMNS]
    layer = "layer" if "layer" in places.columns else None
    drawn = plot_map(
        places, lat_column="Latitude", lon_column="Longitude", popup_columns=popups, layer_by=layer,
        title=finding.step, height=MAP_HEIGHT,
    )  # fmt: skip
    page = escape(drawn.to_html(), quote=True)
    frame = (
        f"<iframe class='map' title='{html_text(finding.step)}' srcdoc=\"{page}\" "
        f"style='height:{MAP_HEIGHT + 20}px' sandbox='allow-scripts'></iframe>"
    )
    return f"<section><h2>Where: {html_text(finding.step)}</h2>{frame}</section>"


def _facts(investigation: Investigation) -> str:
    rows = [("Hosts", investigation.hosts()), ("Accounts", investigation.accounts())]
    rows += sorted(investigation.indicators().items())
    body = "".join(
        f"<tr><td>{html_text(name)}</td><td>{_shown_values(values)}</td></tr>" for name, values in rows
    )
    return f"<section><h2>What was found</h2><table class='facts'>{body}</table></section>"


def _shown_values(values: list[str]) -> str:
    """*values* as one escaped line, each cut as a table cell is (a long one must not fill the page)."""
    return escape(", ".join(str(short_value(v)) for v in values)) or "-"


def _timeline(findings: list[Finding]) -> str:
    """An inline SVG: one lane per step, a bar from its start to its end."""
    timed = [f for f in findings if f.start is not None]
    if not timed:
        return ""
    low = min(_ts(f.start) for f in timed)
    high = max(_ts(f.end or f.start) for f in timed)
    span = max(high - low, 3600.0)
    width, left, lane = 1100, 300, 24
    height = lane * len(timed) + 40
    scale = (width - left - 20) / span
    shapes = []
    for i, f in enumerate(timed):
        y = 10 + i * lane
        x0 = left + (_ts(f.start) - low) * scale
        x1 = left + (_ts(f.end or f.start) - low) * scale
        color = _COLORS[i % len(_COLORS)]
        label = html_text(f.step[:44])
        shapes.append(f"<text x='{left - 8}' y='{y + 14}' text-anchor='end'>{label}</text>")
        shapes.append(
            f"<rect x='{x0:.1f}' y='{y + 4}' width='{max(x1 - x0, 5):.1f}' height='14' rx='3' fill='{color}'>"
            f"<title>{label}: {html_text(_fmt(f.start))} – {html_text(_fmt(f.end or f.start))}</title></rect>"
        )
    ticks = []
    for k in range(6):
        t = low + span * k / 5
        x = left + (t - low) * scale
        when = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%b %d %H:%M")
        ticks.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='6' y2='{height - 24}' stroke='#dde1e6'/>")
        ticks.append(f"<text x='{x:.1f}' y='{height - 8}' text-anchor='middle'>{when}</text>")
    return (
        "<section><h2>Timeline (UTC)</h2>"
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img'>"
        + "".join(ticks + shapes)
        + "</svg></section>"
    )


def _finding(f: Finding) -> str:
    head = f"<section><h2>{html_text(f.step)}</h2>"
    if f.error is not None:
        return head + f"<p class='err'>This step failed: {html_text(f.error)}</p></section>"
    if f.not_run is not None:
        return head + f"<p class='none'>Not run: {html_text(f.not_run)}.</p></section>"
    queries = ", ".join(html_text(q) for q in f.queries)
    body = f"<p>{html_text(f.summary)}</p><p class='q'>Queries: {queries}</p>"
    if f.left_out():
        body += f"<p class='none'>Left out: {html_text(f.left_out())}.</p>"
    if f.evidence is not None and len(f.evidence):
        body += evidence_table(f.evidence)
    elif f.evidence is not None:
        body += "<p class='none'>No rows.</p>"
    return head + body + "</section>"


def _ts(value: dt.datetime | None) -> float:
    assert value is not None
    return value.timestamp()


def _fmt(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""
