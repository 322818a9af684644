"""Background cloud and agent data: sign-ins, heartbeats, alerts, threat intel."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from huntbook.data.lake._demo_arrow import (
    DAY_US,
    US,
    Combos,
    build_table,
    ints,
    join,
    random_hex,
    stable_uuid,
    uuids,
)
from huntbook.data.lake._demo_catalog import APPS, HOME_CITIES, OFFICE_CITY, USER_AGENTS
from huntbook.data.lake._demo_context import Context
from huntbook.data.lake._demo_env import environment, source_computer_id
from huntbook.data.lake._demo_truth import User

SIGNIN_STREAM = 30
HEARTBEAT_STREAM = 31
ALERT_STREAM = 32
TI_STREAM = 33

_SIGNINS_PER_WEEKDAY = 170.0
_SIGNIN_FAILURE_RATE = 0.02
_ALERTS_PER_WEEKDAY = 1.2
_TI_INDICATORS = 200
_AT_OFFICE = 0.65
SUBSCRIPTION_ID = "5f1c7a3e-2b4d-4e8f-9a6c-0d1e2f3a4b5c"
BAD_PASSWORD = "Error validating credentials due to invalid username or password."


def location_details(city: tuple[str, str, float, float], country: str = "GB") -> str:
    """Return a ``LocationDetails`` JSON value."""
    name, state, lat, lon = city
    return json.dumps(
        {
            "city": name,
            "state": state,
            "countryOrRegion": country,
            "geoCoordinates": {"latitude": lat, "longitude": lon},
        }
    )


def status(code: int) -> str:
    """Return a ``Status`` JSON value for result *code*."""
    if code == 0:
        return json.dumps({"errorCode": 0})
    return json.dumps({"errorCode": code, "failureReason": BAD_PASSWORD})


def device_detail(u: User) -> str:
    """Return the ``DeviceDetail`` JSON of *u*'s usual device."""
    if u.workstation:
        return json.dumps(
            {
                "deviceId": stable_uuid(f"aad-device:{u.workstation}"),
                "displayName": u.workstation,
                "operatingSystem": "Windows10",
                "browser": "Edge 130.0.0",
                "isCompliant": True,
                "isManaged": True,
                "trustType": "Hybrid Azure AD joined",
            }
        )
    return json.dumps({"deviceId": "", "operatingSystem": "Ios 18.1", "browser": "Mobile Safari 18.1"})


def user_id(u: User) -> str:
    """Return the Entra object id of *u*."""
    return stable_uuid(f"aad-user:{u.upn}")


@cache
def signin_combos() -> Combos:
    """Return who signs in to which app, weighted."""
    env = environment()
    rows, weights = [], []
    people = [u for u in env.users if u.kind != "service"]
    for ui, u in enumerate(people):
        for app in APPS:
            if app.name == "Azure Portal" and u.department != "IT":
                continue
            client = app.client if u.workstation or u.kind == "admin" else "Mobile"
            rows.append(
                {
                    "user": ui,
                    "UserPrincipalName": u.upn,
                    "UserDisplayName": u.display_name,
                    "UserId": user_id(u),
                    "AppDisplayName": app.name,
                    "AppId": app.app_id,
                    "ResourceDisplayName": app.resource,
                    "ClientAppUsed": "Mobile Apps and Desktop clients" if client == "Mobile" else client,
                    "UserAgent": USER_AGENTS[client],
                    "DeviceDetail": device_detail(u),
                    "home_ip": u.home_ip or env.egress_ip,
                    "home_location": location_details(HOME_CITIES[ui % len(HOME_CITIES)]),
                }
            )
            weights.append(app.weight * (0.3 if u.kind == "admin" else 1.0))
    return Combos(rows, weights)


def signins(ctx: Context, day: int) -> dict[str, pa.Table]:
    """Return the day's background interactive sign-ins."""
    rng = ctx.rng(SIGNIN_STREAM, day)
    c, t = ctx.draw(rng, day, signin_combos(), _SIGNINS_PER_WEEKDAY, office=True)
    n = len(t)
    people = 1 + int(ints(signin_combos().table, "user").max())
    office_today = rng.random(people) < (0.0 if ctx.weekend(day) else _AT_OFFICE)
    at_office = pa.array(office_today[ints(c, "user")])
    failed = rng.random(n) < _SIGNIN_FAILURE_RATE
    fail = pa.array(failed)
    return {
        "SigninLogs": build_table(
            "SigninLogs",
            n,
            {
                "TimeGenerated": t,
                "Id": uuids(rng, n),
                "CorrelationId": uuids(rng, n),
                **{
                    k: c[k]
                    for k in (
                        "UserPrincipalName",
                        "UserDisplayName",
                        "UserId",
                        "AppDisplayName",
                        "AppId",
                        "ResourceDisplayName",
                        "ClientAppUsed",
                        "UserAgent",
                        "DeviceDetail",
                    )
                },
                "IPAddress": pc.if_else(at_office, ctx.env.egress_ip, c["home_ip"]),
                "Location": "GB",
                "LocationDetails": pc.if_else(at_office, location_details(OFFICE_CITY), c["home_location"]),
                "ResultType": pc.if_else(fail, "50126", "0"),
                "ResultDescription": pc.if_else(fail, BAD_PASSWORD, pa.nulls(n, pa.string())),
                "Status": pc.if_else(fail, status(50126), status(0)),
                "ConditionalAccessStatus": pc.if_else(fail, "notApplied", "success"),
                "AuthenticationRequirement": pc.if_else(
                    at_office, "singleFactorAuthentication", "multiFactorAuthentication"
                ),
                "IsInteractive": True,
                "RiskLevelDuringSignIn": "none",
                "RiskState": "none",
                "Type": "SigninLogs",
            },
        )
    }


def heartbeats(ctx: Context, day: int) -> dict[str, pa.Table]:
    """Return the day's agent heartbeats of every host.

    Hosts report every 5 to 15 minutes at scale 1; the interval shrinks with
    the scale down to the one minute a real agent uses.
    """
    rng = ctx.rng(HEARTBEAT_STREAM, day)
    hosts = ctx.env.hosts
    mean = max(60.0, 600.0 / ctx.scale) * US
    k = int(DAY_US / (0.5 * mean)) + 2
    steps = rng.uniform(0.5 * mean, 1.5 * mean, size=(len(hosts), k))
    phase = rng.uniform(0, mean, size=(len(hosts), 1))
    offsets = (np.cumsum(steps, axis=1) - steps[:, :1] + phase).astype(np.int64)
    keep = offsets < DAY_US
    host_idx = np.broadcast_to(np.arange(len(hosts))[:, None], offsets.shape)[keep]
    t = ctx.day_start(day) + offsets[keep]
    order = np.argsort(t, kind="stable")
    t, host_idx = t[order], host_idx[order]

    def col(values: list[str]) -> pa.Array:
        return pa.array(np.array(values)[host_idx])

    win = [h.os_type == "Windows" for h in hosts]
    return {
        "Heartbeat": build_table(
            "Heartbeat",
            len(t),
            {
                "TimeGenerated": t,
                "Computer": col([h.fqdn for h in hosts]),
                "ComputerIP": col([h.ip for h in hosts]),
                "OSType": col([h.os_type for h in hosts]),
                "OSName": col([h.os_name for h in hosts]),
                "OSMajorVersion": col(["10" if w else "22" for w in win]),
                "Version": col(["1.31.0.0" if w else "1.33.1" for w in win]),
                "Category": "Azure Monitor Agent",
                "ComputerEnvironment": "Non-Azure",
                "ResourceGroup": "rg-contoso-arc",
                "SubscriptionId": SUBSCRIPTION_ID,
                "RemoteIPCountry": "United Kingdom",
                "SourceComputerId": col([source_computer_id(h) for h in hosts]),
            },
        )
    }


# --- alerts ------------------------------------------------------------------------------

PRODUCTS = {
    "MDATP": "Microsoft Defender Advanced Threat Protection",
    "IPC": "Azure Active Directory Identity Protection",
    "MCAS": "Microsoft Cloud App Security",
    "ASI Scheduled Alerts": "Azure Sentinel",
    "Azure Security Center": "Azure Security Center",
}
"""``SecurityAlert.ProductName`` of each ``ProviderName``."""

_BENIGN_ALERTS = (
    # name, severity, provider, tactics, techniques, entity, description
    (
        "Potentially unwanted application detected",
        "Low",
        "MDATP",
        "Execution",
        ["T1204"],
        "host",
        "A potentially unwanted application (bundled browser toolbar) was detected and blocked.",
    ),
    (
        "Unfamiliar sign-in properties",
        "Medium",
        "IPC",
        "InitialAccess",
        ["T1078"],
        "account",
        "The sign-in had properties not seen recently for this user.",
    ),
    (
        "Atypical travel",
        "Low",
        "IPC",
        "InitialAccess",
        ["T1078"],
        "account",
        "Sign-ins from two distant locations within a short time.",
    ),
    (
        "Mass download by a single user",
        "Medium",
        "MCAS",
        "Exfiltration",
        ["T1530"],
        "account",
        "A user downloaded an unusual number of files from SharePoint in a single session.",
    ),
    (
        "Multiple failed user log on attempts to an app",
        "Low",
        "MCAS",
        "CredentialAccess",
        ["T1110"],
        "account",
        "A user failed to sign in to an app several times in a row.",
    ),
)


def alert_columns(
    name: str,
    severity: str,
    provider: str,
    description: str,
    compromised: str,
    tactics: Sequence[str],
    techniques: Sequence[str],
) -> dict[str, Any]:
    """Return the ``SecurityAlert`` columns that say what alert *name* is and what it found."""
    return {
        "DisplayName": name,
        "AlertName": name,
        "AlertSeverity": severity,
        "Description": description,
        "ProviderName": provider,
        "VendorName": "Microsoft",
        "ProductName": PRODUCTS[provider],
        "AlertType": provider + "_" + name.replace(" ", ""),
        "CompromisedEntity": compromised,
        "Tactics": ", ".join(tactics),
        "Techniques": json.dumps(list(techniques)),
    }


def alert_entities(
    host: str | None = None,
    account: User | None = None,
    ips: tuple[str, ...] = (),
    extra: list[dict[str, Any]] | None = None,
) -> str:
    """Return an ``Entities`` JSON array in Sentinel's shape."""
    entities: list[dict[str, Any]] = []
    if host:
        name, _, domain = host.partition(".")
        entities.append({"HostName": name, "DnsDomain": domain or None, "Type": "host"})
    if account:
        entities.append(
            {
                "Name": account.name,
                "NTDomain": "CONTOSO",
                "UPNSuffix": "contoso.com",
                "Sid": account.sid,
                "AadUserId": user_id(account),
                "Type": "account",
            }
        )
    entities += [{"Address": ip, "Type": "ip"} for ip in ips]
    entities += extra or []
    for i, e in enumerate(entities, start=2):
        e["$id"] = str(i)
    return json.dumps(entities)


@cache
def alert_combos() -> Combos:
    """Return which benign alert fires on which entity."""
    env = environment()
    rows, weights = [], []
    people = [u for u in env.users if u.kind == "user"]
    workstations = [h for h in env.hosts if h.role == "workstation"]
    for name, sev, provider, tactic, techniques, kind, desc in _BENIGN_ALERTS:
        targets: list[tuple[str, str | None, User | None]] = (
            [(h.name, h.fqdn, None) for h in workstations]
            if kind == "host"
            else [(u.upn, None, u) for u in people]
        )
        for entity, fqdn, user in targets:
            ips = (user.home_ip,) if user and user.home_ip else ()
            rows.append(
                {
                    **alert_columns(name, sev, provider, desc, entity, (tactic,), techniques),
                    "Entities": alert_entities(fqdn, user, ips),
                }
            )
            weights.append(1.0 / len(targets))
    return Combos(rows, weights)


def alerts(ctx: Context, day: int) -> dict[str, pa.Table]:
    """Return the day's benign (false-positive or low-value) alerts."""
    rng = ctx.rng(ALERT_STREAM, day)
    c, t = ctx.draw(rng, day, alert_combos(), _ALERTS_PER_WEEKDAY, office=True)
    n = len(t)
    first = t - rng.integers(60 * US, 3600 * US, size=n)
    return {
        "SecurityAlert": build_table(
            "SecurityAlert",
            n,
            {
                "TimeGenerated": t,
                **{k: c[k] for k in c.column_names},
                "SystemAlertId": uuids(rng, n),
                "ConfidenceLevel": "Unknown",
                "Status": "New",
                "StartTime": first,
                "EndTime": t,
                "RemediationSteps": json.dumps(["Review the alert and close it if expected."]),
                "ExtendedProperties": json.dumps({"Detection source": "Automated"}),
            },
        )
    }


# --- threat intelligence -----------------------------------------------------------------

_WORDS_A = np.array(
    [
        "secure",
        "cloud",
        "update",
        "login",
        "account",
        "verify",
        "cdn",
        "files",
        "mail",
        "portal",
        "service",
        "sync",
        "docs",
        "pay",
        "track",
        "net",
    ]
)
_WORDS_B = np.array(
    [
        "check",
        "host",
        "center",
        "online",
        "support",
        "access",
        "drive",
        "box",
        "gate",
        "link",
        "store",
        "hub",
        "zone",
        "point",
        "web",
        "data",
    ]
)
_TLDS = np.array(["com", "net", "xyz", "top", "info", "online", "site", "club"])
_PATHS = np.array(["login.php", "wp-admin/x.php", "gate.php", "invoice.zip", "update.bin", "dl/a.exe"])
_TI_IPS = np.array(
    [f"198.51.100.{i}" for i in range(100, 200)]
    + [f"203.0.113.{i}" for i in range(100, 150)]
    + [f"192.0.2.{i}" for i in range(100, 200)]
    + [f"203.0.113.{i}" for i in range(150, 255, 7)]
)
_SOURCES = np.array(["Microsoft Defender Threat Intelligence", "Contoso TAXII feed", "OSINT feed"])
_TLP = np.array(["green", "amber", "white"])


def threat_intel(ctx: Context, exclude: frozenset[str]) -> pa.Table:
    """Return unrelated threat-intelligence indicators (none of *exclude*)."""
    rng = ctx.rng(TI_STREAM, 0)
    n = max(20, round(_TI_INDICATORS * ctx.scale))
    kind = rng.choice(5, size=n, p=[0.35, 0.3, 0.15, 0.15, 0.05])
    domain = join(
        pa.array(_WORDS_A[rng.integers(0, len(_WORDS_A), size=n)]),
        "-",
        pa.array(_WORDS_B[rng.integers(0, len(_WORDS_B), size=n)]),
        ".",
        pa.array(_TLDS[rng.integers(0, len(_TLDS), size=n)]),
    )
    ips = _TI_IPS[~np.isin(_TI_IPS, list(exclude))]
    ip = pa.array(ips[rng.integers(0, len(ips), size=n)])
    url = join("http://", domain, "/", pa.array(_PATHS[rng.integers(0, len(_PATHS), size=n)]))
    sha256, md5 = random_hex(rng, n, 64), random_hex(rng, n, 32)
    null = pa.nulls(n, pa.string())

    def when(k: int, values: Any) -> pa.Array:
        return pc.if_else(pa.array(kind == k), values, null)

    threat = np.array(["C2", "Phishing", "MaliciousUrl", "Malware", "Malware"])[kind]
    t = ctx.start_us + rng.integers(0, ctx.days * DAY_US, size=n)
    t = np.sort(t)
    return build_table(
        "ThreatIntelligenceIndicator",
        n,
        {
            "TimeGenerated": t,
            "IndicatorId": pc.utf8_upper(random_hex(rng, n, 64)),
            "ExternalIndicatorId": join("indicator--", uuids(rng, n)),
            "SourceSystem": pa.array(_SOURCES[rng.integers(0, len(_SOURCES), size=n)]),
            "Action": "alert",
            "Active": True,
            "ConfidenceScore": rng.integers(40, 100, size=n).astype(np.int32),
            "ThreatType": pa.array(threat),
            "ThreatSeverity": rng.integers(1, 6, size=n).astype(np.int32),
            "Description": join("Indicator from feed: ", pa.array(threat)),
            "Tags": '["feed"]',
            "TrafficLightProtocolLevel": pa.array(_TLP[rng.integers(0, len(_TLP), size=n)]),
            "ExpirationDateTime": t + 90 * DAY_US,
            "NetworkIP": when(0, ip),
            "DomainName": when(1, domain),
            "Url": when(2, url),
            "FileHashType": pc.if_else(
                pa.array(kind == 3), "SHA256", pc.if_else(pa.array(kind == 4), "MD5", null)
            ),
            "FileHashValue": pc.if_else(pa.array(kind == 3), sha256, when(4, md5)),
        },
    )
