"""The ``.huntbook`` accessor on pandas DataFrames and Series: analyses one attribute away.

>>> events.huntbook.extract_iocs(columns=["CommandLine"])
>>> events.huntbook.unpack(columns=["CommandLine"])
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

    def unpack(self, columns: Sequence[str] | str | None = None, **limits: Any) -> pd.DataFrame:
        """Decoded payloads in this frame, one row per layer (see `huntbook.analysis.decode.unpack_frame`)."""
        from huntbook.analysis.decode import unpack_frame

        if isinstance(self._data, pd.Series):
            return unpack_frame(self._data, **limits)
        return unpack_frame(self._data, columns=columns, **limits)
