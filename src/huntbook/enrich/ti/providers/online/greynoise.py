"""GreyNoise Community API v3.

Wire format: https://docs.greynoise.io/reference/getcommunityip (``GET
/v3/community/{ip}``, optional key in the ``key`` header; answer ``{ip, noise, riot,
classification, name, link, last_seen, message}``; an address GreyNoise has not seen
is a 404 ``{"ip", "noise": false, "riot": false, "message": "IP not observed scanning
the internet or contained in RIOT data set."}``). Cross-checked with msticpy's
``greynoise.py`` (same path and header).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from huntbook.enrich.ti.provider import Assessment, Endpoint, NotFound, Severity, Verdict
from huntbook.enrich.ti.providers.online._common import OnlineProvider, as_object, clip, get, need

if TYPE_CHECKING:
    import httpx


class GreyNoise(OnlineProvider):
    """GreyNoise Community (IPv4 only; works without a key at a small weekly quota).

    Verdict from ``classification``, ``noise`` and ``riot``:

    - classification ``malicious``: ``malicious`` / ``high``
    - ``riot`` (a common business service such as a CDN or public DNS) or classification
      ``benign`` (a known research scanner): ``benign`` / ``none``
    - ``noise`` with any other classification (scans the internet, intent unknown):
      ``suspicious`` / ``low``
    - otherwise: ``unknown`` / ``info``

    A 404 — or a 200 that says "not observed" without noise or riot — means not found.
    """

    name = "greynoise"
    base_url = "https://api.greynoise.io"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {"ipv4": Endpoint("/v3/community/{observable}")}
    key_header = "key"
    key_required = False

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read a Community API answer."""
        answer = as_object(payload, self.name)
        noise = need(answer, "noise", bool, self.name)
        riot = need(answer, "riot", bool, self.name)
        classification = get(answer, "classification", str, self.name)
        message = get(answer, "message", str, self.name) or ""
        if not (noise or riot) and (classification is None or "not observed" in message.lower()):
            raise NotFound
        verdict, severity = _judge(classification, noise, riot)
        label = clip(get(answer, "name", str, self.name) or "", 60)
        last_seen = get(answer, "last_seen", str, self.name)
        if riot:
            what = "a common business service"
        elif noise:
            what = "an internet scanner"
        else:
            what = "an address"
        summary = f"GreyNoise: {classification or 'unclassified'}, {what}"
        if label and label.lower() != "unknown":
            summary += f" ({label})"
        if last_seen:
            summary += f", last seen {clip(last_seen, 30)}"
        details = {
            "classification": classification,
            "noise": noise,
            "riot": riot,
            "name": label or None,
            "last_seen": last_seen,
        }
        return Assessment(
            verdict, severity, summary, f"https://viz.greynoise.io/ip/{quote(observable)}", details
        )


def _judge(classification: str | None, noise: bool, riot: bool) -> tuple[Verdict, Severity]:
    if classification == "malicious":
        return "malicious", "high"
    if riot or classification == "benign":
        return "benign", "none"
    if noise:
        return "suspicious", "low"
    return "unknown", "info"
