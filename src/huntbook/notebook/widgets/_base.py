"""What every huntbook widget shares: ipywidgets loaded on demand, observers, display."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any, Generic, TypeVar

from huntbook.errors import HuntbookError, MissingExtraError, did_you_mean

T = TypeVar("T")


def ipywidgets() -> ModuleType:
    """Return the ipywidgets module, or raise `MissingExtraError` naming the ``notebook`` extra."""
    try:
        import ipywidgets as widgets
    except ImportError:
        raise MissingExtraError("ipywidgets", "notebook", feature="huntbook's notebook widgets") from None
    module: ModuleType = widgets
    return module


class WidgetValueError(HuntbookError, ValueError):
    """A value set on a widget is not one it offers (the message lists close choices)."""


def matches(needle: str, haystack: str) -> bool:
    """Return whether *needle* occurs in *haystack*, ignoring case (plain text, never a pattern)."""
    return needle.casefold() in haystack.casefold()


def labelled(items: Iterable[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Return *items* as ``{label: value}`` (a plain list maps each item to itself)."""
    if isinstance(items, Mapping):
        return {str(label): value for label, value in items.items()}
    if isinstance(items, str):
        raise TypeError("items must be a list of labels or a mapping of label to value, not one string")
    return {str(item): item for item in items}


def check_choice(label: str, choices: Iterable[str], what: str) -> str:
    """Return *label* when it is one of *choices*, else raise `WidgetValueError` suggesting close ones."""
    options = list(choices)
    if label not in options:
        raise WidgetValueError(f"'{label}' is not one of the {what}.{did_you_mean(label, options)}")
    return label


class HuntWidget(Generic[T]):
    """Base of the widgets: a plain-Python ``value``, observers, and notebook display.

    ``widget`` is the ipywidgets container shown in a notebook. Observers are
    called with the new value whenever it changes, whether a person or code
    changed it.
    """

    widget: Any

    def __init__(self) -> None:
        self._observers: list[Callable[[T], object]] = []

    @property
    def value(self) -> T:
        """The current value."""
        raise NotImplementedError

    def observe(self, callback: Callable[[T], object]) -> None:
        """Call *callback* with the new value on every change."""
        self._observers.append(callback)

    def unobserve(self, callback: Callable[[T], object]) -> None:
        """Stop calling *callback*."""
        self._observers.remove(callback)

    def _notify(self) -> None:
        value = self.value
        for callback in list(self._observers):
            callback(value)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle: dict[str, Any] | None = self.widget._repr_mimebundle_(**kwargs)
        return bundle


def filter_box(widgets: ModuleType, text: str = "", **options: Any) -> Any:
    """Return the text box that filters a widget's rows or items."""
    return widgets.Text(
        value=text, placeholder="filter (plain text, any case)", description="Filter", **options
    )


class Filterable:
    """The ``filter_text`` property of a widget with a `filter_box` named ``_filter``."""

    _filter: Any

    @property
    def filter_text(self) -> str:
        """The filter: only what contains this text (ignoring case; never a pattern) is shown."""
        return str(self._filter.value)

    @filter_text.setter
    def filter_text(self, text: str) -> None:
        self._filter.value = text


class FilteredChoice(Filterable, HuntWidget[T]):
    """A widget offering labelled items (``_items``) in a list (``_shown``) narrowed by a filter."""

    _items: dict[str, Any]
    _shown: Any

    @property
    def items(self) -> list[str]:
        """Every label, filtered or not."""
        return list(self._items)

    @property
    def visible(self) -> list[str]:
        """The labels the list shows now (those the filter lets through)."""
        return list(self._shown.options)
