"""Evidence tables of the HTML report: cells that read as a report, not as a data dump.

Numbers are grouped by thousands (an integer stored as a float loses its ``.0``), missing values are
empty cells, JSON (a list or object, or text holding one) is a list of ``key: value`` lines, and the
rows past the first few open in place (``<details>``). Every value is escaped with
`huntbook.display.html_text`, cut as `huntbook.display.short_value` cuts table cells.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import re
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from huntbook.display import html_text, short_value

if TYPE_CHECKING:
    import pandas as pd

SHOWN_ROWS = 15
"""Rows shown at once; the rest open in place."""
EMBEDDED_ROWS = 300
"""Most rows written into the report per table (the rest are only counted)."""
JSON_LINES = 12
"""Most ``key: value`` lines shown for one JSON cell (the rest are counted)."""
GROUPED_FROM = 10_000
"""Integers from this size on are grouped by thousands (``1,961,992,454``); smaller ones read as codes."""
CODE_COLUMN = re.compile(r"(?i)(port|id|pid|key|code|type|number|version)$")
"""Columns whose numbers are identifiers (ports, process and event ids): never grouped."""
CSS = """
table.ev{border-collapse:collapse;font-size:12px;margin-top:8px;display:block;overflow-x:auto}
table.ev th,table.ev td{border:1px solid #dde1e6;padding:3px 6px;text-align:left;vertical-align:top}
table.ev td{max-width:420px;overflow-wrap:break-word}table.ev td.n{text-align:right;white-space:nowrap}
table.ev td.t{white-space:nowrap}
table.ev th{background:#eef1f4;white-space:nowrap;word-break:normal;overflow-wrap:normal}
table.ev .kv{margin:0;padding:0;list-style:none;min-width:22em}table.ev .kv li+li{margin-top:1px}
table.ev .kv .k{color:#5a6473;white-space:nowrap}
table.ev .kv li.gap{border-top:1px dashed #dde1e6;margin-top:3px;padding-top:3px}
details.more{margin-top:6px}details.more>summary{cursor:pointer;color:#3b6fd4}
"""
"""Styles of the evidence tables: headers, numbers and times on one line; cells wrap between words."""


def evidence_table(rows: pd.DataFrame) -> str:
    """*rows* as an HTML table: the first `SHOWN_ROWS`, then the rest (up to `EMBEDDED_ROWS`) on demand."""
    columns = [str(c) for c in rows.columns]
    head = "<thead><tr>" + "".join(f"<th>{html_text(c)}</th>" for c in columns) + "</tr></thead>"
    first = rows.iloc[:SHOWN_ROWS]
    html = f"<table class='ev'>{head}{_body(first, columns)}</table>"
    rest = rows.iloc[SHOWN_ROWS:EMBEDDED_ROWS]
    if len(rest):
        left_out = len(rows) - SHOWN_ROWS - len(rest)
        summary = f"… and {len(rows) - SHOWN_ROWS:,} more rows"
        note = (
            f"<p class='none'>{left_out:,} more rows are not in this report "
            f"(it keeps the first {EMBEDDED_ROWS:,}).</p>"
            if left_out
            else ""
        )
        html += (
            f"<details class='more'><summary>{summary}</summary>"
            f"<table class='ev'>{head}{_body(rest, columns)}</table>{note}</details>"
        )
    return html


def _body(rows: pd.DataFrame, columns: list[str]) -> str:
    lines = []
    for values in rows.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, values, strict=True):
            kind = " class='n'" if _is_number(value) else " class='t'" if _is_time(value) else ""
            cells.append(f"<td{kind}>{cell_html(value, column=column)}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return "<tbody>" + "".join(lines) + "</tbody>"


def cell_html(value: object, *, column: str = "") -> str:
    """One cell's HTML: empty when missing, numbers grouped, JSON as ``key: value`` lines, else text.

    Parameters
    ----------
    value
        The cell value as the frame holds it.
    column
        Its column's name: numbers of identifier columns (`CODE_COLUMN`) are never grouped.
    """
    if _missing(value):
        return ""
    if _is_number(value):
        return html_text(number_text(value, group=not CODE_COLUMN.search(column)))
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return html_text(short_value(value))
    structured = _structured(value)
    if structured is not None:
        return _json_html(structured)
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays of list columns
        return _json_html(value.tolist())
    return html_text(short_value(value if isinstance(value, str) else str(value)))


def number_text(value: float, *, group: bool = True) -> str:
    """*value* as a report writes it: ``1,961,992,454`` (no ``.0``), ``4,826.33``, ``0.0123``."""
    if isinstance(value, bool):
        return str(value)
    number = float(value)
    if isinstance(value, numbers.Integral) or number.is_integer():
        whole = int(value) if isinstance(value, numbers.Integral) else int(number)
        return f"{whole:,}" if group and abs(whole) >= GROUPED_FROM else str(whole)
    if abs(number) >= 1:
        return f"{number:,.2f}".rstrip("0").rstrip(".") if group else f"{number:.2f}".rstrip("0").rstrip(".")
    return f"{number:.3g}"


def _is_number(value: object) -> TypeGuard[float]:
    """A finite number (Python's or numpy's), not a bool."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _is_time(value: object) -> bool:
    return isinstance(value, dt.datetime) and not _missing(value)


def _missing(value: object) -> bool:
    import pandas as pd

    if value is None:
        return True
    try:
        missing: Any = pd.isna(cast(Any, value))
    except (TypeError, ValueError):
        return False
    return getattr(missing, "ndim", 0) == 0 and bool(missing)  # a list or array is not missing


def _structured(value: object) -> list[object] | dict[str, object] | None:
    """*value* as a list or dict when it is one, or text that is a JSON array or object."""
    if isinstance(value, dict | list | tuple):
        return list(value) if isinstance(value, tuple) else value
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict | list) else None
    return None


def _json_html(data: object) -> str:
    """A list or dict as lines: a dict per ``key: value`` line, list items one after another."""
    items = data if isinstance(data, list) else [data]
    if all(not isinstance(item, dict | list) for item in items):  # ["T1110.003", "T1078"]
        return html_text(short_value(", ".join(_scalar(i) for i in items)))
    lines: list[str] = []
    for n, item in enumerate(items):
        gap = n > 0
        pairs = item.items() if isinstance(item, dict) else [("", item)]
        for key, inner in pairs:
            if _missing_json(inner):
                continue
            label = f"<span class='k'>{html_text(short_value(str(key)))}</span>: " if key != "" else ""
            text = html_text(short_value(_scalar(inner, str(key))))
            lines.append(f"<li class='gap'>{label}{text}</li>" if gap else f"<li>{label}{text}</li>")
            gap = False
    shown = lines[:JSON_LINES]
    if len(lines) > JSON_LINES:
        shown.append(f"<li class='none'>… and {len(lines) - JSON_LINES:,} more</li>")
    return "<ul class='kv'>" + "".join(shown) + "</ul>"


def _missing_json(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _scalar(value: object, key: str = "") -> str:
    """A JSON value as one line of text (nested lists and objects as compact JSON)."""
    if isinstance(value, str):
        return value
    if _is_number(value):
        return number_text(value, group=not CODE_COLUMN.search(key))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return "" if value is None else str(value)
