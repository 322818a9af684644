"""Geo-IP: country, AS and approximate location of IP addresses, offline by default.

`geo_lookup` classifies special-purpose addresses (private, loopback, CGNAT,
documentation, multicast, ...) without looking them up, and locates the rest:

- offline, from the GeoLite2-derived data file the ``geoip2fast`` package ships
  (country, AS organisation and networks), with the country's centre point as
  coordinates so maps still work;
- from MaxMind GeoLite2/GeoIP2 City/Country and ASN ``.mmdb`` files when you have
  them (``city_db`` / ``asn_db`` arguments, or ``providers.maxmind.city_db`` /
  ``asn_db`` in ``huntbook.yaml``); `download_maxmind` fetches them with a licence key.
  Addresses a file does not know fall back to the offline data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huntbook.enrich.geoip._download import (
    MaxMindConfig,
    MaxMindDownloadError,
    default_database_folder,
    download_maxmind,
    maxmind_config,
)
from huntbook.enrich.geoip._maxmind import MaxMindDatabase, MaxMindDatabaseError
from huntbook.enrich.geoip._offline import GeoDataError

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.config import Settings
    from huntbook.enrich.geoip._addresses import ParsedAddresses

__all__ = [
    "GEO_COLUMNS",
    "GeoDataError",
    "MaxMindConfig",
    "MaxMindDatabase",
    "MaxMindDatabaseError",
    "MaxMindDownloadError",
    "default_database_folder",
    "download_maxmind",
    "geo_lookup",
    "maxmind_config",
]

#: The columns of `geo_lookup`'s result, in order.
GEO_COLUMNS = (
    "ip", "ip_version", "ip_class", "country_code", "country_name", "city", "latitude", "longitude",
    "location_precision", "asn", "as_org", "network", "source", "status",
)


def _as_list(ips: str | Iterable[object] | pd.Series) -> list[object]:
    if isinstance(ips, str):
        return [ips]
    return list(ips)


def _configured_databases(settings: Settings | None) -> tuple[Path | None, Path | None]:
    config = maxmind_config(settings)
    if config is None:
        return None, None
    folder = config.folder or default_database_folder()

    def pick(given: Path | None, edition: str) -> Path | None:
        return given or ((folder / f"{edition}.mmdb") if (folder / f"{edition}.mmdb").is_file() else None)

    return pick(config.city_db, "GeoLite2-City"), pick(config.asn_db, "GeoLite2-ASN")


def _overlay_maxmind(cols: dict[str, Any], db_path: str | Path, parsed: ParsedAddresses,
                     is_global: Any, geo_src: Any, as_src: Any) -> None:
    """Replace the offline values of global addresses with what one .mmdb file knows."""
    import numpy as np

    from huntbook.enrich.geoip._addresses import format_address
    from huntbook.enrich.geoip._centroids import country_centroids

    with MaxMindDatabase(db_path) as db:
        for i in np.flatnonzero(is_global).tolist():
            rec = db.lookup(format_address(int(parsed.version[i]), int(parsed.hi[i]), int(parsed.lo[i])))
            if rec is None:
                continue
            if db.kind == "ASN":
                cols["asn"][i] = rec.asn if rec.asn is not None else np.nan
                cols["as_org"][i], as_src[i] = rec.as_org, db.source
                continue
            lat, lon = country_centroids().get(rec.country_code, (np.nan, np.nan))
            precision = "" if np.isnan(lat) else "country"
            if rec.latitude is not None and rec.longitude is not None:
                lat, lon, precision = rec.latitude, rec.longitude, "city"
            for key, value in (("country_code", rec.country_code), ("country_name", rec.country_name),
                               ("city", rec.city), ("network", rec.network), ("latitude", lat),
                               ("longitude", lon), ("location_precision", precision)):
                cols[key][i] = value
            geo_src[i] = db.source


def geo_lookup(
    ips: str | Iterable[object] | pd.Series,
    *,
    city_db: str | Path | None = None,
    asn_db: str | Path | None = None,
    offline_only: bool = False,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Locate IP addresses: one row per input, in input order, never raising for bad input.

    Parameters
    ----------
    ips : str, list or Series
        Addresses (IPv4, IPv6, IPv4-mapped IPv6, link-local with a zone id).
    city_db, asn_db : path, optional
        MaxMind City (or Country) and ASN ``.mmdb`` files; default from
        ``providers.maxmind`` in the config, else none (offline data only).
    offline_only : bool
        Ignore configured MaxMind files and use the bundled data only.
    settings : Settings, optional
        Configuration to read ``providers.maxmind`` from (default: `load_settings`).

    Returns
    -------
    DataFrame
        Columns `GEO_COLUMNS`. ``ip_class`` is ``global`` or the special range the
        address is in (``private``, ``loopback``, ``cgnat``, ``documentation``,
        ``link_local``, ``multicast``, ``reserved``, ...), or ``invalid``.
        ``location_precision`` is ``city`` (from a City database), ``country``
        (a country centre point) or empty. ``status`` is ``ok``, ``not found``,
        ``not looked up (<class>)`` or ``invalid: <why>``.

    Raises
    ------
    MaxMindDatabaseError
        A given ``.mmdb`` path does not exist or is not a MaxMind database.
    """
    import numpy as np
    import pandas as pd

    from huntbook.enrich.geoip._addresses import parse_addresses
    from huntbook.enrich.geoip._offline import load_offline_data
    from huntbook.enrich.geoip._special import GLOBAL, classify

    values = _as_list(ips)
    if not offline_only and city_db is None and asn_db is None:
        city_db, asn_db = _configured_databases(settings)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    unique_values = list(uniques)
    parsed = parse_addresses(unique_values)
    ip_class = classify(parsed)
    ip_class[parsed.version == 0] = "invalid"
    is_global = ip_class == GLOBAL
    n = len(unique_values)

    data = load_offline_data()
    crow = data.countries.ranges.find(parsed, is_global)
    arow = data.asns.ranges.find(parsed, is_global)
    cidx = data.countries.value[crow]
    latitude = data.latitude[cidx]
    cols: dict[str, Any] = {
        "country_code": data.country_code[cidx], "country_name": data.country_name[cidx],
        "city": np.full(n, "", dtype=object), "latitude": latitude, "longitude": data.longitude[cidx],
        "location_precision": np.where(np.isnan(latitude), "", "country").astype(object),
        "asn": np.full(n, np.nan), "as_org": data.asns.value[arow], "network": data.countries.networks(crow),
        "source": np.where((crow >= 0) | (arow >= 0), data.source, "").astype(object),
    }
    only_as = (crow < 0) & (arow >= 0)
    cols["network"][only_as] = data.asns.networks(np.where(only_as, arow, -1))[only_as]
    if city_db is not None or asn_db is not None:
        geo_src = np.where(crow >= 0, data.source, "").astype(object)
        as_src = np.where(arow >= 0, data.source, "").astype(object)
        for db_path in (city_db, asn_db):
            if db_path is not None:
                _overlay_maxmind(cols, db_path, parsed, is_global, geo_src, as_src)
        pairs = zip(geo_src.tolist(), as_src.tolist(), strict=True)
        cols["source"] = np.array([g if a in ("", g) else (f"{g}; {a}" if g else a) for g, a in pairs],
                                  dtype=object)

    found = (cols["country_code"] != "") | (cols["as_org"] != "")
    status = np.where(found, "ok", "not found").astype(object)
    special = ~is_global & (parsed.version > 0)
    status[special] = np.char.add("not looked up (", ip_class[special].astype(str)).astype(object) + ")"
    bad = parsed.version == 0
    status[bad] = np.array(parsed.problem, dtype=object)[bad]

    version = np.where(bad, 0, parsed.version)
    per_unique = {"ip_version": version, "ip_class": ip_class, **cols, "status": status}
    if not (n == len(values) and bool((codes == np.arange(n)).all())):  # back to input order
        per_unique = {key: column[codes] for key, column in per_unique.items()}
    version = per_unique["ip_version"].astype(np.int8)
    per_unique["ip_version"] = pd.arrays.IntegerArray(version, mask=version == 0)
    per_unique["asn"] = pd.array(per_unique["asn"], dtype="Int64")
    return pd.DataFrame({"ip": pd.Series(values, dtype=object), **per_unique})[list(GEO_COLUMNS)]
