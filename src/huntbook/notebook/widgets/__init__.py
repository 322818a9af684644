"""Notebook widgets (ipywidgets 8), each with a plain-Python API: ``value``, ``observe``, setters.

Names load on first use, so ``import huntbook.notebook.widgets`` does not load ipywidgets::

    from huntbook.notebook.widgets import QueryTimeRange
    picker = QueryTimeRange(provider=qp, lookback="7d")   # qp's queries now default to it
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huntbook._lazy import lazy_exports as _lazy_exports

if TYPE_CHECKING:
    from huntbook.notebook.widgets._base import HuntWidget, WidgetValueError
    from huntbook.notebook.widgets.alert_picker import AlertPicker
    from huntbook.notebook.widgets.data_viewer import DataViewer
    from huntbook.notebook.widgets.item_picker import ItemPicker
    from huntbook.notebook.widgets.option_buttons import OptionButtons
    from huntbook.notebook.widgets.subset_picker import SubsetPicker
    from huntbook.notebook.widgets.text_prompt import TextPrompt
    from huntbook.notebook.widgets.time_range import QueryTimeRange

_EXPORTS = {
    "AlertPicker": "alert_picker",
    "DataViewer": "data_viewer",
    "HuntWidget": "_base",
    "ItemPicker": "item_picker",
    "OptionButtons": "option_buttons",
    "QueryTimeRange": "time_range",
    "SubsetPicker": "subset_picker",
    "TextPrompt": "text_prompt",
    "WidgetValueError": "_base",
}

__all__ = [
    "AlertPicker",
    "DataViewer",
    "HuntWidget",
    "ItemPicker",
    "OptionButtons",
    "QueryTimeRange",
    "SubsetPicker",
    "TextPrompt",
    "WidgetValueError",
]

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS, __all__)
