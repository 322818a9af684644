"""Country outlines for maps without a network: Natural Earth 1:110m, vendored as TopoJSON (world-atlas)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np


@cache
def country_outlines() -> dict[str, Any]:
    """The world's countries as a GeoJSON FeatureCollection (name in ``properties.name``)."""
    topology = json.loads(
        (resources.files("huntbook.vis") / "assets" / "world-atlas" / "countries-110m.json").read_text(
            "utf-8"
        )
    )
    arcs = _decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("properties", {}).get("name") == "Antarctica":
            continue  # a band along the bottom edge of the map, and no addresses there
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        coordinates = [[_ring(ring, arcs) for ring in polygon] for polygon in polygons]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": geometry.get("properties", {}).get("name", "")},
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _decode_arcs(topology: dict[str, Any]) -> list[list[list[float]]]:
    """Quantized, delta-encoded arcs to longitude/latitude points (rounded to 0.01 degree)."""
    scale = np.array(topology["transform"]["scale"])
    shift = np.array(topology["transform"]["translate"])
    return [
        np.round(np.cumsum(np.array(arc, dtype=np.float64), axis=0) * scale + shift, 2).tolist()
        for arc in topology["arcs"]
    ]


def _ring(indexes: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    """One closed ring from its arcs; a negative index ``~i`` is arc *i* reversed."""
    points: list[list[float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points += arc if not points else arc[1:]
    longitudes = np.array([p[0] for p in points])
    if (
        len(longitudes) > 1 and np.abs(np.diff(longitudes)).max() > 180
    ):  # crosses the date line (Russia, Fiji)
        points = [[lon + 360 if lon < 0 else lon, lat] for lon, lat in points]
    return points
