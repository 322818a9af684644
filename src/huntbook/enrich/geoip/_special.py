"""Special-purpose address ranges: classified, never looked up.

The ranges follow the IANA IPv4 and IPv6 Special-Purpose Address Registries
(RFC 6890 and its updates), plus multicast and the unallocated/reserved blocks.
Where ranges nest, the most specific one wins (``192.0.0.9/32`` is global inside
the reserved ``192.0.0.0/24``). Every address not listed is ``global`` (IPv4) or,
for IPv6, ``global`` inside ``2000::/3`` and ``reserved`` outside it.
"""

from __future__ import annotations

import ipaddress
import itertools
from functools import lru_cache
from typing import TYPE_CHECKING

from huntbook.enrich.geoip._ranges import RangeTable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from huntbook.enrich.geoip._addresses import ParsedAddresses

GLOBAL = "global"

#: ``(network, class)``; order does not matter, the most specific network wins.
SPECIAL_V4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "this_network"),
    ("0.0.0.0/32", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "cgnat"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link_local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.0.9/32", GLOBAL),
    ("192.0.0.10/32", GLOBAL),
    ("192.0.2.0/24", "documentation"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "broadcast"),
)

SPECIAL_V6: tuple[tuple[str, str], ...] = (
    ("::/0", "reserved"),
    ("2000::/3", GLOBAL),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b::/96", "nat64"),
    ("64:ff9b:1::/48", "private"),
    ("100::/64", "discard"),
    ("2001::/23", "reserved"),
    ("2001::/32", "teredo"),
    ("2001:1::1/128", GLOBAL),
    ("2001:1::2/128", GLOBAL),
    ("2001:2::/48", "benchmarking"),
    ("2001:3::/32", GLOBAL),
    ("2001:4:112::/48", GLOBAL),
    ("2001:20::/28", GLOBAL),
    ("2001:30::/28", GLOBAL),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "reserved"),
    ("fc00::/7", "unique_local"),
    ("fe80::/10", "link_local"),
    ("fec0::/10", "site_local"),
    ("ff00::/8", "multicast"),
)


def _flatten(
    networks: tuple[tuple[str, str], ...], default: str, top: int
) -> tuple[list[tuple[int, int]], list[str]]:
    """Cut nested networks into non-overlapping ranges labelled by their most specific network."""
    parsed = [(ipaddress.ip_network(net), label) for net, label in networks]
    bounds = {0, top + 1}
    for net, _ in parsed:
        bounds.update((int(net.network_address), int(net.broadcast_address) + 1))
    edges = sorted(bounds)
    ranges: list[tuple[int, int]] = []
    labels: list[str] = []
    for start, nxt in itertools.pairwise(edges):
        holders = [(net.prefixlen, label) for net, label in parsed if int(net.network_address) <= start
                   and start <= int(net.broadcast_address)]
        label = max(holders)[1] if holders else default
        if labels and labels[-1] == label and ranges[-1][1] + 1 == start:
            ranges[-1] = (ranges[-1][0], nxt - 1)
        else:
            ranges.append((start, nxt - 1))
            labels.append(label)
    return ranges, labels


@lru_cache(maxsize=1)
def _table() -> tuple[RangeTable, list[str]]:
    v4, labels4 = _flatten(SPECIAL_V4, GLOBAL, 2**32 - 1)
    v6, labels6 = _flatten(SPECIAL_V6, "reserved", 2**128 - 1)
    return RangeTable.from_ranges(v4, v6), labels4 + labels6


def classify(addresses: ParsedAddresses) -> npt.NDArray[np.object_]:
    """Return the class of each address (``global``, ``private``, ...; ``""`` for non-addresses)."""
    import numpy as np

    table, labels = _table()
    rows = table.find(addresses, addresses.version > 0)
    names = np.array([*labels, ""], dtype=object)
    return names[rows]
