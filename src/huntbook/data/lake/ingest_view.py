"""The per-file report of an ingest as a rich table, for terminals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from huntbook.data.lake.lake import IngestReport


def ingest_report_table(reports: Sequence[IngestReport]) -> Table:
    """Return one row per file: what it added to which table, records kept raw, or why it failed.

    The caption totals files, records and failures.
    """
    table = Table(show_lines=False, header_style="bold")
    table.add_column("file", overflow="fold")
    table.add_column("records", justify="right")
    table.add_column("added")
    table.add_column("unparsed", justify="right")
    table.add_column("status", overflow="fold")
    for report in reports:
        if report.error is not None:
            status = Text(f"failed, nothing written: {report.error}", style="red")
        elif report.skipped:
            status = Text("ingested before, skipped", style="dim")
        else:
            status = Text("ingested", style="green")
        added = "\n".join(f"{rows:,} rows into {name}" for name, rows in report.tables.items())
        table.add_row(
            Text(report.path),
            f"{report.records:,}",
            Text(added),
            f"{report.unparsed:,}" if report.unparsed else "",
            status,
        )
    failed = sum(report.error is not None for report in reports)
    skipped = sum(report.skipped for report in reports)
    records, rows = sum(r.records for r in reports), sum(r.rows for r in reports)
    table.caption = (
        f"{len(reports):,} files: {len(reports) - failed - skipped:,} ingested, {skipped:,} skipped, "
        f"{failed:,} failed; {records:,} records, {rows:,} rows"
    )
    return table
