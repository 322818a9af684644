"""The fictional organisation of the demo lake: Contoso's hosts and accounts.

The environment is fixed (it does not depend on the seed), so hunts and
tests can name ``WS-017`` or ``mgarcia`` directly. Addresses: internal hosts
are in ``10.10.0.0/16``; the organisation's own public addresses and every
attacker address come from the documentation ranges (RFC 5737), so no real
party is named as an attacker; benign public destinations use addresses of
the well-known services they stand for.
"""

from __future__ import annotations

import hashlib
from functools import cache

from huntbook.data.lake._demo_truth import Environment, Host, User

DOMAIN = "contoso.com"
NETBIOS = "CONTOSO"
DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
EGRESS_IP = "192.0.2.10"
BASTION_PUBLIC_IP = "192.0.2.11"
FIREWALL = "PA-FW01"
LOG_FORWARDER = "cef-fwd01"

# account, display name, department; the first 20 own WS-001 .. WS-020 in order.
_PEOPLE = (
    ("jsmith", "John Smith", "Sales"),
    ("ebrown", "Emily Brown", "Marketing"),
    ("dkim", "David Kim", "IT"),
    ("spatel", "Sanjay Patel", "Engineering"),
    ("lnguyen", "Linh Nguyen", "HR"),
    ("rjohnson", "Rachel Johnson", "Finance"),
    ("tmueller", "Thomas Mueller", "Engineering"),
    ("jchen", "Jin Chen", "IT"),
    ("aokafor", "Amara Okafor", "Legal"),
    ("bwilson", "Ben Wilson", "Sales"),
    ("kanderson", "Karen Anderson", "Finance"),
    ("mrossi", "Marco Rossi", "Engineering"),
    ("hsato", "Hana Sato", "Marketing"),
    ("plee", "Peter Lee", "Operations"),
    ("cdubois", "Claire Dubois", "Legal"),
    ("owright", "Oliver Wright", "Operations"),
    ("mgarcia", "Maria Garcia", "Finance"),
    ("nsingh", "Neha Singh", "Engineering"),
    ("gthomas", "Grace Thomas", "HR"),
    ("fmartin", "Felix Martin", "Sales"),
    ("ahughes", "Alice Hughes", "Executive"),
    ("bclark", "Brian Clark", "Sales"),
    ("cevans", "Chloe Evans", "Marketing"),
    ("dmorgan", "Daniel Morgan", "Executive"),
    ("ekhan", "Emma Khan", "Sales"),
    ("fadams", "Frank Adams", "Operations"),
    ("ilopez", "Isabel Lopez", "Sales"),
    ("jwalker", "James Walker", "Finance"),
    ("kbaker", "Kevin Baker", "Operations"),
    ("lharris", "Laura Harris", "Marketing"),
)
_ADMINS = (("adm-dkim", "David Kim (Admin)"), ("adm-jchen", "Jin Chen (Admin)"))
_SERVICES = (
    ("svc-sql", "SQL Server service"),
    ("svc-backup", "Backup service"),
    ("svc-web", "Web application pool"),
)

_SERVERS = (
    ("DC01", "10.10.0.10", "domain_controller"),
    ("FS01", "10.10.0.20", "file_server"),
    ("SQL01", "10.10.0.30", "sql_server"),
    ("WEB01", "10.10.0.40", "web_server"),
)
_LINUX = (
    ("lnx-bastion01", "10.10.2.10"),
    ("lnx-app01", "10.10.2.20"),
    ("lnx-db01", "10.10.2.30"),
    ("lnx-build01", "10.10.2.40"),
)
LOCAL_ADMINS = frozenset({"dkim", "jchen", "spatel", "mgarcia"})
"""People who are local administrators of their own workstation."""
WORKSTATIONS = 20
WINDOWS_CLIENT = "Windows 11 Enterprise"
WINDOWS_SERVER = "Windows Server 2022 Datacenter"
LINUX_OS = "Ubuntu 22.04.5 LTS"


def _device_id(fqdn: str) -> str:
    return hashlib.sha1(f"mde:{fqdn}".encode()).hexdigest()


def _windows_host(name: str, ip: str, role: str, user: str | None) -> Host:
    fqdn = f"{name}.{DOMAIN}"
    os_name = WINDOWS_CLIENT if role == "workstation" else WINDOWS_SERVER
    return Host(name, fqdn, fqdn.lower(), _device_id(fqdn), role, "Windows", os_name, ip, user)


@cache
def environment() -> Environment:
    """Return the demo organisation (always the same)."""
    hosts = [_windows_host(n, ip, role, None) for n, ip, role in _SERVERS]
    for i in range(WORKSTATIONS):
        hosts.append(_windows_host(f"WS-{i + 1:03d}", f"10.10.1.{101 + i}", "workstation", _PEOPLE[i][0]))
    for name, ip in _LINUX:
        hosts.append(Host(name, name, name, _device_id(name), "linux_server", "Linux", LINUX_OS, ip))
    users = []
    rid = 1105
    for i, (sam, display, dept) in enumerate(_PEOPLE):
        ws = f"WS-{i + 1:03d}" if i < WORKSTATIONS else None
        home = f"192.0.2.{20 + i}"
        users.append(User(sam, f"{sam}@{DOMAIN}", display, f"{DOMAIN_SID}-{rid}", dept, "user", ws, home))
        rid += 1
    for sam, display in _ADMINS:
        users.append(User(sam, f"{sam}@{DOMAIN}", display, f"{DOMAIN_SID}-{rid}", "IT", "admin"))
        rid += 1
    for sam, display in _SERVICES:
        users.append(User(sam, f"{sam}@{DOMAIN}", display, f"{DOMAIN_SID}-{rid}", "IT", "service"))
        rid += 1
    return Environment(
        domain=DOMAIN,
        netbios=NETBIOS,
        domain_sid=DOMAIN_SID,
        egress_ip=EGRESS_IP,
        bastion_public_ip=BASTION_PUBLIC_IP,
        dns_server=f"DC01.{DOMAIN}",
        firewall=FIREWALL,
        hosts=tuple(hosts),
        users=tuple(users),
    )


def machine_sid(host: Host) -> str:
    """Return the domain SID of *host*'s computer account."""
    rid = 2000 + int(hashlib.md5(host.name.encode()).hexdigest()[:4], 16) % 5000
    return f"{DOMAIN_SID}-{rid}"


def source_computer_id(host: Host) -> str:
    """Return the agent id (``SourceComputerId``) of *host*."""
    h = hashlib.md5(f"agent:{host.fqdn}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
