"""whois_lookup against a local RDAP server: RFC 9224 bootstrap files, RFC 9083 answers, faults.

The server answers in RDAP's documented shapes (domain, ip network and autnum
objects with entities/jCards, events, nameservers, cidr0 extension; a thin
registry's ``related`` link to the registrar's RDAP server), modelled on real
Verisign and APNIC responses, and injects the faults of the issue: 404, 429
with Retry-After, 5xx, malformed JSON, slow answers and dropped connections.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from huntbook.enrich.whois import WHOIS_COLUMNS, FetchPolicy, whois_lookup

pytest.importorskip("httpx")

FAST = FetchPolicy(requests_per_second=1000, timeout=1.0, max_retries=2, backoff=0.01, max_retry_after=5)


def _vcard(*props):
    return ["vcard", [["version", {}, "text", "4.0"], *props]]


def _domain(name, base):
    return {
        "objectClassName": "domain",
        "handle": "2336799_DOMAIN_COM-VRSN",
        "ldhName": name.upper(),
        "links": [
            {
                "value": f"{base}/rdap/domain/{name}",
                "rel": "self",
                "href": f"{base}/rdap/domain/{name}",
                "type": "application/rdap+json",
            },
            {
                "value": f"{base}/rdap/domain/{name}",
                "rel": "related",
                "href": f"{base}/registrar/domain/{name}",
                "type": "application/rdap+json",
            },
        ],
        "status": ["client delete prohibited", "client transfer prohibited"],
        "entities": [
            {
                "objectClassName": "entity",
                "handle": "376",
                "roles": ["registrar"],
                "publicIds": [{"type": "IANA Registrar ID", "identifier": "376"}],
                "vcardArray": _vcard(["fn", {}, "text", "Example Registrar, Inc."]),
                "entities": [
                    {
                        "objectClassName": "entity",
                        "roles": ["abuse"],
                        "vcardArray": _vcard(
                            ["fn", {}, "text", ""], ["email", {}, "text", "abuse@registrar.example"]
                        ),
                    }
                ],
            }
        ],
        "events": [
            {"eventAction": "registration", "eventDate": "1995-08-14T04:00:00Z"},
            {"eventAction": "expiration", "eventDate": "2031-08-13T04:00:00Z"},
            {"eventAction": "last update of RDAP database", "eventDate": "2026-11-28T09:58:51Z"},
        ],
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": "A.IANA-SERVERS.NET"},
            {"objectClassName": "nameserver", "ldhName": "B.IANA-SERVERS.NET"},
        ],
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0"],
    }


REGISTRAR_DOMAIN = {
    "objectClassName": "domain",
    "ldhName": "example.com",
    "entities": [
        {
            "objectClassName": "entity",
            "roles": ["registrant"],
            "vcardArray": _vcard(["fn", {}, "text", ""], ["org", {}, "text", "Example Org LLC"]),
        }
    ],
    "rdapConformance": ["rdap_level_0"],
}

IP_NETWORK = {
    "rdapConformance": ["history_version_0", "cidr0", "rdap_level_0"],
    "objectClassName": "ip network",
    "handle": "1.1.1.0 - 1.1.1.255",
    "startAddress": "1.1.1.0",
    "endAddress": "1.1.1.255",
    "ipVersion": "v4",
    "name": "APNIC-LABS",
    "type": "ASSIGNED PORTABLE",
    "country": "AU",
    "events": [{"eventAction": "last changed", "eventDate": "2020-07-15T13:10:57Z"}],
    "entities": [
        {
            "objectClassName": "entity",
            "handle": "IRT-APNICRANDNET-AU",
            "roles": ["abuse"],
            "vcardArray": _vcard(
                ["fn", {}, "text", "IRT-APNICRANDNET-AU"],
                ["kind", {}, "text", "group"],
                ["email", {}, "text", "helpdesk@apnic.net"],
            ),
        },
        {
            "objectClassName": "entity",
            "handle": "AR302-AP",
            "roles": ["administrative", "technical"],
            "vcardArray": _vcard(["fn", {}, "text", "APNIC RESEARCH"], ["kind", {}, "text", "group"]),
        },
    ],
    "cidr0_cidrs": [{"v4prefix": "1.1.1.0", "length": 24}],
    "port43": "whois.apnic.net",
}

IP6_NETWORK = {
    "objectClassName": "ip network",
    "handle": "NET6-2001-4860-1",
    "startAddress": "2001:4860::",
    "endAddress": "2001:4860:ffff:ffff:ffff:ffff:ffff:ffff",
    "ipVersion": "v6",
    "name": "GOOGLE-IPV6",
    "arin_originas0_originautnums": [15169],
    "events": [{"eventAction": "registration", "eventDate": "2005-03-14T00:00:00-05:00"}],
    "entities": [
        {
            "objectClassName": "entity",
            "roles": ["registrant"],
            "vcardArray": _vcard(["fn", {}, "text", "Google LLC"]),
        }
    ],
}

AUTNUM = {
    "objectClassName": "autnum",
    "handle": "AS13335",
    "startAutnum": 13335,
    "endAutnum": 13335,
    "name": "CLOUDFLARENET",
    "country": "US",
    "events": [{"eventAction": "registration", "eventDate": "2010-07-14T00:00:00-04:00"}],
}


class _Rdap(BaseHTTPRequestHandler):
    base = ""
    log: ClassVar[list[str]] = []
    attempts: ClassVar[dict[str, int]] = {}

    def log_message(self, *args):
        pass

    def _json(self, status, document, headers=None):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        self.log.append(path)
        n = self.attempts[path] = self.attempts.get(path, 0) + 1
        base = self.base
        registry = f"{base}/rdap/"
        if path == "/bootstrap/dns.json":
            return self._json(
                200,
                {
                    "version": "1.0",
                    "publication": "2026-11-01T00:00:00Z",
                    "services": [
                        [["com", "net"], [registry]],
                        [["test"], ["https://rdap.example.invalid/", registry]],
                    ],
                },
            )
        if path == "/bootstrap/ipv4.json":
            return self._json(200, {"version": "1.0", "services": [[["1.0.0.0/8", "8.0.0.0/8"], [registry]]]})
        if path == "/bootstrap/ipv6.json":
            return self._json(200, {"version": "1.0", "services": [[["2001:4800::/23"], [registry]]]})
        if path == "/bootstrap/asn.json":
            return self._json(200, {"version": "1.0", "services": [[["13312-18431"], [registry]]]})
        if path == "/rdap/domain/example.com":
            return self._json(200, _domain("example.com", base))
        if path == "/registrar/domain/example.com":
            return self._json(200, REGISTRAR_DOMAIN)
        if path == "/rdap/ip/1.1.1.1":
            return self._json(200, IP_NETWORK)
        if path == "/rdap/ip/2001:4860::8888":
            return self._json(200, IP6_NETWORK)
        if path == "/rdap/autnum/13335":
            return self._json(200, AUTNUM)
        if path == "/rdap/domain/ratelimited.com":
            if n == 1:
                return self._json(429, {"errorCode": 429, "title": "Too Many Requests"}, {"Retry-After": "1"})
            return self._json(200, _domain("ratelimited.com", base))
        if path == "/rdap/domain/blocked.com":
            return self._json(429, {"errorCode": 429, "title": "Too Many Requests"}, {"Retry-After": "3600"})
        if path == "/rdap/domain/broken.com":
            return self._json(500, {"errorCode": 500, "title": "Internal Server Error"})
        if path == "/rdap/domain/flaky.net":
            if n <= 2:
                return self._json(503, {"errorCode": 503, "title": "Service Unavailable"})
            return self._json(200, _domain("flaky.net", base))
        if path == "/rdap/domain/garbled.com":
            body = b'{"objectClassName": "domain", "ldhName": '
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        if path == "/rdap/domain/slow.com":
            time.sleep(1.5)
            return self._json(200, _domain("slow.com", base))
        if path == "/rdap/domain/reset.com":
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.connection.close()
            self.close_connection = True
            return None
        return self._json(404, {"errorCode": 404, "title": "Not Found"})


@pytest.fixture
def rdap_server(tmp_path):
    _Rdap.log = []
    _Rdap.attempts = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rdap)
    server.daemon_threads = True
    _Rdap.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Rdap.base
    server.shutdown()
    server.server_close()


def _lookup(server, observables, tmp_path, **kwargs):
    kwargs.setdefault("policy", FAST)
    return whois_lookup(
        observables,
        bootstrap_url=f"{server}/bootstrap/",
        cache_path=tmp_path / "rdap.sqlite",
        progress=False,
        **kwargs,
    )


def test_domains_ips_and_asns(rdap_server, tmp_path):
    frame = _lookup(
        rdap_server, ["www.Example.com", "1.1.1.1", "2001:4860::8888", "AS13335", "example.com"], tmp_path
    )
    assert list(frame.columns) == list(WHOIS_COLUMNS)
    assert frame["status"].tolist() == ["ok"] * 5
    domain = frame.iloc[0]
    assert (domain["type"], domain["query"]) == ("domain", "example.com")
    assert domain["registrar"] == "Example Registrar, Inc."
    assert domain["org"] == "Example Org LLC"  # from the registrar's RDAP server (related link)
    assert (domain["created"], domain["expires"]) == ("1995-08-14T04:00:00Z", "2031-08-13T04:00:00Z")
    assert domain["nameservers"] == "a.iana-servers.net, b.iana-servers.net"
    assert domain["abuse_email"] == "abuse@registrar.example"
    assert "client transfer prohibited" in domain["rdap_status"]
    assert domain["server"] == f"{rdap_server}/rdap/"
    assert json.loads(domain["raw"])["handle"] == "2336799_DOMAIN_COM-VRSN"
    ip = frame.iloc[1]
    assert (ip["org"], ip["country"], ip["cidr"], ip["abuse_email"]) == (
        "APNIC-LABS",
        "AU",
        "1.1.1.0/24",
        "helpdesk@apnic.net",
    )
    assert ip["updated"] == "2020-07-15T13:10:57Z"
    ip6 = frame.iloc[2]
    assert (ip6["org"], ip6["asn"], ip6["cidr"]) == ("Google LLC", "15169", "2001:4860::/32")
    asn = frame.iloc[3]
    assert (asn["type"], asn["name"], asn["asn"], asn["country"]) == ("asn", "CLOUDFLARENET", "13335", "US")
    # www.example.com and example.com are one question to the registry
    assert _Rdap.log.count("/rdap/domain/example.com") == 1


def test_answers_come_from_the_cache_until_they_expire(rdap_server, tmp_path):
    first = _lookup(rdap_server, ["example.com", "1.1.1.1", "nosuchdomain.com"], tmp_path)
    assert first["cached"].tolist() == [False] * 3
    assert first["status"].tolist() == ["ok", "ok", "not found"]
    requests = len(_Rdap.log)
    again = _lookup(rdap_server, ["example.com", "1.1.1.1", "nosuchdomain.com"], tmp_path)
    assert again["cached"].tolist() == [True] * 3
    assert len(_Rdap.log) == requests  # not one request, bootstrap included
    assert again.drop(columns=["cached", "server"]).equals(first.drop(columns=["cached", "server"]))
    _lookup(rdap_server, ["example.com"], tmp_path, ttl_hours=0)
    assert _Rdap.log.count("/rdap/domain/example.com") == 2
    _lookup(rdap_server, ["example.com"], tmp_path, use_cache=False)
    assert _Rdap.log.count("/rdap/domain/example.com") == 3


def test_retry_after_is_honoured(rdap_server, tmp_path):
    start = time.monotonic()
    frame = _lookup(rdap_server, ["ratelimited.com"], tmp_path)
    assert frame.loc[0, "status"] == "ok"
    assert time.monotonic() - start >= 0.9
    assert _Rdap.attempts["/rdap/domain/ratelimited.com"] == 2


def test_faults_give_one_clear_row_each_and_keep_the_rest(rdap_server, tmp_path):
    observables = [
        "blocked.com",
        "broken.com",
        "flaky.net",
        "garbled.com",
        "reset.com",
        "example.com",
        "nosuchdomain.com",
        "example.org",
        "10.0.0.1",
        "localhost",
        "not a domain!",
        None,
        "AS99999999999",
    ]
    frame = _lookup(rdap_server, observables, tmp_path)
    status = dict(zip(observables[:-2], frame["status"][:-2], strict=True))
    error = dict(zip(observables[:-2], frame["error"][:-2], strict=True))
    assert status["blocked.com"] == "error" and "Retry-After 3600 s" in error["blocked.com"]
    assert _Rdap.attempts["/rdap/domain/blocked.com"] == 1
    assert status["broken.com"] == "error"
    assert error["broken.com"] == "gave up after 3 attempts: HTTP 500"
    assert _Rdap.attempts["/rdap/domain/broken.com"] == 3  # bounded: 1 + max_retries
    assert status["flaky.net"] == "ok"  # two 503s, then an answer
    assert error["garbled.com"] == "malformed RDAP response (not JSON)"
    assert status["reset.com"] == "error" and "connection failed" in error["reset.com"]
    assert status["example.com"] == "ok" and status["nosuchdomain.com"] == "not found"
    assert error["example.org"] == "no RDAP server is listed for the .org registry in the IANA bootstrap"
    assert status["10.0.0.1"] == "not looked up (private)"
    assert status["localhost"] == "not looked up (no public suffix)"
    assert status["not a domain!"].startswith("invalid: label 'not a domain!'")
    assert frame["status"].iloc[-2] == "invalid: empty"
    assert frame["status"].iloc[-1] == "invalid: AS number larger than 4294967295"
    # errors are not cached: asking again asks the server again
    _lookup(rdap_server, ["broken.com", "example.com"], tmp_path)
    assert _Rdap.attempts["/rdap/domain/broken.com"] == 6
    assert _Rdap.attempts["/rdap/domain/example.com"] == 1


def test_slow_server_times_out(rdap_server, tmp_path):
    policy = FetchPolicy(requests_per_second=1000, timeout=0.3, max_retries=1, backoff=0.01)
    frame = _lookup(rdap_server, ["slow.com", "example.com"], tmp_path, policy=policy)
    assert frame["status"].tolist() == ["error", "ok"]
    assert frame.loc[0, "error"] == "gave up after 2 attempts: timed out after 0.3 s"


def test_missing_bootstrap_is_an_error_per_row(rdap_server, tmp_path):
    frame = whois_lookup(
        ["example.com", "1.1.1.1"],
        bootstrap_url=f"{rdap_server}/nothing-here/",
        cache_path=tmp_path / "c.sqlite",
        policy=FAST,
        progress=False,
    )
    assert frame["status"].tolist() == ["error", "error"]
    assert frame.loc[0, "error"].startswith(
        f"RDAP bootstrap file {rdap_server}/nothing-here/dns.json unavailable"
    )


def test_works_inside_a_running_event_loop(rdap_server, tmp_path):
    async def notebook_cell():
        return _lookup(rdap_server, ["example.com"], tmp_path)

    frame = asyncio.run(notebook_cell())
    assert frame.loc[0, "registrar"] == "Example Registrar, Inc."


def test_whois_command(rdap_server, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from huntbook.cli import app

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the default cache file goes here
    result = CliRunner(env={"COLUMNS": "220"}).invoke(
        app, ["whois", "example.com", "1.1.1.1", "--bootstrap-url", f"{rdap_server}/bootstrap/", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [r["registrar"] for r in rows] == ["Example Registrar, Inc.", ""]
    assert rows[1]["cidr"] == "1.1.1.0/24" and "raw" not in rows[0]
    assert (tmp_path / "huntbook" / "rdap.sqlite").is_file()


def test_unusable_cache_file_is_a_clear_error(tmp_path):
    from huntbook.enrich.rdap.cache import RdapCacheError

    not_a_db = tmp_path / "cache.sqlite"
    not_a_db.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(RdapCacheError, match="use_cache=False"):
        whois_lookup(["example.com"], cache_path=not_a_db, progress=False)


def test_ipv4_mapped_and_zone_addresses_ask_for_the_plain_address(rdap_server, tmp_path):
    frame = _lookup(rdap_server, ["::ffff:1.1.1.1", "fe80::1%eth0"], tmp_path)
    assert (frame.loc[0, "query"], frame.loc[0, "status"], frame.loc[0, "cidr"]) == (
        "1.1.1.1",
        "ok",
        "1.1.1.0/24",
    )
    assert frame.loc[1, "status"] == "not looked up (link_local)"
