"""Visualization: interactive Bokeh plots and offline Leaflet maps that save to self-contained HTML.

Every plot returns an object that shows itself in a notebook and has ``.save(path)``.
Names are imported on first use (Bokeh and folium are optional: ``pip install 'huntbook[vis]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huntbook._lazy import lazy_exports as _lazy_exports

if TYPE_CHECKING:
    from huntbook.vis._bokeh import BokehPlot, PlotError, save_html
    from huntbook.vis.anomalies import plot_anomalies
    from huntbook.vis.map import MapPlot, plot_map
    from huntbook.vis.matrix import plot_matrix
    from huntbook.vis.network import plot_network
    from huntbook.vis.process_tree import plot_process_tree
    from huntbook.vis.timeline import plot_timeline
    from huntbook.vis.timeline_duration import plot_timeline_duration
    from huntbook.vis.timeline_values import plot_timeline_values

_LAZY = {
    "BokehPlot": "huntbook.vis._bokeh",
    "MapPlot": "huntbook.vis.map",
    "PlotError": "huntbook.vis._bokeh",
    "plot_anomalies": "huntbook.vis.anomalies",
    "plot_map": "huntbook.vis.map",
    "plot_matrix": "huntbook.vis.matrix",
    "plot_network": "huntbook.vis.network",
    "plot_process_tree": "huntbook.vis.process_tree",
    "plot_timeline": "huntbook.vis.timeline",
    "plot_timeline_duration": "huntbook.vis.timeline_duration",
    "plot_timeline_values": "huntbook.vis.timeline_values",
    "save_html": "huntbook.vis._bokeh",
}
__all__ = [
    "BokehPlot",
    "MapPlot",
    "PlotError",
    "plot_anomalies",
    "plot_map",
    "plot_matrix",
    "plot_network",
    "plot_process_tree",
    "plot_timeline",
    "plot_timeline_duration",
    "plot_timeline_values",
    "save_html",
]

__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, __all__)
