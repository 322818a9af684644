"""VirusTotal API v3: IP addresses, domains, URLs and files.

Wire format: https://docs.virustotal.com/reference/overview (objects ``ip-object``,
``domains-object``, ``url-object``, ``files``; ``last_analysis_stats``), URL
identifiers https://docs.virustotal.com/reference/url (unpadded URL-safe base64),
errors https://docs.virustotal.com/reference/errors (``{"error": {"code", "message"}}``,
404 ``NotFoundError``). Cross-checked with msticpy's ``virustotal.py`` (which uses v2).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from huntbook.enrich.ti.provider import Assessment, Endpoint, Severity, Verdict
from huntbook.enrich.ti.providers.online._common import (
    HASH_TYPES,
    OnlineProvider,
    as_object,
    clip,
    get,
    number,
    strings,
)

if TYPE_CHECKING:
    import httpx

_GUI = "https://www.virustotal.com/gui"
_FILE = Endpoint("/api/v3/files/{observable}")
_IP = Endpoint("/api/v3/ip_addresses/{observable}")
_VERDICT_COUNTS = ("harmless", "malicious", "suspicious", "undetected")
"""Engines that gave a verdict (VirusTotal's own denominator leaves out timeouts and unsupported)."""


class VirusTotal(OnlineProvider):
    """VirusTotal v3 (key in the ``x-apikey`` header; the public API allows 4 requests a minute).

    Verdict from ``last_analysis_stats`` (engines that flag the object):

    Engines count when they gave a verdict (harmless, malicious, suspicious, undetected).

    - 3 or more engines say malicious: ``malicious`` / ``high``
    - 1-2 say malicious: ``suspicious`` / ``medium``
    - none malicious, some suspicious: ``suspicious`` / ``low``
    - none malicious or suspicious, some harmless or undetected: ``benign`` / ``none``
    - never analysed (all counts 0): ``unknown`` / ``info``

    A 404 (``NotFoundError``) means VirusTotal has never seen the object.
    """

    name = "virustotal"
    base_url = "https://www.virustotal.com"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "ipv4": _IP,
        "ipv6": _IP,
        "domain": Endpoint("/api/v3/domains/{observable}"),
        "url": Endpoint("/api/v3/urls/{observable_b64}"),
        **dict.fromkeys(HASH_TYPES, _FILE),
    }
    key_header = "x-apikey"
    requests_per_minute = 4
    malicious_engines: ClassVar[int] = 3
    """Engines flagging malicious from which the verdict is ``malicious``."""

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read a VirusTotal object's analysis stats into an Assessment."""
        data = as_object(as_object(payload, self.name).get("data"), self.name, "'data'")
        attributes = as_object(data.get("attributes"), self.name, "'data.attributes'")
        stats = as_object(attributes.get("last_analysis_stats") or {}, self.name, "'last_analysis_stats'")
        counts = {key: int(number(value, key, self.name) or 0) for key, value in stats.items()}
        malicious, suspicious = counts.get("malicious", 0), counts.get("suspicious", 0)
        total = sum(counts.get(key, 0) for key in _VERDICT_COUNTS)
        verdict, severity = self._judge(malicious, suspicious, total)
        if total == 0:
            summary = "VirusTotal: known, but no engine has analysed it"
        else:
            summary = f"VirusTotal: {malicious}/{total} engines flag it malicious"
            if suspicious:
                summary += f", {suspicious} suspicious"
        label = _threat_label(attributes, self.name)
        if label:
            summary += f" ({clip(label, 60)})"
        details = {
            "malicious": malicious,
            "suspicious": suspicious,
            "engines": total,
            "reputation": get(attributes, "reputation", int, self.name),
            "last_analysis": _timestamp(get(attributes, "last_analysis_date", (int, float), self.name)),
            "tags": strings(attributes.get("tags"), "tags", self.name)[:20],
            **_type_details(ioc_type, attributes, self.name),
        }
        if label:
            details["threat_label"] = label
        object_id = get(data, "id", str, self.name) or observable
        return Assessment(verdict, severity, summary, _reference(ioc_type, observable, object_id), details)

    def _judge(self, malicious: int, suspicious: int, total: int) -> tuple[Verdict, Severity]:
        if malicious >= self.malicious_engines:
            return "malicious", "high"
        if malicious:
            return "suspicious", "medium"
        if suspicious:
            return "suspicious", "low"
        return ("benign", "none") if total else ("unknown", "info")


def _threat_label(attributes: Mapping[str, Any], provider: str) -> str | None:
    popular = get(attributes, "popular_threat_classification", Mapping, provider)
    if not popular:
        return None
    label = get(popular, "suggested_threat_label", str, provider)
    return str(label) if label else None


def _type_details(ioc_type: str, attributes: Mapping[str, Any], provider: str) -> dict[str, Any]:
    if ioc_type in ("ipv4", "ipv6"):
        fields: tuple[tuple[str, type | tuple[type, ...]], ...] = (
            ("country", str),
            ("asn", int),
            ("as_owner", str),
            ("network", str),
        )
    elif ioc_type == "domain":
        fields = (("registrar", str), ("categories", Mapping), ("creation_date", (int, float)))
    elif ioc_type == "url":
        fields = (("last_final_url", str), ("title", str), ("categories", Mapping))
    else:
        fields = (("meaningful_name", str), ("type_description", str), ("size", int), ("sha256", str))
    found = {key: get(attributes, key, kind, provider) for key, kind in fields}
    if "creation_date" in found:
        found["creation_date"] = _timestamp(found["creation_date"])
    return found


def _timestamp(value: float | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(value, datetime.UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _reference(ioc_type: str, observable: str, object_id: str) -> str:
    if ioc_type in ("ipv4", "ipv6"):
        return f"{_GUI}/ip-address/{quote(observable, safe='')}"
    if ioc_type == "domain":
        return f"{_GUI}/domain/{quote(observable, safe='')}"
    if ioc_type == "url":  # the object id is the SHA-256 of the canonical URL
        return f"{_GUI}/url/{quote(object_id, safe='')}"
    return f"{_GUI}/file/{quote(observable, safe='')}"
