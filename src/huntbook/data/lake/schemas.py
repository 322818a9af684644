"""Table schemas of the local lake: Microsoft Sentinel table and column names.

Column types use KQL's names (``string``, ``datetime``, ``int``, ``long``,
``real``, ``bool``, ``dynamic``, ``guid``). ``dynamic`` columns are stored as
JSON text and read back as DuckDB ``JSON``. Only the columns huntbook's
catalogs and analyses use are declared; ingest keeps any other column as it
comes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pyarrow as pa

KQL_TYPES = ("string", "datetime", "int", "long", "real", "bool", "dynamic", "guid", "timespan")


@dataclass(frozen=True)
class TableSchema:
    """The declared columns of one lake table.

    Attributes
    ----------
    name : str
        Table name, as in Sentinel (``SecurityEvent``).
    columns : Mapping[str, str]
        Column name to KQL type, in table order.
    time_column : str
        The column that places a row in time.
    description : str
        One line on what the table holds.
    """

    name: str
    columns: Mapping[str, str]
    time_column: str = "TimeGenerated"
    description: str = ""
    dynamic_columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        unknown = {c: t for c, t in self.columns.items() if t not in KQL_TYPES}
        if unknown:
            raise ValueError(f"{self.name}: unknown column types {unknown}")
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        dyn = tuple(c for c, t in self.columns.items() if t == "dynamic")
        object.__setattr__(self, "dynamic_columns", dyn)

    def arrow_schema(self) -> pa.Schema:
        """Return the Parquet (Arrow) schema for the declared columns."""
        import pyarrow as pa

        return pa.schema([(c, arrow_type(t)) for c, t in self.columns.items()])


def arrow_type(kql_type: str) -> pa.DataType:
    """Return the Arrow type a lake stores for a KQL column type."""
    import pyarrow as pa

    return {
        "string": pa.string(),
        "guid": pa.string(),
        "dynamic": pa.string(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "timespan": pa.duration("us"),
        "int": pa.int32(),
        "long": pa.int64(),
        "real": pa.float64(),
        "bool": pa.bool_(),
    }[kql_type]


def _table(name: str, description: str, spec: str, time_column: str = "TimeGenerated") -> TableSchema:
    """Build a schema from ``"Column:type Column:type ..."`` text."""
    columns = dict(item.split(":") for item in spec.split())
    return TableSchema(name, columns, time_column, description)


_TABLES = [
    _table(
        "SecurityEvent",
        "Windows Security channel events (logons, process creation, account changes).",
        """TimeGenerated:datetime Computer:string EventID:int Activity:string Channel:string
        Account:string AccountType:string EventSourceName:string Level:string
        SubjectUserSid:string SubjectUserName:string SubjectDomainName:string
        SubjectLogonId:string TargetUserSid:string TargetUserName:string
        TargetDomainName:string TargetLogonId:string TargetAccount:string
        NewProcessId:string NewProcessName:string ProcessId:string ProcessName:string
        ParentProcessName:string CommandLine:string TokenElevationType:string
        MandatoryLabel:string LogonType:int LogonTypeName:string LogonProcessName:string
        AuthenticationPackageName:string WorkstationName:string IpAddress:string
        IpPort:string Status:string SubStatus:string FailureReason:string
        ObjectName:string ServiceName:string ServiceFileName:string
        MemberName:string TargetSid:string EventData:string SourceComputerId:string""",
    ),
    _table(
        "SigninLogs",
        "Azure AD (Entra ID) interactive sign-ins.",
        """TimeGenerated:datetime Id:string CorrelationId:string UserPrincipalName:string
        UserDisplayName:string UserId:string AppDisplayName:string AppId:string
        ResourceDisplayName:string IPAddress:string Location:string LocationDetails:dynamic
        ResultType:string ResultDescription:string Status:dynamic ClientAppUsed:string
        UserAgent:string DeviceDetail:dynamic ConditionalAccessStatus:string
        AuthenticationRequirement:string IsInteractive:bool RiskLevelDuringSignIn:string
        RiskState:string Type:string""",
    ),
    _table(
        "Syslog",
        "Linux syslog messages (auth, sshd, sudo, cron, ...).",
        """TimeGenerated:datetime EventTime:datetime Computer:string HostName:string
        HostIP:string Facility:string SeverityLevel:string ProcessName:string
        ProcessID:int SyslogMessage:string SourceSystem:string""",
    ),
    _table(
        "DeviceProcessEvents",
        "Microsoft Defender for Endpoint process creation events.",
        """Timestamp:datetime TimeGenerated:datetime DeviceId:string DeviceName:string
        ActionType:string FileName:string FolderPath:string SHA1:string SHA256:string
        MD5:string FileSize:long ProcessId:long ProcessCommandLine:string
        ProcessCreationTime:datetime ProcessIntegrityLevel:string
        ProcessTokenElevation:string AccountDomain:string AccountName:string
        AccountSid:string AccountUpn:string LogonId:long
        InitiatingProcessAccountDomain:string InitiatingProcessAccountName:string
        InitiatingProcessAccountSid:string InitiatingProcessFileName:string
        InitiatingProcessFolderPath:string InitiatingProcessId:long
        InitiatingProcessCommandLine:string InitiatingProcessCreationTime:datetime
        InitiatingProcessSHA1:string InitiatingProcessSHA256:string
        InitiatingProcessMD5:string InitiatingProcessParentId:long
        InitiatingProcessParentFileName:string
        InitiatingProcessParentCreationTime:datetime ReportId:long""",
    ),
    _table(
        "DeviceNetworkEvents",
        "Microsoft Defender for Endpoint network connection events.",
        """Timestamp:datetime TimeGenerated:datetime DeviceId:string DeviceName:string
        ActionType:string RemoteIP:string RemotePort:int RemoteUrl:string LocalIP:string
        LocalPort:int Protocol:string RemoteIPType:string LocalIPType:string
        InitiatingProcessFileName:string InitiatingProcessFolderPath:string
        InitiatingProcessId:long InitiatingProcessCommandLine:string
        InitiatingProcessSHA256:string InitiatingProcessAccountDomain:string
        InitiatingProcessAccountName:string ReportId:long""",
    ),
    _table(
        "DeviceLogonEvents",
        "Microsoft Defender for Endpoint logon events.",
        """Timestamp:datetime TimeGenerated:datetime DeviceId:string DeviceName:string
        ActionType:string LogonType:string AccountDomain:string AccountName:string
        AccountSid:string Protocol:string FailureReason:string IsLocalAdmin:bool
        LogonId:long RemoteDeviceName:string RemoteIP:string RemoteIPType:string
        RemotePort:int InitiatingProcessFileName:string ReportId:long""",
    ),
    _table(
        "CommonSecurityLog",
        "Firewall and proxy logs in CEF form.",
        """TimeGenerated:datetime DeviceVendor:string DeviceProduct:string
        DeviceVersion:string DeviceEventClassID:string Activity:string LogSeverity:string
        DeviceAction:string ApplicationProtocol:string Protocol:string SourceIP:string
        SourcePort:int DestinationIP:string DestinationPort:int DestinationHostName:string
        RequestURL:string RequestMethod:string SentBytes:long ReceivedBytes:long
        SourceUserName:string Computer:string DeviceName:string""",
    ),
    _table(
        "DnsEvents",
        "DNS queries answered by the organisation's DNS servers.",
        """TimeGenerated:datetime Computer:string EventId:int SubType:string ClientIP:string
        Name:string QueryType:string IPAddresses:string Result:string ResultCode:int""",
    ),
    _table(
        "SecurityAlert",
        "Alerts raised by detection products.",
        """TimeGenerated:datetime DisplayName:string AlertName:string AlertSeverity:string
        Description:string ProviderName:string VendorName:string ProductName:string
        SystemAlertId:string AlertType:string CompromisedEntity:string
        ConfidenceLevel:string Status:string StartTime:datetime EndTime:datetime
        Tactics:string Techniques:string RemediationSteps:string Entities:dynamic
        ExtendedProperties:dynamic""",
    ),
    _table(
        "ThreatIntelligenceIndicator",
        "Threat-intelligence indicators (IPs, domains, URLs, hashes).",
        """TimeGenerated:datetime IndicatorId:string ExternalIndicatorId:string
        SourceSystem:string Action:string Active:bool ConfidenceScore:int
        ThreatType:string ThreatSeverity:int Description:string Tags:string
        TrafficLightProtocolLevel:string ExpirationDateTime:datetime NetworkIP:string
        NetworkSourceIP:string NetworkDestinationIP:string DomainName:string Url:string
        EmailSenderAddress:string FileHashType:string FileHashValue:string""",
    ),
    _table(
        "Heartbeat",
        "Agent heartbeats: which hosts report, their OS and address.",
        """TimeGenerated:datetime Computer:string ComputerIP:string OSType:string
        OSName:string OSMajorVersion:string Version:string Category:string
        ComputerEnvironment:string ResourceGroup:string SubscriptionId:string
        RemoteIPCountry:string SourceComputerId:string""",
    ),
]

TABLES: Mapping[str, TableSchema] = MappingProxyType({t.name: t for t in _TABLES})
"""The Sentinel tables the demo lake generates, keyed by table name."""

_EVENT_TABLES = [
    _table(
        "SysmonEvent",
        "Sysmon events (Microsoft-Windows-Sysmon/Operational), EventData fields as columns.",
        """TimeGenerated:datetime Computer:string EventID:int EventRecordId:long RuleName:string
        UtcTime:string ProcessGuid:string ProcessId:string Image:string FileVersion:string
        Description:string Product:string Company:string OriginalFileName:string
        CommandLine:string CurrentDirectory:string User:string LogonGuid:string LogonId:string
        TerminalSessionId:string IntegrityLevel:string Hashes:string ParentProcessGuid:string
        ParentProcessId:string ParentImage:string ParentCommandLine:string ParentUser:string
        TargetFilename:string CreationUtcTime:string PreviousCreationUtcTime:string
        Protocol:string Initiated:string SourceIsIpv6:string SourceIp:string
        SourceHostname:string SourcePort:string SourcePortName:string DestinationIsIpv6:string
        DestinationIp:string DestinationHostname:string DestinationPort:string
        DestinationPortName:string ImageLoaded:string Signed:string Signature:string
        SignatureStatus:string SourceProcessGuid:string SourceProcessId:string
        SourceThreadId:string SourceImage:string TargetProcessGuid:string
        TargetProcessId:string TargetImage:string NewThreadId:string StartAddress:string
        StartModule:string StartFunction:string GrantedAccess:string CallTrace:string
        Device:string EventType:string TargetObject:string Details:string NewName:string
        PipeName:string Operation:string Name:string Type:string Destination:string
        Query:string Consumer:string Filter:string EventNamespace:string QueryName:string
        QueryStatus:string QueryResults:string Archived:string IsExecutable:string
        State:string Version:string SchemaVersion:string Configuration:string
        ConfigurationFileHash:string SourceUser:string TargetUser:string""",
    ),
    _table(
        "Event",
        "Windows events of every channel other than Security and Sysmon (System, Application, ...).",
        """TimeGenerated:datetime Computer:string EventID:int EventRecordId:long EventLog:string
        Source:string EventLevel:int EventLevelName:string EventCategory:int UserName:string
        RenderedDescription:string EventData:dynamic""",
    ),
    _table(
        "UnparsedEvent_CL",
        "Records of ingested event files that could not be read as events, kept raw.",
        """TimeGenerated:datetime SourceFile:string RecordOffset:long Reason:string
        RawData:string""",
    ),
]

EVENT_TABLES: Mapping[str, TableSchema] = MappingProxyType({t.name: t for t in _EVENT_TABLES})
"""Tables only Windows event ingest fills (the demo lake does not generate them)."""


def schema_for(table: str) -> TableSchema | None:
    """Return the declared schema of *table*, or ``None`` for a table the lake does not know."""
    return TABLES.get(table) or EVENT_TABLES.get(table)
