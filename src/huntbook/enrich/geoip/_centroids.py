"""Approximate coordinates of a country (its centre point), so country-level results still map.

The table is ``huntbook/enrich/data/country_centroids.csv``; its header names
the source and licence.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

CENTROIDS_FILE = "country_centroids.csv"


@lru_cache(maxsize=1)
def country_centroids() -> dict[str, tuple[float, float]]:
    """Return ``{ISO alpha-2 code: (latitude, longitude)}``."""
    text = resources.files("huntbook.enrich").joinpath("data", CENTROIDS_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["country"]: (float(row["latitude"]), float(row["longitude"])) for row in rows}
