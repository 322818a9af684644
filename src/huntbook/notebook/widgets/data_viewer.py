"""`DataViewer`: a DataFrame one page at a time, with a column chooser and a text filter."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from huntbook.display import short_value, visible
from huntbook.notebook.widgets._base import Filterable, HuntWidget, check_choice, filter_box, ipywidgets

if TYPE_CHECKING:
    import pandas as pd

PAGE_SIZES = (10, 25, 50, 100, 250)


class DataViewer(Filterable, HuntWidget["pd.DataFrame"]):
    """Browse a DataFrame: choose columns, filter rows by text, page through the rest.

    The filter keeps rows where any shown column contains the text (plain
    text, any case; never a pattern). Cells are escaped and long text is cut,
    so hostile values display as text.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows to browse (not copied, not changed).
    columns : list of str, optional
        Columns shown at the start (all by default).
    page_size : int
        Rows per page.
    filter_text : str
        Filter at the start.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        columns: Iterable[str] | None = None,
        page_size: int = 25,
        filter_text: str = "",
    ):
        super().__init__()
        widgets = ipywidgets()
        self._data = data
        self._all_columns = [str(c) for c in data.columns]
        self._lowered: dict[str, pd.Series] = {}
        self._view: pd.DataFrame | None = None
        self._columns = widgets.SelectMultiple(
            options=self._all_columns,
            value=self._all_columns if columns is None else [str(c) for c in columns],
            rows=min(8, max(2, len(self._all_columns))),
            description="Columns",
        )
        for name in self._columns.value:
            check_choice(name, self._all_columns, "columns")
        self._filter = filter_box(widgets, filter_text, continuous_update=False)
        self._page_size = widgets.Dropdown(
            options=sorted({*PAGE_SIZES, page_size}), value=page_size, description="Rows/page"
        )
        self._page = widgets.BoundedIntText(
            value=1, min=1, max=1, description="Page", layout={"width": "160px"}
        )
        previous, following = widgets.Button(description="‹ Prev"), widgets.Button(description="Next ›")
        previous.on_click(lambda _b: self._step(-1))
        following.on_click(lambda _b: self._step(1))
        self._status = widgets.HTML()
        self._table = widgets.HTML()
        for control in (self._columns, self._filter, self._page_size):
            control.observe(lambda _change: self._changed(reset_page=True), names="value")
        self._page.observe(lambda _change: self._render(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self._columns, widgets.VBox([self._filter, self._page_size])]),
                widgets.HBox([previous, self._page, following, self._status]),
                self._table,
            ]
        )
        self._changed(reset_page=True)

    def __repr__(self) -> str:
        return f"DataViewer({len(self.value)} of {len(self._data)} rows, page {self.page}/{self.page_count})"

    # -- the plain-Python API ------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        """The columns shown."""
        return list(self._columns.value)

    @columns.setter
    def columns(self, names: Iterable[str]) -> None:
        self._columns.value = [check_choice(str(n), self._all_columns, "columns") for n in names]

    @property
    def page_size(self) -> int:
        """Rows per page."""
        return int(self._page_size.value)

    @page_size.setter
    def page_size(self, size: int) -> None:
        if size not in self._page_size.options:
            self._page_size.options = sorted({*self._page_size.options, size})
        self._page_size.value = size

    @property
    def page(self) -> int:
        """The page shown, from 1."""
        return int(self._page.value)

    @page.setter
    def page(self, number: int) -> None:
        if not 1 <= number <= self.page_count:
            raise ValueError(f"page {number} is out of range: there are {self.page_count} pages")
        self._page.value = number

    @property
    def page_count(self) -> int:
        """How many pages the filtered rows fill (at least 1)."""
        return max(1, math.ceil(len(self.value) / self.page_size))

    @property
    def value(self) -> pd.DataFrame:
        """The rows the filter keeps, with the chosen columns."""
        assert self._view is not None
        return self._view

    @property
    def page_frame(self) -> pd.DataFrame:
        """The rows of the page shown."""
        first = (self.page - 1) * self.page_size
        return self.value.iloc[first : first + self.page_size]

    def to_html(self) -> str:
        """The page shown as an HTML table (cells escaped, long text cut)."""
        page = self.page_frame.map(short_value)
        page.columns = [visible(str(name)) for name in page.columns]  # column names come from data too
        return str(page.to_html(escape=True, max_cols=None, border=0, classes="huntbook-data-viewer"))

    def _repr_html_(self) -> str:
        return f"<div>{html.escape(self._status_text())}</div>{self.to_html()}"

    # -- reactions -----------------------------------------------------------------------

    def _step(self, delta: int) -> None:
        self._page.value = min(max(1, self.page + delta), self.page_count)

    def _changed(self, *, reset_page: bool) -> None:
        columns = self.columns
        frame = self._data[columns]
        needle = self.filter_text.casefold()
        if needle and columns:
            keep = None
            for name in columns:
                hit = self._text(name).str.contains(needle, regex=False, na=False)
                keep = hit if keep is None else keep | hit
            frame = frame[keep.to_numpy(dtype=bool)] if keep is not None else frame
        self._view = frame
        self._page.max = self.page_count
        if reset_page and self._page.value != 1:
            self._page.value = 1  # renders through the observer
        else:
            self._render()
        self._notify()

    def _text(self, column: str) -> pd.Series:
        """The column as case-folded text, computed once."""
        if column not in self._lowered:
            self._lowered[column] = self._data[column].astype("string").str.casefold()
        return self._lowered[column]

    def _status_text(self) -> str:
        shown, total = len(self.value), len(self._data)
        first = (self.page - 1) * self.page_size + 1 if shown else 0
        last = min(shown, self.page * self.page_size)
        filtered = f" (filtered from {total:,})" if shown != total else ""
        return f"rows {first:,}–{last:,} of {shown:,}{filtered}"

    def _render(self) -> None:
        self._status.value = html.escape(self._status_text())
        self._table.value = self.to_html()
