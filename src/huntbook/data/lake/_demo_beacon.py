"""The implant's command-and-control beacon, vectorised (tens of thousands of rows)."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from huntbook.data.lake._demo_arrow import US, build_table, lognormal_bytes, ports
from huntbook.data.lake._demo_context import from_us, to_us
from huntbook.data.lake._demo_emit import Emitter, Proc, connection_columns
from huntbook.data.lake._demo_network import FIREWALL_COLUMNS, dns_columns
from huntbook.data.lake._demo_truth import Beacon
from huntbook.data.lake._demo_windows import base_name

BEACON_STREAM = 40
BEACON_INTERVAL = 60.0
"""Seconds between beacons, on average."""
BEACON_JITTER = 0.2
"""Each gap is the interval times a uniform factor in ``[1 - jitter, 1 + jitter]``."""


def plant_beacon(em: Emitter, implant: Proc, start: datetime, c2_ip: str, c2_domain: str) -> Beacon:
    """Write *implant*'s HTTPS beacons to *c2_domain* from *start* to the end of the data.

    Each beacon is a ``DeviceNetworkEvents`` connection, a firewall session in
    ``CommonSecurityLog`` and a DNS lookup just before it (the C2's short TTL
    defeats the client's cache).
    """
    ctx, h = em.ctx, implant.host
    rng = ctx.rng(BEACON_STREAM, 0)
    first, end = to_us(start), ctx.end_us
    mean = BEACON_INTERVAL * US
    k = int((end - first) / (mean * (1 - BEACON_JITTER))) + 2
    gaps = mean * (1 + rng.uniform(-BEACON_JITTER, BEACON_JITTER, size=k))
    t = first + np.concatenate([[0.0], np.cumsum(gaps)]).astype(np.int64)
    t = t[t < end]
    n = len(t)
    local_port = ports(rng, n)
    connections = connection_columns(t, implant, c2_ip, 443, c2_domain, local_port)
    report_ids = 8_000_000_000 + np.arange(n, dtype=np.int64)
    em.tables["DeviceNetworkEvents"].append(
        build_table("DeviceNetworkEvents", n, {**connections, "ReportId": report_ids})
    )
    em.tables["CommonSecurityLog"].append(
        build_table(
            "CommonSecurityLog",
            n,
            {
                "TimeGenerated": t + rng.integers(300_000, 1_500_000, size=n),
                **FIREWALL_COLUMNS,
                "DeviceAction": "allow",
                "ApplicationProtocol": "ssl",
                "Protocol": "TCP",
                "SourceIP": h.ip,
                "SourcePort": local_port,
                "DestinationIP": c2_ip,
                "DestinationPort": 443,
                "DestinationHostName": c2_domain,
                "SentBytes": np.clip(rng.normal(620, 40, size=n), 500, 760).astype(np.int64),
                "ReceivedBytes": lognormal_bytes(rng, n, 1_150, 0.15),
                "SourceUserName": implant.firewall_user,
            },
        )
    )
    lookups = dns_columns(t - rng.integers(20_000, 80_000, size=n), em.env.dns_server, h.ip, c2_domain, c2_ip)
    em.tables["DnsEvents"].append(build_table("DnsEvents", n, lookups))
    return Beacon(
        host=h.name,
        host_ip=h.ip,
        process=base_name(implant.image),
        process_path=implant.image,
        remote_ip=c2_ip,
        remote_domain=c2_domain,
        remote_port=443,
        interval_seconds=BEACON_INTERVAL,
        jitter=BEACON_JITTER,
        start=from_us(int(t[0])),
        end=from_us(int(t[-1])),
        count=n,
    )
