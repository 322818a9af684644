"""Row by row writing of the planted attacks, in the same shapes as the background.

The planted attacks are small (a few hundred rows plus the vectorised
beacon), so they are written one event at a time, and every event is also
returned as a ground-truth record.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from huntbook.data.lake._demo_arrow import concat, rows_table, stable_uuid
from huntbook.data.lake._demo_catalog import PARENTS
from huntbook.data.lake._demo_cloud import alert_columns, alert_entities
from huntbook.data.lake._demo_context import Context
from huntbook.data.lake._demo_env import NETBIOS
from huntbook.data.lake._demo_linux import syslog_columns
from huntbook.data.lake._demo_network import FIREWALL_COLUMNS, dns_columns
from huntbook.data.lake._demo_truth import Alert, Host, LogonEvent, ProcessEvent, User
from huntbook.data.lake._demo_windows import (
    ACTIVITY,
    INTEGRITY,
    LOGON_COLUMNS,
    LOGON_TYPE_NAMES,
    NO_TARGET,
    SECURITY,
    SUBJECT_COLUMNS,
    TARGET_COLUMNS,
    base_name,
    defender_columns,
    file_facts,
    host_columns,
    logon_header,
    logon_row,
    parent_key,
    parent_process_ids,
    session_ids,
    session_key,
    system_account,
    user_account,
)


@dataclass(frozen=True)
class Proc:
    """A running process the planted events refer to."""

    host: Host
    who: User | None
    image: str
    command_line: str
    pid: int
    started: datetime
    parent: Proc | None = None
    logon_id: int = 0x3E7
    hashes: tuple[str, str, str, int] | None = None

    @property
    def facts(self) -> tuple[str, str, str, int]:
        """``(md5, sha1, sha256, size)`` of the image."""
        return self.hashes or file_facts(self.image)

    @property
    def firewall_user(self) -> str | None:
        """The firewall log's ``SourceUserName`` of the process's traffic."""
        return f"{NETBIOS.lower()}\\{self.who.name}" if self.who else None


def connection_columns(
    t: Any, proc: Proc, remote_ip: str, port: int, remote_url: str | None, local_port: Any
) -> dict[str, Any]:
    """Return the ``DeviceNetworkEvents`` columns of *proc* connecting to *remote_ip*.

    *t* and *local_port* are scalars for one connection or arrays for many.
    """
    h = proc.host
    acc = user_account(proc.who) if proc.who else system_account(h)
    return {
        **defender_columns(t, h.device_id, h.device_name, "ConnectionSuccess"),
        "RemoteIP": remote_ip,
        "RemotePort": port,
        "RemoteUrl": remote_url,
        "LocalIP": h.ip,
        "LocalPort": local_port,
        "Protocol": "Tcp",
        "RemoteIPType": "Private" if remote_ip.startswith("10.") else "Public",
        "LocalIPType": "Private",
        "InitiatingProcessFileName": base_name(proc.image),
        "InitiatingProcessFolderPath": proc.image,
        "InitiatingProcessId": proc.pid,
        "InitiatingProcessCommandLine": proc.command_line,
        "InitiatingProcessSHA256": proc.facts[2],
        "InitiatingProcessAccountDomain": acc["AccountDomain"],
        "InitiatingProcessAccountName": acc["AccountName"],
    }


class Emitter:
    """Collects planted rows per table and ground-truth records."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.tables: dict[str, list[pa.Table]] = defaultdict(list)
        self._report = 7_000_000_000

    def report_id(self) -> int:
        """Return the next Defender ``ReportId``."""
        self._report += 1
        return self._report

    def result(self) -> dict[str, pa.Table]:
        """Return the planted rows of every table."""
        names = set(self.rows) | set(self.tables)
        return {n: concat([rows_table(n, self.rows[n]), *self.tables[n]]) for n in sorted(names)}

    # --- Windows -------------------------------------------------------------------------

    def running(self, host: Host, who: User | None, parent: str, day: int) -> Proc:
        """Return the long-running *parent* (``explorer``, ``outlook``, ...) of *host* on *day*."""
        p = PARENTS[parent]
        pids, grand = parent_process_ids(self.ctx, day)
        key = parent_key(self.env, host, parent)
        started = self.ctx.start + timedelta(days=day, hours=7, minutes=52)
        grandparent = Proc(host, who, p.grandparent, p.grandparent, int(grand[key]), started)
        return Proc(
            host,
            who,
            p.image,
            p.command_line,
            int(pids[key]),
            started,
            grandparent,
            self.logon_id(host, who, day),
        )

    def logon_id(self, host: Host, who: User | None, day: int) -> int:
        """Return *who*'s logon id on *host* on *day* (as the background uses)."""
        if who is None:
            return 0x3E7
        return int(session_ids(self.ctx, day)[session_key(self.env, host, who)])

    def process(
        self,
        t: datetime,
        parent: Proc,
        image: str,
        command_line: str,
        pid: int,
        *,
        who: User | str | None = "inherit",
        integrity: str = "medium",
        hashes: tuple[str, str, str, int] | None = None,
        logon_id: int | None = None,
    ) -> tuple[Proc, ProcessEvent]:
        """Write a process creation (4688 and ``DeviceProcessEvents``).

        The child runs as its parent's account unless *who* says otherwise
        (``None``: SYSTEM), in its parent's logon session unless *logon_id*
        says otherwise.
        """
        h = parent.host
        account: User | None = parent.who if isinstance(who, str) else who
        if logon_id is not None:
            logon = logon_id
        else:
            logon = parent.logon_id if account is parent.who and account else 0x3E7
        proc = Proc(h, account, image, command_line, pid, t, parent, logon, hashes)
        tet, label, level, elevation = INTEGRITY[integrity]
        acc = user_account(account) if account else system_account(h)
        md5, sha1, sha256, size = proc.facts
        pmd5, psha1, psha256, _ = parent.facts
        self._security(
            t,
            h,
            4688,
            acc,
            {
                "SubjectLogonId": hex(logon),
                **NO_TARGET,
                "NewProcessId": hex(pid),
                "NewProcessName": image,
                "ProcessId": hex(parent.pid),
                "ParentProcessName": parent.image,
                "CommandLine": command_line,
                "TokenElevationType": tet,
                "MandatoryLabel": label,
            },
        )
        grand = parent.parent
        self.rows["DeviceProcessEvents"].append(
            {
                **defender_columns(t, h.device_id, h.device_name, "ProcessCreated"),
                "FileName": base_name(image),
                "FolderPath": image,
                "SHA1": sha1,
                "SHA256": sha256,
                "MD5": md5,
                "FileSize": size,
                "ProcessId": pid,
                "ProcessCommandLine": command_line,
                "ProcessCreationTime": t,
                "ProcessIntegrityLevel": level,
                "ProcessTokenElevation": elevation,
                **{k: acc[k] for k in ("AccountDomain", "AccountName", "AccountSid", "AccountUpn")},
                "LogonId": logon,
                "InitiatingProcessAccountDomain": acc["AccountDomain"],
                "InitiatingProcessAccountName": acc["AccountName"],
                "InitiatingProcessAccountSid": acc["AccountSid"],
                "InitiatingProcessFileName": base_name(parent.image),
                "InitiatingProcessFolderPath": parent.image,
                "InitiatingProcessId": parent.pid,
                "InitiatingProcessCommandLine": parent.command_line,
                "InitiatingProcessCreationTime": parent.started,
                "InitiatingProcessSHA1": psha1,
                "InitiatingProcessSHA256": psha256,
                "InitiatingProcessMD5": pmd5,
                "InitiatingProcessParentId": grand.pid if grand else None,
                "InitiatingProcessParentFileName": base_name(grand.image) if grand else None,
                "InitiatingProcessParentCreationTime": grand.started if grand else None,
                "ReportId": self.report_id(),
            }
        )
        event = ProcessEvent(t, h.name, acc["Account"], image, command_line, parent.image, pid, parent.pid)
        return proc, event

    def logon(
        self,
        t: datetime,
        target: Host,
        who: User,
        logon_type: int,
        source: Host,
        package: str,
        *,
        duration: timedelta,
        logon_id: int,
    ) -> LogonEvent:
        """Write a successful logon (4624, 4672, 4634 and ``DeviceLogonEvents``)."""
        r = logon_row(self.env, target, who, logon_type, source, package)
        port = 49152 + logon_id % 16000
        self.rows["SecurityEvent"].append(
            {
                "TimeGenerated": t,
                "EventID": 4624,
                "Activity": ACTIVITY[4624],
                **logon_header(r),
                **{k: r[k] for k in (*TARGET_COLUMNS, *LOGON_COLUMNS)},
                "TargetAccount": r["Account"],
                "TargetLogonId": hex(logon_id),
                "IpPort": str(port),
                "ProcessId": "0x0",
            }
        )
        if r["admin"]:
            self.rows["SecurityEvent"].append(
                {
                    "TimeGenerated": t,
                    "EventID": 4672,
                    "Activity": ACTIVITY[4672],
                    **logon_header(r),
                    "SubjectUserSid": r["TargetUserSid"],
                    "SubjectUserName": r["TargetUserName"],
                    "SubjectDomainName": r["TargetDomainName"],
                    "SubjectLogonId": hex(logon_id),
                }
            )
        self.rows["SecurityEvent"].append(
            {
                "TimeGenerated": t + duration,
                "EventID": 4634,
                "Activity": ACTIVITY[4634],
                **logon_header(r),
                **{k: r[k] for k in TARGET_COLUMNS},
                "TargetLogonId": hex(logon_id),
                "LogonType": logon_type,
            }
        )
        self.rows["DeviceLogonEvents"].append(
            {
                **defender_columns(t, target.device_id, target.device_name, "LogonSuccess"),
                "LogonType": LOGON_TYPE_NAMES[logon_type][1],
                "AccountDomain": r["AccountDomain"],
                "AccountName": r["AccountName"],
                "AccountSid": r["TargetUserSid"],
                "Protocol": package,
                "IsLocalAdmin": r["IsLocalAdmin"],
                "LogonId": logon_id,
                "RemoteDeviceName": source.name,
                "RemoteIP": source.ip,
                "RemoteIPType": "Private",
                "RemotePort": port,
                "InitiatingProcessFileName": r["InitiatingProcessFileName"],
                "ReportId": self.report_id(),
            }
        )
        return LogonEvent(t, target.name, r["Account"], logon_type, source.name, source.ip, package)

    def explicit_credentials(self, t: datetime, proc: Proc, target: User, server: Host) -> None:
        """Write a 4648 (a process used another account's credentials)."""
        acc = user_account(proc.who) if proc.who else system_account(proc.host)
        self._security(
            t,
            proc.host,
            4648,
            acc,
            {
                "SubjectLogonId": hex(proc.logon_id),
                "TargetUserName": target.name,
                "TargetDomainName": NETBIOS,
                "TargetAccount": f"{NETBIOS}\\{target.name}",
                "ProcessId": hex(proc.pid),
                "ProcessName": proc.image,
                "IpAddress": server.ip,
                "IpPort": "445",
                "EventData": f"<TargetServerName>{server.fqdn}</TargetServerName>",
            },
        )

    def service_installed(self, t: datetime, host: Host, who: User, name: str, path: str) -> None:
        """Write a 4697 (a service was installed)."""
        self._security(t, host, 4697, user_account(who), {"ServiceName": name, "ServiceFileName": path})

    def _security(
        self, t: datetime, host: Host, event_id: int, acc: Mapping[str, Any], columns: Mapping[str, Any]
    ) -> None:
        """Write a ``SecurityEvent`` *event_id* on *host* by account *acc*, with its other *columns*."""
        self.rows["SecurityEvent"].append(
            {
                "TimeGenerated": t,
                "Computer": host.fqdn,
                "EventID": event_id,
                "Activity": ACTIVITY[event_id],
                **SECURITY,
                **{k: acc[k] for k in SUBJECT_COLUMNS},
                "SourceComputerId": host_columns(host)["SourceComputerId"],
                **columns,
            }
        )

    # --- network -------------------------------------------------------------------------

    def connection(
        self,
        t: datetime,
        proc: Proc,
        remote_ip: str,
        port: int,
        *,
        name: str | None = None,
        sent: int = 0,
        received: int = 0,
        url: str | None = None,
        app: str = "ssl",
        local_port: int = 50000,
        duration: timedelta = timedelta(seconds=1),
    ) -> None:
        """Write an outbound connection: Defender row, firewall row if public, DNS if named."""
        h = proc.host
        columns = connection_columns(t, proc, remote_ip, port, name or url, local_port)
        self.rows["DeviceNetworkEvents"].append({**columns, "ReportId": self.report_id()})
        if name:
            self.dns(t - timedelta(milliseconds=40), h, name, remote_ip)
        if columns["RemoteIPType"] == "Public":
            self.firewall(
                t + duration,
                h.ip,
                local_port,
                remote_ip,
                port,
                sent=sent,
                received=received,
                name=name,
                url=url,
                app=app,
                user=proc.firewall_user,
            )

    def firewall(
        self,
        t: datetime,
        src: str,
        src_port: int,
        dst: str,
        port: int,
        *,
        sent: int,
        received: int,
        name: str | None = None,
        url: str | None = None,
        app: str = "ssl",
        user: str | None = None,
        action: str = "allow",
    ) -> None:
        """Write a firewall (``CommonSecurityLog``) traffic row."""
        self.rows["CommonSecurityLog"].append(
            {
                "TimeGenerated": t,
                **FIREWALL_COLUMNS,
                "DeviceAction": action,
                "ApplicationProtocol": app,
                "Protocol": "TCP",
                "SourceIP": src,
                "SourcePort": src_port,
                "DestinationIP": dst,
                "DestinationPort": port,
                "DestinationHostName": name,
                "RequestURL": url,
                "RequestMethod": "GET" if url and app == "web-browsing" else None,
                "SentBytes": sent,
                "ReceivedBytes": received,
                "SourceUserName": user,
            }
        )

    def dns(self, t: datetime, client: Host, name: str, answer: str) -> None:
        """Write a DNS lookup answered by the domain controller."""
        self.rows["DnsEvents"].append(dns_columns(t, self.env.dns_server, client.ip, name, answer))

    # --- Linux, cloud, alerts, TI --------------------------------------------------------

    def syslog(
        self,
        t: datetime,
        host: Host,
        facility: str,
        severity: str,
        process: str,
        pid: int | None,
        message: str,
    ) -> None:
        """Write one syslog line."""
        self.rows["Syslog"].append(syslog_columns(host, t, facility, severity, process, pid, message))

    def alert(
        self,
        t: datetime,
        name: str,
        *,
        scenario: str,
        severity: str,
        provider: str,
        compromised: str,
        tactics: tuple[str, ...],
        techniques: tuple[str, ...],
        description: str,
        host: Host | None = None,
        account: User | None = None,
        ips: tuple[str, ...] = (),
        extra: list[dict[str, Any]] | None = None,
        started: datetime | None = None,
    ) -> Alert:
        """Write a ``SecurityAlert`` and return its record."""
        self.rows["SecurityAlert"].append(
            {
                "TimeGenerated": t,
                **alert_columns(name, severity, provider, description, compromised, tactics, techniques),
                "SystemAlertId": stable_uuid(f"alert:{name}:{t.isoformat()}"),
                "ConfidenceLevel": "High",
                "Status": "New",
                "StartTime": started or t,
                "EndTime": t,
                "RemediationSteps": json.dumps(["Isolate the affected entity and investigate."]),
                "Entities": alert_entities(host.fqdn if host else None, account, ips, extra),
                "ExtendedProperties": json.dumps({"Detection source": provider}),
            }
        )
        return Alert(name, t, severity, provider, compromised, tactics, techniques, scenario)

    def indicator(self, t: datetime, ioc_type: str, value: str, threat: str, description: str) -> None:
        """Write a ``ThreatIntelligenceIndicator`` row for an attacker indicator."""
        row: dict[str, Any] = {
            "TimeGenerated": t,
            "IndicatorId": hashlib.sha256(f"ti:{value}".encode()).hexdigest().upper(),
            "ExternalIndicatorId": f"indicator--{stable_uuid(f'ti:{value}')}",
            "SourceSystem": "Microsoft Defender Threat Intelligence",
            "Action": "alert",
            "Active": True,
            "ConfidenceScore": 85,
            "ThreatType": threat,
            "ThreatSeverity": 4,
            "Description": description,
            "Tags": '["huntbook-demo"]',
            "TrafficLightProtocolLevel": "amber",
            "ExpirationDateTime": t + timedelta(days=90),
        }
        if ioc_type == "ip":
            row["NetworkIP"] = value
            row["NetworkSourceIP" if threat != "C2" else "NetworkDestinationIP"] = value
        elif ioc_type == "domain":
            row["DomainName"] = value
        elif ioc_type == "url":
            row["Url"] = value
        else:
            row["FileHashType"] = ioc_type.upper()
            row["FileHashValue"] = value
        self.rows["ThreatIntelligenceIndicator"].append(row)
