"""`plot_network`: a graph of who connects to whom (networkx layout, Bokeh drawing)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from huntbook.display import visible
from huntbook.errors import MissingExtraError
from huntbook.vis._bokeh import BokehPlot, check_columns, check_not_empty, require_bokeh
from huntbook.vis._time import add_note, palette, text_column

if TYPE_CHECKING:
    import pandas as pd

MAX_NODES = 300
"""Most nodes drawn (those with the most connections)."""


def plot_network(
    data: pd.DataFrame,
    *,
    source: str,
    target: str,
    weight_column: str | None = None,
    title: str | None = None,
    width: int = 900,
    height: int = 700,
    max_nodes: int = MAX_NODES,
    seed: int = 1,
) -> BokehPlot:
    """Draw the rows as a graph: one node per distinct *source*/*target* value, one edge per distinct pair.

    Parameters
    ----------
    data : DataFrame
        The rows (e.g. logons or connections).
    source, target : str
        The columns whose values are the two ends of each edge.
    weight_column : str, optional
        A numeric column summed per edge (default: count the rows); thicker edges weigh more.
    title, width, height
        Title and size in pixels.
    max_nodes : int
        Most nodes drawn (the best connected); a note says how many were left out.
    seed : int
        Seed of the spring layout, so the same data draws the same picture.

    Returns
    -------
    BokehPlot
        Shows in a notebook; ``.save(path)`` writes a self-contained HTML file.
    """
    require_bokeh("plot_network")
    try:
        import networkx as nx
    except ImportError as exc:
        raise MissingExtraError("networkx", "vis", feature="plot_network") from exc
    import pandas as pd
    from bokeh.models import Circle, ColumnDataSource, HoverTool, MultiLine, NodesAndLinkedEdges, Range1d
    from bokeh.models.annotations import LabelSet
    from bokeh.plotting import figure, from_networkx

    title = title or f"{source} → {target}"
    check_columns(data, [source, target, weight_column], what="plot_network")
    check_not_empty(data, what="plot_network")
    frame = pd.DataFrame(
        {
            "source": data[source].astype("string"),
            "target": data[target].astype("string"),
            "w": data[weight_column].to_numpy() if weight_column else 1,
        }
    )
    frame = frame.dropna(subset=["source", "target"])
    check_not_empty(frame, what=f"plot_network: columns {source!r} and {target!r} (all empty)")
    edges = frame.groupby(["source", "target"], sort=False).agg(weight=("w", "sum"), rows=("w", "size"))
    graph: nx.Graph[str] = nx.Graph()
    graph.add_edges_from((s, t) for s, t in edges.index)
    degree = dict(graph.degree())
    kept = sorted(degree, key=lambda n: -degree[n])[:max_nodes]
    left_out = graph.number_of_nodes() - len(kept)
    graph = graph.subgraph(kept).copy()
    sources = set(frame["source"])
    targets = set(frame["target"])
    roles = {
        n: "both" if n in sources and n in targets else source if n in sources else target for n in graph
    }
    role_colour = dict(zip([source, target, "both"], palette(3), strict=True))
    nx.set_node_attributes(graph, {n: visible(str(n)) for n in graph}, "name")
    nx.set_node_attributes(graph, {n: degree[n] for n in graph}, "degree")
    nx.set_node_attributes(
        graph, {n: 8 + 14 * np.sqrt(degree[n] / max(degree.values())) for n in graph}, "size"
    )
    nx.set_node_attributes(graph, roles, "role")
    nx.set_node_attributes(graph, {n: role_colour[r] for n, r in roles.items()}, "colour")
    top = float(edges["weight"].max()) or 1.0
    for (s, t), weight in zip(edges.index, edges["weight"].astype(float), strict=True):
        if graph.has_edge(s, t):
            graph.edges[s, t].update(weight=weight, width=1 + 5 * weight / top)
    layout = nx.spring_layout(graph, seed=seed, k=1.5 / np.sqrt(max(graph.number_of_nodes(), 1)))

    plot = figure(
        title=title,
        width=width,
        height=height,
        x_range=Range1d(start=-1.2, end=1.2),
        y_range=Range1d(start=-1.2, end=1.2),
        tools="pan,wheel_zoom,box_zoom,reset,save",
        active_scroll="wheel_zoom",
        toolbar_location="above",
    )
    renderer: Any = from_networkx(graph, {node: tuple(xy) for node, xy in layout.items()})
    node_style: dict[str, Any] = {"radius": "size", "radius_units": "screen", "line_color": "#333333"}
    renderer.node_renderer.glyph = Circle(**node_style, fill_color="colour", fill_alpha=0.85)
    renderer.node_renderer.hover_glyph = Circle(**node_style, fill_color="#ffdd57")
    renderer.edge_renderer.glyph = MultiLine(line_color="#8c8c8c", line_alpha=0.5, line_width="width")
    renderer.edge_renderer.hover_glyph = MultiLine(line_color="#d62728", line_width="width")
    renderer.inspection_policy = NodesAndLinkedEdges()
    plot.renderers.append(renderer)
    weight_name = f"sum of {weight_column}" if weight_column else "rows"
    plot.add_tools(
        HoverTool(
            renderers=[renderer], tooltips=[("node", "@name"), ("role", "@role"), ("connections", "@degree")]
        )
    )
    xs, ys = zip(*(layout[n] for n in graph), strict=True) if len(graph) else ((), ())
    names = list(graph)
    labelled = sorted(range(len(names)), key=lambda i: -degree[names[i]])[:40]
    labels = ColumnDataSource(
        {
            "x": [xs[i] for i in labelled],
            "y": [ys[i] for i in labelled],
            "name": text_column(pd.Series([names[i] for i in labelled]), 30),
        }
    )
    plot.add_layout(
        LabelSet(
            x="x",
            y="y",
            text="name",
            source=labels,
            text_font_size="8pt",
            x_offset=8,
            y_offset=4,
            text_color="#333333",
        )
    )
    plot.axis.visible = False
    plot.grid.visible = False
    note = f"Edges weighted by {weight_name}; node size by connections; colour: {source} / {target} / both."
    add_note(plot, note + (f" {left_out} less connected nodes left out." if left_out else ""))
    return BokehPlot(plot, title=title, height=height)
