"""Background Linux activity: syslog from cron, systemd, sshd, sudo and the kernel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa

from huntbook.data.lake._demo_arrow import (
    HOUR_US,
    I64,
    US,
    build_table,
    concat,
    count,
    flat_profile,
    join,
    office_profile,
    ports,
    random_hex,
    sample_times,
    to_str,
)
from huntbook.data.lake._demo_context import Context
from huntbook.data.lake._demo_network import SCANNERS
from huntbook.data.lake._demo_truth import Host

SYSLOG_STREAM = 20

LINUX_USERS = {"dkim": 1000, "jchen": 1001, "deploy": 1002}
"""Local accounts on the Linux servers and their uids."""
_SESSIONS_PER_WEEKDAY = 6.0
_SUDO_PER_WEEKDAY = 5.0
_UFW_PER_DAY = 40.0
_SCANNER_SSH_PER_DAY = 10.0
_PG_PER_DAY = 60.0
_SUDO_COMMANDS = (
    "/usr/bin/systemctl restart nginx",
    "/usr/bin/systemctl status postgresql",
    "/usr/bin/apt-get update",
    "/usr/bin/tail -n 200 /var/log/syslog",
    "/usr/bin/journalctl -u ssh --since today",
    "/usr/bin/docker ps -a",
)
_GUESSED = np.array(["admin", "test", "user", "oracle", "ubuntu", "postgres", "git", "pi"])
CRON_OPENED = "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"
CRON_CLOSED = "pam_unix(cron:session): session closed for user root"
SUDO_CLOSED = "pam_unix(sudo:session): session closed for user root"


def syslog_columns(
    host: Host,
    times: I64 | datetime,
    facility: str,
    severity: str,
    process: str,
    pid: Any,
    message: Any,
) -> dict[str, Any]:
    """Return the ``Syslog`` columns of one line of *host*, or of many (arrays, scalars repeat)."""
    return {
        "TimeGenerated": times,
        "EventTime": times,
        "Computer": host.name,
        "HostName": host.name,
        "HostIP": host.ip,
        "Facility": facility,
        "SeverityLevel": severity,
        "ProcessName": process,
        "ProcessID": pid,
        "SyslogMessage": message,
        "SourceSystem": "Linux",
    }


def syslog_rows(
    host: Host,
    times: I64,
    facility: str,
    severity: str,
    process: str,
    pid: Any,
    message: Any,
) -> pa.Table:
    """Return ``Syslog`` rows of one host (arrays or scalars for *pid*/*message*)."""
    columns = syslog_columns(host, times, facility, severity, process, pid, message)
    return build_table("Syslog", len(times), columns)


def _pids(rng: np.random.Generator, n: int) -> I64:
    return rng.integers(1000, 400_000, size=n)


def _scheduled(ctx: Context, day: int, h: Host, rng: np.random.Generator) -> list[pa.Table]:
    start = ctx.day_start(day)
    out = []
    jobs = (
        (
            start + np.arange(0, 24 * 6, dtype=np.int64) * 600 * US,
            "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
        ),
        (
            start + (np.arange(24, dtype=np.int64) * 60 + 17) * 60 * US,
            "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
        ),
    )
    for times, message in jobs:
        t = times + rng.integers(0, 900_000, size=len(times))
        pid = _pids(rng, len(t))
        closed = t + rng.integers(US, 3 * US, size=len(t))
        out.append(syslog_rows(h, t, "authpriv", "info", "CRON", pid, CRON_OPENED))
        out.append(syslog_rows(h, t + 1000, "cron", "info", "CRON", pid, message))
        out.append(syslog_rows(h, closed, "authpriv", "info", "CRON", pid, CRON_CLOSED))
    daily = start + 6 * HOUR_US + 25 * 60 * US + int(rng.integers(0, 1800 * US))
    for i, msg in enumerate(
        (
            "Starting Daily apt upgrade and clean activities...",
            "apt-daily-upgrade.service: Deactivated successfully.",
            "Finished Daily apt upgrade and clean activities.",
            "Starting Cleanup of Temporary Directories...",
            "systemd-tmpfiles-clean.service: Deactivated successfully.",
            "Finished Cleanup of Temporary Directories.",
        )
    ):
        t = np.array([daily + i * 7 * US + (3 * HOUR_US if i >= 3 else 0)], dtype=np.int64)
        out.append(syslog_rows(h, t, "daemon", "info", "systemd", 1, msg))
    return out


def _accounts(admins: Sequence[tuple[str, str]], who: I64) -> tuple[pa.Array, pa.Array]:
    """Return the account names and uids (text) of the admins at indexes *who*."""
    names = np.array([a[0] for a in admins])[who]
    uids = np.array([LINUX_USERS[a[0]] for a in admins], dtype=np.int64)[who]
    return pa.array(names), to_str(uids)


def _sessions(
    ctx: Context, day: int, h: Host, rng: np.random.Generator, admins: Sequence[tuple[str, str]]
) -> list[pa.Table]:
    n = count(rng, ctx.office_mean(_SESSIONS_PER_WEEKDAY, day))
    who = rng.integers(0, len(admins), size=n)
    u, uid = _accounts(admins, who)
    s = pa.array(np.array([a[1] for a in admins])[who])
    t = sample_times(rng, ctx.day_start(day), n, office_profile(ctx.weekend(day)))
    end = t + (rng.exponential(1200, size=n) * US).astype(np.int64) + 5 * US
    keep = end < ctx.end_us
    pid, port = _pids(rng, n), to_str(ports(rng, n))
    session = to_str(rng.integers(1000, 9000, size=n))
    fingerprint = random_hex(rng, n, 43)
    out = [
        syslog_rows(
            h,
            t,
            "auth",
            "info",
            "sshd",
            pid,
            join(
                "Accepted publickey for ",
                u,
                " from ",
                s,
                " port ",
                port,
                " ssh2: ED25519 SHA256:",
                fingerprint,
            ),
        ),
        syslog_rows(
            h,
            t + 2000,
            "authpriv",
            "info",
            "sshd",
            pid,
            join("pam_unix(sshd:session): session opened for user ", u, "(uid=", uid, ") by (uid=0)"),
        ),
        syslog_rows(
            h,
            t + 9000,
            "auth",
            "info",
            "systemd-logind",
            812,
            join("New session ", session, " of user ", u, "."),
        ),
    ]
    k = pa.array(keep)
    out += [
        syslog_rows(
            h,
            end[keep],
            "auth",
            "info",
            "sshd",
            pid[keep],
            join(
                "Received disconnect from ",
                s.filter(k),
                " port ",
                port.filter(k),
                ":11: disconnected by user",
            ),
        ),
        syslog_rows(
            h,
            end[keep] + 1500,
            "authpriv",
            "info",
            "sshd",
            pid[keep],
            join("pam_unix(sshd:session): session closed for user ", u.filter(k)),
        ),
        syslog_rows(
            h,
            end[keep] + 4000,
            "auth",
            "info",
            "systemd-logind",
            812,
            join("Removed session ", session.filter(k), "."),
        ),
    ]
    m = count(rng, ctx.office_mean(_SUDO_PER_WEEKDAY, day))
    u, uid = _accounts(admins, rng.integers(0, len(admins), size=m))
    cmd = pa.array(np.array(_SUDO_COMMANDS)[rng.integers(0, len(_SUDO_COMMANDS), size=m)])
    t = sample_times(rng, ctx.day_start(day), m, office_profile(ctx.weekend(day)))
    pid = _pids(rng, m)
    out += [
        syslog_rows(
            h,
            t,
            "authpriv",
            "notice",
            "sudo",
            pid,
            join(u, " : TTY=pts/0 ; PWD=/home/", u, " ; USER=root ; COMMAND=", cmd),
        ),
        syslog_rows(
            h,
            t + 500,
            "authpriv",
            "info",
            "sudo",
            pid,
            join("pam_unix(sudo:session): session opened for user root(uid=0) by ", u, "(uid=", uid, ")"),
        ),
        syslog_rows(h, t + rng.integers(US, 20 * US, size=m), "authpriv", "info", "sudo", pid, SUDO_CLOSED),
    ]
    return out


def _internet_noise(ctx: Context, day: int, h: Host, rng: np.random.Generator) -> list[pa.Table]:
    n = count(rng, ctx.flat_mean(_UFW_PER_DAY))
    t = sample_times(rng, ctx.day_start(day), n, flat_profile())
    src = pa.array(np.array(SCANNERS)[rng.integers(0, len(SCANNERS), size=n)])
    dpt = to_str(np.array([23, 445, 3389, 8080, 5900], dtype=np.int64)[rng.integers(0, 5, size=n)])
    ufw = join(
        "[UFW BLOCK] IN=eth0 OUT= MAC=00:15:5d:01:0a:02:00:15:5d:01:0a:01:08:00 SRC=",
        src,
        f" DST={h.ip} LEN=44 TOS=0x00 PREC=0x00 TTL=",
        to_str(rng.integers(230, 250, size=n)),
        " ID=",
        to_str(rng.integers(1, 65535, size=n)),
        " PROTO=TCP SPT=",
        to_str(ports(rng, n)),
        " DPT=",
        dpt,
        " WINDOW=1024 RES=0x00 SYN URGP=0",
    )
    out = [syslog_rows(h, t, "kern", "warning", "kernel", None, ufw)]
    m = count(rng, ctx.flat_mean(_SCANNER_SSH_PER_DAY))
    t = sample_times(rng, ctx.day_start(day), m, flat_profile())
    ip = pa.array(np.array(SCANNERS)[rng.integers(0, len(SCANNERS), size=m)])
    user = pa.array(_GUESSED[rng.integers(0, len(_GUESSED), size=m)])
    port, pid = to_str(ports(rng, m)), _pids(rng, m)
    attempt = (
        (0, join("Invalid user ", user, " from ", ip, " port ", port)),
        (2 * US, join("Failed password for invalid user ", user, " from ", ip, " port ", port, " ssh2")),
        (3 * US, join("Connection closed by invalid user ", user, " ", ip, " port ", port, " [preauth]")),
    )
    out += [syslog_rows(h, t + after, "auth", "info", "sshd", pid, message) for after, message in attempt]
    return out


def _postgres(ctx: Context, day: int, h: Host, rng: np.random.Generator) -> list[pa.Table]:
    n = count(rng, ctx.flat_mean(_PG_PER_DAY))
    t = sample_times(rng, ctx.day_start(day), n, flat_profile())
    buffers = to_str(rng.integers(5, 900, size=n))
    msg = join(
        "[",
        to_str(np.full(n, 1187)),
        "] LOG:  checkpoint complete: wrote ",
        buffers,
        " buffers (0.1%); 0 WAL file(s) added, 0 removed, 1 recycled",
    )
    return [syslog_rows(h, t, "local0", "info", "postgres", 1187, msg)]


def syslog(ctx: Context, day: int) -> dict[str, pa.Table]:
    """Return the day's background syslog of every Linux host."""
    rng = ctx.rng(SYSLOG_STREAM, day)
    env = ctx.env
    ws = {u: env.host(env.user(u).workstation or "").ip for u in ("dkim", "jchen")}
    bastion = env.host("lnx-bastion01")
    build = env.host("lnx-build01")
    parts: list[pa.Table] = []
    for h in env.hosts:
        if h.os_type != "Linux":
            continue
        parts += _scheduled(ctx, day, h, rng)
        if h is bastion:
            admins = [("dkim", ws["dkim"]), ("jchen", ws["jchen"])]
            parts += _internet_noise(ctx, day, h, rng)
        else:
            admins = [("dkim", bastion.ip), ("jchen", bastion.ip), ("deploy", build.ip)]
        parts += _sessions(ctx, day, h, rng, admins)
        if h.name == "lnx-db01":
            parts += _postgres(ctx, day, h, rng)
    return {"Syslog": concat(parts)}
