"""IBM X-Force Exchange: IP reputation, URL/domain reputation and malware (hash) reports.

Wire format: https://api.xforce.ibmcloud.com/doc/ (``GET /ipr/{ip}`` ->
``{ip, score, cats, reason, reasonDescription, geo, history, subnets, tags}``;
``GET /url/{url}`` -> ``{result: {url, score, cats, categoryDescriptions}, associated}``;
``GET /malware/{hash}`` -> ``{malware: {type, family, risk, created, origins}}``;
HTTP Basic authentication with an API key/password pair; 404 when nothing is known).
Shapes cross-checked with msticpy's ``ibm_xforce.py`` and the recorded answers in
demisto/content ``Packs/XForceExchange/Integrations/XFE_v2/XFE_v2_test.py``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from huntbook.enrich.ti.provider import Assessment, Endpoint, Severity, Verdict
from huntbook.enrich.ti.providers.online._common import (
    HASH_TYPES,
    OnlineProvider,
    as_object,
    by_score,
    clip,
    get,
    names,
    need,
    number,
    strings,
)

if TYPE_CHECKING:
    import httpx

_WEB = "https://exchange.xforce.ibmcloud.com"
_IPR = Endpoint("/ipr/{observable}")
_URL = Endpoint("/url/{observable}")
_MALWARE = Endpoint("/malware/{observable}")
_RISK: dict[str, tuple[Verdict, Severity]] = {
    "high": ("malicious", "high"),
    "medium": ("suspicious", "medium"),
    "low": ("suspicious", "low"),
}


class XForce(OnlineProvider):
    """IBM X-Force Exchange (HTTP Basic auth: set ``api_key`` to ``"<key>:<password>"``).

    IPs, URLs and domains get a risk score from 1 to 10:

    - 7 or more: ``malicious`` / ``high``
    - 4 to below 7: ``suspicious`` / ``medium``
    - above 1 to below 4: ``suspicious`` / ``low``
    - 1 (X-Force's lowest): ``benign`` / ``none``
    - no score: ``unknown`` / ``info``

    Hashes get X-Force's malware ``risk``: ``high`` -> ``malicious``/``high``,
    ``medium`` -> ``suspicious``/``medium``, ``low`` -> ``suspicious``/``low``.
    A 404 means X-Force knows nothing of the observable.
    """

    name = "xforce"
    base_url = "https://api.xforce.ibmcloud.com"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "ipv4": _IPR,
        "ipv6": _IPR,
        "domain": _URL,
        "url": _URL,
        **dict.fromkeys(HASH_TYPES, _MALWARE),
    }
    score_thresholds: ClassVar[tuple[float, float]] = (4, 7)
    """Scores from which the verdict is ``suspicious``/medium and ``malicious``."""

    def missing_key(self) -> str | None:
        """Return why the provider cannot run: no key, or a key without its ``:password`` part."""
        reason = super().missing_key()
        if reason is None and self.api_key is not None and ":" not in self.api_key.get_secret_value():
            return (
                f"{self.name} uses an API key and password: set providers.{self.name}.api_key to "
                "'<key>:<password>' (or the environment variable HUNTBOOK_XFORCE_API_KEY)"
            )
        return reason

    def headers(self) -> dict[str, str]:
        """Return the request headers with HTTP Basic authentication from ``key:password``."""
        headers = super().headers()
        if self.api_key is not None:
            token = base64.b64encode(self.api_key.get_secret_value().encode("utf-8")).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return headers

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read an IP/URL reputation or a malware report."""
        answer = as_object(payload, self.name)
        if ioc_type in HASH_TYPES:
            return self._malware(observable, answer)
        if ioc_type in ("url", "domain"):
            report = as_object(answer.get("result"), self.name, "'result'")
        else:
            report = answer
            need(report, "ip", str, self.name)
        score = number(report.get("score"), "score", self.name)
        verdict, severity = self._judge(score)
        categories = sorted(str(c) for c in (get(report, "cats", Mapping, self.name) or {}))
        summary = "X-Force: no risk score" if score is None else f"X-Force: risk score {score:g}/10"
        if categories:
            summary += f" ({names(categories, limit=3)})"
        details: dict[str, Any] = {"score": score, "categories": categories[:20]}
        if ioc_type in ("ipv4", "ipv6"):
            geo = get(report, "geo", Mapping, self.name) or {}
            reason = get(report, "reason", str, self.name)
            details |= {
                "reason": clip(reason, 200) if reason else None,
                "country": geo.get("country") if isinstance(geo.get("country"), str) else None,
            }
            page = "ip"
        else:
            page = "url"
        details["tags"] = [_tag(t) for t in (get(answer, "tags", list, self.name) or [])][:20]
        reference = f"{_WEB}/{page}/{quote(observable, safe='')}"
        return Assessment(verdict, severity, summary, reference, details)

    def _malware(self, observable: str, answer: Mapping[str, Any]) -> Assessment:
        malware = as_object(answer.get("malware"), self.name, "'malware'")
        risk = get(malware, "risk", str, self.name)
        verdict, severity = _RISK.get((risk or "").lower(), ("unknown", "info"))
        families = strings(malware.get("family"), "malware.family", self.name)
        summary = f"X-Force: malware, risk {clip(risk, 20) if risk else 'not rated'}"
        if families:
            summary += f" (family: {names(families, limit=3)})"
        details = {
            "risk": risk,
            "families": families[:10],
            "type": get(malware, "type", str, self.name),
            "created": get(malware, "created", str, self.name),
        }
        return Assessment(verdict, severity, summary, f"{_WEB}/malware/{quote(observable, safe='')}", details)

    def _judge(self, score: float | None) -> tuple[Verdict, Severity]:
        if score is None:
            return "unknown", "info"
        return by_score(score, self.score_thresholds, low_above=1, below=("benign", "none"))


def _tag(tag: object) -> str:
    """X-Force tags are objects (``{"tag": ...}``) or strings."""
    if isinstance(tag, Mapping) and isinstance(tag.get("tag"), str):
        return clip(tag["tag"], 60)
    return clip(tag, 60)
