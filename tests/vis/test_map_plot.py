"""`plot_map`: geo-IP and coordinate placement, popups, layers, connections, an offline page in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("folium")

import folium

from huntbook.vis import PlotError, plot_map

HOSTILE = "${alert(1)} `tick` C:\\users\\x </script><img src=x onerror=alert(2)>"


def markers(plot: Any) -> list[Any]:
    found, stack = [], [plot.folium_map]
    while stack:
        element = stack.pop()
        stack += list(element._children.values())
        if isinstance(element, folium.CircleMarker):
            found.append(element)
    return found


def test_ip_addresses_are_placed_by_geo_ip_one_marker_per_place_and_layer(lake_table: Any) -> None:
    network = lake_table("DeviceNetworkEvents")
    plot = plot_map(
        network, ip_column="RemoteIP", popup_columns=["DeviceName", "RemoteUrl"], layer_by="Protocol"
    )
    unplaced = int(plot.notes[0].split(" of ")[0].replace(",", ""))
    assert (
        (network["RemoteIPType"] == "Private").sum() <= unplaced < len(network)
    )  # also documentation ranges
    places = {(m.location[0], m.location[1]) for m in markers(plot)}
    assert len(places) >= 3  # several countries' centres
    html = plot.to_html()
    assert "contoso.com" in html and "Protocol: Tcp" in html


def test_coordinates_from_columns_and_hostile_text_stays_text(
    tmp_path: Path, lake_table: Any, render_html: Any
) -> None:
    signins = lake_table("SigninLogs").head(400)
    where = signins["LocationDetails"].map(lambda s: json.loads(s)["geoCoordinates"])
    signins["lat"], signins["lon"] = where.map(lambda g: g["latitude"]), where.map(lambda g: g["longitude"])
    signins.loc[signins.index[0], "UserPrincipalName"] = HOSTILE
    plot = plot_map(
        signins,
        lat_column="lat",
        lon_column="lon",
        popup_columns=["UserPrincipalName", "AppDisplayName"],
        layer_by="ResultType",
        title="Sign-ins",
    )
    path = plot.save(tmp_path / "signins_map.html")
    html = path.read_text(encoding="utf-8")
    assert "${alert" not in html and "<img src=x" not in html and "&#36;&#123;alert(1)&#125;" in html
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?:', html) == []  # nothing from a CDN
    shown = render_html(path)
    assert shown.console_problems == [], shown.console
    assert len(shown.colours_seen(["#1f77b4", "#ff7f0e"])) == 2  # both ResultType layers drawn
    assert shown.colours_seen(["#f4f1ea"], min_pixels=50_000)  # the offline country outlines


def test_connections_join_the_located_ends(tmp_path: Path, lake_table: Any, render_html: Any) -> None:
    remote = lake_table("DeviceNetworkEvents").query("RemoteIPType == 'Public'")["RemoteIP"].drop_duplicates()
    ips = remote.tolist()
    pairs = pd.DataFrame({"src": [*ips[:-1], "10.0.0.1"], "dst": [*ips[1:], ips[0]]})
    plot = plot_map(pairs, connections=("src", "dst"), title="Connections")
    lines = [
        e
        for e in plot.folium_map._children.values()
        if isinstance(e, folium.FeatureGroup)
        for line in e._children.values()
        if isinstance(line, folium.PolyLine)
    ]
    assert 1 <= len(lines) <= len(pairs) - 1
    assert "connections not drawn (an end not located)" in plot.notes[-1]
    path = plot.save(tmp_path / "connections_map.html")
    shown = render_html(path)
    assert shown.console_problems == [], shown.console
    assert shown.colours_seen(["#ff7f0e"])  # destination markers (the lines are translucent)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs ip_column=, or lat_column= and lon_column="),
        ({"ip_column": "Address"}, "no column 'Address'; the frame has: ip, who"),
        ({"ip_column": "ip", "layer_by": "Team"}, "no column 'Team'"),
    ],
)
def test_bad_map_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PlotError, match=message):
        plot_map(pd.DataFrame({"ip": ["8.8.8.8"], "who": ["x"]}), **kwargs)
