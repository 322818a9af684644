"""Pulsedive indicator information (``info.php``).

Wire format: https://pulsedive.com/api/?q=indicators (``GET /api/info.php
?indicator=<value>&key=<key>``; answer ``{iid, type, indicator, risk,
risk_recommended, riskfactors, threats, feeds, stamp_seen, ...}``; an unknown
indicator is ``{"error": "Indicator not found."}``). Cross-checked with msticpy's
``pulsedive.py`` (same endpoint, key as the ``key`` query parameter).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.enrich.ti.provider import Assessment, Endpoint, NotFound, Severity, Verdict
from huntbook.enrich.ti.providers.online._common import OnlineProvider, as_object, clip, get, names, objects

if TYPE_CHECKING:
    import httpx

_INFO = Endpoint("/api/info.php", params={"indicator": "{observable}"})
_RISK: dict[str, tuple[Verdict, Severity]] = {
    "critical": ("malicious", "high"),
    "high": ("malicious", "high"),
    "medium": ("suspicious", "medium"),
    "low": ("suspicious", "low"),
    "none": ("benign", "none"),
}


class Pulsedive(OnlineProvider):
    """Pulsedive (key in the ``key`` query parameter; works without one at a low rate).

    Verdict from Pulsedive's ``risk``: ``critical``/``high`` -> ``malicious``/``high``,
    ``medium`` -> ``suspicious``/``medium``, ``low`` -> ``suspicious``/``low``,
    ``none`` -> ``benign``/``none``, anything else (``unknown``, retired) ->
    ``unknown``/``info``. A 404 or an ``error`` saying "not found" means not found.
    """

    name = "pulsedive"
    base_url = "https://pulsedive.com"
    endpoints: ClassVar[Mapping[str, Endpoint]] = dict.fromkeys(("ipv4", "ipv6", "domain", "url"), _INFO)
    key_param = "key"
    key_required = False

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read an indicator's risk, risk factors, threats and feeds."""
        answer = as_object(payload, self.name)
        error = get(answer, "error", str, self.name)
        if error:
            if "not found" in error.lower():
                raise NotFound
            raise ValueError(f"{self.name} refused the query: {self.scrub(clip(error, 120))}")
        risk = get(answer, "risk", str, self.name)
        if risk is None:
            raise ValueError(f"{self.name}: the answer has no 'risk'")
        verdict, severity = _RISK.get(risk.lower(), ("unknown", "info"))
        threats = [
            t["name"]
            for t in objects(answer.get("threats"), "threats", self.name)
            if isinstance(t.get("name"), str)
        ]
        feeds = [
            f["name"]
            for f in objects(answer.get("feeds"), "feeds", self.name)
            if isinstance(f.get("name"), str)
        ]
        factors = [
            f["description"]
            for f in objects(answer.get("riskfactors"), "riskfactors", self.name)
            if isinstance(f.get("description"), str)
        ]
        summary = f"Pulsedive: risk {clip(risk, 20)}"
        if threats:
            summary += f" (threats: {names(threats, limit=3)})"
        elif factors:
            summary += f" ({names(factors, limit=2)})"
        if feeds:
            summary += f", in {len(feeds)} feed{'s' if len(feeds) != 1 else ''}"
        iid = get(answer, "iid", int, self.name)
        details = {
            "risk": risk,
            "risk_recommended": get(answer, "risk_recommended", str, self.name),
            "risk_factors": [clip(f, 120) for f in factors[:10]],
            "threats": [clip(t, 60) for t in threats[:10]],
            "feeds": [clip(f, 60) for f in feeds[:10]],
            "last_seen": get(answer, "stamp_seen", str, self.name),
            "iid": iid,
        }
        reference = f"https://pulsedive.com/indicator/?iid={iid}" if iid is not None else None
        return Assessment(verdict, severity, summary, reference, details)
