"""The ``.huntbook`` accessor on pandas DataFrames and Series: analyses one attribute away.

>>> events.huntbook.extract_iocs(columns=["CommandLine"])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


@pd.api.extensions.register_dataframe_accessor("huntbook")
@pd.api.extensions.register_series_accessor("huntbook")
class HuntbookAccessor:
    """huntbook's analyses of this DataFrame or Series."""

    def __init__(self, data: pd.DataFrame | pd.Series):
        self._data = data

    def extract_iocs(self, columns: Sequence[str] | str | None = None, **options: Any) -> pd.DataFrame:
        """Indicators in the text of this frame (see `huntbook.analysis.iocs.extract_iocs`)."""
        from huntbook.analysis.iocs import extract_iocs

        if isinstance(self._data, pd.Series):
            return extract_iocs(self._data, **options)
        return extract_iocs(self._data, columns=columns, **options)
