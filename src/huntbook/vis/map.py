"""`plot_map`: IP addresses (placed by geo-IP) or coordinates on a Leaflet map that works offline.

Folium writes the map; its page would load Leaflet from a CDN, so the Leaflet
1.9.4 files vendored in ``assets/leaflet`` (npm package ``leaflet``, BSD-2)
are put inline instead and folium's other CDN links (jQuery, Bootstrap, icon
fonts: unused by circle markers and lines) are left out. Markers, popups,
layers and connection lines need no network; map tiles are drawn when the
tile server can be reached.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huntbook.display import visible
from huntbook.errors import MissingExtraError
from huntbook.vis._bokeh import PlotError, check_columns, check_not_empty, column_list, notebook_frame
from huntbook.vis._time import palette

if TYPE_CHECKING:
    import folium
    import pandas as pd

POPUP_ROWS = 8
"""Rows listed in one marker's popup (the rest are counted)."""
MAX_LAYERS = 20
MAX_MARKERS = 5_000
"""Most distinct places drawn per layer (the busiest)."""
CONNECTION_COLOUR = "#d62728"
OUTLINE_STYLE = {"color": "#9e9e9e", "weight": 0.7, "fillColor": "#f4f1ea", "fillOpacity": 1.0}
"""Countries drawn in sand on the sea-grey of an empty Leaflet map."""
LAT, LON = "latitude", "longitude"
JQUERY_SHIM = (
    "if (typeof window.$ === 'undefined') { window.$ = function (markup) {"
    " var t = document.createElement('template'); t.innerHTML = String(markup).trim();"
    " return [t.content.firstElementChild]; }; }"
)
"""Folium's popups call jQuery only as ``$(`<div>...</div>`)[0]`` (HTML to an element); this does the
same without loading jQuery from a CDN."""


class MapPlot:
    """A finished map: shows itself in a notebook and saves to one HTML file that opens offline.

    Attributes
    ----------
    folium_map : folium.Map
        The folium map, for further layers or styling.
    notes : list of str
        What could not be placed (e.g. private addresses).
    """

    def __init__(self, folium_map: folium.Map, *, title: str, height: int, notes: list[str]):
        self.folium_map = folium_map
        self.title = title
        self.height = height
        self.notes = notes

    def __repr__(self) -> str:
        return f"MapPlot(title={self.title!r}, notes={self.notes!r})"

    def to_html(self) -> str:
        """The map as a complete HTML page with Leaflet inline."""
        page: str = self.folium_map.get_root().render()
        return page

    def save(self, path: str | Path) -> Path:
        """Write the map to *path* as one HTML file that needs no network; return the path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.to_html(), encoding="utf-8")
        return out

    def _repr_html_(self) -> str:
        return notebook_frame(self.to_html(), self.height + 20)


def plot_map(
    data: pd.DataFrame,
    *,
    ip_column: str | None = None,
    lat_column: str | None = None,
    lon_column: str | None = None,
    popup_columns: Sequence[str] = (),
    layer_by: str | None = None,
    connections: tuple[str, str] | None = None,
    tiles: str | None = None,
    title: str = "Locations",
    height: int = 600,
) -> MapPlot:
    """Place rows on a map: by the geo-IP location of *ip_column*, or by *lat_column*/*lon_column*.

    Parameters
    ----------
    data : DataFrame
        The rows to place.
    ip_column : str, optional
        IP addresses to locate with `huntbook.enrich.geoip.geo_lookup` (offline data by default).
    lat_column, lon_column : str, optional
        Coordinates in degrees, when the rows already have them (instead of *ip_column*).
    popup_columns : list of str
        Columns listed in a marker's popup (one line per row at that place).
    layer_by : str, optional
        A column whose values each get a layer that can be switched on and off.
    connections : (str, str), optional
        Source and destination IP columns: a line joins their locations, thicker for more rows.
    tiles : str, optional
        A folium tile set (e.g. "OpenStreetMap") drawn when the tile server can be reached; the
        built-in country outlines are always there underneath.
    title : str
        Shown in the corner of the map and as the page title.
    height : int
        Height in pixels when shown in a notebook.

    Returns
    -------
    MapPlot
        Shows in a notebook; ``.save(path)`` writes a self-contained HTML file.
    """
    try:
        import folium
    except ImportError as exc:
        raise MissingExtraError("folium", "vis", feature="plot_map") from exc

    check_not_empty(data, what="plot_map")
    if ip_column is None and (lat_column is None or lon_column is None) and connections is None:
        raise PlotError(
            "plot_map needs ip_column=, or lat_column= and lon_column=, "
            "or connections=(source, destination); "
            f"the frame has: {column_list(data)}."
        )
    sources, targets = connections or (None, None)
    check_columns(
        data, [ip_column, lat_column, lon_column, *popup_columns, layer_by, sources, targets], what="plot_map"
    )
    notes: list[str] = []
    places = _locate(data, ip_column, lat_column, lon_column, notes) if ip_column or lat_column else None

    fmap = folium.Map(location=(20, 0), zoom_start=2, tiles=tiles, control_scale=True, prefer_canvas=True)
    _inline_leaflet(fmap)
    _add_outlines(fmap)
    if places is not None:
        _add_markers(fmap, places, popup_columns, layer_by)
    if connections is not None:
        _add_connections(fmap, data, sources, targets, layer_by, notes, markers=places is None)
    folium.LayerControl(collapsed=False).add_to(fmap)
    _add_title(fmap, title, notes)
    bounds = _bounds(fmap)
    if bounds:
        fmap.fit_bounds(bounds, padding=(20, 20), max_zoom=6)
        _refit_when_resized(fmap, bounds)
    _page(fmap).header.add_child(_literal_element(f"<title>{_text(title)}</title>"), name="title")
    return MapPlot(fmap, title=title, height=height, notes=notes)


def _refit_when_resized(fmap: folium.Map, bounds: list[list[float]]) -> None:
    """Measure the map again and fit the markers whenever its frame gets a new size.

    A map in a frame that is laid out late, hidden or collapsed starts at 0 x 0 and Leaflet draws
    nothing (a blank grey box); a ``ResizeObserver`` on the map's own box sees it get its real size.
    The script runs once the page is parsed: folium defines the map after this element.
    """
    import json

    import folium

    name = fmap.get_name()
    refit = (
        f"document.addEventListener('DOMContentLoaded', function () {{\n"
        f"  var map = {name}, box = map.getContainer(), seen = '';\n"
        "  function refit() { var size = box.clientWidth + 'x' + box.clientHeight;\n"
        "    if (!box.clientWidth || !box.clientHeight || size === seen) { return; }\n"
        "    seen = size; map.invalidateSize({animate: false});\n"
        f"    map.fitBounds({json.dumps(bounds)}, {{padding: [20, 20], maxZoom: 6, animate: false}}); }}\n"
        "  if (window.ResizeObserver) { new ResizeObserver(refit).observe(box); }\n"
        "  window.addEventListener('load', refit); window.addEventListener('resize', refit); refit();\n"
        "});"
    )
    _page(fmap).script.add_child(folium.Element(refit))


def _locate(
    data: pd.DataFrame, ip_column: str | None, lat: str | None, lon: str | None, notes: list[str]
) -> pd.DataFrame:
    """*data* with ``latitude``/``longitude`` (and ``place``), rows without a location dropped."""
    import pandas as pd

    frame = data.copy()
    if ip_column is not None:
        geo = _geo(frame[ip_column])
        frame[LAT] = frame[ip_column].astype("string").map(geo[LAT])
        frame[LON] = frame[ip_column].astype("string").map(geo[LON])
        frame["place"] = frame[ip_column].astype("string").map(geo["place"])
    else:
        assert lat is not None and lon is not None
        frame[LAT] = pd.to_numeric(frame[lat], errors="coerce")
        frame[LON] = pd.to_numeric(frame[lon], errors="coerce")
        frame["place"] = frame[LAT].round(3).astype(str) + ", " + frame[LON].round(3).astype(str)
    located = frame[frame[LAT].between(-90, 90) & frame[LON].between(-180, 180)]
    if len(located) < len(frame):
        reason = (
            "private, reserved or unknown addresses" if ip_column else "missing or out-of-range coordinates"
        )
        notes.append(f"{len(frame) - len(located):,} of {len(frame):,} rows not placed ({reason}).")
    return located


def _geo(ips: pd.Series) -> pd.DataFrame:
    """Latitude, longitude and a place name per distinct address, indexed by the address text."""
    from huntbook.enrich.geoip import geo_lookup

    distinct = ips.dropna().astype("string").unique().tolist()
    geo = geo_lookup(distinct) if distinct else None
    import pandas as pd

    if geo is None or geo.empty:
        return pd.DataFrame({LAT: [], LON: [], "place": []}, index=pd.Index([], dtype="string"))
    place = geo["country_name"].astype("string").fillna("")
    org = geo["as_org"].astype("string").fillna("")
    geo["place"] = (place + " · " + org).str.strip(" ·")
    return (
        geo.assign(ip=geo["ip"].astype("string")).drop_duplicates("ip").set_index("ip")[[LAT, LON, "place"]]
    )


def _add_markers(
    fmap: folium.Map, places: pd.DataFrame, popup_columns: Sequence[str], layer_by: str | None
) -> None:
    import folium

    layers = _layer_values(places, layer_by)
    colours = dict(zip(layers, palette(len(layers)), strict=False))
    for layer in layers:
        rows = (
            places
            if layer_by is None
            else places[places[layer_by].astype("string").fillna("(none)") == layer]
        )
        group = folium.FeatureGroup(name=_text(f"{layer_by}: {layer}" if layer_by else "locations"))
        spots = rows.groupby([LAT, LON], sort=False)
        spot: Any
        for spot, at in sorted(spots, key=lambda kv: -len(kv[1]))[:MAX_MARKERS]:
            lat, lon = spot
            folium.CircleMarker(
                location=(float(lat), float(lon)),
                radius=min(4 + len(at) ** 0.5, 22),
                color=colours[layer],
                fill=True,
                fill_opacity=0.6,
                weight=1.5,
                tooltip=_text(f"{at['place'].iloc[0]} ({len(at):,} rows)"),
                popup=folium.Popup(_popup(at, popup_columns), max_width=450),
            ).add_to(group)
        group.add_to(fmap)


def _layer_values(frame: pd.DataFrame, layer_by: str | None) -> list[str]:
    if layer_by is None:
        return ["locations"]
    return frame[layer_by].astype("string").fillna("(none)").value_counts().index[:MAX_LAYERS].tolist()


def _popup(rows: pd.DataFrame, columns: Sequence[str]) -> str:
    """An HTML table of *columns* for the first `POPUP_ROWS` rows, every value escaped."""
    header = f"<b>{_text(str(rows['place'].iloc[0]))}</b> — {len(rows):,} rows"
    if not columns:
        return header
    head = "".join(f"<th>{_text(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(_short(v))}</td>" for v in row) + "</tr>"
        for row in rows[list(columns)].head(POPUP_ROWS).itertuples(index=False)
    )
    more = f"<i>... and {len(rows) - POPUP_ROWS:,} more</i>" if len(rows) > POPUP_ROWS else ""
    return f"{header}<table style='font-size:11px'><tr>{head}</tr>{body}</table>{more}"


def _text(value: str) -> str:
    """*value* escaped for HTML, for the JavaScript template literals folium writes it into (so
    ``${...}``, backquotes and backslashes in data stay text) and for the Jinja templates folium builds
    from it (its layer control renders the layer names as a template: braces become entities), with
    control and invisible characters as visible escapes (`huntbook.display.visible`)."""
    escaped = html.escape(visible(value), quote=True)
    for char, entity in (("\\", "&#92;"), ("$", "&#36;"), ("`", "&#96;"), ("{", "&#123;"), ("}", "&#125;")):
        escaped = escaped.replace(char, entity)
    return escaped


def _short(value: object, limit: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _add_connections(
    fmap: folium.Map,
    data: pd.DataFrame,
    sources: Any,
    targets: Any,
    layer_by: str | None,
    notes: list[str],
    *,
    markers: bool,
) -> None:
    """One line per distinct pair of located places, weighted by the rows between them."""
    import folium
    import pandas as pd

    geo = _geo(pd.concat([data[sources], data[targets]], ignore_index=True))
    pairs = pd.DataFrame(
        {
            "src": data[sources].astype("string"),
            "dst": data[targets].astype("string"),
        }
    )
    for end in ("src", "dst"):
        pairs[f"{end}_lat"] = pairs[end].map(geo[LAT])
        pairs[f"{end}_lon"] = pairs[end].map(geo[LON])
        pairs[f"{end}_place"] = pairs[end].map(geo["place"])
    placed = pairs.dropna(subset=["src_lat", "src_lon", "dst_lat", "dst_lon"])
    if len(placed) < len(pairs):
        notes.append(
            f"{len(pairs) - len(placed):,} of {len(pairs):,} connections not drawn (an end not located)."
        )
    links = placed.groupby(["src_lat", "src_lon", "dst_lat", "dst_lon"], sort=False).agg(
        rows=("src", "size"),
        src=("src", "first"),
        dst=("dst", "first"),
        src_place=("src_place", "first"),
        dst_place=("dst_place", "first"),
    )
    group = folium.FeatureGroup(name=f"connections {_text(str(sources))} → {_text(str(targets))}")
    top = links["rows"].max() if len(links) else 1
    corners: Any
    for corners, link in links.nlargest(MAX_MARKERS, "rows").iterrows():
        lat1, lon1, lat2, lon2 = corners
        ends = f"{link['src']} ({link['src_place']}) → {link['dst']} ({link['dst_place']})"
        tip = f"{ends}: {link['rows']:,} rows"
        folium.PolyLine(  # type: ignore[no-untyped-call]
            [(lat1, lon1), (lat2, lon2)],
            color=CONNECTION_COLOUR,
            opacity=0.6,
            weight=1.5 + 5 * link["rows"] / top,
            tooltip=_text(tip),
        ).add_to(group)
    group.add_to(fmap)
    if markers:  # no ip_column: mark both ends of the connections
        for end, colour in (("src", "#1f77b4"), ("dst", "#ff7f0e")):
            spots = placed.groupby([f"{end}_lat", f"{end}_lon"], sort=False).agg(
                rows=(end, "size"), ip=(end, "first"), place=(f"{end}_place", "first")
            )
            layer = folium.FeatureGroup(name=_text(str(sources if end == "src" else targets)))
            where: Any
            for where, spot in spots.nlargest(MAX_MARKERS, "rows").iterrows():
                lat, lon = where
                folium.CircleMarker(
                    (lat, lon),
                    radius=min(4 + spot["rows"] ** 0.5, 22),
                    color=colour,
                    fill=True,
                    fill_opacity=0.6,
                    weight=1.5,
                    tooltip=_text(f"{spot['ip']} ({spot['place']}): {spot['rows']:,} rows"),
                ).add_to(layer)
            layer.add_to(fmap)


def _add_outlines(fmap: folium.Map) -> None:
    """Country outlines in a pane under the tiles: the map's background when no tiles load."""
    import folium

    from huntbook.vis._world import country_outlines

    folium.map.CustomPane("outlines", z_index=150).add_to(fmap)
    folium.GeoJson(
        country_outlines(),
        name="country outlines",
        pane="outlines",
        control=False,
        smooth_factor=1.0,
        style_function=lambda _: OUTLINE_STYLE,
        highlight_function=None,
        interactive=False,
    ).add_to(fmap)


def _add_title(fmap: folium.Map, title: str, notes: list[str]) -> None:

    lines = "".join(f"<div style='font-size:11px;color:#555'>{_text(n)}</div>" for n in notes)
    box = (
        "<div style='position:absolute;top:10px;left:54px;z-index:1000;background:rgba(255,255,255,.85);"
        f"padding:4px 8px;border-radius:4px;font:13px sans-serif'><b>{_text(title)}</b>{lines}</div>"
    )
    _page(fmap).html.add_child(_literal_element(box))


def _literal_element(markup: str) -> Any:
    """A folium element that writes *markup* as it is: ``folium.Element(markup)`` would render it as a
    Jinja template, running any ``{{ }}`` or ``{% %}`` the data put in it."""
    import folium

    class Literal(folium.Element):
        def __init__(self, markup: str):
            super().__init__("{{ this.markup }}")
            self.markup = markup

    return Literal(markup)


def _bounds(fmap: folium.Map) -> list[list[float]]:
    """South-west and north-east corners around every marker and line."""
    points: list[tuple[float, float]] = []
    for child in _walk(fmap):
        locations = getattr(child, "locations", None) or ([child.location] if _is_marker(child) else [])
        points += [(float(p[0]), float(p[1])) for p in locations]
    if not points:
        return []
    lats, lons = zip(*points, strict=True)
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _is_marker(element: object) -> bool:
    import folium

    return isinstance(element, folium.CircleMarker)


def _page(fmap: folium.Map) -> Any:
    """The folium Figure (whole page) the map sits in."""
    return fmap.get_root()


def _walk(element: Any) -> list[Any]:
    found = []
    for child in element._children.values():
        found.append(child)
        found += _walk(child)
    return found


def _inline_leaflet(fmap: folium.Map) -> None:
    """Put Leaflet's JavaScript and CSS into the page instead of folium's CDN links."""

    fmap.default_js = []
    fmap.default_css = []
    script, style = _leaflet_assets()
    header = _page(fmap).header
    header.add_child(_literal_element(f"<style>{style}</style>"), name="leaflet_css")
    header.add_child(
        _literal_element(f"<script>{script}</script><script>{JQUERY_SHIM}</script>"), name="leaflet"
    )


@cache
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script, and its stylesheet with the images it names as data: URIs."""
    folder = resources.files("huntbook.vis") / "assets" / "leaflet"
    script = (folder / "leaflet.js").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = (folder / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(image).decode('ascii')})"

    style = re.sub(
        r"url\(images/([\w.-]+\.png)\)", inline, (folder / "leaflet.css").read_text(encoding="utf-8")
    )
    return script.replace("</script", "<\\/script"), style
