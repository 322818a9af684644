"""The ``.hunt`` accessor on pandas DataFrames and Series: huntbook's analyses and plots one attribute away.

>>> events.hunt.timeline(group_by="Computer", source_columns=["Account"])
>>> events.hunt.extract_iocs(columns=["CommandLine"])
>>> connections.hunt.map(ip_column="RemoteIP", layer_by="DeviceName")

The same accessor is also registered as ``.huntbook`` (its earlier name). Importing
this module costs only pandas: every method imports what it uses when called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from huntbook.vis._bokeh import BokehPlot
    from huntbook.vis.map import MapPlot


class HuntAccessor:
    """huntbook's analyses and plots of this DataFrame (or Series, for the text analyses)."""

    def __init__(self, data: pd.DataFrame | pd.Series):
        self._data = data

    def _frame(self, method: str) -> pd.DataFrame:
        if isinstance(self._data, pd.Series):
            raise TypeError(f".hunt.{method} draws a DataFrame; call it on the frame, not on one column.")
        return self._data

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

    def timeline(self, **options: Any) -> BokehPlot:
        """Events on lanes over time (see `huntbook.vis.timeline.plot_timeline`)."""
        from huntbook.vis.timeline import plot_timeline

        return plot_timeline(self._frame("timeline"), **options)

    def timeline_values(self, **options: Any) -> BokehPlot:
        """Counts or values per time bin (see `huntbook.vis.timeline_values.plot_timeline_values`)."""
        from huntbook.vis.timeline_values import plot_timeline_values

        return plot_timeline_values(self._frame("timeline_values"), **options)

    def timeline_duration(self, **options: Any) -> BokehPlot:
        """First-to-last activity per group (see `huntbook.vis.timeline_duration.plot_timeline_duration`)."""
        from huntbook.vis.timeline_duration import plot_timeline_duration

        return plot_timeline_duration(self._frame("timeline_duration"), **options)

    def map(self, **options: Any) -> MapPlot:
        """Rows on a map by IP address or coordinates (see `huntbook.vis.map.plot_map`)."""
        from huntbook.vis.map import plot_map

        return plot_map(self._frame("map"), **options)

    def matrix(self, **options: Any) -> BokehPlot:
        """Who talks to whom, sized by count (see `huntbook.vis.matrix.plot_matrix`)."""
        from huntbook.vis.matrix import plot_matrix

        return plot_matrix(self._frame("matrix"), **options)

    def network(self, **options: Any) -> BokehPlot:
        """A graph of source -> target (see `huntbook.vis.network.plot_network`)."""
        from huntbook.vis.network import plot_network

        return plot_network(self._frame("network"), **options)

    def anomalies(self, **options: Any) -> BokehPlot:
        """A series, its expected band and anomalies (see `huntbook.vis.anomalies.plot_anomalies`)."""
        from huntbook.vis.anomalies import plot_anomalies

        return plot_anomalies(self._frame("anomalies"), **options)


for _name in ("hunt", "huntbook"):
    pd.api.extensions.register_dataframe_accessor(_name)(HuntAccessor)
    pd.api.extensions.register_series_accessor(_name)(HuntAccessor)
