"""The per-file report of an ingest as a rich table, for terminals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from huntbook.display import literal_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from huntbook.data.lake.lake import IngestReport


MAX_FILE_ROWS = 30
"""Beyond this many files, plain successes share one row; failures and unparsed records keep theirs."""


def ingest_report_table(reports: Sequence[IngestReport], max_rows: int = MAX_FILE_ROWS) -> Table:
    """Return one row per file: what it added to which table, records kept raw, or why it failed.

    With more than *max_rows* files, the files that were simply ingested or
    skipped are summed up in one row, so a folder of thousands stays readable;
    a failed file, or one with records kept raw, still has its own row. The
    caption totals files, records and failures.
    """
    table = Table(show_lines=False, header_style="bold")
    table.add_column("file", overflow="fold")
    table.add_column("records", justify="right")
    table.add_column("added")
    table.add_column("unparsed", justify="right")
    table.add_column("status", overflow="fold")
    plain = [r for r in reports if r.error is None and not r.unparsed] if len(reports) > max_rows else []
    for report in reports:
        if plain and report.error is None and not report.unparsed:
            continue
        if report.error is not None:
            status = Text.assemble("failed, nothing written: ", literal_text(str(report.error)), style="red")
        elif report.skipped:
            status = Text("ingested before, skipped", style="dim")
        else:
            status = Text("ingested", style="green")
        added = "\n".join(f"{rows:,} rows into {name}" for name, rows in report.tables.items())
        table.add_row(
            literal_text(str(report.path)),
            f"{report.records:,}",
            literal_text(added, keep_newlines=True),
            f"{report.unparsed:,}" if report.unparsed else "",
            status,
        )
    if plain:
        table.add_row(*_summary_row(plain))
    failed = sum(report.error is not None for report in reports)
    skipped = sum(report.skipped for report in reports)
    records, rows = sum(r.records for r in reports), sum(r.rows for r in reports)
    table.caption = (
        f"{len(reports):,} files: {len(reports) - failed - skipped:,} ingested, {skipped:,} skipped, "
        f"{failed:,} failed; {records:,} records, {rows:,} rows"
    )
    return table


def _summary_row(reports: list[IngestReport]) -> tuple[Text, str, Text, str, Text]:
    """One row for many files read without trouble: their records and rows per table, summed."""
    added: dict[str, int] = {}
    for report in reports:
        for name, rows in report.tables.items():
            added[name] = added.get(name, 0) + rows
    skipped = sum(r.skipped for r in reports)
    status = f"{len(reports) - skipped:,} ingested"
    if skipped:
        status += f", {skipped:,} ingested before, skipped"
    return (
        Text(f"{len(reports):,} other files", style="italic"),
        f"{sum(r.records for r in reports):,}",
        literal_text(
            "\n".join(f"{rows:,} rows into {name}" for name, rows in sorted(added.items())),
            keep_newlines=True,
        ),
        "",
        Text(status, style="green"),
    )
