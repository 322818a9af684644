"""`SubsetPicker`: choose several items from a list (filter, add, remove)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from huntbook.display import html_text
from huntbook.notebook.widgets._base import (
    FilteredChoice,
    check_choice,
    filter_box,
    ipywidgets,
    labelled,
    matches,
)


class SubsetPicker(FilteredChoice[list[Any]]):
    """Two lists: the items available (narrowed by a filter) and the items chosen.

    Parameters
    ----------
    items : list of str, or mapping of label to value
        What to choose from.
    selected : list of str
        Labels chosen at the start.
    description : str
        Title shown above the lists.
    on_change : callable, optional
        Called with the chosen values (a list, in the order of *items*) on every change.
    rows : int
        Height of the lists.
    """

    def __init__(
        self,
        items: Iterable[str] | Mapping[str, Any],
        *,
        selected: Iterable[str] = (),
        description: str = "",
        on_change: Callable[[list[Any]], object] | None = None,
        rows: int = 10,
    ):
        super().__init__()
        widgets = ipywidgets()
        self._items = labelled(items)
        self._chosen: list[str] = []
        self._filter = filter_box(widgets)
        self._available = self._shown = widgets.SelectMultiple(rows=rows, description="Available")
        self._selected = widgets.SelectMultiple(rows=rows, description="Chosen")
        buttons = {
            "Add ›": lambda _b: self.add(self._available.value),
            "‹ Remove": lambda _b: self.remove(self._selected.value),
            "Add all »": lambda _b: self.add(self.visible),
            "« Remove all": lambda _b: self.clear(),
        }
        column = []
        for text, action in buttons.items():
            button = widgets.Button(description=text, layout=widgets.Layout(width="110px"))
            button.on_click(action)
            column.append(button)
        self._filter.observe(lambda _change: self._refresh(), names="value")
        title = [widgets.HTML(f"<b>{html_text(description)}</b>")] if description else []
        self.widget = widgets.VBox(
            [*title, self._filter, widgets.HBox([self._available, widgets.VBox(column), self._selected])]
        )
        self.add(list(selected), notify=False)
        self._refresh()
        if on_change is not None:
            self.observe(on_change)

    def __repr__(self) -> str:
        return f"SubsetPicker({len(self._chosen)} of {len(self._items)} chosen)"

    @property
    def labels(self) -> list[str]:
        """The chosen labels, in the order of the items."""
        return list(self._chosen)

    @property
    def value(self) -> list[Any]:
        """The chosen values, in the order of the items."""
        return [self._items[label] for label in self._chosen]

    @value.setter
    def value(self, labels: Iterable[str]) -> None:
        wanted = [check_choice(label, self._items, "items") for label in labels]
        self._chosen = [label for label in self._items if label in set(wanted)]
        self._refresh()
        self._notify()

    def add(self, labels: Iterable[str], *, notify: bool = True) -> None:
        """Add *labels* to the chosen items."""
        wanted = {check_choice(label, self._items, "items") for label in labels} | set(self._chosen)
        self._set(wanted, notify)

    def remove(self, labels: Iterable[str]) -> None:
        """Take *labels* out of the chosen items."""
        gone = {check_choice(label, self._items, "items") for label in labels}
        self._set(set(self._chosen) - gone, True)

    def clear(self) -> None:
        """Choose nothing."""
        self._set(set(), True)

    def _set(self, wanted: set[str], notify: bool) -> None:
        chosen = [label for label in self._items if label in wanted]
        if chosen == self._chosen:
            return
        self._chosen = chosen
        self._refresh()
        if notify:
            self._notify()

    def _refresh(self) -> None:
        taken = set(self._chosen)
        self._available.options = [
            label for label in self._items if label not in taken and matches(self.filter_text, label)
        ]
        self._selected.options = list(self._chosen)
