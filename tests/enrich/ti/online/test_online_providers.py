"""Every online provider, end to end: TILookup -> real httpx -> a real HTTP server on 127.0.0.1.

The server (the ``http_server`` fixture of tests/enrich/conftest.py) answers with
recorded bodies in each service's documented wire format (data/*.json; the source
of each format is named at the top of the provider's module). Each case checks the
request the service would have received (path, method, query/form/JSON body, where
the key went), the row TILookup makes of the answer, and that the key shows nowhere.
The same recorded bodies also go straight into ``parse()``.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pydantic import SecretStr

from huntbook.config import ProviderSettings, Settings
from huntbook.enrich.ti import NotFound, TILookup
from huntbook.enrich.ti.registry import load_provider_class
from huntbook.enrich.ti.settings import TIOptions

DATA = Path(__file__).parent / "data"
KEY = "k3y-SECRET-0123456789abcdef"
XFORCE_KEY = "xfe-key-0123456:xfe-pass-7654321"
URL = "http://evil.example/payload.exe"
SHA256_EICAR = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"


def body(name: str) -> Any:
    return json.loads((DATA / f"{name}.json").read_text())


@dataclass(frozen=True)
class Case:
    provider: str
    observable: str
    ioc_type: str
    fixture: str
    http_status: int
    path: str
    status: str  # the row's status: ok / not_found / error
    verdict: str | None = None
    severity: str | None = None
    text: str = ""  # the summary (ok) or a part of the reason (error)
    method: str = "GET"
    sent: dict[str, Any] = field(default_factory=dict)  # query, form or json the service must receive

    @property
    def id(self) -> str:
        return f"{self.provider}-{self.fixture}-{self.ioc_type}"


def _b64(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


CASES = [
    # VirusTotal v3
    Case(
        "virustotal",
        "203.0.113.66",
        "ipv4",
        "virustotal_ip_malicious",
        200,
        "/api/v3/ip_addresses/203.0.113.66",
        "ok",
        "malicious",
        "high",
        "VirusTotal: 12/94 engines flag it malicious, 2 suspicious",
    ),
    Case(
        "virustotal",
        "example.com",
        "domain",
        "virustotal_domain_clean",
        200,
        "/api/v3/domains/example.com",
        "ok",
        "benign",
        "none",
        "VirusTotal: 0/93 engines flag it malicious",
    ),
    Case(
        "virustotal",
        URL,
        "url",
        "virustotal_url_suspicious",
        200,
        f"/api/v3/urls/{_b64(URL)}",
        "ok",
        "suspicious",
        "medium",
        "VirusTotal: 1/92 engines flag it malicious, 1 suspicious",
    ),
    Case(
        "virustotal",
        SHA256_EICAR.upper(),
        "sha256",
        "virustotal_file_malicious",
        200,
        f"/api/v3/files/{SHA256_EICAR}",
        "ok",
        "malicious",
        "high",
        "VirusTotal: 62/69 engines flag it malicious (virus.eicar/test)",
    ),
    Case(
        "virustotal",
        "0" * 64,
        "sha256",
        "virustotal_not_found",
        404,
        f"/api/v3/files/{'0' * 64}",
        "not_found",
    ),
    Case(
        "virustotal",
        "203.0.113.66",
        "ipv4",
        "virustotal_wrong_key",
        401,
        "/api/v3/ip_addresses/203.0.113.66",
        "error",
        text="WrongCredentialsError: Wrong API key",
    ),
    Case(
        "virustotal",
        "203.0.113.66",
        "ipv4",
        "virustotal_quota",
        429,
        "/api/v3/ip_addresses/203.0.113.66",
        "error",
        text="QuotaExceededError",
    ),
    # AlienVault OTX
    Case(
        "otx",
        "203.0.113.66",
        "ipv4",
        "otx_ip_pulses",
        200,
        "/api/v1/indicators/IPv4/203.0.113.66/general",
        "ok",
        "malicious",
        "high",
        "OTX: in 3 pulses (malware: Cobalt Strike)",
    ),
    Case(
        "otx",
        "google.com",
        "domain",
        "otx_domain_allowlisted",
        200,
        "/api/v1/indicators/domain/google.com/general",
        "ok",
        "benign",
        "none",
        "OTX: in no pulse; allow-listed: Alexa rank: #1, Whitelisted domain google.com",
    ),
    Case(
        "otx",
        "0123456789abcdef0123456789abcdef",
        "md5",
        "otx_hash_no_pulses",
        200,
        "/api/v1/indicators/file/0123456789abcdef0123456789abcdef/general",
        "ok",
        "unknown",
        "none",
        "OTX: in no pulse",
    ),
    Case(
        "otx",
        URL,
        "url",
        "otx_invalid",
        404,
        f"/api/v1/indicators/url/{quote(URL, safe='')}/general",
        "not_found",
    ),
    Case(
        "otx",
        "2001:db8::1",
        "ipv6",
        "otx_invalid",
        400,
        f"/api/v1/indicators/IPv6/{quote('2001:db8::1', safe='')}/general",
        "error",
        text="Invalid indicator",
    ),
    Case(
        "otx",
        "203.0.113.66",
        "ipv4",
        "otx_wrong_key",
        403,
        "/api/v1/indicators/IPv4/203.0.113.66/general",
        "error",
        text="Authentication required",
    ),
    # AbuseIPDB
    Case(
        "abuseipdb",
        "203.0.113.66",
        "ipv4",
        "abuseipdb_malicious",
        200,
        "/api/v2/check",
        "ok",
        "malicious",
        "high",
        "AbuseIPDB: abuse confidence 100% from 1043 reports by 212 users",
        sent={"query": {"ipAddress": ["203.0.113.66"], "maxAgeInDays": ["90"]}},
    ),
    Case(
        "abuseipdb",
        "198.51.100.7",
        "ipv4",
        "abuseipdb_unreported",
        200,
        "/api/v2/check",
        "ok",
        "unknown",
        "none",
        "AbuseIPDB: abuse confidence 0% from 0 reports by 0 users",
    ),
    Case(
        "abuseipdb",
        "8.8.8.8",
        "ipv4",
        "abuseipdb_allowlisted",
        200,
        "/api/v2/check",
        "ok",
        "benign",
        "none",
        "AbuseIPDB: abuse confidence 0% from 38 reports by 20 users; on AbuseIPDB's allow-list",
    ),
    Case(
        "abuseipdb",
        "2001:db8::1",
        "ipv6",
        "abuseipdb_invalid",
        422,
        "/api/v2/check",
        "error",
        text="must be a valid IPv4 or IPv6 address",
        sent={"query": {"ipAddress": ["2001:db8::1"]}},
    ),
    Case(
        "abuseipdb",
        "203.0.113.66",
        "ipv4",
        "abuseipdb_wrong_key",
        401,
        "/api/v2/check",
        "error",
        text="Authentication failed",
    ),
    # GreyNoise Community
    Case(
        "greynoise",
        "203.0.113.66",
        "ipv4",
        "greynoise_malicious",
        200,
        "/v3/community/203.0.113.66",
        "ok",
        "malicious",
        "high",
        "GreyNoise: malicious, an internet scanner, last seen 2024-06-11",
    ),
    Case(
        "greynoise",
        "8.8.8.8",
        "ipv4",
        "greynoise_riot",
        200,
        "/v3/community/8.8.8.8",
        "ok",
        "benign",
        "none",
        "GreyNoise: benign, a common business service (Google Public DNS), last seen 2024-06-11",
    ),
    Case(
        "greynoise",
        "198.51.100.7",
        "ipv4",
        "greynoise_not_observed",
        404,
        "/v3/community/198.51.100.7",
        "not_found",
    ),
    Case(
        "greynoise",
        "198.51.100.7",
        "ipv4",
        "greynoise_not_observed",
        200,
        "/v3/community/198.51.100.7",
        "not_found",
    ),
    Case(
        "greynoise",
        "198.51.100.7",
        "ipv4",
        "greynoise_rate_limited",
        429,
        "/v3/community/198.51.100.7",
        "error",
        text="rate limit",
    ),
    # IBM X-Force Exchange
    Case(
        "xforce",
        "203.0.113.66",
        "ipv4",
        "xforce_ip_risky",
        200,
        "/ipr/203.0.113.66",
        "ok",
        "malicious",
        "high",
        "X-Force: risk score 9.3/10 (Botnet Command and Control Server, Scanning IPs)",
    ),
    Case(
        "xforce",
        "8.8.8.8",
        "ipv4",
        "xforce_ip_low",
        200,
        "/ipr/8.8.8.8",
        "ok",
        "benign",
        "none",
        "X-Force: risk score 1/10",
    ),
    Case(
        "xforce",
        "https://www.google.com",
        "url",
        "xforce_url",
        200,
        f"/url/{quote('https://www.google.com', safe='')}",
        "ok",
        "benign",
        "none",
        "X-Force: risk score 1/10 (Search Engines / Web Catalogs / Portals)",
    ),
    Case(
        "xforce",
        "474B9CCF5AB9D72CA8A333889BBB34F0",
        "md5",
        "xforce_malware",
        200,
        "/malware/474b9ccf5ab9d72ca8a333889bbb34f0",
        "ok",
        "malicious",
        "high",
        "X-Force: malware, risk high (family: tsunami)",
    ),
    Case("xforce", "198.51.100.7", "ipv4", "xforce_not_found", 404, "/ipr/198.51.100.7", "not_found"),
    Case(
        "xforce",
        "198.51.100.7",
        "ipv4",
        "xforce_unauthorized",
        401,
        "/ipr/198.51.100.7",
        "error",
        text="Not authorized.",
    ),
    # URLhaus
    Case(
        "urlhaus",
        URL,
        "url",
        "urlhaus_url_online",
        200,
        "/v1/url/",
        "ok",
        "malicious",
        "high",
        "URLhaus: malware_download URL, online (tags: emotet, epoch2, heodo)",
        method="POST",
        sent={"form": {"url": [URL]}},
    ),
    Case(
        "urlhaus",
        "vektorex.com",
        "domain",
        "urlhaus_host",
        200,
        "/v1/host/",
        "ok",
        "malicious",
        "high",
        "URLhaus: host of 120 malware URLs, 1 online (tags: AZORult, Loki, exe)",
        method="POST",
        sent={"form": {"host": ["vektorex.com"]}},
    ),
    Case(
        "urlhaus",
        "35E304D10D53834E3E41035D12122773C9A4D183A24E03F980AD3E6B2ECDE7FA",
        "sha256",
        "urlhaus_payload",
        200,
        "/v1/payload/",
        "ok",
        "malicious",
        "high",
        "URLhaus: malware payload seen at 2 URLs (Gozi, exe)",
        method="POST",
        sent={"form": {"sha256_hash": ["35e304d10d53834e3e41035d12122773c9a4d183a24e03f980ad3e6b2ecde7fa"]}},
    ),
    Case(
        "urlhaus", "198.51.100.7", "ipv4", "urlhaus_no_results", 200, "/v1/host/", "not_found", method="POST"
    ),
    Case(
        "urlhaus",
        "http://[bad",
        "url",
        "urlhaus_invalid_url",
        200,
        "/v1/url/",
        "error",
        text="urlhaus refused the query: query_status 'invalid_url'",
        method="POST",
    ),
    Case(
        "urlhaus",
        URL,
        "url",
        "abusech_unknown_auth_key",
        401,
        "/v1/url/",
        "error",
        text="unknown_auth_key",
        method="POST",
    ),
    # MalwareBazaar
    Case(
        "malwarebazaar",
        "094fd325049b8a9cf6d3e5ef2a6d4cc6a567d7d49c35f8bb8dd9e3c6acf3d78d",
        "sha256",
        "malwarebazaar_found",
        200,
        "/api/v1/",
        "ok",
        "malicious",
        "high",
        "MalwareBazaar: known malware sample (AgentTesla, exe), first seen 2024-03-11 06:12:41",
        method="POST",
        sent={
            "form": {
                "query": ["get_info"],
                "hash": ["094fd325049b8a9cf6d3e5ef2a6d4cc6a567d7d49c35f8bb8dd9e3c6acf3d78d"],
            }
        },
    ),
    Case(
        "malwarebazaar",
        "0123456789abcdef0123456789abcdef",
        "md5",
        "malwarebazaar_hash_not_found",
        200,
        "/api/v1/",
        "not_found",
        method="POST",
    ),
    Case(
        "malwarebazaar",
        "0123456789abcdef0123456789abcdef01234567",
        "sha1",
        "malwarebazaar_illegal_hash",
        200,
        "/api/v1/",
        "error",
        text="query_status 'illegal_hash'",
        method="POST",
    ),
    # ThreatFox
    Case(
        "threatfox",
        "203.0.113.66",
        "ipv4",
        "threatfox_ip",
        200,
        "/api/v1/",
        "ok",
        "malicious",
        "high",
        "ThreatFox: botnet_cc of Cobalt Strike (confidence 100%), 2 IOCs",
        method="POST",
        sent={"json": {"query": "search_ioc", "search_term": "203.0.113.66"}},
    ),
    Case(
        "threatfox",
        "203.0.113.6",
        "ipv4",
        "threatfox_ip",
        200,
        "/api/v1/",
        "ok",
        "malicious",
        "high",
        "ThreatFox: botnet_cc of AsyncRAT (confidence 100%)",
        method="POST",
    ),
    Case("threatfox", "198.51.100.7", "ipv4", "threatfox_ip", 200, "/api/v1/", "not_found", method="POST"),
    Case(
        "threatfox",
        "ntpjson.monster",
        "domain",
        "threatfox_domain_low",
        200,
        "/api/v1/",
        "ok",
        "suspicious",
        "low",
        "ThreatFox: payload_delivery of SocGholish (confidence 25%)",
        method="POST",
    ),
    Case("threatfox", URL, "url", "threatfox_no_result", 200, "/api/v1/", "not_found", method="POST"),
    Case(
        "threatfox",
        "0123456789abcdef0123456789abcdef",
        "md5",
        "threatfox_ok_data_not_list",
        200,
        "/api/v1/",
        "error",
        text="field 'data' should be a list of objects",
        method="POST",
    ),
    # Pulsedive
    Case(
        "pulsedive",
        "alvoportas.com.br",
        "domain",
        "pulsedive_high",
        200,
        "/api/info.php",
        "ok",
        "malicious",
        "high",
        "Pulsedive: risk high (threats: Zeus), in 1 feed",
        sent={"query": {"indicator": ["alvoportas.com.br"]}},
    ),
    Case(
        "pulsedive",
        "pulsedive.com",
        "domain",
        "pulsedive_none",
        200,
        "/api/info.php",
        "ok",
        "benign",
        "none",
        "Pulsedive: risk none",
    ),
    Case("pulsedive", "198.51.100.7", "ipv4", "pulsedive_not_found", 404, "/api/info.php", "not_found"),
    Case("pulsedive", "198.51.100.7", "ipv4", "pulsedive_not_found", 200, "/api/info.php", "not_found"),
    Case(
        "pulsedive",
        "198.51.100.7",
        "ipv4",
        "pulsedive_bad_key",
        200,
        "/api/info.php",
        "error",
        text="pulsedive refused the query: Invalid API key.",
    ),
    # CrowdSec CTI
    Case(
        "crowdsec",
        "203.0.113.66",
        "ipv4",
        "crowdsec_malicious",
        200,
        "/v2/smoke/203.0.113.66",
        "ok",
        "malicious",
        "high",
        "CrowdSec: malicious, score 4/5 (HTTP Scan, SSH Bruteforce)",
    ),
    Case(
        "crowdsec",
        "8.8.8.8",
        "ipv4",
        "crowdsec_false_positive",
        200,
        "/v2/smoke/8.8.8.8",
        "ok",
        "benign",
        "info",
        "CrowdSec: suspicious, score 2/5 (DNS Scan); false-positive tags: Public DNS Server",
    ),
    Case(
        "crowdsec", "198.51.100.7", "ipv4", "crowdsec_not_found", 404, "/v2/smoke/198.51.100.7", "not_found"
    ),
    Case(
        "crowdsec",
        "198.51.100.7",
        "ipv4",
        "crowdsec_forbidden",
        403,
        "/v2/smoke/198.51.100.7",
        "error",
        text="Forbidden",
    ),
]


def _key_of(provider: str) -> str:
    return XFORCE_KEY if provider == "xforce" else KEY


def _key_went_in(provider: str, request: Any) -> bool:
    """Whether the key travelled where the service's documentation says."""
    key = _key_of(provider)
    if provider == "xforce":
        return request.headers.get("authorization") == "Basic " + base64.b64encode(key.encode()).decode()
    if provider == "pulsedive":
        return request.query.get("key") == [key]
    header = {
        "virustotal": "x-apikey",
        "otx": "x-otx-api-key",
        "abuseipdb": "key",
        "greynoise": "key",
        "crowdsec": "x-api-key",
        "urlhaus": "auth-key",
        "malwarebazaar": "auth-key",
        "threatfox": "auth-key",
    }[provider]
    return request.headers.get(header) == key and "key" not in request.query


def _make(provider: str, url: str) -> Any:
    return load_provider_class(provider)(api_key=SecretStr(_key_of(provider)), base_url=url)


def _assert_secret_free(provider: str, *things: object) -> None:
    for part in [*_key_of(provider).split(":"), _key_of(provider)]:
        for thing in things:
            assert part not in str(thing), f"the API key leaked into {type(thing).__name__}"


def _serve(server: Any, path: str, status: int, payload: Any) -> None:
    reply = type(server.fallback)  # the fixture's Reply class (tests/enrich/conftest.py)
    server.route(path, reply(status, json=payload))


def _lookup(provider: Any, observable: str, ioc_type: str) -> tuple[Any, TILookup]:
    options = TIOptions(retries=0, cache=False, timeout_seconds=5)
    ti = TILookup([provider], settings=Settings(), options=options, cache=False, progress=False)
    return ti.lookup(observable, types=ioc_type), ti


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_lookup_through_a_local_server(case, http_server):
    _serve(http_server, case.path, case.http_status, body(case.fixture))
    provider = _make(case.provider, http_server.url)
    frame, ti = _lookup(provider, case.observable, case.ioc_type)

    assert len(http_server.requests) == 1
    request = http_server.requests[0]
    assert (request.method, request.path) == (case.method, case.path)
    assert _key_went_in(case.provider, request)
    for part, expected in case.sent.items():  # part: query, form or json
        got = getattr(request, part)
        assert {k: got.get(k) for k in expected} == expected
    row = frame.iloc[0]
    assert (len(frame), row["provider"], row["observable"], row["type"]) == (
        1,
        case.provider,
        case.observable,
        case.ioc_type,
    )
    assert row["status"] == case.status, row["reason"]
    if case.status == "ok":
        assert (row["verdict"], row["severity"], row["summary"]) == (case.verdict, case.severity, case.text)
        assert row["reference"].startswith("https://")
        assert row["raw"] == body(case.fixture)
    elif case.status == "error":
        assert case.text in row["reason"]
    _assert_secret_free(case.provider, frame.to_dict("records"), repr(provider), repr(ti), ti.problems)


PARSED = [c for c in CASES if 200 <= c.http_status < 300]


@pytest.mark.parametrize("case", PARSED, ids=[c.id for c in PARSED])
def test_parse_recorded_answer(case):
    provider = _make(case.provider, "https://unused.invalid")
    payload = body(case.fixture)
    response = httpx.Response(case.http_status, json=payload)
    observable = provider.prepare(case.observable, case.ioc_type)
    if case.status == "not_found":
        with pytest.raises(NotFound):
            provider.parse(observable, case.ioc_type, payload, response)
    elif case.status == "error":
        with pytest.raises(ValueError, match=re.escape(case.text)):
            provider.parse(observable, case.ioc_type, payload, response)
    else:
        found = provider.parse(observable, case.ioc_type, payload, response)
        assert (found.verdict, found.severity, found.summary) == (case.verdict, case.severity, case.text)
        assert all(isinstance(k, str) for k in found.details)
        json.dumps(dict(found.details))  # details are plain JSON-able data (the cache stores them)


def test_configured_by_name_in_settings_and_batched(http_server):
    """huntbook.yaml names the provider, its key, its base_url and rate; one request per observable."""
    listed = {"203.0.113.1", "203.0.113.2"}
    reply = type(http_server.fallback)
    known = body("threatfox_ip")["data"][0]

    def answer(request):
        term = request.json["search_term"]
        if term in listed:
            return reply(200, json={"query_status": "ok", "data": [dict(known, ioc=f"{term}:443")]})
        return reply(200, json=body("threatfox_no_result"))

    http_server.route("/api/v1/", answer)
    section = ProviderSettings(api_key=SecretStr(KEY), base_url=http_server.url, requests_per_minute=6000)
    ti = TILookup(
        ["threatfox"], settings=Settings(providers={"threatfox": section}), cache=False, progress=False
    )
    observables = [f"203.0.113.{i}" for i in range(1, 7)]
    frame = ti.lookup(observables).set_index("observable")

    assert sorted(r.json["search_term"] for r in http_server.requests) == observables
    assert all(r.headers["auth-key"] == KEY for r in http_server.requests)
    assert frame.loc[sorted(listed), "verdict"].tolist() == ["malicious", "malicious"]
    assert (frame.drop(index=sorted(listed))["status"] == "not_found").all()
    _assert_secret_free("threatfox", frame.to_dict("records"), repr(ti))
