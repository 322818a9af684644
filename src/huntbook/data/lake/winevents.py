"""Windows events as Sentinel rows: ``SecurityEvent``, ``SysmonEvent`` and ``Event``.

An event arrives as evtx's JSON rendering of the event XML
(``{"Event": {"System": ..., "EventData": ...}}``, see `from_evtx`) or as one
object of a Winlogbeat / OTRF Security-Datasets export (`from_export`).
`EventRows` routes events to tables by channel and builds typed Arrow tables.
Every EventData field is kept: as a declared column, as an extra text column,
and (``SecurityEvent``, ``Event``) in the ``EventData`` JSON column. A record
that is not an event goes raw to ``UnparsedEvent_CL``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from huntbook.data.lake.schemas import schema_for

if TYPE_CHECKING:
    import pyarrow as pa

SECURITY_TABLE = "SecurityEvent"
SYSMON_TABLE = "SysmonEvent"
EVENT_TABLE = "Event"
UNPARSED_TABLE = "UnparsedEvent_CL"
SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"

_LEVELS = {1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"}
_LOGON_TYPES = {
    2: "Interactive",
    3: "Network",
    4: "Batch",
    5: "Service",
    7: "Unlock",
    8: "NetworkCleartext",
    9: "NewCredentials",
    10: "RemoteInteractive",
    11: "CachedInteractive",
}
_ACTIVITIES = {
    1102: "The audit log was cleared.",
    4624: "An account was successfully logged on.",
    4625: "An account failed to log on.",
    4634: "An account was logged off.",
    4648: "A logon was attempted using explicit credentials.",
    4672: "Special privileges assigned to new logon.",
    4688: "A new process has been created.",
    4689: "A process has exited.",
    4697: "A service was installed in the system.",
    4698: "A scheduled task was created.",
    4720: "A user account was created.",
    4732: "A member was added to a security-enabled local group.",
    4768: "A Kerberos authentication ticket (TGT) was requested.",
    4769: "A Kerberos service ticket was requested.",
    4776: "The computer attempted to validate the credentials for an account.",
}
# Events whose Account is the subject (the creator of a process), not the target, as in Sentinel.
_SUBJECT_ACCOUNT = {4688, 4689}
# Keys of a flat export that describe the record, not the event's data.
_TIME_KEYS = ("TimeCreated", "@timestamp", "EventTime")
_HOST_KEYS = ("Computer", "Hostname")
_PROVIDER_KEYS = ("ProviderName", "SourceName")
_NESTED_DATA = ("event_data", "EventData")
# Columns a table does not declare but every event table gets; other extra columns are text.
_EXTRA_TYPES = {"EventRecordId": "long"}


class NotAnEventError(ValueError):
    """A record lacks what every Windows event has (time, EventID, channel)."""


@dataclass(frozen=True, slots=True)
class WinEvent:
    """One Windows event, whatever file it came from."""

    time: dt.datetime
    event_id: int
    channel: str
    computer: str | None
    provider: str | None
    level: int | None
    record_id: int | None
    user_sid: str | None
    data: dict[str, str | None]
    """EventData (or UserData) fields, values as text."""


def from_evtx(record: dict[str, Any]) -> WinEvent:
    """Return the event of one evtx JSON record (``json.loads(record["data"])``).

    Raises
    ------
    NotAnEventError
        The record has no ``Event.System`` with time, EventID and channel.
    """
    try:
        event = record["Event"]
        system = event["System"]
        time = system["TimeCreated"]["#attributes"]["SystemTime"]
        event_id, channel = _text_of(system["EventID"]), system["Channel"]
    except (KeyError, TypeError) as exc:
        raise NotAnEventError(f"no Event.System field {exc}") from None
    data: dict[str, str | None] = {}
    for key in ("EventData", "UserData"):
        body = event.get(key)
        if key == "UserData" and isinstance(body, dict) and len(body) == 1:
            body = next(iter(body.values()))  # <UserData><LogFileCleared ...>
        if isinstance(body, dict):
            data.update(_fields(body))
        elif body is not None:
            data[key] = _text(body)
    return WinEvent(
        time=_time(time),
        event_id=_int(event_id, "EventID"),
        channel=_required_text(channel, "Channel"),
        computer=_optional_text(system.get("Computer")),
        provider=_optional_text(_attribute(system.get("Provider"), "Name")),
        level=_optional_int(system.get("Level")),
        record_id=_optional_int(system.get("EventRecordID")),
        user_sid=_optional_text(_attribute(system.get("Security"), "UserID")),
        data=data,
    )


def from_export(obj: dict[str, Any]) -> WinEvent:
    """Return the event of one Winlogbeat / OTRF export object.

    EventData fields are read from ``winlog.event_data``, ``event_data`` or,
    failing those, every top-level field the export adds around the event.
    Fields not used for time, EventID, channel and host stay in the data.

    Raises
    ------
    NotAnEventError
        No time, EventID or channel could be found.
    """
    rest = dict(obj)
    winlog = rest.pop("winlog", None)
    winlog = dict(winlog) if isinstance(winlog, dict) else {}
    nested = next((k for k in _NESTED_DATA if isinstance(rest.get(k), dict)), None)
    body: dict[str, Any] = winlog.pop("event_data", None) or (rest.pop(nested) if nested else {})
    time = _pop(rest, _TIME_KEYS, winlog, "")
    event_id = _pop(rest, ("EventID",), winlog, "event_id")
    channel = _pop(rest, ("Channel",), winlog, "channel")
    computer = _pop(rest, _HOST_KEYS, winlog, "computer_name")
    provider = _pop(rest, _PROVIDER_KEYS, winlog, "provider_name")
    record_id = _pop(rest, ("EventRecordID", "RecordNumber"), winlog, "record_id")
    if time is None or event_id is None or channel is None:
        missing = [n for n, v in (("time", time), ("EventID", event_id), ("Channel", channel)) if v is None]
        raise NotAnEventError(f"no {', '.join(missing)} field")
    if isinstance(time, dict):  # {"SystemTime": ...} as some exporters write TimeCreated
        time = time.get("SystemTime")
    if winlog:
        rest["winlog"] = winlog
    data = _fields(body) if isinstance(body, dict) else {"event_data": _text(body)}
    for key, value in _fields(rest).items():
        data.setdefault(key, value)
    return WinEvent(
        time=_time(time),
        event_id=_int(_text_of(event_id), "EventID"),
        channel=_required_text(channel, "Channel"),
        computer=_optional_text(computer),
        provider=_optional_text(provider),
        level=_optional_int(data.get("Level")),
        record_id=_optional_int(record_id),
        user_sid=None,
        data=data,
    )


class EventRows:
    """Rows for each event table, gathered from one or more files."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, object]]] = defaultdict(list)
        self.records = 0
        """Records read (every one is a row of some table)."""

    def add(self, event: WinEvent) -> None:
        """Add *event* to the table its channel belongs to."""
        self.records += 1
        if event.channel == "Security":
            self.rows[SECURITY_TABLE].append(_security_row(event))
        elif event.channel == SYSMON_CHANNEL:
            self.rows[SYSMON_TABLE].append(_sysmon_row(event))
        else:
            self.rows[EVENT_TABLE].append(_event_row(event))

    def add_unparsed(self, source: str, offset: int, reason: str, raw: str) -> None:
        """Keep a record that is not an event, raw, with where it was and why it failed."""
        self.records += 1
        row = {"SourceFile": source, "RecordOffset": offset, "Reason": reason, "RawData": raw}
        self.rows[UNPARSED_TABLE].append(row)

    def extend(self, other: EventRows) -> None:
        """Add the rows of *other*."""
        for table, rows in other.rows.items():
            self.rows[table].extend(rows)
        self.records += other.records

    def counts(self) -> dict[str, int]:
        """Return the rows gathered per table."""
        return {table: len(rows) for table, rows in sorted(self.rows.items())}

    def to_arrow(self) -> dict[str, pa.Table]:
        """Return one Arrow table per event table: declared columns typed, the rest text."""
        return {table: _arrow(table, rows) for table, rows in sorted(self.rows.items())}


def _common(event: WinEvent) -> dict[str, object]:
    return {
        "TimeGenerated": event.time,
        "Computer": event.computer,
        "EventID": event.event_id,
        "EventRecordId": event.record_id,
    }


def _security_row(event: WinEvent) -> dict[str, object]:
    data = event.data
    subject = _account(data.get("SubjectDomainName"), data.get("SubjectUserName"))
    target = _account(data.get("TargetDomainName"), data.get("TargetUserName"))
    account = (subject or target) if event.event_id in _SUBJECT_ACCOUNT else (target or subject)
    logon_type = _optional_int(data.get("LogonType"))
    activity = _ACTIVITIES.get(event.event_id)
    return {
        **data,
        **_common(event),
        "Activity": f"{event.event_id} - {activity}" if activity else str(event.event_id),
        "Channel": event.channel,
        "EventSourceName": event.provider,
        "Level": None if event.level is None else str(event.level),
        "Account": account,
        "AccountType": None if account is None else ("Machine" if account.endswith("$") else "User"),
        "TargetAccount": target,
        "LogonType": logon_type,
        "LogonTypeName": f"{logon_type} - {_LOGON_TYPES[logon_type]}" if logon_type in _LOGON_TYPES else None,
        "EventData": json.dumps(data, ensure_ascii=False),
    }


def _sysmon_row(event: WinEvent) -> dict[str, object]:
    return {**event.data, **_common(event)}


def _event_row(event: WinEvent) -> dict[str, object]:
    return {
        **_common(event),
        "EventLog": event.channel,
        "Source": event.provider,
        "EventLevel": event.level,
        "EventLevelName": _LEVELS.get(event.level or 0),
        "UserName": event.user_sid,
        "RenderedDescription": event.data.get("message") or event.data.get("Message") or "",
        "EventData": json.dumps(event.data, ensure_ascii=False),
    }


def _arrow(table: str, rows: list[dict[str, object]]) -> pa.Table:
    import pyarrow as pa

    from huntbook.data.lake.schemas import arrow_type

    schema = schema_for(table)
    declared = dict(schema.columns) if schema else {}
    columns: dict[str, None] = dict.fromkeys(declared)
    for row in rows:
        columns.update(dict.fromkeys(row))
    arrays = {}
    for column in columns:
        kind = arrow_type(declared.get(column) or _EXTRA_TYPES.get(column, "string"))
        arrays[column] = pa.array([row.get(column) for row in rows], type=kind)
    return pa.table(arrays)


def _account(domain: str | None, user: str | None) -> str | None:
    """``DOMAIN\\user`` as Sentinel builds it; ``None`` for an empty or ``-`` user."""
    if not user or user == "-":
        return None
    return f"{domain}\\{user}" if domain and domain != "-" else user


def _fields(body: dict[str, Any]) -> dict[str, str | None]:
    """Flatten one EventData element: ``{"#text": x}`` to ``x``, attributes and lists to JSON text."""
    fields: dict[str, str | None] = {}
    for key, value in body.items():
        name = "EventDataAttributes" if key == "#attributes" else str(key)
        fields[name] = _text(value)
    return fields


def _text_of(value: Any) -> Any:
    """The text of an XML element rendered with attributes (``{"#text": ...}``)."""
    return value.get("#text") if isinstance(value, dict) and "#text" in value else value


def _text(value: Any) -> str | None:
    value = _text_of(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _attribute(element: Any, name: str) -> Any:
    if isinstance(element, dict):
        attributes = element.get("#attributes", element)
        return attributes.get(name) if isinstance(attributes, dict) else None
    return None


def _pop(obj: dict[str, Any], keys: tuple[str, ...], winlog: dict[str, Any], winlog_key: str) -> Any:
    """Pop and return the first of *keys* that *obj* has a value for, else ``winlog[winlog_key]``."""
    for key in keys:
        if obj.get(key) not in (None, ""):
            return obj.pop(key)
    return winlog.pop(winlog_key, None)


def _time(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise NotAnEventError(f"time is not text: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise NotAnEventError(f"not an ISO 8601 time: {value[:40]!r}") from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _int(value: Any, name: str) -> int:
    number = _optional_int(value)
    if number is None:
        raise NotAnEventError(f"{name} is not a whole number: {str(value)[:40]!r}")
    return number


def _optional_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _required_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise NotAnEventError(f"{name} is not text: {str(value)[:40]!r}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)
