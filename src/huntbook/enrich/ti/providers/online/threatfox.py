"""abuse.ch ThreatFox: IOCs (C2 addresses, domains, URLs, payload hashes) tied to malware families.

Wire format: https://threatfox.abuse.ch/api/#search-ioc (``POST /api/v1/`` with the
JSON body ``{"query": "search_ioc", "search_term": ...}``; key in the ``Auth-Key``
header; answer ``{"query_status": "ok", "data": [{id, ioc, threat_type, ioc_type,
malware_printable, confidence_level, first_seen, last_seen, tags, ...}]}``,
``no_result`` when nothing matches). Request shape as in abuse.ch's own sample
script abusech/ThreatFox ``threatfox_search_ioc.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.enrich.ti.provider import Assessment, Endpoint, NotFound, Severity, Verdict
from huntbook.enrich.ti.providers.online._abusech import AbuseChProvider
from huntbook.enrich.ti.providers.online._common import clip, get, number, objects, strings

if TYPE_CHECKING:
    import httpx

_SEARCH = Endpoint("/api/v1/", method="POST", json={"query": "search_ioc", "search_term": "{observable}"})


class ThreatFox(AbuseChProvider):
    """ThreatFox (abuse.ch key in the ``Auth-Key`` header).

    ThreatFox stores IP addresses as ``ip:port``; an IP matches every port. Matches
    other than the observable itself (the search also finds longer values) are
    dropped. Verdict from the highest ``confidence_level`` (0-100) of the matches:

    - 75 or more: ``malicious`` / ``high``
    - 50-74: ``malicious`` / ``medium``
    - below 50: ``suspicious`` / ``low``

    ``query_status`` ``no_result``, or no exact match, means not found.
    """

    name = "threatfox"
    base_url = "https://threatfox-api.abuse.ch"
    endpoints: ClassVar[Mapping[str, Endpoint]] = dict.fromkeys(
        ("ipv4", "domain", "url", "md5", "sha256"), _SEARCH
    )
    confidence_thresholds: ClassVar[tuple[int, int]] = (50, 75)
    """Confidence from which the verdict is ``malicious``/medium and ``malicious``/high."""

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read the IOCs of a ``search_ioc`` answer that match the observable."""
        data = self.answer(payload).get("data")
        iocs = [i for i in objects(data, "data", self.name) if _matches(i.get("ioc"), observable, ioc_type)]
        if not iocs:
            raise NotFound
        best = max(iocs, key=lambda i: number(i.get("confidence_level"), "confidence_level", self.name) or 0)
        confidence = int(number(best.get("confidence_level"), "confidence_level", self.name) or 0)
        verdict, severity = self._judge(confidence)
        threat = get(best, "threat_type", str, self.name) or "ioc"
        malware = get(best, "malware_printable", str, self.name) or get(best, "malware", str, self.name)
        summary = f"ThreatFox: {clip(threat, 30)}"
        if malware:
            summary += f" of {clip(malware, 40)}"
        summary += f" (confidence {confidence}%)"
        if len(iocs) > 1:
            summary += f", {len(iocs)} IOCs"
        tags = sorted({t for i in iocs for t in strings(i.get("tags"), "tags", self.name)})
        details = {
            "threat_type": threat,
            "malware": malware,
            "confidence": confidence,
            "iocs": [clip(i.get("ioc"), 200) for i in iocs[:10]],
            "first_seen": get(best, "first_seen", str, self.name),
            "last_seen": get(best, "last_seen", str, self.name),
            "tags": tags[:20],
            "malware_families": sorted(
                {
                    clip(i["malware_printable"], 60)
                    for i in iocs
                    if isinstance(i.get("malware_printable"), str)
                }
            )[:10],
        }
        ioc_id = get(best, "id", (str, int), self.name)
        reference = (
            f"https://threatfox.abuse.ch/ioc/{ioc_id}/"
            if str(ioc_id or "").isdigit()
            else "https://threatfox.abuse.ch/browse/"
        )
        return Assessment(verdict, severity, summary, reference, details)

    def _judge(self, confidence: int) -> tuple[Verdict, Severity]:
        medium, high = self.confidence_thresholds
        if confidence >= high:
            return "malicious", "high"
        if confidence >= medium:
            return "malicious", "medium"
        return "suspicious", "low"


def _matches(ioc: object, observable: str, ioc_type: str) -> bool:
    if not isinstance(ioc, str):
        return False
    if ioc_type in ("md5", "sha256", "domain"):
        return ioc.lower() == observable.lower()
    if ioc_type == "ipv4":
        return ioc == observable or ioc.startswith(observable + ":")
    return ioc == observable
