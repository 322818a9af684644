"""What a lake lacks for the demo investigation: the missing tables, the steps they keep from
running, and how to fill each one (`huntbook lake ingest`).

A step whose tables are not in the lake is not run (`Finding.not_run`); a step that ran without an
optional table says which of its queries it left out (`Finding.missing`). `missing_tables` gathers
both, one row per table, for the terminal (`gaps_renderable`) and the report (`gaps_html`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from huntbook.display import html_text

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import RenderableType

    from huntbook.investigation import Finding, Investigation


@dataclass(frozen=True)
class MissingTable:
    """One table the lake lacks, what it holds, which steps needed it, and how to fill it."""

    table: str
    holds: str
    """What the table holds (its schema's description), or "" for a table the lake does not know."""
    steps: tuple[str, ...]
    """The steps that could not run without it."""
    partly: tuple[str, ...]
    """The steps that ran but left out a query for want of it."""
    how: str
    """The command that fills it."""


def how_to_fill(table: str, lake: Path | None = None) -> str:
    """The ``huntbook lake ingest`` command that fills *table* (of *lake*, when given).

    Windows event tables are filled from event files (``.evtx``, Winlogbeat / OTRF JSON lines),
    routed by channel; every other table from an export (CSV, JSON, JSON lines, Parquet) named
    with ``--table``.
    """
    import shlex

    from huntbook.data.lake.schemas import EVENT_TABLES
    from huntbook.data.lake.winevents import SECURITY_TABLE

    where = f"--lake {shlex.quote(str(lake))}" if lake is not None else "--lake LAKE"
    if table in EVENT_TABLES or table == SECURITY_TABLE:
        channel = "Security" if table == SECURITY_TABLE else EVENT_TABLES[table].description.split(" (")[0]
        return (
            f"huntbook lake ingest PATH {where} (Windows event files, .evtx or Winlogbeat JSON lines: "
            f"{channel} events go to {table})"
        )
    return f"huntbook lake ingest FILE --table {shlex.quote(table)} {where} (a CSV, JSON or Parquet export)"


def missing_tables(findings: list[Finding], lake: Path | None = None) -> list[MissingTable]:
    """Every table some step needed and *lake* lacks, in the order the steps first name them."""
    from huntbook.data.lake.schemas import schema_for

    steps: dict[str, tuple[list[str], list[str]]] = {}  # table -> (not run, ran in part)
    for f in findings:
        for table in f.missing:
            steps.setdefault(table, ([], []))[f.not_run is None].append(f.step)
    rows = []
    for table, (skipped, partly) in steps.items():
        schema = schema_for(table)
        holds = schema.description if schema else ""
        rows.append(MissingTable(table, holds, tuple(skipped), tuple(partly), how_to_fill(table, lake)))
    return rows


def ran_summary(investigation: Investigation) -> str:
    """``"4 of 11 steps ran; 7 could not: their tables are not in the lake."`` (or that all ran)."""
    findings = investigation.findings
    ran = sum(f.not_run is None and f.error is None for f in findings)
    not_run = sum(f.not_run is not None for f in findings)
    failed = sum(f.error is not None for f in findings)
    if ran == len(findings):
        return f"All {len(findings)} steps ran."
    parts = [f"{ran} of {len(findings)} steps ran"]
    if not_run:
        parts.append(f"{not_run} could not run: the tables they need are not in the lake")
    if failed:
        parts.append(f"{failed} failed")
    return "; ".join(parts) + "."


def gaps_renderable(investigation: Investigation) -> RenderableType | None:
    """A rich table of the missing tables (every value shown literally), or None when none is missing."""
    from rich.table import Table

    from huntbook.display import literal_text

    rows = missing_tables(investigation.findings, investigation.lake)
    if not rows:
        return None
    table = Table(title="Missing tables: ingest them to run these steps", show_lines=True)
    for column in ("table", "holds", "needed by", "how to add it"):
        table.add_column(column, overflow="fold")
    for row in rows:
        needed = _needed_by(row)
        table.add_row(
            literal_text(row.table),
            literal_text(row.holds),
            literal_text("\n".join(needed), keep_newlines=True),
            literal_text(row.how),
        )
    return table


def gaps_html(investigation: Investigation) -> str:
    """The report's section on the missing tables ("" when none is missing)."""
    rows = missing_tables(investigation.findings, investigation.lake)
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{html_text(r.table)}</td><td>{html_text(r.holds)}</td>"
        f"<td>{'<br>'.join(html_text(s) for s in _needed_by(r))}</td>"
        f"<td><code>{html_text(r.how)}</code></td></tr>"
        for r in rows
    )
    return (
        "<section><h2>Steps that could not run</h2>"
        f"<p>{html_text(ran_summary(investigation))} The lake lacks these tables:</p>"
        "<table class='ev'><tr><th>table</th><th>holds</th><th>needed by</th><th>how to add it</th></tr>"
        f"{body}</table></section>"
    )


def _needed_by(row: MissingTable) -> list[str]:
    """The steps that needed *row*'s table: those not run, then those that ran in part."""
    return [*row.steps, *(f"{step} (in part)" for step in row.partly)]
