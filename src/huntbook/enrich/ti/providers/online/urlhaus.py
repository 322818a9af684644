"""abuse.ch URLhaus: malware-distribution URLs, the hosts that serve them, and their payloads.

Wire format: https://urlhaus-api.abuse.ch/ (``POST /v1/url/`` form ``url``,
``POST /v1/host/`` form ``host``, ``POST /v1/payload/`` form ``md5_hash`` or
``sha256_hash``; key in the ``Auth-Key`` header; ``query_status`` ``ok`` /
``no_results`` / ``invalid_url`` / ``invalid_host`` / ``invalid_md5`` / ...).
Recorded answers cross-checked with demisto/content
``Packs/URLHaus/Integrations/URLHaus/test_data/*.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from huntbook.enrich.ti.provider import Assessment, Endpoint, Severity, Verdict
from huntbook.enrich.ti.providers.online._abusech import AbuseChProvider
from huntbook.enrich.ti.providers.online._common import clip, get, names, number, objects, strings

if TYPE_CHECKING:
    import httpx

_WEB = "https://urlhaus.abuse.ch"
_HOST = Endpoint("/v1/host/", method="POST", form={"host": "{observable}"})


class URLhaus(AbuseChProvider):
    """URLhaus (abuse.ch key in the ``Auth-Key`` header).

    Everything URLhaus lists served malware, so a hit is never benign:

    - a URL that is online, or a host with URLs online now: ``malicious`` / ``high``
    - a URL that is offline or of unknown status: ``malicious`` / ``medium``
    - a host whose listed URLs are all offline: ``suspicious`` / ``medium``
    - a payload hash seen at malware URLs: ``malicious`` / ``high``

    ``query_status`` ``no_results`` means not found.
    """

    name = "urlhaus"
    base_url = "https://urlhaus-api.abuse.ch"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "url": Endpoint("/v1/url/", method="POST", form={"url": "{observable}"}),
        "domain": _HOST,
        "ipv4": _HOST,
        "md5": Endpoint("/v1/payload/", method="POST", form={"md5_hash": "{observable}"}),
        "sha256": Endpoint("/v1/payload/", method="POST", form={"sha256_hash": "{observable}"}),
    }

    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Read a URL, host or payload answer."""
        answer = self.answer(payload)
        if ioc_type == "url":
            return self._url(answer)
        if ioc_type in ("md5", "sha256"):
            return self._payload(answer)
        return self._host(observable, answer)

    def _url(self, answer: Mapping[str, Any]) -> Assessment:
        status = get(answer, "url_status", str, self.name) or "unknown"
        threat = get(answer, "threat", str, self.name) or "malware"
        tags = strings(answer.get("tags"), "tags", self.name)
        severity: Severity = "high" if status == "online" else "medium"
        summary = f"URLhaus: {clip(threat, 40)} URL, {clip(status, 20)}"
        if tags:
            summary += f" (tags: {names(tags, limit=4)})"
        payloads = objects(answer.get("payloads"), "payloads", self.name)
        details = {
            "url_status": status,
            "threat": threat,
            "tags": tags[:20],
            "date_added": get(answer, "date_added", str, self.name),
            "last_online": get(answer, "last_online", str, self.name),
            "blacklists": get(answer, "blacklists", Mapping, self.name),
            "payload_count": len(payloads),
            "signatures": sorted({p["signature"] for p in payloads if isinstance(p.get("signature"), str)}),
        }
        url_id = get(answer, "id", (str, int), self.name)
        reference = f"{_WEB}/url/{url_id}/" if str(url_id or "").isdigit() else f"{_WEB}/browse/"
        return Assessment("malicious", severity, summary, reference, details)

    def _host(self, observable: str, answer: Mapping[str, Any]) -> Assessment:
        urls = objects(answer.get("urls"), "urls", self.name)
        count = int(number(answer.get("url_count"), "url_count", self.name) or len(urls))
        online = sum(1 for u in urls if u.get("url_status") == "online")
        verdict, severity = _host_verdict(online)
        tags = sorted({t for u in urls for t in strings(u.get("tags"), "urls.tags", self.name)})
        summary = f"URLhaus: host of {count} malware URL{'s' if count != 1 else ''}, {online} online"
        if tags:
            summary += f" (tags: {names(tags, limit=4)})"
        details = {
            "url_count": count,
            "online": online,
            "first_seen": get(answer, "firstseen", str, self.name),
            "blacklists": get(answer, "blacklists", Mapping, self.name),
            "tags": tags[:20],
            "urls": [clip(u.get("url"), 200) for u in urls[:10] if isinstance(u.get("url"), str)],
        }
        return Assessment(verdict, severity, summary, f"{_WEB}/host/{quote(observable, safe='')}/", details)

    def _payload(self, answer: Mapping[str, Any]) -> Assessment:
        sha256 = get(answer, "sha256_hash", str, self.name)
        signature = get(answer, "signature", str, self.name)
        file_type = get(answer, "file_type", str, self.name)
        urls = objects(answer.get("urls"), "urls", self.name)
        count = int(number(answer.get("url_count"), "url_count", self.name) or len(urls))
        summary = f"URLhaus: malware payload seen at {count} URL{'s' if count != 1 else ''}"
        described = [clip(v, 40) for v in (signature, file_type) if v]
        if described:
            summary += f" ({', '.join(described)})"
        details = {
            "signature": signature,
            "file_type": file_type,
            "file_size": number(answer.get("file_size"), "file_size", self.name),
            "first_seen": get(answer, "firstseen", str, self.name),
            "last_seen": get(answer, "lastseen", str, self.name),
            "url_count": count,
            "sha256": sha256,
        }
        search = quote(sha256 or get(answer, "md5_hash", str, self.name) or "", safe="")
        return Assessment("malicious", "high", summary, f"{_WEB}/browse.php?search={search}", details)


def _host_verdict(online: int) -> tuple[Verdict, Severity]:
    return ("malicious", "high") if online else ("suspicious", "medium")
