# ruff: noqa: E501
"""Benign activity the demo lake's background is drawn from.

Plain data: Windows process launches, network destinations, cloud apps.
``{user}`` in a path or command line stands for the account running it.
"""

from __future__ import annotations

import base64
from typing import NamedTuple


def encode_powershell(script: str) -> str:
    """Return *script* as PowerShell's ``-EncodedCommand`` text (base64 of UTF-16LE)."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


OFFICE = r"C:\Program Files\Microsoft Office\root\Office16"
CHROME = r"C:\Program Files\Google\Chrome\Application\chrome.exe"
EDGE = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
TEAMS = r"C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\ms-teams.exe"
WEBVIEW = r"C:\Program Files (x86)\Microsoft\EdgeWebView\Application\130.0.2849.80\msedgewebview2.exe"
ONEDRIVE = r"C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe"
SYS32 = r"C:\Windows\System32"
POWERSHELL = rf"{SYS32}\WindowsPowerShell\v1.0\powershell.exe"
DEFENDER = r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0"
INTUNE = r"C:\Program Files (x86)\Microsoft Intune Management Extension"
SQLBINN = r"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn"
AMA = r"C:\Program Files\Azure Monitor Agent\Agent\MonAgentCore.exe"


class Parent(NamedTuple):
    """A long-running process that starts others."""

    image: str
    command_line: str
    grandparent: str


PARENTS: dict[str, Parent] = {
    "explorer": Parent(r"C:\Windows\explorer.exe", r"C:\Windows\Explorer.EXE", rf"{SYS32}\userinit.exe"),
    "services": Parent(rf"{SYS32}\services.exe", r"C:\Windows\system32\services.exe", rf"{SYS32}\wininit.exe"),
    "svchost": Parent(rf"{SYS32}\svchost.exe", r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule", rf"{SYS32}\services.exe"),
    "dcomlaunch": Parent(rf"{SYS32}\svchost.exe", r"C:\Windows\system32\svchost.exe -k DcomLaunch -p", rf"{SYS32}\services.exe"),
    "chrome": Parent(CHROME, f'"{CHROME}"', r"C:\Windows\explorer.exe"),
    "msedge": Parent(EDGE, f'"{EDGE}" --profile-directory=Default', r"C:\Windows\explorer.exe"),
    "teams": Parent(TEAMS, f'"{TEAMS}" msteams:system-initiated', r"C:\Windows\explorer.exe"),
    "outlook": Parent(rf"{OFFICE}\OUTLOOK.EXE", rf'"{OFFICE}\OUTLOOK.EXE" ', r"C:\Windows\explorer.exe"),
    "cmd": Parent(rf"{SYS32}\cmd.exe", r'"C:\Windows\system32\cmd.exe" ', r"C:\Windows\explorer.exe"),
    "msmpeng": Parent(rf"{DEFENDER}\MsMpEng.exe", f'"{DEFENDER}\\MsMpEng.exe"', rf"{SYS32}\services.exe"),
    "intune": Parent(rf"{INTUNE}\AgentExecutor.exe", f'"{INTUNE}\\AgentExecutor.exe" -powershell', rf"{INTUNE}\Microsoft.Management.Services.IntuneWindowsAgent.exe"),
    "sqlagent": Parent(rf"{SQLBINN}\SQLAGENT.EXE", f'"{SQLBINN}\\SQLAGENT.EXE" -i MSSQLSERVER', rf"{SYS32}\services.exe"),
    "w3wp": Parent(rf"{SYS32}\inetsrv\w3wp.exe", r'c:\windows\system32\inetsrv\w3wp.exe -ap "ContosoPortal" -v "v4.0" -l "webengine4.dll"', rf"{SYS32}\svchost.exe"),
}  # fmt: skip


class Launch(NamedTuple):
    """One kind of benign process launch.

    ``stream`` is ``user`` (a workstation's user, office hours), ``system``
    (machine activity around the clock) or ``admin`` (IT admins on servers).
    ``where`` is ``workstation``, ``server``, ``windows`` or a host name.
    ``integrity`` is ``medium``, ``high`` or ``system``; ``account`` overrides
    the stream's account (a service account).
    """

    stream: str
    where: str
    image: str
    parent: str
    commands: tuple[str, ...]
    weight: float
    integrity: str = "medium"
    account: str | None = None


_DOCS = ("Q3 forecast", "Team meeting notes", "Project plan v2", "Budget review", "Contract draft")
_SHEETS = ("Sales pipeline", "Expenses November", "Headcount 2026", "Inventory")
_RENDERER = (
    '"{exe}" --type=renderer --lang=en-GB --renderer-client-id={n} --time-ticks-at-unix-epoch=-1731312000000000 --launch-time-ticks=8521133 --field-trial-handle=1960,i,4721,262144 /prefetch:1'
)  # fmt: skip
_MONITOR_PS = "Get-Service -Name MSSQLSERVER,SQLSERVERAGENT | Select-Object Name,Status | ConvertTo-Json"

LAUNCHES: tuple[Launch, ...] = (
    # --- workstation users -----------------------------------------------------------
    Launch("user", "workstation", CHROME, "explorer", (f'"{CHROME}"',), 3.0),
    Launch("user", "workstation", CHROME, "chrome", tuple(_RENDERER.format(exe=CHROME, n=n) for n in (7, 12, 19, 23, 31)), 14.0),
    Launch("user", "workstation", CHROME, "chrome", (f'"{CHROME}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-GB --service-sandbox-type=none /prefetch:8',), 3.0),
    Launch("user", "workstation", EDGE, "explorer", (f'"{EDGE}" --single-argument https://contoso.sharepoint.com/',), 2.0),
    Launch("user", "workstation", EDGE, "msedge", tuple(_RENDERER.format(exe=EDGE, n=n) for n in (5, 9, 14)), 8.0),
    Launch("user", "workstation", rf"{OFFICE}\OUTLOOK.EXE", "explorer", (rf'"{OFFICE}\OUTLOOK.EXE" ',), 1.5),
    Launch("user", "workstation", rf"{OFFICE}\WINWORD.EXE", "explorer", tuple(rf'"{OFFICE}\WINWORD.EXE" /n "C:\Users\{{user}}\Documents\{d}.docx" /o ""' for d in _DOCS), 2.0),
    Launch("user", "workstation", rf"{OFFICE}\WINWORD.EXE", "outlook", tuple(rf'"{OFFICE}\WINWORD.EXE" /n "C:\Users\{{user}}\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\7QW2ZK1M\{d}.docx" /o ""' for d in _DOCS[:3]), 0.8),
    Launch("user", "workstation", rf"{OFFICE}\EXCEL.EXE", "explorer", tuple(rf'"{OFFICE}\EXCEL.EXE" "C:\Users\{{user}}\OneDrive - Contoso\{s}.xlsx"' for s in _SHEETS), 2.0),
    Launch("user", "workstation", rf"{OFFICE}\POWERPNT.EXE", "explorer", (rf'"{OFFICE}\POWERPNT.EXE" "C:\Users\{{user}}\Documents\All hands.pptx"',), 0.7),
    Launch("user", "workstation", TEAMS, "explorer", (f'"{TEAMS}" msteams:system-initiated',), 1.0),
    Launch("user", "workstation", WEBVIEW, "teams", (f'"{WEBVIEW}" --embedded-browser-webview=1 --webview-exe-name=ms-teams.exe --user-data-dir="C:\\Users\\{{user}}\\AppData\\Local\\Packages\\MSTeams_8wekyb3d8bbwe\\LocalCache\\Microsoft\\MSTeams\\EBWebView" --noerrdialogs',), 4.0),
    Launch("user", "workstation", ONEDRIVE, "explorer", (f'"{ONEDRIVE}" /background',), 0.6),
    Launch("user", "workstation", rf"{SYS32}\notepad.exe", "explorer", (r'"C:\Windows\system32\NOTEPAD.EXE" C:\Users\{user}\Desktop\todo.txt', r'"C:\Windows\system32\NOTEPAD.EXE"'), 0.8),
    Launch("user", "workstation", r"C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe", "explorer", (r'"C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe" "C:\Users\{user}\Downloads\Invoice_0419.pdf"', r'"C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe" "C:\Users\{user}\Downloads\Policy update.pdf"'), 0.8),
    Launch("user", "workstation", rf"{SYS32}\cmd.exe", "explorer", (r'"C:\Windows\system32\cmd.exe" ',), 0.25),
    Launch("user", "workstation", rf"{SYS32}\conhost.exe", "cmd", (r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",), 0.25),
    Launch("user", "workstation", rf"{SYS32}\ipconfig.exe", "cmd", ("ipconfig  /all", "ipconfig  /flushdns"), 0.1),
    Launch("user", "workstation", rf"{SYS32}\PING.EXE", "cmd", ("ping  fs01.contoso.com", "ping  8.8.8.8"), 0.1),
    Launch("user", "workstation", POWERSHELL, "explorer", (rf'"{POWERSHELL}" ',), 0.15),
    Launch("user", "workstation", rf"{SYS32}\Taskmgr.exe", "explorer", (r'"C:\Windows\system32\taskmgr.exe" /4',), 0.2),
    Launch("user", "workstation", rf"{SYS32}\backgroundTaskHost.exe", "dcomlaunch", (r'"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca',), 1.0),
    Launch("user", "workstation", rf"{SYS32}\SearchProtocolHost.exe", "svchost", (r'"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe3_ Global\UsGthrCtrlFltPipeMssGthrPipe3 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon" ',), 0.8),
    # --- machine activity, every Windows host ------------------------------------------
    Launch("system", "windows", rf"{SYS32}\svchost.exe", "services", ("C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s BITS", "C:\\Windows\\System32\\svchost.exe -k wusvcs -p -s WaaSMedicSvc", "C:\\Windows\\system32\\svchost.exe -k LocalService -p -s FontCache", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s gpsvc", "C:\\Windows\\System32\\svchost.exe -k LocalSystemNetworkRestricted -p -s DeviceAssociationService"), 2.0, "system"),
    Launch("system", "windows", rf"{SYS32}\taskhostw.exe", "svchost", ("taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly", "taskhostw.exe", "taskhostw.exe SYSTEM"), 2.0, "system"),
    Launch("system", "windows", rf"{SYS32}\wbem\WmiPrvSE.exe", "dcomlaunch", (r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding", r"C:\Windows\system32\wbem\wmiprvse.exe -Embedding"), 1.5, "system"),
    Launch("system", "windows", rf"{DEFENDER}\MpCmdRun.exe", "msmpeng", (f'"{DEFENDER}\\MpCmdRun.exe" SignaturesUpdateService -ScheduleJob -UnmanagedUpdate', f'"{DEFENDER}\\MpCmdRun.exe" -IdleTask -TaskName WdCacheMaintenance'), 0.8, "system"),
    Launch("system", "windows", rf"{SYS32}\conhost.exe", "svchost", (r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",), 0.6, "system"),
    Launch("system", "windows", rf"{SYS32}\CompatTelRunner.exe", "svchost", (r"C:\Windows\system32\compattelrunner.exe -m:appraiser.dll -f:DoScheduledTelemetryRun", r"C:\Windows\system32\CompatTelRunner.exe -m:invagent.dll -f:RunUpdate"), 0.3, "system"),
    Launch("system", "windows", rf"{SYS32}\sppsvc.exe", "services", (r"C:\Windows\system32\sppsvc.exe",), 0.3, "system"),
    Launch("system", "windows", rf"{SYS32}\gpupdate.exe", "svchost", ("gpupdate.exe /target:computer",), 0.15, "system"),
    Launch("system", "workstation", POWERSHELL, "intune", (rf'"{POWERSHELL}" -NoProfile -executionPolicy bypass -file  "{INTUNE}\Policies\Scripts\4b8e6a52-1d7c-4f1e-9e0b-6a4bd0c2f7e3_1.ps1" ',), 0.2, "system"),
    # --- servers ---------------------------------------------------------------------
    Launch("system", "SQL01", rf"{SYS32}\cmd.exe", "sqlagent", (r'C:\Windows\system32\cmd.exe /c sqlcmd -S localhost -E -Q "EXEC dbo.usp_IndexMaintenance"',), 0.4, "medium", "svc-sql"),
    Launch("system", "SQL01", POWERSHELL, "sqlagent", (f"powershell.exe -NoProfile -NonInteractive -EncodedCommand {encode_powershell(_MONITOR_PS)}",), 0.5, "medium", "svc-sql"),
    Launch("system", "WEB01", r"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\csc.exe", "w3wp", (r'"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\csc.exe" /noconfig /fullpaths @"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\Temporary ASP.NET Files\root\9c1e0b5a\4f2d8e11\kvz0ho3b.cmdline"',), 0.2, "medium", "svc-web"),
    Launch("system", "FS01", rf"{SYS32}\Robocopy.exe", "svchost", (r"robocopy.exe D:\Shares \\nas01.contoso.com\backup\fs01 /MIR /R:1 /W:5 /NP /LOG:C:\Logs\backup.log",), 0.1, "medium", "svc-backup"),
    Launch("system", "DC01", rf"{SYS32}\dfsrdiag.exe", "svchost", ("dfsrdiag.exe PollAD",), 0.3, "system"),
    # --- IT admins on servers ------------------------------------------------------------
    Launch("admin", "server", rf"{SYS32}\mmc.exe", "explorer", (r'"C:\Windows\system32\mmc.exe" "C:\Windows\system32\compmgmt.msc" /s', r'"C:\Windows\system32\mmc.exe" "C:\Windows\system32\eventvwr.msc" /s'), 1.0, "high"),
    Launch("admin", "DC01", rf"{SYS32}\mmc.exe", "explorer", (r'"C:\Windows\system32\mmc.exe" "C:\Windows\system32\dsa.msc"', r'"C:\Windows\system32\mmc.exe" "C:\Windows\system32\gpmc.msc"'), 1.5, "high"),
    Launch("admin", "server", POWERSHELL, "explorer", (rf'"{POWERSHELL}" ',), 0.8, "high"),
    Launch("admin", "server", rf"{SYS32}\ServerManager.exe", "explorer", (r'"C:\Windows\system32\ServerManager.exe" ',), 0.5, "high"),
    Launch("admin", "DC01", rf"{SYS32}\net.exe", "cmd", ("net  user jsmith /domain", "net  group \"Finance\" /domain"), 0.3, "high"),
)  # fmt: skip


class Destination(NamedTuple):
    """A public (or internal) name and the addresses it resolves to."""

    name: str
    ips: tuple[str, ...]


DESTINATIONS: dict[str, Destination] = {
    d.name: d
    for d in (
        Destination("outlook.office365.com", ("52.97.146.162", "40.99.10.34")),
        Destination("login.microsoftonline.com", ("20.190.159.2", "40.126.32.68")),
        Destination("teams.microsoft.com", ("52.113.194.132",)),
        Destination("contoso.sharepoint.com", ("13.107.136.10",)),
        Destination("contoso-my.sharepoint.com", ("13.107.138.10",)),
        Destination("graph.microsoft.com", ("20.190.160.20", "40.126.32.134")),
        Destination("www.office.com", ("13.107.6.156",)),
        Destination("settings-win.data.microsoft.com", ("20.42.65.85",)),
        Destination("v10.events.data.microsoft.com", ("20.189.173.1",)),
        Destination("fe2.update.microsoft.com", ("20.72.235.82",)),
        Destination("ctldl.windowsupdate.com", ("23.55.124.12", "23.55.124.37")),
        Destination("wdcp.microsoft.com", ("20.10.31.115",)),
        Destination("definitionupdates.microsoft.com", ("13.107.4.50",)),
        Destination("7f3c2b1a-5e9d-4c6b-8a2f-1d0e9b8c7a65.ods.opinsights.azure.com", ("20.50.65.82",)),
        Destination("global.handler.control.monitor.azure.com", ("20.50.88.29",)),
        Destination("www.google.com", ("142.250.187.196", "142.250.180.4")),
        Destination("www.bing.com", ("13.107.21.200",)),
        Destination("github.com", ("140.82.121.4",)),
        Destination("www.linkedin.com", ("13.107.42.14",)),
        Destination("www.bbc.co.uk", ("151.101.0.81", "151.101.64.81")),
        Destination("en.wikipedia.org", ("185.15.59.224",)),
        Destination("stackoverflow.com", ("104.18.32.7",)),
        Destination("zoom.us", ("170.114.52.2",)),
        Destination("contoso.my.salesforce.com", ("13.108.238.141",)),
        Destination("docs.python.org", ("151.101.128.223",)),
        Destination("cdn.jsdelivr.net", ("151.101.1.229",)),
        Destination("fonts.googleapis.com", ("142.250.178.10",)),
        Destination("www.youtube.com", ("142.250.200.14",)),
        Destination("archive.ubuntu.com", ("91.189.91.83", "185.125.190.36")),
        Destination("security.ubuntu.com", ("91.189.91.82", "185.125.190.39")),
        Destination("api.github.com", ("140.82.121.6",)),
        Destination("pypi.org", ("151.101.0.223",)),
        Destination("files.pythonhosted.org", ("151.101.1.63",)),
        Destination("ntp.ubuntu.com", ("185.125.190.58",)),
        Destination("dc01.contoso.com", ("10.10.0.10",)),
        Destination("fs01.contoso.com", ("10.10.0.20",)),
        Destination("sql01.contoso.com", ("10.10.0.30",)),
    )
}
WEB = (
    "www.google.com", "www.bing.com", "github.com", "www.linkedin.com", "www.bbc.co.uk",
    "en.wikipedia.org", "stackoverflow.com", "zoom.us", "contoso.my.salesforce.com",
    "docs.python.org", "cdn.jsdelivr.net", "fonts.googleapis.com", "www.youtube.com",
    "www.office.com", "contoso.sharepoint.com",
)  # fmt: skip


class Flow(NamedTuple):
    """A kind of outbound connection: which process talks to which name.

    ``stream`` and ``where`` as for `Launch`; ``image`` is the initiating
    process (``{user}`` expanded), ``port`` the remote port.
    """

    stream: str
    where: str
    image: str
    command_line: str
    names: tuple[str, ...]
    port: int
    weight: float
    app: str = "ssl"
    account: str | None = None


FLOWS: tuple[Flow, ...] = (
    Flow("user", "workstation", CHROME, f'"{CHROME}"', WEB, 443, 30.0),
    Flow("user", "workstation", EDGE, f'"{EDGE}" --profile-directory=Default', WEB, 443, 18.0),
    Flow("user", "workstation", TEAMS, f'"{TEAMS}" msteams:system-initiated', ("teams.microsoft.com", "login.microsoftonline.com", "graph.microsoft.com"), 443, 20.0),
    Flow("user", "workstation", rf"{OFFICE}\OUTLOOK.EXE", rf'"{OFFICE}\OUTLOOK.EXE" ', ("outlook.office365.com", "login.microsoftonline.com"), 443, 15.0),
    Flow("user", "workstation", ONEDRIVE, f'"{ONEDRIVE}" /background', ("contoso-my.sharepoint.com", "contoso.sharepoint.com", "login.microsoftonline.com"), 443, 8.0),
    Flow("system", "windows", rf"{SYS32}\svchost.exe", r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv", ("fe2.update.microsoft.com", "ctldl.windowsupdate.com", "settings-win.data.microsoft.com"), 443, 4.0),
    Flow("system", "windows", rf"{SYS32}\svchost.exe", r"C:\Windows\System32\svchost.exe -k utcsvc -p", ("v10.events.data.microsoft.com",), 443, 3.0),
    Flow("system", "windows", rf"{DEFENDER}\MsMpEng.exe", f'"{DEFENDER}\\MsMpEng.exe"', ("wdcp.microsoft.com", "definitionupdates.microsoft.com"), 443, 3.0),
    Flow("system", "windows", AMA, f'"{AMA}" -config "C:\\Program Files\\Azure Monitor Agent\\Agent\\mcsconfig.xml"', ("7f3c2b1a-5e9d-4c6b-8a2f-1d0e9b8c7a65.ods.opinsights.azure.com", "global.handler.control.monitor.azure.com"), 443, 4.0),
    # internal traffic (Defender only; it does not cross the firewall)
    Flow("user", "workstation", "System", "", ("fs01.contoso.com",), 445, 10.0, "ms-ds-smb"),
    Flow("user", "workstation", rf"{SYS32}\lsass.exe", r"C:\Windows\system32\lsass.exe", ("dc01.contoso.com",), 88, 5.0, "kerberos"),
    Flow("system", "windows", rf"{SYS32}\svchost.exe", r"C:\Windows\system32\svchost.exe -k netsvcs -p -s gpsvc", ("dc01.contoso.com",), 389, 2.0, "ldap"),
    Flow("system", "WEB01", rf"{SYS32}\inetsrv\w3wp.exe", r'c:\windows\system32\inetsrv\w3wp.exe -ap "ContosoPortal" -v "v4.0" -l "webengine4.dll"', ("sql01.contoso.com",), 1433, 40.0, "mssql-db", "svc-web"),
)  # fmt: skip

LINUX_FLOWS: tuple[tuple[str, int, str, float], ...] = (
    ("archive.ubuntu.com", 80, "web-browsing", 3.0),
    ("security.ubuntu.com", 80, "web-browsing", 3.0),
    ("ntp.ubuntu.com", 123, "ntp", 4.0),
    ("api.github.com", 443, "ssl", 2.0),
    ("pypi.org", 443, "ssl", 1.0),
    ("files.pythonhosted.org", 443, "ssl", 1.0),
)
INTERNAL_LOOKUPS: tuple[tuple[str, str, str, int, float], ...] = (
    # name, query type, answer, result code, weight
    ("dc01.contoso.com", "A", "10.10.0.10", 0, 4.0),
    ("fs01.contoso.com", "A", "10.10.0.20", 0, 3.0),
    ("sql01.contoso.com", "A", "10.10.0.30", 0, 1.0),
    ("_ldap._tcp.dc._msdcs.contoso.com", "SRV", "", 0, 2.0),
    ("contoso.com", "A", "10.10.0.10", 0, 1.0),
    ("wpad.contoso.com", "A", "", 9003, 1.0),
    ("ws-printer02.contoso.com", "A", "", 9003, 0.3),
)


class App(NamedTuple):
    """An Entra ID application users sign in to."""

    name: str
    app_id: str
    resource: str
    client: str
    weight: float


APPS: tuple[App, ...] = (
    App("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams Services", "Mobile Apps and Desktop clients", 3.0),
    App("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Office 365 Exchange Online", "Mobile Apps and Desktop clients", 3.0),
    App("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome", "Browser", 1.0),
    App("Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", "Browser", 1.5),
    App("OneDrive SyncEngine", "ab9b8c07-8f02-4f72-87fa-80105867a763", "Office 365 SharePoint Online", "Mobile Apps and Desktop clients", 1.0),
    App("Microsoft Edge", "ecd6b820-32c2-49b6-98a6-444530e5a77a", "Microsoft Graph", "Browser", 1.0),
    App("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Windows Azure Service Management API", "Browser", 0.3),
)  # fmt: skip

USER_AGENTS = {
    "Browser": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.80",
    "Mobile Apps and Desktop clients": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Teams/24295.605.3225.8804",
    "Mobile": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
}  # fmt: skip

HOME_CITIES = (
    ("London", "London", 51.5072, -0.1276),
    ("Reading", "Berkshire", 51.4543, -0.9781),
    ("Croydon", "London", 51.3762, -0.0982),
    ("Guildford", "Surrey", 51.2362, -0.5704),
    ("St Albans", "Hertfordshire", 51.7527, -0.3394),
)
OFFICE_CITY = ("London", "London", 51.5155, -0.0922)
