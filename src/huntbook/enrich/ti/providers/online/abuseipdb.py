"""AbuseIPDB API v2 ``check`` endpoint.

Wire format: https://docs.abuseipdb.com/#check-endpoint (``GET /api/v2/check
?ipAddress=&maxAgeInDays=``, key in the ``Key`` header, answer
``{"data": {"abuseConfidenceScore", "totalReports", "numDistinctUsers", ...}}``,
errors ``{"errors": [{"detail", "status"}]}``, 422 for an invalid address).
Cross-checked with msticpy's ``abuseipdb.py`` (same endpoint and header).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from huntbook.enrich.ti.provider import Assessment, Endpoint, Severity, Verdict
from huntbook.enrich.ti.providers.online._common import OnlineProvider, as_object, by_score, get, number

if TYPE_CHECKING:
    import httpx

_CHECK = Endpoint("/api/v2/check", params={"ipAddress": "{observable}", "maxAgeInDays": "90"})


class AbuseIPDB(OnlineProvider):
    """AbuseIPDB (key in the ``Key`` header; reports of the last 90 days).

    Verdict from ``abuseConfidenceScore`` (0-100):

    - on AbuseIPDB's allow-list (``isWhitelisted``): ``benign`` / ``none``
    - 75 or more: ``malicious`` / ``high``
    - 25-74: ``suspicious`` / ``medium``
    - 1-24: ``suspicious`` / ``low``
    - 0: ``unknown`` / ``none`` (nothing reported, which is no proof of innocence)

    AbuseIPDB answers every public address, so there is no not-found answer.
    """

    name = "abuseipdb"
    base_url = "https://api.abuseipdb.com"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {"ipv4": _CHECK, "ipv6": _CHECK}
    key_header = "Key"
    requests_per_minute = 30
    thresholds: ClassVar[tuple[int, int]] = (25, 75)
    """Scores from which the verdict is ``suspicious``/medium and ``malicious``."""

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read the abuse confidence score of a ``check`` answer."""
        data = as_object(as_object(payload, self.name).get("data"), self.name, "'data'")
        score = number(data.get("abuseConfidenceScore"), "abuseConfidenceScore", self.name)
        if score is None:
            raise ValueError(f"{self.name}: the answer has no 'abuseConfidenceScore'")
        reports = int(number(data.get("totalReports"), "totalReports", self.name) or 0)
        users = int(number(data.get("numDistinctUsers"), "numDistinctUsers", self.name) or 0)
        allow_listed = get(data, "isWhitelisted", bool, self.name) is True
        verdict, severity = self._judge(int(score), allow_listed)
        summary = (
            f"AbuseIPDB: abuse confidence {int(score)}% from {reports} report{'' if reports == 1 else 's'}"
            f" by {users} user{'' if users == 1 else 's'}"
        )
        if allow_listed:
            summary += "; on AbuseIPDB's allow-list"
        details = {
            "abuse_confidence": int(score),
            "total_reports": reports,
            "distinct_users": users,
            "last_reported": get(data, "lastReportedAt", str, self.name),
            "country": get(data, "countryCode", str, self.name),
            "usage_type": get(data, "usageType", str, self.name),
            "isp": get(data, "isp", str, self.name),
            "domain": get(data, "domain", str, self.name),
            "is_tor": get(data, "isTor", bool, self.name),
            "allow_listed": allow_listed,
        }
        reference = f"https://www.abuseipdb.com/check/{quote(observable, safe='')}"
        return Assessment(verdict, severity, summary, reference, details)

    def _judge(self, score: int, allow_listed: bool) -> tuple[Verdict, Severity]:
        if allow_listed:
            return "benign", "none"
        return by_score(score, self.thresholds, low_above=0, below=("unknown", "none"))
