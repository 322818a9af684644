"""The query browser: widgets in a notebook, a rich table in a terminal."""

from __future__ import annotations

import html
import io
import sys
from typing import TYPE_CHECKING, Any

from huntbook.display import visible

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from huntbook.data.provider import QueryProvider


def in_notebook() -> bool:
    """Return whether code runs in a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class QueryCatalogTable:
    """The runnable queries of a provider as a table that displays itself."""

    def __init__(self, provider: QueryProvider, family: str | None = None):
        self.frame = provider.query_table()
        if family is not None:
            self.frame = self.frame[self.frame["family"] == family]
        self.environment = provider.environment

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table

        from huntbook.display import literal_text

        title = literal_text(f"{len(self.frame)} queries for {self.environment}")
        table = Table(title=title, show_lines=False)
        for column in ("family", "query", "parameters", "description"):
            table.add_column(column, overflow="fold", style="bold cyan" if column == "query" else None)
        for row in self.frame.itertuples():
            cells = (row.family, row.query, row.parameters, row.description)
            table.add_row(*(literal_text(str(cell)) for cell in cells))  # catalog text, never markup
        yield table

    def __repr__(self) -> str:
        from rich.console import Console

        console = Console(width=140, record=True, file=io.StringIO())
        console.print(self)
        return console.export_text()

    def _repr_html_(self) -> str:
        shown = self.frame.astype(object).map(lambda v: visible(str(v)), na_action="ignore")
        return str(shown.to_html(index=False, escape=True))


def query_browser(provider: QueryProvider) -> Any:
    """Return a query browser for *provider*.

    In a Jupyter kernel with ipywidgets installed: a filter box, the list of
    queries, and the selected query's help. Elsewhere: a `QueryCatalogTable`
    (print it, or let the REPL show it).
    """
    if not in_notebook():
        return QueryCatalogTable(provider)
    try:
        import ipywidgets as widgets
    except ImportError:
        return QueryCatalogTable(provider)

    names = provider.list_queries()
    search = widgets.Text(placeholder="filter: name, description, table...", description="Filter")
    picker = widgets.Select(options=names, rows=18, layout=widgets.Layout(width="40%"))
    details = widgets.HTML(layout=widgets.Layout(width="60%"))

    def haystack(name: str) -> str:
        query = provider.query(name).query
        return " ".join([name, query.description, *query.bodies.values()]).lower()

    def on_filter(change: dict[str, Any]) -> None:
        needle = str(change["new"]).lower()
        picker.options = [n for n in names if needle in haystack(n)]
        if picker.value is None and picker.options:
            picker.value = picker.options[0]

    def show(name: str | None) -> None:
        text = visible(provider.query(name).help(), keep_newlines=True) if name else ""
        details.value = f"<pre style='white-space:pre-wrap'>{html.escape(text)}</pre>"

    search.observe(on_filter, names="value")
    picker.observe(lambda change: show(change["new"]), names="value")
    show(picker.value)
    return widgets.VBox([search, widgets.HBox([picker, details])])
