"""Background Windows activity: process creation and logons.

Each process launch is written twice, as ``SecurityEvent`` 4688 and as a
``DeviceProcessEvents`` row, and each logon as ``SecurityEvent`` 4624 (plus
4672 for privileged accounts and 4634 when a network session ends) and, for
people's logons, as a ``DeviceLogonEvents`` row.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from huntbook.data.lake._demo_arrow import (
    I64,
    US,
    Combos,
    build_table,
    digests,
    flags,
    hex_str,
    ints,
    pids,
    ports,
    to_str,
)
from huntbook.data.lake._demo_catalog import LAUNCHES, PARENTS, Launch
from huntbook.data.lake._demo_context import Context
from huntbook.data.lake._demo_env import (
    LOCAL_ADMINS,
    NETBIOS,
    environment,
    machine_sid,
    source_computer_id,
)
from huntbook.data.lake._demo_truth import Environment, Host, User

PROCESS_STREAM = 1
LOGON_STREAM = 2
SESSION_STREAM = 3
PARENT_STREAM = 4

_PROC_RATES = {"user": 1400.0, "system": 1080.0, "admin": 25.0}
_LOGON_RATES = {"office": 1300.0, "flat": 700.0}
_FAILURES_PER_WEEKDAY = 12.0
PARENT_KEYS = tuple(PARENTS)

INTEGRITY = {
    "medium": ("%%1938", "S-1-16-8192", "Medium", "TokenElevationTypeLimited"),
    "high": ("%%1937", "S-1-16-12288", "High", "TokenElevationTypeFull"),
    "system": ("%%1936", "S-1-16-16384", "System", "TokenElevationTypeDefault"),
    "service": ("%%1936", "S-1-16-12288", "High", "TokenElevationTypeDefault"),
}
LOGON_TYPE_NAMES = {
    2: ("2 - Interactive", "Interactive"),
    3: ("3 - Network", "Network"),
    4: ("4 - Batch", "Batch"),
    5: ("5 - Service", "Service"),
    7: ("7 - Unlock", "Unlock"),
    10: ("10 - RemoteInteractive", "RemoteInteractive"),
    11: ("11 - CachedInteractive", "CachedInteractive"),
}
ACTIVITY = {
    4624: "4624 - An account was successfully logged on.",
    4625: "4625 - An account failed to log on.",
    4634: "4634 - An account was logged off.",
    4648: "4648 - A logon was attempted using explicit credentials.",
    4672: "4672 - Special privileges assigned to new logon.",
    4688: "4688 - A new process has been created.",
    4697: "4697 - A service was installed in the system.",
}
SECURITY = {
    "Channel": "Security",
    "EventSourceName": "Microsoft-Windows-Security-Auditing",
    "Level": "8",
}
SUBJECT_COLUMNS = ("Account", "AccountType", "SubjectUserSid", "SubjectUserName", "SubjectDomainName")
"""``SecurityEvent`` columns of the account that acts (`user_account`, `system_account`)."""
TARGET_COLUMNS = ("TargetUserSid", "TargetUserName", "TargetDomainName")
"""``SecurityEvent`` columns of the account logged on or off (`logon_row`)."""
NO_TARGET = {
    "TargetUserSid": "S-1-0-0",
    "TargetUserName": "-",
    "TargetDomainName": "-",
    "TargetLogonId": "0x0",
}
"""The target columns of a 4688 (a process creation has no target account)."""
LOGON_COLUMNS = (
    "LogonType",
    "LogonTypeName",
    "LogonProcessName",
    "AuthenticationPackageName",
    "WorkstationName",
    "IpAddress",
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "ProcessName",
)
"""``SecurityEvent`` 4624 columns describing how the logon happened (`logon_row`)."""


@cache
def file_facts(path: str) -> tuple[str, str, str, int]:
    """Return ``(md5, sha1, sha256, size)`` standing for the file at *path*."""
    md5, sha1, sha256 = digests(path.lower())
    return md5, sha1, sha256, 40_000 + int(sha256[:6], 16) % 4_000_000


def base_name(path: str) -> str:
    """Return the file name of a Windows path."""
    return path.rsplit("\\", 1)[-1]


def user_account(u: User) -> dict[str, Any]:
    """Return the account columns of a domain account."""
    return {
        "Account": f"{NETBIOS}\\{u.name}",
        "AccountType": "User",
        "SubjectUserSid": u.sid,
        "SubjectUserName": u.name,
        "SubjectDomainName": NETBIOS,
        "AccountDomain": NETBIOS.lower(),
        "AccountName": u.name,
        "AccountSid": u.sid,
        "AccountUpn": u.upn,
    }


def system_account(h: Host) -> dict[str, Any]:
    """Return the account columns of a process run by SYSTEM on *h*."""
    return {
        "Account": f"{NETBIOS}\\{h.name}$",
        "AccountType": "Machine",
        "SubjectUserSid": "S-1-5-18",
        "SubjectUserName": f"{h.name}$",
        "SubjectDomainName": NETBIOS,
        "AccountDomain": "nt authority",
        "AccountName": "system",
        "AccountSid": "S-1-5-18",
        "AccountUpn": None,
    }


def host_columns(h: Host) -> dict[str, Any]:
    """Return the host columns shared by Windows tables."""
    return {
        "Computer": h.fqdn,
        "DeviceName": h.device_name,
        "DeviceId": h.device_id,
        "SourceComputerId": source_computer_id(h),
    }


def logon_header(r: Mapping[str, Any] | pa.Table) -> dict[str, Any]:
    """Return the host and account columns of every logon event of *r* (`logon_row` columns)."""
    return {**SECURITY, **{k: r[k] for k in ("Computer", "SourceComputerId", "Account", "AccountType")}}


def defender_columns(t: Any, device_id: Any, device_name: Any, action: str) -> dict[str, Any]:
    """Return the time, device and action columns every Defender (``Device*``) event has."""
    return {
        "Timestamp": t,
        "TimeGenerated": t,
        "DeviceId": device_id,
        "DeviceName": device_name,
        "ActionType": action,
    }


def _matches(h: Host, where: str) -> bool:
    if where == "workstation":
        return h.role == "workstation"
    if where == "server":
        return h.os_type == "Windows" and h.role != "workstation"
    if where == "windows":
        return h.os_type == "Windows"
    return h.name == where


def _launch_row(env: Environment, hi: int, launch: Launch, cmd: str, who: User | None) -> dict[str, Any]:
    h = env.hosts[hi]
    name = who.name if who else "SYSTEM"
    image = launch.image.replace("{user}", name)
    parent = PARENTS[launch.parent]
    integrity = launch.integrity
    if who is not None and who.kind == "service":
        integrity = "service"
    tet, label, level, elevation = INTEGRITY[integrity]
    md5, sha1, sha256, size = file_facts(image)
    pmd5, psha1, psha256, _ = file_facts(parent.image)
    return {
        **host_columns(h),
        **(user_account(who) if who else system_account(h)),
        "NewProcessName": image,
        "FileName": base_name(image),
        "CommandLine": cmd.replace("{user}", name),
        "ParentProcessName": parent.image,
        "InitiatingProcessFileName": base_name(parent.image),
        "InitiatingProcessCommandLine": parent.command_line,
        "InitiatingProcessParentFileName": base_name(parent.grandparent),
        "MD5": md5,
        "SHA1": sha1,
        "SHA256": sha256,
        "FileSize": size,
        "InitiatingProcessMD5": pmd5,
        "InitiatingProcessSHA1": psha1,
        "InitiatingProcessSHA256": psha256,
        "TokenElevationType": tet,
        "MandatoryLabel": label,
        "ProcessIntegrityLevel": level,
        "ProcessTokenElevation": elevation,
        "parent_key": parent_key(env, h, launch.parent),
        "session_key": session_key(env, h, who) if who else -1,
    }


@cache
def process_combos() -> dict[str, Combos]:
    """Return the process launches of each stream, per host and account."""
    env = environment()
    out: dict[str, Combos] = {}
    admins = [u for u in env.users if u.kind == "admin"]
    for stream in _PROC_RATES:
        rows: list[dict[str, Any]] = []
        weights: list[float] = []
        for launch in (x for x in LAUNCHES if x.stream == stream):
            for hi, h in enumerate(env.hosts):
                if not _matches(h, launch.where):
                    continue
                if launch.account:
                    people: list[User | None] = [env.user(launch.account)]
                elif stream == "user":
                    people = [env.user(h.primary_user or "")]
                elif stream == "admin":
                    people = list(admins)
                else:
                    people = [None]
                for who in people:
                    for cmd in launch.commands:
                        rows.append(_launch_row(env, hi, launch, cmd, who))
                        weights.append(launch.weight / len(launch.commands) / len(people))
        out[stream] = Combos(rows, weights)
    return out


def session_ids(ctx: Context, day: int) -> I64:
    """Return the day's logon id of each (host, account) pair, ``host * n_users + user``."""
    rng = ctx.rng(SESSION_STREAM, day)
    return rng.integers(0x100000, 0x7FFFFFFF, size=len(ctx.env.hosts) * len(ctx.env.users))


def parent_process_ids(ctx: Context, day: int) -> tuple[I64, I64]:
    """Return the day's ids of long-running parents and their parents, by parent key."""
    rng = ctx.rng(PARENT_STREAM, day)
    size = len(ctx.env.hosts) * len(PARENT_KEYS)
    return pids(rng, size), pids(rng, size)


def parent_key(env: Environment, host: Host, parent: str) -> int:
    """Return the index of *host*'s long-running *parent* in `parent_process_ids`."""
    return env.hosts.index(host) * len(PARENT_KEYS) + PARENT_KEYS.index(parent)


def session_key(env: Environment, host: Host, user: User) -> int:
    """Return the index of *user*'s session on *host* in `session_ids`."""
    return env.hosts.index(host) * len(env.users) + env.users.index(user)


def processes(ctx: Context, day: int) -> dict[str, pa.Table]:
    """Return the day's background process launches on Windows hosts."""
    rng = ctx.rng(PROCESS_STREAM, day)
    c, t = ctx.draw_streams(rng, day, process_combos(), _PROC_RATES, office=("user", "admin"))
    n = len(t)
    pid = pids(rng, n)
    parent_pids, grand_pids = parent_process_ids(ctx, day)
    pkey = ints(c, "parent_key")
    ppid, gpid = parent_pids[pkey], grand_pids[pkey]
    skey = ints(c, "session_key")
    logon = np.where(skey >= 0, session_ids(ctx, day)[np.maximum(skey, 0)], 0x3E7)
    parent_started = t - rng.integers(60 * US, 3 * 3600 * US, size=n)
    se = build_table(
        "SecurityEvent",
        n,
        {
            "TimeGenerated": t,
            "Computer": c["Computer"],
            "EventID": 4688,
            "Activity": ACTIVITY[4688],
            **SECURITY,
            **{k: c[k] for k in SUBJECT_COLUMNS},
            "SubjectLogonId": hex_str(logon),
            **NO_TARGET,
            "NewProcessId": hex_str(pid),
            "NewProcessName": c["NewProcessName"],
            "ProcessId": hex_str(ppid),
            "ParentProcessName": c["ParentProcessName"],
            "CommandLine": c["CommandLine"],
            "TokenElevationType": c["TokenElevationType"],
            "MandatoryLabel": c["MandatoryLabel"],
            "SourceComputerId": c["SourceComputerId"],
        },
    )
    dpe = build_table(
        "DeviceProcessEvents",
        n,
        {
            **defender_columns(t, c["DeviceId"], c["DeviceName"], "ProcessCreated"),
            "FileName": c["FileName"],
            "FolderPath": c["NewProcessName"],
            "SHA1": c["SHA1"],
            "SHA256": c["SHA256"],
            "MD5": c["MD5"],
            "FileSize": c["FileSize"],
            "ProcessId": pid,
            "ProcessCommandLine": c["CommandLine"],
            "ProcessCreationTime": t,
            "ProcessIntegrityLevel": c["ProcessIntegrityLevel"],
            "ProcessTokenElevation": c["ProcessTokenElevation"],
            "AccountDomain": c["AccountDomain"],
            "AccountName": c["AccountName"],
            "AccountSid": c["AccountSid"],
            "AccountUpn": c["AccountUpn"],
            "LogonId": logon,
            "InitiatingProcessAccountDomain": c["AccountDomain"],
            "InitiatingProcessAccountName": c["AccountName"],
            "InitiatingProcessAccountSid": c["AccountSid"],
            "InitiatingProcessFileName": c["InitiatingProcessFileName"],
            "InitiatingProcessFolderPath": c["ParentProcessName"],
            "InitiatingProcessId": ppid,
            "InitiatingProcessCommandLine": c["InitiatingProcessCommandLine"],
            "InitiatingProcessCreationTime": parent_started,
            "InitiatingProcessSHA1": c["InitiatingProcessSHA1"],
            "InitiatingProcessSHA256": c["InitiatingProcessSHA256"],
            "InitiatingProcessMD5": c["InitiatingProcessMD5"],
            "InitiatingProcessParentId": gpid,
            "InitiatingProcessParentFileName": c["InitiatingProcessParentFileName"],
            "InitiatingProcessParentCreationTime": parent_started - 5 * US,
            "ReportId": rng.integers(1, 2**31, size=n),
        },
    )
    return {"SecurityEvent": se, "DeviceProcessEvents": dpe}


# --- logons ------------------------------------------------------------------------------


def logon_row(
    env: Environment,
    target: Host,
    who: User | Host | None,
    logon_type: int,
    source: Host | None,
    package: str,
) -> dict[str, Any]:
    """Return the columns of one kind of logon.

    *who* is a domain account, a computer account (a `Host`) or ``None`` for
    SYSTEM; *source* is the host the logon comes from (``None``: local).
    """
    if who is None:
        name, domain, sid = "SYSTEM", "NT AUTHORITY", "S-1-5-18"
        account, account_type, admin = "NT AUTHORITY\\SYSTEM", "User", True
    elif isinstance(who, Host):
        name, domain, sid = f"{who.name}$", NETBIOS, machine_sid(who)
        account, account_type, admin = f"{NETBIOS}\\{name}", "Machine", False
    else:
        name, domain, sid = who.name, NETBIOS, who.sid
        account, account_type = f"{NETBIOS}\\{who.name}", "User"
        admin = who.kind == "admin" or (who.workstation == target.name and who.name in LOCAL_ADMINS)
    local = logon_type in (2, 7, 11)
    network = logon_type == 3
    process = {
        2: r"C:\Windows\System32\svchost.exe",
        7: r"C:\Windows\System32\svchost.exe",
        11: r"C:\Windows\System32\svchost.exe",
        4: r"C:\Windows\System32\svchost.exe",
        5: r"C:\Windows\System32\services.exe",
        10: r"C:\Windows\System32\svchost.exe",
    }.get(logon_type, "-")
    logon_process = {3: "Kerberos" if package == "Kerberos" else "NtLmSsp", 5: "Advapi", 4: "Advapi"}
    src_ip = source.ip if source else ("127.0.0.1" if local else "-")
    return {
        "Computer": target.fqdn,
        "DeviceName": target.device_name,
        "DeviceId": target.device_id,
        "SourceComputerId": source_computer_id(target),
        "Account": account,
        "AccountType": account_type,
        "TargetUserSid": sid,
        "TargetUserName": name,
        "TargetDomainName": domain,
        "LogonType": logon_type,
        "LogonTypeName": LOGON_TYPE_NAMES[logon_type][0],
        "MdeLogonType": LOGON_TYPE_NAMES[logon_type][1],
        "LogonProcessName": logon_process.get(logon_type, "User32"),
        "AuthenticationPackageName": package,
        "WorkstationName": source.name if source else (target.name if local else "-"),
        "IpAddress": src_ip,
        "SubjectUserSid": "S-1-0-0" if network else "S-1-5-18",
        "SubjectUserName": "-" if network else f"{target.name}$",
        "SubjectDomainName": "-" if network else NETBIOS,
        "SubjectLogonId": "0x0" if network else "0x3e7",
        "ProcessName": process,
        "AccountDomain": domain.lower(),
        "AccountName": name.lower(),
        "Protocol": package,
        "IsLocalAdmin": admin,
        "RemoteDeviceName": source.name if source else None,
        "RemoteIP": src_ip if src_ip != "-" else None,
        "RemoteIPType": None if src_ip == "-" else ("Loopback" if local else "Private"),
        "InitiatingProcessFileName": "lsass.exe" if network else base_name(process),
        "admin": admin,
        "system": who is None,
        "mde": isinstance(who, User) and logon_type != 5,
        "network": logon_type in (3, 10),
        "remote_port": network or logon_type == 10,
        "session_key": session_key(env, target, who) if isinstance(who, User) and local else -1,
    }


@cache
def logon_combos() -> dict[str, Combos]:
    """Return the logon kinds of each stream (``office`` and ``flat``)."""
    env = environment()
    dc, fs, sql, web = (env.host(n) for n in ("DC01", "FS01", "SQL01", "WEB01"))
    rows: dict[str, list[tuple[dict[str, Any], float]]] = {"office": [], "flat": []}
    for h in env.hosts:
        if h.os_type != "Windows":
            continue
        rows["flat"].append((logon_row(env, h, None, 5, None, "Negotiate"), 2.0))
        if h.role == "workstation":
            u = env.user(h.primary_user or "")
            rows["office"] += [
                (logon_row(env, h, u, 2, None, "Negotiate"), 0.6),
                (logon_row(env, h, u, 7, None, "Negotiate"), 2.5),
                (logon_row(env, h, u, 11, None, "Negotiate"), 0.2),
                (logon_row(env, fs, u, 3, h, "Kerberos"), 8.0),
                (logon_row(env, dc, u, 3, h, "Kerberos"), 6.0),
            ]
        if h is not dc:
            rows["flat"].append((logon_row(env, dc, h, 3, h, "Kerberos"), 3.0))
    rows["flat"] += [
        (logon_row(env, sql, env.user("svc-web"), 3, web, "Kerberos"), 12.0),
        (logon_row(env, sql, env.user("svc-sql"), 5, None, "Negotiate"), 0.5),
        (logon_row(env, fs, env.user("svc-backup"), 4, None, "Negotiate"), 0.3),
    ]
    for admin, desk in (("adm-dkim", "WS-003"), ("adm-jchen", "WS-008")):
        a, src = env.user(admin), env.host(desk)
        for s in (dc, fs, sql, web):
            rows["office"] += [
                (logon_row(env, s, a, 3, src, "Kerberos"), 0.6),
                (logon_row(env, s, a, 10, src, "Negotiate"), 0.15),
            ]
    return {k: Combos([r for r, _ in v], [w for _, w in v]) for k, v in rows.items()}


@cache
def failure_combos() -> Combos:
    """Return the logons people mistype their password in."""
    kinds = [
        r for r in logon_combos()["office"].table.to_pylist() if r["LogonType"] in (2, 7, 3) and r["mde"]
    ]
    kinds = [k for k in kinds if not k["TargetUserName"].startswith("adm-")]
    return Combos(kinds, [3.0 if k["LogonType"] != 3 else 1.0 for k in kinds])


def logons(ctx: Context, day: int) -> dict[str, pa.Table]:
    """Return the day's background logons, logoffs and failed logons."""
    rng = ctx.rng(LOGON_STREAM, day)
    c, t = ctx.draw_streams(rng, day, logon_combos(), _LOGON_RATES, office=("office",))
    n = len(t)
    skey = ints(c, "session_key")
    system = flags(c, "system")
    lid = rng.integers(0x100000, 0x7FFFFFFF, size=n)
    lid = np.where(skey >= 0, session_ids(ctx, day)[np.maximum(skey, 0)], lid)
    lid = np.where(system, 0x3E7, lid)
    remote = flags(c, "remote_port")
    port = np.where(remote, ports(rng, n), 0)
    ip_port = pc.if_else(pc.equal(c["IpAddress"], "-"), "-", to_str(port))
    parts = [
        build_table(
            "SecurityEvent",
            n,
            {
                "TimeGenerated": t,
                "EventID": 4624,
                "Activity": ACTIVITY[4624],
                **logon_header(c),
                **{k: c[k] for k in (*TARGET_COLUMNS, *LOGON_COLUMNS)},
                "TargetAccount": c["Account"],
                "TargetLogonId": hex_str(lid),
                "IpPort": ip_port,
                "ProcessId": pc.if_else(pc.equal(c["ProcessName"], "-"), "0x0", "0x3f8"),
            },
        )
    ]
    admin = flags(c, "admin")
    if admin.any():
        a = c.filter(pa.array(admin))
        parts.append(
            build_table(
                "SecurityEvent",
                a.num_rows,
                {
                    "TimeGenerated": t[admin],
                    "EventID": 4672,
                    "Activity": ACTIVITY[4672],
                    **logon_header(a),
                    "SubjectUserSid": a["TargetUserSid"],
                    "SubjectUserName": a["TargetUserName"],
                    "SubjectDomainName": a["TargetDomainName"],
                    "SubjectLogonId": hex_str(lid[admin]),
                },
            )
        )
    net = flags(c, "network")
    if net.any():
        o = c.filter(pa.array(net))
        lt = ints(o, "LogonType")
        mean = np.where(lt == 10, 2700.0, 120.0)
        off = t[net] + (rng.exponential(1.0, size=len(lt)) * mean * US).astype(np.int64) + US
        keep = off < ctx.end_us
        o = o.filter(pa.array(keep))
        parts.append(
            build_table(
                "SecurityEvent",
                o.num_rows,
                {
                    "TimeGenerated": off[keep],
                    "EventID": 4634,
                    "Activity": ACTIVITY[4634],
                    **logon_header(o),
                    **{k: o[k] for k in TARGET_COLUMNS},
                    "TargetLogonId": hex_str(lid[net][keep]),
                    "LogonType": o["LogonType"],
                },
            )
        )
    mde = flags(c, "mde")
    m = c.filter(pa.array(mde))
    dle = [
        build_table(
            "DeviceLogonEvents",
            m.num_rows,
            {
                **defender_columns(t[mde], m["DeviceId"], m["DeviceName"], "LogonSuccess"),
                "LogonType": m["MdeLogonType"],
                "AccountDomain": m["AccountDomain"],
                "AccountName": m["AccountName"],
                "AccountSid": m["TargetUserSid"],
                "Protocol": m["Protocol"],
                "IsLocalAdmin": m["IsLocalAdmin"],
                "LogonId": lid[mde],
                "RemoteDeviceName": m["RemoteDeviceName"],
                "RemoteIP": m["RemoteIP"],
                "RemoteIPType": m["RemoteIPType"],
                "RemotePort": np.where(remote[mde], port[mde], 0).astype(np.int32),
                "InitiatingProcessFileName": m["InitiatingProcessFileName"],
                "ReportId": rng.integers(1, 2**31, size=m.num_rows),
            },
        )
    ]
    se_fail, dle_fail = _failures(ctx, day, rng)
    return {
        "SecurityEvent": pa.concat_tables([*parts, se_fail]),
        "DeviceLogonEvents": pa.concat_tables([*dle, dle_fail]),
    }


def _failures(ctx: Context, day: int, rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    f, t = ctx.draw(rng, day, failure_combos(), _FAILURES_PER_WEEKDAY, office=True)
    n = len(t)
    network = ints(f, "LogonType") == 3
    port = np.where(network, ports(rng, n), 0)
    package = pa.array(np.where(network, "NTLM", "Negotiate"))
    se = build_table(
        "SecurityEvent",
        n,
        {
            "TimeGenerated": t,
            "Computer": f["Computer"],
            "EventID": 4625,
            "Activity": ACTIVITY[4625],
            **SECURITY,
            "SourceComputerId": f["SourceComputerId"],
            "Account": f["Account"],
            "AccountType": "User",
            "TargetUserSid": "S-1-0-0",
            "TargetUserName": f["TargetUserName"],
            "TargetDomainName": f["TargetDomainName"],
            "TargetAccount": f["Account"],
            **{k: f[k] for k in LOGON_COLUMNS},
            "AuthenticationPackageName": package,
            "IpPort": to_str(port),
            "Status": "0xc000006d",
            "SubStatus": "0xc000006a",
            "FailureReason": "%%2313",
        },
    )
    dle = build_table(
        "DeviceLogonEvents",
        n,
        {
            **defender_columns(t, f["DeviceId"], f["DeviceName"], "LogonFailed"),
            "LogonType": f["MdeLogonType"],
            "AccountDomain": f["AccountDomain"],
            "AccountName": f["AccountName"],
            "AccountSid": f["TargetUserSid"],
            "Protocol": package,
            "FailureReason": "InvalidUserNameOrPassword",
            "IsLocalAdmin": False,
            "LogonId": np.zeros(n, dtype=np.int64),
            "RemoteDeviceName": f["RemoteDeviceName"],
            "RemoteIP": f["RemoteIP"],
            "RemoteIPType": f["RemoteIPType"],
            "RemotePort": port.astype(np.int32),
            "InitiatingProcessFileName": f["InitiatingProcessFileName"],
            "ReportId": rng.integers(1, 2**31, size=n),
        },
    )
    return se, dle
