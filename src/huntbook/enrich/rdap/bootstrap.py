"""Find the RDAP server for a domain, an IP address or an AS number (RFC 9224 bootstrap files).

IANA publishes four JSON files (``dns.json``, ``ipv4.json``, ``ipv6.json``,
``asn.json``) of the form ``{"services": [[[entries...], [urls...]], ...]}``.
Entries are TLDs, CIDR prefixes or ``"first-last"`` AS ranges. A lookup picks
the longest matching entry and prefers an ``https`` URL.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from huntbook.errors import HuntbookError

IANA_BOOTSTRAP_URL = "https://data.iana.org/rdap/"
BOOTSTRAP_FILES = {"domain": "dns.json", "ipv4": "ipv4.json", "ipv6": "ipv6.json", "asn": "asn.json"}


class BootstrapError(HuntbookError):
    """An RDAP bootstrap file could not be fetched or is not in the RFC 9224 format."""


def _pick_url(urls: list[Any]) -> str:
    texts = [u for u in urls if isinstance(u, str)]
    if not texts:
        raise BootstrapError("a bootstrap service lists no URL")
    url = next((u for u in texts if u.startswith("https://")), texts[0])
    return url if url.endswith("/") else url + "/"


def _services(document: Any, name: str) -> list[tuple[list[str], str]]:
    if not isinstance(document, dict) or not isinstance(document.get("services"), list):
        raise BootstrapError(f"{name}: not an RDAP bootstrap file (no 'services' list)")
    out = []
    for service in document["services"]:
        if (isinstance(service, list) and len(service) >= 2 and isinstance(service[0], list)
                and isinstance(service[1], list)):
            out.append(([str(e).lower() for e in service[0]], _pick_url(service[1])))
    return out


@dataclass
class Bootstrap:
    """The parsed bootstrap registry: lookups of the RDAP base URL for an object."""

    tlds: dict[str, str] = field(default_factory=dict)
    networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = field(default_factory=list)
    asn_ranges: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, kind: str, document: Any) -> None:
        """Add one bootstrap file (``kind`` is a key of `BOOTSTRAP_FILES`)."""
        for entries, url in _services(document, BOOTSTRAP_FILES[kind]):
            for entry in entries:
                if kind == "domain":
                    self.tlds[entry.strip(".")] = url
                elif kind in ("ipv4", "ipv6"):
                    try:
                        self.networks.append((ipaddress.ip_network(entry, strict=False), url))
                    except ValueError:
                        continue
                else:
                    first, _, last = entry.partition("-")
                    if first.isdigit() and (last or first).isdigit():
                        self.asn_ranges.append((int(first), int(last or first), url))
        self.networks.sort(key=lambda item: item[0].prefixlen, reverse=True)

    def for_domain(self, domain: str) -> str | None:
        """Return the base URL for *domain* (an A-label name), longest matching suffix first."""
        labels = domain.lower().strip(".").split(".")
        for start in range(len(labels)):
            url = self.tlds.get(".".join(labels[start:]))
            if url:
                return url
        return None

    def for_ip(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        """Return the base URL for *address* (most specific block)."""
        return next((url for net, url in self.networks
                     if net.version == address.version and address in net), None)

    def for_asn(self, number: int) -> str | None:
        """Return the base URL for AS *number*."""
        return next((url for first, last, url in self.asn_ranges if first <= number <= last), None)
