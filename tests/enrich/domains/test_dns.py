"""resolve / reverse_lookup with dnspython against a local DNS server (dnslib), never the internet."""

from __future__ import annotations

import threading
import time

import pytest

from huntbook.enrich.dnslookup import RESOLVE_COLUMNS, REVERSE_COLUMNS, resolve, reverse_lookup

dnslib = pytest.importorskip("dnslib")
from dnslib import QTYPE, RCODE, RR  # noqa: E402
from dnslib.server import BaseResolver, DNSLogger, DNSServer  # noqa: E402

ZONE = """
example.com.              300 IN A     93.184.216.34
example.com.              300 IN AAAA  2606:2800:220:1:248:1893:25c8:1946
example.com.              300 IN MX    10 mail.example.com.
example.com.              300 IN TXT   "v=spf1 -all"
www.example.com.          300 IN CNAME example.com.
xn--bcher-kva.example.    60  IN A     192.0.2.10
34.216.184.93.in-addr.arpa. 600 IN PTR example.com.
6.4.9.1.8.c.5.2.3.9.8.1.8.4.2.0.1.0.0.0.0.2.2.0.0.0.8.2.6.0.6.2.ip6.arpa. 600 IN PTR example.com.
"""


class _ZoneResolver(BaseResolver):
    def __init__(self):
        self.records = RR.fromZone(ZONE)
        self.queries = []
        self.release = threading.Event()

    def resolve(self, request, handler):
        qname, qtype = request.q.qname, QTYPE[request.q.qtype]
        self.queries.append((str(qname), qtype))
        reply = request.reply()
        if str(qname).startswith("slow."):
            self.release.wait(1.0)  # longer than the client's lifetime
        if str(qname).startswith("servfail."):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        matches = [rr for rr in self.records if rr.rname == qname]
        for rr in matches:
            if QTYPE[rr.rtype] == qtype:
                reply.add_answer(rr)
            elif QTYPE[rr.rtype] == "CNAME":  # answer with the chain, as a recursive resolver does
                reply.add_answer(rr)
                reply.add_answer(
                    *[t for t in self.records if t.rname == rr.rdata.label and QTYPE[t.rtype] == qtype]
                )
        if not matches:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


@pytest.fixture(scope="module")
def dns_server():
    resolver = _ZoneResolver()
    quiet = DNSLogger(prefix=False, logf=lambda _message: None)
    server = DNSServer(resolver, port=0, address="127.0.0.1", logger=quiet)
    server.start_thread()
    yield server.server.server_address[1], resolver
    resolver.release.set()
    time.sleep(0.1)  # let a held reply go out before the socket closes
    server.stop()
    server.server.server_close()


def _at(server):
    return {"nameservers": ["127.0.0.1"], "port": server[0], "timeout": 0.5, "lifetime": 0.8}


def test_resolve_record_types(dns_server):
    frame = resolve(["example.com", "EXAMPLE.com.", "nxdomain.example.com"], **_at(dns_server))
    assert list(frame.columns) == list(RESOLVE_COLUMNS)
    assert frame["answers"].iloc[0] == ["93.184.216.34"] and frame["ttl"].iloc[0] == 300
    assert frame["status"].tolist() == ["ok", "ok", "not found (NXDOMAIN)"]
    assert frame["nameserver"].iloc[0] == "127.0.0.1"
    assert resolve("example.com", record_type="AAAA", **_at(dns_server))["answers"][0] == [
        "2606:2800:220:1:248:1893:25c8:1946"
    ]
    assert resolve("example.com", record_type="MX", **_at(dns_server))["answers"][0] == [
        "10 mail.example.com."
    ]
    assert resolve("example.com", record_type="TXT", **_at(dns_server))["answers"][0] == ['"v=spf1 -all"']
    assert resolve("www.example.com", **_at(dns_server))["answers"][0] == ["93.184.216.34"]
    assert resolve("www.example.com", record_type="CNAME", **_at(dns_server))["answers"][0] == ["example.com"]


def test_idn_names_are_sent_as_punycode(dns_server):
    frame = resolve(["bücher.example"], **_at(dns_server))
    assert frame.loc[0, "query"] == "xn--bcher-kva.example"
    assert frame.loc[0, "answers"] == ["192.0.2.10"]


def test_no_record_timeout_servfail_and_bad_names(dns_server):
    names = ["example.com", "slow.example.com", "servfail.example.com", "a..b", "x" * 300, None]
    frame = resolve(names, record_type="CAA", **_at(dns_server))
    slow = [q for q, _ in dns_server[1].queries if q.startswith("slow.")]
    assert 1 <= len(slow) <= 2  # the slow name is given up within its lifetime: attempts counted, not timed
    assert frame["status"].tolist() == [
        "no CAA record",
        "timed out after 0.8 s",
        frame["status"][2],
        "invalid: empty label",
        "invalid: longer than 253 characters",
        "invalid: empty",
    ]
    assert frame["status"][2].startswith("error: no server answered")


def test_reverse_lookup(dns_server):
    frame = reverse_lookup(
        ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "192.0.2.99", "nope"], **_at(dns_server)
    )
    assert list(frame.columns) == list(REVERSE_COLUMNS)
    assert frame["hostnames"].iloc[0] == ["example.com"] and frame["hostnames"].iloc[1] == ["example.com"]
    assert frame["query"].iloc[0] == "34.216.184.93.in-addr.arpa"
    assert frame["status"].tolist() == ["ok", "ok", "not found (NXDOMAIN)", "invalid: not an IP address"]


def test_duplicates_are_asked_once(dns_server):
    _, resolver = dns_server
    before = len(resolver.queries)
    frame = resolve(["example.com"] * 50, **_at(dns_server))
    assert (frame["status"] == "ok").all()
    assert len(resolver.queries) - before == 1
