"""Windows events as Sentinel rows: ``SecurityEvent``, ``SysmonEvent`` and ``Event``.

An event arrives as evtx's JSON rendering of the event XML
(``{"Event": {"System": ..., "EventData": ...}}``, `EventRows.add_evtx`) or
as one object of a Winlogbeat / OTRF Security-Datasets export
(`EventRows.add_export`). `EventRows` routes events to tables by channel and
builds typed Arrow tables, all rows of a table at once.
Every EventData field is kept: as a declared column, as an extra text column,
and (``SecurityEvent``, ``Event``) in the ``EventData`` JSON column. A record
that is not an event goes raw to ``UnparsedEvent_CL``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from huntbook.data.lake.jsoncodec import dumps
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
# The largest values of int and long columns, and the digits read as a number at most.
_INT_MAX, _LONG_MAX, _MAX_DIGITS = 2**31 - 1, 2**63 - 1, 19
# Columns a table does not declare but every event table gets; other extra columns are text.
_EXTRA_TYPES = {"EventRecordId": "long"}
_Fields = tuple[str, ...]
_Values = tuple[object, ...]


class NotAnEventError(ValueError):
    """A record lacks what every Windows event has (time, EventID, channel)."""


def merge_tables(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """Put together the tables of several `EventRows.to_arrow` results, in order, one per table."""
    rows = EventRows()
    for tables in parts:
        for table, typed in tables.items():
            rows.typed[table].append(typed)
    return rows.to_arrow()


class EventRows:
    """Rows for each event table, gathered from one or more files.

    An event is routed by its channel: ``Security`` to ``SecurityEvent``,
    Sysmon to ``SysmonEvent``, any other to ``Event``; a record that is not
    an event goes raw to ``UnparsedEvent_CL``. Rows wait as tuples of their
    values, grouped by their set of fields (events of one kind share it),
    until a table has `BATCH_ROWS` of them; then they become an Arrow table,
    which holds them in a fraction of the memory.
    """

    BATCH_ROWS = 20_000

    def __init__(self) -> None:
        self.rows: dict[str, dict[_Fields, list[_Values]]] = defaultdict(dict)
        """Rows not yet typed, per table: the values of each, grouped by their fields."""
        self.pending: dict[str, int] = defaultdict(int)
        """How many rows are not yet typed, per table."""
        self.typed: dict[str, list[pa.Table]] = defaultdict(list)
        """Rows already typed, per table."""

    @property
    def records(self) -> int:
        """Records read (every one is a row of some table)."""
        return sum(self.counts().values())

    def add_evtx(self, record: dict[str, Any]) -> None:
        """Add one evtx JSON record (``json.loads(record["data"])``).

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
        body = event.get("EventData")
        if body.__class__ is dict:
            data = body  # values stay as decoded until they are typed (or, for the EventData JSON, now)
            if "#attributes" in data:
                data["EventDataAttributes"] = data.pop("#attributes")
        else:
            data = {} if body is None else {"EventData": _text(body)}
        user = event.get("UserData")
        if user is not None:
            if user.__class__ is dict and len(user) == 1:
                user = next(iter(user.values()))  # <UserData><LogFileCleared ...>
            data.update(_fields(user) if user.__class__ is dict else {"UserData": _text(user)})
        if channel != SYSMON_CHANNEL:  # the EventData JSON of the other tables holds the fields as text
            _fields(data)
        computer, level, record_id = system.get("Computer"), system.get("Level"), system.get("EventRecordID")
        provider, user_sid = system.get("Provider"), system.get("Security")
        try:  # the shape evtx writes: {"#attributes": {"Name": ...}}
            provider = provider["#attributes"]["Name"]
        except (KeyError, TypeError, IndexError):
            provider = _attribute(provider, "Name")
        if user_sid is not None:
            try:
                user_sid = user_sid["#attributes"]["UserID"]
            except (KeyError, TypeError, IndexError):
                user_sid = _attribute(user_sid, "UserID")
        # The shapes evtx writes pass as they are; anything else goes through the checking helpers.
        if not (event_id.__class__ is int and 0 <= event_id <= _INT_MAX):
            event_id = _int(event_id, "EventID")
        if not (level.__class__ is int and 0 <= level <= _INT_MAX):
            level = _optional_int(level)
        if not (record_id.__class__ is int and 0 <= record_id <= _LONG_MAX):
            record_id = _optional_int(record_id, _LONG_MAX)
        self._add(
            time if _is_evtx_time(time) else _time(time),
            event_id,
            channel if channel.__class__ is str and channel else _required_text(channel, "Channel"),
            computer if computer.__class__ is str else _optional_text(computer),
            provider if provider.__class__ is str else _optional_text(provider),
            level,
            record_id,
            user_sid if user_sid.__class__ is str else _optional_text(user_sid),
            data,
        )

    def add_export(self, obj: dict[str, Any]) -> None:
        """Add one Winlogbeat / OTRF export object.

        EventData fields are read from ``winlog.event_data``, ``event_data`` or,
        failing those, every top-level field the export adds around the event.
        Fields not used for time, EventID, channel and host stay in the data.
        Nested objects of *obj* are flattened in place once it is known to be an event.

        Raises
        ------
        NotAnEventError
            No time, EventID or channel could be found.
        """
        rest = dict(obj)
        winlog = rest.pop("winlog", None)
        winlog = dict(winlog) if isinstance(winlog, dict) else {}
        body = _event_data(rest, winlog)
        time = _pop(rest, _TIME_KEYS, winlog, "")
        event_id = _pop(rest, ("EventID",), winlog, "event_id")
        channel = _pop(rest, ("Channel",), winlog, "channel")
        computer = _pop(rest, _HOST_KEYS, winlog, "computer_name")
        provider = _pop(rest, _PROVIDER_KEYS, winlog, "provider_name")
        record_id = _pop(rest, ("EventRecordID", "RecordNumber"), winlog, "record_id")
        if time is None or event_id is None or channel is None:
            missing = [
                n for n, v in (("time", time), ("EventID", event_id), ("Channel", channel)) if v is None
            ]
            raise NotAnEventError(f"no {', '.join(missing)} field")
        if isinstance(time, dict):  # {"SystemTime": ...} as some exporters write TimeCreated
            time = time.get("SystemTime")
        checked = (_time(time), _int(_text_of(event_id), "EventID"), _required_text(channel, "Channel"))
        if winlog:
            rest["winlog"] = winlog
        data = _fields(rest)  # the envelope's fields, where the event's own do not have the name
        data.update(_fields(body) if isinstance(body, dict) else {"event_data": _text(body)})
        self._add(
            *checked,
            _optional_text(computer),
            _optional_text(provider),
            _optional_int(data.get("Level")),
            _optional_int(record_id, _LONG_MAX),
            None,
            data,
        )

    def add_unparsed(self, source: str, offset: int, reason: str, raw: str) -> None:
        """Keep a record that is not an event, raw, with where it was and why it failed."""
        row = {"SourceFile": source, "RecordOffset": offset, "Reason": reason, "RawData": raw}
        self._append(UNPARSED_TABLE, row)

    def extend(self, other: EventRows) -> None:
        """Add the rows of *other*."""
        for table, typed in other.typed.items():
            self.typed[table].extend(typed)
        for table, groups in other.rows.items():
            mine = self.rows[table]
            for fields, values in groups.items():
                if fields in mine:
                    mine[fields].extend(values)
                else:
                    mine[fields] = list(values)
            self.pending[table] += other.pending[table]
            if self.pending[table] >= self.BATCH_ROWS:
                self._type(table)

    def counts(self) -> dict[str, int]:
        """Return the rows gathered per table."""
        tables = sorted(self.rows.keys() | self.typed.keys())
        return {t: self.pending.get(t, 0) + sum(p.num_rows for p in self.typed.get(t, ())) for t in tables}

    def to_arrow(self) -> dict[str, pa.Table]:
        """Return one Arrow table per event table: declared columns typed, the rest text."""
        import pyarrow as pa

        for table in list(self.rows):
            self._type(table)
        tables = {}
        for table, parts in sorted(self.typed.items()):
            typed = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="default")
            tables[table] = typed.select(_column_order(table, typed.column_names))
        return tables

    def _append(self, table: str, row: dict[str, object]) -> None:
        groups, fields = self.rows[table], tuple(row)
        group = groups.get(fields)
        if group is None:
            group = groups[fields] = []
        group.append(tuple(row.values()))
        pending = self.pending[table] = self.pending[table] + 1
        if pending >= self.BATCH_ROWS:
            self._type(table)

    def _type(self, table: str) -> None:
        """Turn the pending rows of *table* into an Arrow table."""
        groups = self.rows.pop(table, None)
        self.pending.pop(table, None)
        if groups:
            self.typed[table].append(_arrow(table, groups))

    def _add(
        self,
        time: str,
        event_id: int,
        channel: str,
        computer: str | None,
        provider: str | None,
        level: int | None,
        record_id: int | None,
        user_sid: str | None,
        data: dict[str, Any],
    ) -> None:
        """Route one event by *channel*; *data* (its EventData fields) becomes part of the row.

        The fields are text already, except for Sysmon events, whose values are made text column
        by column when typed (`_column`).
        """
        if channel == SYSMON_CHANNEL:
            row = data  # every EventData field is a column (text once typed); the event's own fields win
            table = SYSMON_TABLE
        elif channel == "Security":
            row = data  # the derived columns are built (EventData too) before they are added to it
            row.update(_security_columns(event_id, level, data))
            row["Channel"], row["EventSourceName"] = channel, provider
            table = SECURITY_TABLE
        else:
            row = {
                "EventLog": channel,
                "Source": provider,
                "EventLevel": level,
                "EventLevelName": _LEVELS.get(level or 0),
                "UserName": user_sid,
                "RenderedDescription": data.get("message") or data.get("Message") or "",
                "EventData": dumps(data),
            }
            table = EVENT_TABLE
        row["TimeGenerated"] = time
        row["Computer"] = computer
        row["EventID"] = event_id
        row["EventRecordId"] = record_id
        self._append(table, row)


def _security_columns(event_id: int, level: int | None, data: dict[str, Any]) -> dict[str, object]:
    """The columns Sentinel derives for a Security event from its EventData."""
    subject = _account(data.get("SubjectDomainName"), data.get("SubjectUserName"))
    target = _account(data.get("TargetDomainName"), data.get("TargetUserName"))
    account = (subject or target) if event_id in _SUBJECT_ACCOUNT else (target or subject)
    logon_type = _optional_int(data.get("LogonType"))
    activity = _ACTIVITIES.get(event_id)
    return {
        "Activity": f"{event_id} - {activity}" if activity else str(event_id),
        "Level": None if level is None else str(level),
        "Account": account,
        "AccountType": None if account is None else ("Machine" if account.endswith("$") else "User"),
        "TargetAccount": target,
        "LogonType": logon_type,
        "LogonTypeName": f"{logon_type} - {_LOGON_TYPES[logon_type]}" if logon_type in _LOGON_TYPES else None,
        "EventData": dumps(data),
    }


def _arrow(table: str, groups: dict[_Fields, list[_Values]]) -> pa.Table:
    """Type rows as one Arrow table: declared columns first, then every other field by name, as text.

    *groups* holds the rows' values by their set of fields (events of one kind
    share it); each group is transposed into columns at once, so the work per
    row does not grow with the width of the table; Arrow fills the columns a
    group lacks with nulls. Rows of one group are stored together (tables
    have no row order; sort by ``TimeGenerated``).
    """
    import pyarrow as pa

    from huntbook.data.lake.schemas import arrow_type

    schema = schema_for(table)
    declared = dict(schema.columns) if schema else {}
    types = {column: arrow_type(kind) for column, kind in declared.items()}
    parts = []
    for keys, values in groups.items():
        for column in keys:
            if column not in types:
                types[column] = arrow_type(_EXTRA_TYPES.get(column, "string"))
        columns = zip(keys, zip(*values, strict=True), strict=True)
        parts.append(pa.table({key: _column(column, types[key]) for key, column in columns}))
    typed = pa.concat_tables(parts, promote_options="default") if parts else pa.table({})
    for column in types.keys() - set(typed.column_names):  # declared, but in no row
        typed = typed.append_column(pa.field(column, types[column]), pa.nulls(typed.num_rows, types[column]))
    return typed.select(_column_order(table, list(types)))


def _column(values: tuple[object, ...], kind: pa.DataType) -> pa.Array:
    """One column of *kind*: times from their ISO text (see `_time`), other values as `_text` writes them.

    Values of text columns may still be as JSON decoded them (numbers, objects); Arrow refuses
    them, and only then is each value of that column converted.
    """
    import pyarrow as pa

    if pa.types.is_timestamp(kind):
        try:
            return pa.array(values, type=pa.string()).cast(kind)
        except pa.ArrowInvalid:  # a form Arrow does not read: Python's reading decides, as in `_time`
            times = [None if v is None else dt.datetime.fromisoformat(str(v)) for v in values]
            return pa.array(times, type=kind)
    if not pa.types.is_string(kind):
        return pa.array(values, type=kind)
    try:
        return pa.array(values, type=kind)
    except pa.ArrowTypeError:
        pass
    try:  # a column of whole numbers or booleans: Arrow writes them as `_text` does
        inferred = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # mixed kinds, or beyond 64 bits
        inferred = None
    if inferred is not None and (pa.types.is_integer(inferred.type) or pa.types.is_boolean(inferred.type)):
        return inferred.cast(kind)
    return pa.array([v if v.__class__ is str else _text(v) for v in values], type=kind)


def _column_order(table: str, columns: list[str]) -> list[str]:
    """*columns* in table order: the declared ones as declared, then the others by name."""
    schema = schema_for(table)
    declared = [c for c in schema.columns if c in columns] if schema else []
    return declared + sorted(set(columns) - set(declared))


def _account(domain: str | None, user: str | None) -> str | None:
    """``DOMAIN\\user`` as Sentinel builds it; ``None`` for an empty or ``-`` user."""
    if not user or user == "-":
        return None
    return f"{domain}\\{user}" if domain and domain != "-" else user


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    """Flatten one EventData element in place: values to text, ``#attributes`` to ``EventDataAttributes``.

    *body* is a freshly decoded JSON object, so it is changed rather than copied.
    """
    for key, value in body.items():
        if value.__class__ is not str:
            body[key] = _text(value)
    if "#attributes" in body:
        body["EventDataAttributes"] = body.pop("#attributes")
    return body


def _text_of(value: Any) -> Any:
    """The text of an XML element rendered with attributes (``{"#text": ...}``)."""
    return value.get("#text") if isinstance(value, dict) and "#text" in value else value


def _text(value: Any) -> str | None:
    """A JSON value as text: ``{"#text": x}`` as x, booleans as JSON writes them, containers as JSON."""
    kind = value.__class__
    if kind is int or kind is float:
        return str(value)
    value = _text_of(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return dumps(value)


def _attribute(element: Any, name: str) -> Any:
    """Attribute *name* of an element rendered as ``{"#attributes": {...}}`` (or of a plain object)."""
    if isinstance(element, dict):
        attributes = element.get("#attributes", element)
        return attributes.get(name) if isinstance(attributes, dict) else None
    return None


def _event_data(rest: dict[str, Any], winlog: dict[str, Any]) -> Any:
    """Pop the EventData of an export: winlog.event_data, else a top-level event_data or EventData object."""
    body = winlog.pop("event_data", None)
    if body:
        return body
    for key in _NESTED_DATA:
        if isinstance(rest.get(key), dict):
            return rest.pop(key)
    return {}


def _pop(obj: dict[str, Any], keys: tuple[str, ...], winlog: dict[str, Any], winlog_key: str) -> Any:
    """Pop and return the first of *keys* that *obj* has a value for, else ``winlog[winlog_key]``."""
    for key in keys:
        if obj.get(key) not in (None, ""):
            return obj.pop(key)
    return winlog.pop(winlog_key, None)


def _is_evtx_time(value: Any) -> bool:
    """Whether *value* is a valid time in the form evtx writes, which Arrow reads as Python does."""
    if not (value.__class__ is str and len(value) == 27 and value[4] == value[7] == "-" and value[10] == "T"):
        return False
    try:
        return value[26] == "Z" and dt.datetime.fromisoformat(value) is not None
    except ValueError:
        return False


def _time(value: Any) -> str:
    """Check an ISO 8601 time and return it as ISO text in UTC, which Arrow reads as exactly that instant.

    Arrow turns a column of such text into timestamps far faster than it converts datetime
    objects. The form evtx writes (``2020-10-20T22:33:02.063979Z``) is returned as it is; any
    other (no zone, an offset, other precision) is rewritten from the parsed time.
    """
    if not isinstance(value, str):
        raise NotAnEventError(f"time is not text: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise NotAnEventError(f"not an ISO 8601 time: {value[:40]!r}") from None
    if _is_evtx_time(value):
        return value
    parsed = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    return parsed.isoformat()


def _int(value: Any, name: str) -> int:
    number = _optional_int(value)
    if number is None:
        raise NotAnEventError(f"{name} is not a whole number of at most 32 bits: {str(value)[:40]!r}")
    return number


def _optional_int(value: Any, top: int = _INT_MAX) -> int | None:
    """*value* as an int if it is one (or its decimal text) within ``-top - 1 .. top``, else None."""
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isdecimal() and len(value) <= _MAX_DIGITS else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if -top - 1 <= value <= top else None


def _required_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise NotAnEventError(f"{name} is not text: {str(value)[:40]!r}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)
