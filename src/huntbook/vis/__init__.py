"""Visualization: interactive Bokeh plots that save to self-contained HTML."""
