"""A self-contained HTML report of an investigation (no external resources).

Every value from the data is HTML-escaped: logs hold attacker-written text.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

from huntbook.display import short_value

if TYPE_CHECKING:
    from huntbook.investigation import Finding, Investigation

EVIDENCE_ROWS = 15
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;
background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#b8c0cc}main{padding:16px 32px;max-width:1400px}
section{background:#fff;border-radius:8px;padding:14px 20px;margin:14px 0;box-shadow:0 1px 2px #0001}
h2{font-size:17px;margin:0 0 6px}.facts td{padding:2px 12px 2px 0;vertical-align:top}
.facts td:first-child{font-weight:600;white-space:nowrap}.q{color:#5a6473;font-size:12px}
.err{color:#b3261e}.none{color:#5a6473}
table.ev{border-collapse:collapse;font-size:12px;margin-top:8px;display:block;overflow-x:auto}
table.ev th,table.ev td{border:1px solid #dde1e6;padding:3px 6px;text-align:left;max-width:420px;
overflow-wrap:anywhere}table.ev th{background:#eef1f4}
svg text{font:11px system-ui,sans-serif;fill:#1d2330}
"""
_COLORS = ("#3b6fd4", "#d4543b", "#2e9e6a", "#a05cc8", "#d49a22", "#1f9bb3", "#c2427a", "#6b7a2a")


def render_report(investigation: Investigation) -> str:
    """Return the report of *investigation* as one HTML document."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>huntbook investigation</title><style>",
        _CSS,
        "</style></head><body><header><h1>huntbook investigation</h1>",
        f"<p>{escape(investigation.environment)} · run {investigation.started:%Y-%m-%d %H:%M} UTC · "
        f"{investigation.seconds:.1f} s · {len(investigation.findings)} steps</p></header><main>",
        _facts(investigation),
        _timeline(investigation.findings),
        *(_finding(f) for f in investigation.findings),
        "</main></body></html>",
    ]
    return "".join(parts)


def _facts(investigation: Investigation) -> str:
    rows = [("Hosts", investigation.hosts()), ("Accounts", investigation.accounts())]
    rows += sorted(investigation.indicators().items())
    body = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(', '.join(values)) or '-'}</td></tr>"
        for name, values in rows
    )
    return f"<section><h2>What was found</h2><table class='facts'>{body}</table></section>"


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
        label = escape(f.step[:44])
        shapes.append(f"<text x='{left - 8}' y='{y + 14}' text-anchor='end'>{label}</text>")
        shapes.append(
            f"<rect x='{x0:.1f}' y='{y + 4}' width='{max(x1 - x0, 5):.1f}' height='14' rx='3' fill='{color}'>"
            f"<title>{label}: {escape(_fmt(f.start))} – {escape(_fmt(f.end or f.start))}</title></rect>"
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
    head = f"<section><h2>{escape(f.step)}</h2>"
    if f.error is not None:
        return head + f"<p class='err'>This step failed: {escape(f.error)}</p></section>"
    queries = ", ".join(escape(q) for q in f.queries)
    body = f"<p>{escape(f.summary)}</p><p class='q'>Queries: {queries}</p>"
    if f.evidence is not None and len(f.evidence):
        shown = f.evidence.head(EVIDENCE_ROWS).astype(object).map(short_value)
        more = len(f.evidence) - len(shown)
        body += shown.to_html(index=False, escape=True, classes="ev", border=0, na_rep="")
        if more > 0:
            body += f"<p class='none'>… and {more:,} more rows.</p>"
    elif f.evidence is not None:
        body += "<p class='none'>No rows.</p>"
    return head + body + "</section>"


def _ts(value: dt.datetime | None) -> float:
    assert value is not None
    return value.timestamp()


def _fmt(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""
