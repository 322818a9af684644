"""Lookups in MaxMind GeoIP2/GeoLite2 ``.mmdb`` files (City, Country or ASN) through ``geoip2``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huntbook.errors import HuntbookError, MissingExtraError


class MaxMindDatabaseError(HuntbookError):
    """A MaxMind database file is missing, unreadable or of an unsupported kind."""

    def __init__(self, message: str, *, path: str):
        self.path = path
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class MaxMindRecord:
    """What one database knows about one address (empty fields where it knows nothing)."""

    country_code: str = ""
    country_name: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    asn: int | None = None
    as_org: str = ""
    network: str = ""


class MaxMindDatabase:
    """One open ``.mmdb`` file; the kind (City, Country, ASN) is read from its metadata."""

    def __init__(self, path: str | Path):
        try:
            import geoip2.database
            import maxminddb
        except ImportError:
            raise MissingExtraError("geoip2", "geo", feature="MaxMind .mmdb lookups") from None
        self.path = Path(path).expanduser()
        if not self.path.is_file():
            raise MaxMindDatabaseError(
                "no such file. Give the path of a GeoLite2/GeoIP2 .mmdb file, or download one with "
                "huntbook.enrich.geoip.download_maxmind (needs a MaxMind account ID and licence key).",
                path=str(self.path),
            )
        try:
            self._reader = geoip2.database.Reader(str(self.path))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise MaxMindDatabaseError(f"not a readable MaxMind database ({exc})",
                                       path=str(self.path)) from None
        self.database_type: str = self._reader.metadata().database_type
        kind = next((k for k in ("City", "Country", "ASN") if k in self.database_type), None)
        if kind is None:
            self._reader.close()
            raise MaxMindDatabaseError(
                f"database type '{self.database_type}' is not supported; use a City, Country or ASN database",
                path=str(self.path),
            )
        self.kind = kind
        from datetime import UTC, datetime

        built = datetime.fromtimestamp(self._reader.metadata().build_epoch, UTC).date().isoformat()
        self.source = f"maxmind ({self.database_type}, built {built})"

    def close(self) -> None:
        """Close the file."""
        self._reader.close()

    def __enter__(self) -> MaxMindDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lookup(self, address: str) -> MaxMindRecord | None:
        """Return the record for *address*, or ``None`` when the database has none."""
        import geoip2.errors

        try:
            if self.kind == "ASN":
                asn = self._reader.asn(address)
                return MaxMindRecord(asn=asn.autonomous_system_number,
                                     as_org=asn.autonomous_system_organization or "",
                                     network=str(asn.network or ""))
            found: Any = self._reader.city(address) if self.kind == "City" else self._reader.country(address)
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return None
        city = getattr(found, "city", None)
        location = getattr(found, "location", None)
        return MaxMindRecord(
            country_code=found.country.iso_code or "",
            country_name=found.country.name or "",
            city=(city.name or "") if city is not None else "",
            latitude=location.latitude if location is not None else None,
            longitude=location.longitude if location is not None else None,
            network=str(getattr(found.traits, "network", "") or ""),
        )
