"""`ItemPicker`: choose one item from a list narrowed by a filter box; a callback runs on each choice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from huntbook.notebook.widgets._base import (
    FilteredChoice,
    check_choice,
    filter_box,
    ipywidgets,
    labelled,
    matches,
)


class ItemPicker(FilteredChoice[Any]):
    """A filter box over a list; pick one item.

    Parameters
    ----------
    items : list of str, or mapping of label to value
        What to choose from. With a mapping the list shows the labels and
        `value` is the chosen label's value.
    description : str
        Label of the list.
    on_select : callable, optional
        Called with the chosen item's value each time the choice changes.
    selected : str, optional
        Label chosen at the start.
    rows : int
        Height of the list.
    """

    def __init__(
        self,
        items: Iterable[str] | Mapping[str, Any],
        *,
        description: str = "",
        on_select: Callable[[Any], object] | None = None,
        selected: str | None = None,
        rows: int = 10,
    ):
        super().__init__()
        widgets = ipywidgets()
        self._items = labelled(items)
        self._filtering = False
        self._filter = filter_box(widgets)
        self._list = self._shown = widgets.Select(
            options=list(self._items), value=None, rows=rows, description=description
        )
        self._filter.observe(lambda _change: self._apply_filter(), names="value")
        self._list.observe(self._on_choice, names="value")
        self.widget = widgets.VBox([self._filter, self._list])
        if on_select is not None:
            self.observe(on_select)
        if selected is not None:
            self.label = selected

    def __repr__(self) -> str:
        return f"ItemPicker({len(self._items)} items, selected={self.label!r})"

    @property
    def label(self) -> str | None:
        """The chosen label (``None`` when nothing is chosen)."""
        label: str | None = self._list.value
        return label

    @label.setter
    def label(self, label: str | None) -> None:
        if label is None:
            self._list.value = None
            return
        check_choice(label, self._items, "items")
        if label not in self._list.options:  # filtered out: clear the filter so it can be shown
            self._filter.value = ""
        self._list.value = label

    @property
    def value(self) -> Any:
        """The chosen item's value (its label for a plain list; ``None`` when nothing is chosen)."""
        return None if self.label is None else self._items[self.label]

    def _apply_filter(self) -> None:
        chosen = self._list.value
        shown = [label for label in self._items if matches(self.filter_text, label)]
        self._filtering = True  # a new list of options selects its first: not a choice
        try:
            self._list.options = shown
            self._list.value = chosen if chosen in shown else None
        finally:
            self._filtering = False

    def _on_choice(self, change: dict[str, Any]) -> None:
        if not self._filtering and change["new"] is not None:
            self._notify()
