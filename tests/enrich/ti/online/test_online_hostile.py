"""Online providers facing bad answers, hostile text, missing or wrong keys, and the registry."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from huntbook.analysis.iocs.types import builtin_types
from huntbook.config import Settings
from huntbook.enrich.ti import NotFound, TILookup
from huntbook.enrich.ti.registry import BUILTIN, load_provider_class
from huntbook.enrich.ti.settings import TIOptions

DATA = Path(__file__).parent / "data"
KEY = "k3y-SECRET-0123456789abcdef"
ONLINE = [name for name, target in BUILTIN.items() if ".online." in target]
SAMPLE = {  # one observable of a type each provider takes
    "ipv4": "203.0.113.66",
    "domain": "example.com",
    "md5": "0123456789abcdef0123456789abcdef",
}


def _first_type(cls) -> str:
    return next(t for t in ("ipv4", "domain", "md5") if t in cls.endpoints)


def test_every_online_provider_is_registered_under_its_own_name():
    assert sorted(ONLINE) == sorted(
        [
            "virustotal",
            "otx",
            "abuseipdb",
            "greynoise",
            "xforce",
            "urlhaus",
            "malwarebazaar",
            "threatfox",
            "pulsedive",
            "crowdsec",
        ]
    )
    known_types = set(builtin_types())
    for name in ONLINE:
        cls = load_provider_class(name)
        assert cls.name == name
        assert cls.endpoints and set(cls.endpoints) <= known_types, name
        assert all(e.path.startswith("/") for e in cls.endpoints.values()), name
        assert cls.base_url.startswith("https://"), name
        module = importlib.import_module(cls.__module__)
        assert "https://" in (module.__doc__ or ""), f"{name}: the module must cite its wire format"


@pytest.mark.parametrize("name", ONLINE)
@pytest.mark.parametrize(
    "payload", ["<html>502 Bad Gateway</html>", [], {}, {"data": "x", "query_status": 7}]
)
def test_malformed_answers_are_value_errors(name, payload):
    provider = load_provider_class(name)(api_key=SecretStr(KEY + ":pw"))
    kind = _first_type(type(provider))
    with pytest.raises(ValueError, match=name):
        provider.parse(SAMPLE[kind], kind, payload, httpx.Response(200, json=payload))


@pytest.mark.parametrize(
    ("name", "fixture", "path", "bad"),
    [
        (
            "virustotal",
            "virustotal_ip_malicious",
            ("data", "attributes", "last_analysis_stats", "malicious"),
            "many",
        ),
        ("abuseipdb", "abuseipdb_malicious", ("data", "abuseConfidenceScore"), True),
        ("otx", "otx_ip_pulses", ("pulse_info", "pulses"), "none"),
        ("greynoise", "greynoise_malicious", ("noise",), "yes"),
        ("crowdsec", "crowdsec_malicious", ("behaviors",), {"name": "x"}),
        ("pulsedive", "pulsedive_high", ("threats",), [1, 2]),
        ("threatfox", "threatfox_ip", ("data",), {"ioc": "203.0.113.66:443"}),
    ],
)
def test_a_field_of_the_wrong_type_is_named(name, fixture, path, bad):
    payload = json.loads((DATA / f"{fixture}.json").read_text())
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    provider = load_provider_class(name)(api_key=SecretStr(KEY))
    kind = _first_type(type(provider))
    with pytest.raises(ValueError, match=path[-1]):
        provider.parse(SAMPLE[kind], kind, payload, httpx.Response(200, json=payload))


def test_hostile_text_is_cut_to_one_short_line():
    payload = json.loads((DATA / "greynoise_malicious.json").read_text())
    payload["name"] = "Evil\n\x1b[31mFAKE ROW\u202e" + "A" * 100_000
    payload["last_seen"] = "2024\r\n" * 1000
    provider = load_provider_class("greynoise")()
    found = provider.parse("203.0.113.66", "ipv4", payload, httpx.Response(200, json=payload))
    assert len(found.summary) < 200
    assert not any(c in found.summary for c in "\n\r\x1b\u202e")
    assert found.verdict == "malicious"


def test_long_lists_are_capped():
    payload = json.loads((DATA / "urlhaus_url_online.json").read_text())
    payload["tags"] = [f"tag{i}" for i in range(5000)]
    found = load_provider_class("urlhaus")(api_key=SecretStr(KEY)).parse(
        "http://x.example/", "url", payload, httpx.Response(200, json=payload)
    )
    assert len(found.details["tags"]) == 20
    assert found.summary.endswith("tag0, tag1, tag2, tag3 +4996)")


def test_a_reference_is_built_not_copied_from_the_answer():
    payload = json.loads((DATA / "urlhaus_url_online.json").read_text())
    payload["id"] = "1/../../phish"
    payload["urlhaus_reference"] = "https://phish.example/login"
    found = load_provider_class("urlhaus")(api_key=SecretStr(KEY)).parse(
        "http://x.example/", "url", payload, httpx.Response(200, json=payload)
    )
    assert found.reference == "https://urlhaus.abuse.ch/browse/"


@pytest.mark.parametrize("name", ["crowdsec", "xforce", "virustotal"])
def test_error_reasons_never_echo_the_key(name):
    key = "xfe-key-0123456:xfe-pass-7654321"
    provider = load_provider_class(name)(api_key=SecretStr(key))
    echoed = {"message": "key xfe-key-0123456 or password xfe-pass-7654321 is wrong: " + key}
    reason = provider.describe_error(httpx.Response(401, json=echoed))
    assert reason.startswith("HTTP 401")
    assert "is wrong" in reason
    assert "xfe-key-0123456" not in reason and "xfe-pass-7654321" not in reason


def test_a_huge_or_broken_error_body_is_not_read():
    provider = load_provider_class("virustotal")(api_key=SecretStr(KEY))
    huge = httpx.Response(500, content=b'{"error": {"message": "' + b"x" * 200_000 + b'"}}')
    broken = httpx.Response(502, content=b"<html>\x00\xff</html>")
    assert provider.describe_error(huge) == "HTTP 500 Internal Server Error"
    assert provider.describe_error(broken) == "HTTP 502 Bad Gateway"


def test_xforce_needs_key_and_password(monkeypatch):
    monkeypatch.setenv("HUNTBOOK_XFORCE_API_KEY", "only-the-key-42")
    ti = TILookup(["xforce"], settings=Settings(), cache=False, progress=False)
    frame = ti.lookup(["203.0.113.66", "example.com"], types=["ipv4", "domain"])
    assert list(frame["status"]) == ["error", "error"]
    assert all("'<key>:<password>'" in r for r in frame["reason"])
    assert "only-the-key-42" not in str(frame.to_dict("records")) + repr(ti) + str(ti.problems)


@pytest.mark.parametrize("name", ["virustotal", "abuseipdb", "crowdsec", "otx", "threatfox"])
def test_a_provider_that_needs_a_key_says_how_to_give_it(name):
    reason = load_provider_class(name)().missing_key()
    assert f"HUNTBOOK_{name.upper()}_API_KEY" in reason


@pytest.mark.parametrize(
    ("name", "fixture"), [("greynoise", "greynoise_riot"), ("pulsedive", "pulsedive_none")]
)
def test_keyless_providers_send_no_key(name, fixture, http_server):
    payload = json.loads((DATA / f"{fixture}.json").read_text())
    http_server.fallback = type(http_server.fallback)(200, json=payload)
    provider = load_provider_class(name)(base_url=http_server.url)
    assert provider.missing_key() is None
    options = TIOptions(retries=0, cache=False)
    frame = TILookup([provider], settings=Settings(), options=options, cache=False).lookup(
        "8.8.8.8", types="ipv4"
    )
    assert frame.loc[0, "status"] == "ok"
    request = http_server.requests[0]
    assert "key" not in request.headers and "key" not in request.query


def test_threatfox_matches_the_observable_not_a_longer_value():
    payload = json.loads((DATA / "threatfox_ip.json").read_text())
    provider = load_provider_class("threatfox")(api_key=SecretStr(KEY))
    found = provider.parse("203.0.113.6", "ipv4", payload, httpx.Response(200, json=payload))
    assert found.details["iocs"] == ["203.0.113.6:443"]
    with pytest.raises(NotFound):
        provider.parse("203.0.113", "ipv4", payload, httpx.Response(200, json=payload))
