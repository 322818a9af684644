"""`plot_anomalies`: a time series with its expected band and the points outside it marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from huntbook.vis._bokeh import (
    BokehPlot,
    PlotError,
    as_utc_times,
    check_columns,
    check_not_empty,
    column_list,
    require_bokeh,
)
from huntbook.vis._time import DATETIME_TIP, epoch_ms, time_figure

if TYPE_CHECKING:
    import pandas as pd


def plot_anomalies(
    data: pd.DataFrame,
    *,
    time_column: str = "TimeGenerated",
    value_column: str = "Total",
    baseline_column: str | None = "baseline",
    upper_column: str | None = "upper_bound",
    lower_column: str | None = "lower_bound",
    anomaly_column: str | None = "anomalies",
    title: str = "Time series anomalies",
    width: int = 1100,
    height: int = 380,
) -> BokehPlot:
    """Draw a series, its baseline and expected band, and mark its anomalies.

    The optional columns are used when the frame has them (the defaults follow
    msticpy's time-series frames); naming a column the frame lacks is an error.
    Without *anomaly_column*, points outside the band are the anomalies.

    Parameters
    ----------
    data : DataFrame
        One row per time step.
    time_column, value_column : str
        The date-time and the observed value.
    baseline_column : str, optional
        The expected value, drawn dashed.
    upper_column, lower_column : str, optional
        The band of normal values, shaded.
    anomaly_column : str, optional
        Non-zero / true where a row is an anomaly.
    title, width, height
        Title and size in pixels.

    Returns
    -------
    BokehPlot
        Shows in a notebook; ``.save(path)`` writes a self-contained HTML file.
    """
    require_bokeh("plot_anomalies")
    import pandas as pd
    from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter

    defaults = {
        "baseline": "baseline_column",
        "upper_bound": "upper_column",
        "lower_bound": "lower_column",
        "anomalies": "anomaly_column",
    }
    optional = dict(
        zip(defaults.values(), (baseline_column, upper_column, lower_column, anomaly_column), strict=True)
    )
    named = [c for c in optional.values() if c is not None and c not in defaults]
    check_columns(data, [time_column, value_column, *named], what="plot_anomalies")
    check_not_empty(data, what="plot_anomalies")
    present = {key: (c if c is not None and c in data.columns else None) for key, c in optional.items()}
    for column in [
        value_column,
        present["baseline_column"],
        present["upper_column"],
        present["lower_column"],
    ]:
        if column is not None and not pd.api.types.is_numeric_dtype(data[column]):
            raise PlotError(f"plot_anomalies: column {column!r} holds {data[column].dtype}, not numbers.")
    frame = data.assign(_t=epoch_ms(as_utc_times(data, time_column, what="plot_anomalies"))).sort_values("_t")
    values = frame[value_column].to_numpy(dtype="float64")
    upper = frame[present["upper_column"]].to_numpy(dtype="float64") if present["upper_column"] else None
    lower = frame[present["lower_column"]].to_numpy(dtype="float64") if present["lower_column"] else None
    if present["anomaly_column"]:
        flagged: np.ndarray = frame[present["anomaly_column"]].fillna(0).astype(bool).to_numpy()
    elif upper is not None or lower is not None:
        above = values > upper if upper is not None else np.zeros(len(values), dtype=bool)
        below = values < lower if lower is not None else np.zeros(len(values), dtype=bool)
        flagged = above | below
    else:
        raise PlotError(
            "plot_anomalies needs an anomaly column or a band (upper/lower columns) to mark anomalies; "
            f"the frame has: {column_list(data)}."
        )
    source = ColumnDataSource({"x": frame["_t"].to_numpy(), "value": values})
    plot = time_figure(title, width, height)
    if upper is not None and lower is not None:
        plot.varea(
            x=frame["_t"].to_numpy(),
            y1=lower,
            y2=upper,
            fill_color="#1f77b4",
            fill_alpha=0.15,
            legend_label="expected range",
        )
    if present["baseline_column"]:
        plot.line(
            frame["_t"].to_numpy(),
            frame[present["baseline_column"]].to_numpy(dtype="float64"),
            line_dash="dashed",
            color="#2ca02c",
            line_width=1.5,
            legend_label="baseline",
        )
    line = plot.line("x", "value", source=source, color="#1f77b4", line_width=1.5, legend_label=value_column)
    marks = ColumnDataSource({"x": frame["_t"].to_numpy()[flagged], "value": values[flagged]})
    dots = plot.scatter(
        "x",
        "value",
        source=marks,
        size=10,
        color="#d62728",
        marker="circle",
        legend_label=f"anomalies ({int(np.sum(flagged))})",
    )
    plot.add_tools(
        HoverTool(
            renderers=[line, dots],
            tooltips=[("time", "@x" + DATETIME_TIP), (value_column, "@value{0,0.[00]}")],
            formatters={"@x": "datetime"},
            mode="mouse",
        )
    )
    plot.yaxis.formatter = NumeralTickFormatter(format="0.[0]a")
    plot.legend.location = "top_left"
    plot.legend.click_policy = "hide"
    plot.xaxis.axis_label = f"{time_column} (UTC)"
    plot.yaxis.axis_label = value_column
    return BokehPlot(plot, title=title, height=height)
