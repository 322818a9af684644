"""Background network activity: Defender connections, firewall logs, DNS lookups.

One outbound connection shows up to three times: in ``DeviceNetworkEvents``
(Windows hosts), in ``CommonSecurityLog`` (when it leaves through the
firewall) and, when the client had no cached answer, as a ``DnsEvents``
lookup a moment before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from huntbook.data.lake._demo_arrow import (
    US,
    Combos,
    build_table,
    count,
    flags,
    flat_profile,
    join,
    lognormal_bytes,
    office_profile,
    ports,
    sample_times,
)
from huntbook.data.lake._demo_catalog import (
    DESTINATIONS,
    FLOWS,
    INTERNAL_LOOKUPS,
    LINUX_FLOWS,
)
from huntbook.data.lake._demo_context import Context
from huntbook.data.lake._demo_env import FIREWALL, LOG_FORWARDER, NETBIOS, environment
from huntbook.data.lake._demo_truth import Host
from huntbook.data.lake._demo_windows import base_name, defender_columns, file_facts

NETWORK_STREAM = 10

_RATES = {"user": 3000.0, "system": 900.0, "linux": 120.0}
_SCANS_PER_DAY = 300.0
_BYPASS_PER_WEEKDAY = 6.0
_LOOKUPS_PER_WEEKDAY = 700.0
_DNS_CACHE_MISS = 0.35

SCANNERS = tuple(f"203.0.113.{i}" for i in range(150, 255)) + tuple(
    f"198.51.100.{i}" for i in range(200, 255)
)
"""Internet hosts that probe the organisation's public addresses (denied)."""

FIREWALL_COLUMNS: dict[str, Any] = {
    "DeviceVendor": "Palo Alto Networks",
    "DeviceProduct": "PAN-OS",
    "DeviceVersion": "11.1.4",
    "DeviceEventClassID": "end",
    "Activity": "TRAFFIC",
    "LogSeverity": "1",
    "Computer": LOG_FORWARDER,
    "DeviceName": FIREWALL,
}
DNS_COLUMNS: dict[str, Any] = {"EventId": 257, "SubType": "LookupQuery"}


def dns_columns(t: Any, server: str, client_ip: Any, name: Any, answer: Any) -> dict[str, Any]:
    """Return the ``DnsEvents`` columns of A lookups of *name* that *server* answered with *answer*."""
    return {
        "TimeGenerated": t,
        "Computer": server,
        **DNS_COLUMNS,
        "ClientIP": client_ip,
        "Name": name,
        "QueryType": "A",
        "IPAddresses": answer,
        "Result": "Success",
        "ResultCode": 0,
    }


def _flow_rows(
    h: Host,
    image: str,
    cmd: str,
    account: tuple[str, str] | None,
    names: tuple[str, ...],
    port: int,
    app: str,
    weight: float,
) -> list[tuple[dict[str, Any], float]]:
    out = []
    sha256 = file_facts(image)[2] if "\\" in image else None
    for name in names:
        dest = DESTINATIONS[name]
        public = not dest.ips[0].startswith("10.")
        for ip in dest.ips:
            row = {
                "DeviceId": h.device_id if h.os_type == "Windows" else None,
                "DeviceName": h.device_name,
                "LocalIP": h.ip,
                "RemoteIP": ip,
                "RemotePort": port,
                "RemoteUrl": name,
                "RemoteIPType": "Public" if public else "Private",
                "Protocol": "Udp" if port == 123 else "Tcp",
                "InitiatingProcessFileName": base_name(image) if image else None,
                "InitiatingProcessFolderPath": image or None,
                "InitiatingProcessCommandLine": cmd or None,
                "InitiatingProcessSHA256": sha256,
                "InitiatingProcessAccountDomain": account[0] if account else None,
                "InitiatingProcessAccountName": account[1] if account else None,
                "SourceUserName": (
                    f"{NETBIOS.lower()}\\{account[1]}" if account and account[0] == NETBIOS.lower() else None
                ),
                "ApplicationProtocol": app,
                "IPAddresses": ", ".join(dest.ips),
                "mde": h.os_type == "Windows",
                "public": public,
                "http": port == 80,
            }
            out.append((row, weight / len(names) / len(dest.ips)))
    return out


@cache
def flow_combos() -> dict[str, Combos]:
    """Return the outbound connection kinds of each stream."""
    env = environment()
    rows: dict[str, list[tuple[dict[str, Any], float]]] = {k: [] for k in _RATES}
    for flow in FLOWS:
        for h in env.hosts:
            if h.os_type != "Windows":
                continue
            if flow.where == "workstation" and h.role != "workstation":
                continue
            if flow.where not in ("workstation", "windows") and h.name != flow.where:
                continue
            if flow.account:
                account = (NETBIOS.lower(), flow.account)
            elif flow.stream == "user":
                account = (NETBIOS.lower(), h.primary_user or "")
            else:
                account = ("nt authority", "system")
            image = flow.image.replace("{user}", account[1])
            cmd = flow.command_line.replace("{user}", account[1])
            rows[flow.stream] += _flow_rows(
                h, image, cmd, account, flow.names, flow.port, flow.app, flow.weight
            )
    for h in env.hosts:
        if h.os_type == "Linux":
            for name, port, app, weight in LINUX_FLOWS:
                rows["linux"] += _flow_rows(h, "", "", None, (name,), port, app, weight)
    return {k: Combos([r for r, _ in v], [w for _, w in v]) for k, v in rows.items()}


@cache
def lookup_combos() -> Combos:
    """Return the internal DNS lookups hosts make."""
    env = environment()
    rows, weights = [], []
    for h in env.hosts:
        for name, qtype, answer, code, weight in INTERNAL_LOOKUPS:
            rows.append(
                {
                    "ClientIP": h.ip,
                    "Name": name,
                    "QueryType": qtype,
                    "IPAddresses": answer,
                    "Result": "Success" if code == 0 else "Failure",
                    "ResultCode": code,
                }
            )
            weights.append(weight)
    return Combos(rows, weights)


def network(ctx: Context, day: int) -> dict[str, pa.Table]:
    """Return the day's background connections, firewall logs and DNS lookups."""
    rng = ctx.rng(NETWORK_STREAM, day)
    start = ctx.day_start(day)
    c, t = ctx.draw_streams(rng, day, flow_combos(), _RATES, office=("user",))
    n = len(t)
    local_port = ports(rng, n)
    mde = flags(c, "mde")
    m = c.filter(pa.array(mde))
    dne = build_table(
        "DeviceNetworkEvents",
        m.num_rows,
        {
            **defender_columns(t[mde], m["DeviceId"], m["DeviceName"], "ConnectionSuccess"),
            **{k: m[k] for k in ("RemoteIP", "RemotePort", "RemoteUrl", "LocalIP", "Protocol")},
            "LocalPort": local_port[mde],
            "RemoteIPType": m["RemoteIPType"],
            "LocalIPType": "Private",
            "InitiatingProcessFileName": m["InitiatingProcessFileName"],
            "InitiatingProcessFolderPath": m["InitiatingProcessFolderPath"],
            "InitiatingProcessId": rng.integers(0x40, 0x3000, size=m.num_rows) * 4,
            "InitiatingProcessCommandLine": m["InitiatingProcessCommandLine"],
            "InitiatingProcessSHA256": m["InitiatingProcessSHA256"],
            "InitiatingProcessAccountDomain": m["InitiatingProcessAccountDomain"],
            "InitiatingProcessAccountName": m["InitiatingProcessAccountName"],
            "ReportId": rng.integers(1, 2**31, size=m.num_rows),
        },
    )
    public = flags(c, "public")
    p = c.filter(pa.array(public))
    k = p.num_rows
    http = flags(p, "http")
    url = pc.if_else(pa.array(http), join("http://", p["RemoteUrl"], "/"), pa.nulls(k, pa.string()))
    csl = build_table(
        "CommonSecurityLog",
        k,
        {
            "TimeGenerated": t[public] + rng.integers(US, 90 * US, size=k),
            **FIREWALL_COLUMNS,
            "DeviceAction": "allow",
            "ApplicationProtocol": p["ApplicationProtocol"],
            "Protocol": pc.utf8_upper(p["Protocol"]),
            "SourceIP": p["LocalIP"],
            "SourcePort": local_port[public],
            "DestinationIP": p["RemoteIP"],
            "DestinationPort": p["RemotePort"],
            "DestinationHostName": p["RemoteUrl"],
            "RequestURL": url,
            "RequestMethod": pc.if_else(pa.array(http), "GET", pa.nulls(k, pa.string())),
            "SentBytes": lognormal_bytes(rng, k, 1500, 1.0),
            "ReceivedBytes": lognormal_bytes(rng, k, 14_000, 1.6),
            "SourceUserName": p["SourceUserName"],
        },
    )
    miss = rng.random(n) < _DNS_CACHE_MISS
    d = c.filter(pa.array(miss))
    asked = np.maximum(t[miss] - rng.integers(2_000, 200_000, size=d.num_rows), start)
    lookups = dns_columns(asked, ctx.env.dns_server, d["LocalIP"], d["RemoteUrl"], d["IPAddresses"])
    dns = build_table("DnsEvents", d.num_rows, lookups)
    return {
        "DeviceNetworkEvents": dne,
        "CommonSecurityLog": pa.concat_tables([csl, *_denied(ctx, day, rng)]),
        "DnsEvents": pa.concat_tables([dns, _lookups(ctx, day, rng)]),
    }


def _denied(ctx: Context, day: int, rng: np.random.Generator) -> list[pa.Table]:
    n = count(rng, ctx.flat_mean(_SCANS_PER_DAY))
    env = ctx.env
    targets = np.array([env.egress_ip, env.bastion_public_ip])
    target_ports = np.array([22, 23, 445, 3389, 8080, 1433, 5900, 80, 443, 6379], dtype=np.int64)
    port = target_ports[rng.choice(len(target_ports), size=n, p=_PORT_WEIGHTS)]
    scans = build_table(
        "CommonSecurityLog",
        n,
        {
            "TimeGenerated": sample_times(rng, ctx.day_start(day), n, flat_profile()),
            **FIREWALL_COLUMNS,
            "DeviceAction": "deny",
            "ApplicationProtocol": "incomplete",
            "Protocol": "TCP",
            "SourceIP": pa.array(np.array(SCANNERS)[rng.integers(0, len(SCANNERS), size=n)]),
            "SourcePort": ports(rng, n),
            "DestinationIP": pa.array(targets[rng.integers(0, 2, size=n)]),
            "DestinationPort": port,
            "SentBytes": rng.integers(54, 140, size=n),
            "ReceivedBytes": 0,
        },
    )
    workstations = [h for h in env.hosts if h.role == "workstation"]
    ips = np.array([h.ip for h in workstations])
    users = np.array([f"{NETBIOS.lower()}\\{h.primary_user}" for h in workstations])
    m = count(rng, ctx.office_mean(_BYPASS_PER_WEEKDAY, day))
    src = rng.integers(0, len(workstations), size=m)
    bypass = build_table(
        "CommonSecurityLog",
        m,
        {
            "TimeGenerated": sample_times(rng, ctx.day_start(day), m, office_profile(ctx.weekend(day))),
            **FIREWALL_COLUMNS,
            "DeviceAction": "deny",
            "ApplicationProtocol": "dns",
            "Protocol": "UDP",
            "SourceIP": pa.array(ips[src]),
            "SourcePort": ports(rng, m),
            "DestinationIP": "8.8.8.8",
            "DestinationPort": 53,
            "SentBytes": rng.integers(60, 90, size=m),
            "ReceivedBytes": 0,
            "SourceUserName": pa.array(users[src]),
        },
    )
    return [scans, bypass]


_PORT_WEIGHTS = np.array([30, 10, 12, 20, 6, 5, 4, 6, 4, 3], dtype=np.float64)
_PORT_WEIGHTS /= _PORT_WEIGHTS.sum()


def _lookups(ctx: Context, day: int, rng: np.random.Generator) -> pa.Table:
    d, t = ctx.draw(rng, day, lookup_combos(), _LOOKUPS_PER_WEEKDAY, office=True)
    return build_table(
        "DnsEvents",
        len(t),
        {
            "TimeGenerated": t,
            "Computer": ctx.env.dns_server,
            **DNS_COLUMNS,
            **{k: d[k] for k in ("ClientIP", "Name", "QueryType", "IPAddresses", "Result", "ResultCode")},
        },
    )
