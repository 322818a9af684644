"""AlienVault OTX (LevelBlue Open Threat Exchange) indicator ``general`` sections.

Wire format: https://otx.alienvault.com/api (DirectConnect API v1,
``GET /api/v1/indicators/{IPv4|IPv6|domain|url|file}/{indicator}/general``, key in
``X-OTX-API-KEY``; the answer holds ``pulse_info.count``/``pulses`` and
``validation``). Cross-checked with msticpy's ``alienvault_otx.py`` (same paths,
same header, verdict from the pulse count).
"""

from __future__ import annotations

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
    names,
    number,
    objects,
    strings,
)

if TYPE_CHECKING:
    import httpx

_SECTION = {
    "ipv4": "IPv4",
    "ipv6": "IPv6",
    "domain": "domain",
    "url": "url",
    **dict.fromkeys(HASH_TYPES, "file"),
}
_PAGE = {"ipv4": "ip", "ipv6": "ip", "domain": "domain", "url": "url", **dict.fromkeys(HASH_TYPES, "file")}


class OTX(OnlineProvider):
    """AlienVault OTX (key in the ``X-OTX-API-KEY`` header).

    Verdict from the number of pulses (community threat reports) naming the indicator:

    - 2 or more pulses: ``malicious`` / ``high``
    - 1 pulse: ``suspicious`` / ``medium``
    - in pulses but also on an OTX allow-list (``validation``): ``suspicious`` / ``low``
    - no pulse, on an allow-list: ``benign`` / ``none``
    - no pulse: ``unknown`` / ``none``

    A 404 means OTX has no page for the indicator.
    """

    name = "otx"
    base_url = "https://otx.alienvault.com"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        ioc_type: Endpoint(f"/api/v1/indicators/{section}/{{observable}}/general")
        for ioc_type, section in _SECTION.items()
    }
    key_header = "X-OTX-API-KEY"
    error_fields = ("detail", "message", "error")
    malicious_pulses: ClassVar[int] = 2
    """Pulses from which the verdict is ``malicious``."""

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read the pulse count and allow-list entries of an OTX ``general`` section."""
        answer = as_object(payload, self.name)
        pulse_info = as_object(answer.get("pulse_info"), self.name, "'pulse_info'")
        pulses = objects(pulse_info.get("pulses"), "pulse_info.pulses", self.name)
        count = int(number(pulse_info.get("count"), "pulse_info.count", self.name) or len(pulses))
        allow = [
            clip(entry.get("message") or entry.get("name") or entry.get("source") or "allow-listed", 80)
            for entry in objects(answer.get("validation"), "validation", self.name)
        ]
        verdict, severity = self._judge(count, bool(allow))
        pulse_names = [p["name"] for p in pulses if isinstance(p.get("name"), str)]
        tags = sorted({t for p in pulses for t in strings(p.get("tags"), "pulses.tags", self.name)})
        families = _families(pulse_info, self.name)
        if count:
            summary = f"OTX: in {count} pulse{'s' if count != 1 else ''}"
            if families:
                summary += f" (malware: {names(families, limit=3)})"
            elif pulse_names:
                summary += f" ({names(pulse_names, limit=2)})"
        else:
            summary = "OTX: in no pulse"
        if allow:
            summary += f"; allow-listed: {names(allow, limit=2)}"
        details = {
            "pulse_count": count,
            "pulses": [clip(n, 120) for n in pulse_names[:10]],
            "tags": tags[:20],
            "malware_families": families,
            "allow_list": allow,
            "reputation": get(answer, "reputation", (int, float), self.name),
            "country": get(answer, "country_name", str, self.name),
            "asn": get(answer, "asn", str, self.name),
        }
        reference = f"https://otx.alienvault.com/indicator/{_PAGE[ioc_type]}/{quote(observable, safe='')}"
        return Assessment(verdict, severity, summary, reference, details)

    def _judge(self, pulses: int, allow_listed: bool) -> tuple[Verdict, Severity]:
        if pulses and allow_listed:
            return "suspicious", "low"
        if pulses >= self.malicious_pulses:
            return "malicious", "high"
        if pulses:
            return "suspicious", "medium"
        return ("benign", "none") if allow_listed else ("unknown", "none")


def _families(pulse_info: Mapping[str, Any], provider: str) -> list[str]:
    """Malware family names from ``pulse_info.related.{alienvault,other}.malware_families``."""
    related = get(pulse_info, "related", Mapping, provider) or {}
    found: list[str] = []
    for source in ("alienvault", "other"):
        group = get(related, source, Mapping, provider) or {}
        for family in get(group, "malware_families", list, provider) or []:
            name = family.get("display_name") if isinstance(family, Mapping) else family
            if isinstance(name, str) and name and name not in found:
                found.append(clip(name, 60))
    return found[:10]
