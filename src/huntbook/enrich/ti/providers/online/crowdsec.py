"""CrowdSec CTI "smoke" IP reputation.

Wire format: https://docs.crowdsec.net/u/cti_api/taxonomy/cti_object (fields
``reputation``, ``scores.overall.total``, ``classifications.false_positives``,
``behaviors``, ``attack_details``, ``history``) and
https://docs.crowdsec.net/u/cti_api/api_introduction (``GET /v2/smoke/{ip}``, key in
the ``x-api-key`` header; an unknown address is a 404 ``{"message": "IP address
information not found"}``). Cross-checked with msticpy's ``crowdsec.py`` (same
path and header, score thresholds 2 and 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from huntbook.enrich.ti.provider import Assessment, Endpoint, Severity, Verdict
from huntbook.enrich.ti.providers.online._common import (
    OnlineProvider,
    as_object,
    clip,
    get,
    names,
    number,
    objects,
)

if TYPE_CHECKING:
    import httpx

_SMOKE = Endpoint("/v2/smoke/{observable}")
_REPUTATION: dict[str, tuple[Verdict, Severity]] = {
    "malicious": ("malicious", "high"),
    "suspicious": ("suspicious", "medium"),
    "known": ("unknown", "low"),
    "safe": ("benign", "none"),
    "unknown": ("unknown", "info"),
}


class CrowdSec(OnlineProvider):
    """CrowdSec CTI (key in the ``x-api-key`` header).

    Verdict from CrowdSec's ``reputation``: ``malicious`` -> ``malicious``/``high``,
    ``suspicious`` -> ``suspicious``/``medium``, ``known`` (reported, not enough to
    judge) -> ``unknown``/``low``, ``safe`` -> ``benign``/``none``, ``unknown`` ->
    ``unknown``/``info``. Without a ``reputation`` field the overall score decides:
    above 3 ``malicious``/``high``, 2-3 ``suspicious``/``medium``, else ``unknown``/``low``.
    An address with false-positive tags (CrowdSec: "shouldn't be considered as
    malicious") is ``benign``/``info`` unless CrowdSec calls it malicious anyway.
    """

    name = "crowdsec"
    base_url = "https://cti.api.crowdsec.net"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {"ipv4": _SMOKE, "ipv6": _SMOKE}
    key_header = "x-api-key"

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read a smoke answer's reputation, scores, behaviours and false-positive tags."""
        answer = as_object(payload, self.name)
        reputation = get(answer, "reputation", str, self.name)
        scores = get(answer, "scores", Mapping, self.name) or {}
        overall = get(scores, "overall", Mapping, self.name) or {}
        total = number(overall.get("total"), "scores.overall.total", self.name)
        if reputation is None and total is None:
            raise ValueError(f"{self.name}: the answer has neither 'reputation' nor 'scores.overall.total'")
        classifications = get(answer, "classifications", Mapping, self.name) or {}
        false_positives = _labels(classifications.get("false_positives"), "false_positives", self.name)
        verdict, severity = _judge(reputation, total)
        if false_positives and verdict != "malicious":
            verdict, severity = "benign", "info"
        behaviors = _labels(answer.get("behaviors"), "behaviors", self.name)
        summary = f"CrowdSec: {clip(reputation, 20) if reputation else 'no reputation'}"
        if total is not None:
            summary += f", score {total:g}/5"
        if behaviors:
            summary += f" ({names(behaviors, limit=3)})"
        if false_positives:
            summary += f"; false-positive tags: {names(false_positives, limit=2)}"
        history = get(answer, "history", Mapping, self.name) or {}
        details = {
            "reputation": reputation,
            "score": total,
            "background_noise": get(answer, "background_noise", str, self.name),
            "behaviors": behaviors[:10],
            "attacks": _labels(answer.get("attack_details"), "attack_details", self.name)[:10],
            "false_positives": false_positives,
            "first_seen": history.get("first_seen") if isinstance(history.get("first_seen"), str) else None,
            "last_seen": history.get("last_seen") if isinstance(history.get("last_seen"), str) else None,
            "as_name": get(answer, "as_name", str, self.name),
        }
        return Assessment(
            verdict, severity, summary, f"https://app.crowdsec.net/cti/{quote(observable)}", details
        )


def _judge(reputation: str | None, total: float | None) -> tuple[Verdict, Severity]:
    if reputation is not None:
        return _REPUTATION.get(reputation.lower(), ("unknown", "info"))
    if total is not None and total > 3:
        return "malicious", "high"
    if total is not None and total >= 2:
        return "suspicious", "medium"
    return "unknown", "low"


def _labels(value: Any, key: str, provider: str) -> list[str]:
    """The ``label`` (else ``name``) of each object of a CrowdSec list field."""
    found = []
    for item in objects(value, key, provider):
        label = item.get("label") or item.get("name")
        if isinstance(label, str) and label:
            found.append(clip(label, 60))
    return found
