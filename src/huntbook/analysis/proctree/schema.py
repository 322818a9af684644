"""Process-event schemas: which columns hold the pid, parent pid, name and start of a process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import pandas as pd

from huntbook.errors import HuntbookError, did_you_mean

#: A column name, or alternatives of which the first present in the data is used.
Columns = str | tuple[str, ...] | None


class ProcTreeSchemaError(HuntbookError, ValueError):
    """The columns of a DataFrame fit no process-event schema, or a mapping names unknown fields."""

    def __init__(self, message: str, *, missing: Mapping[str, tuple[str, ...]] | None = None):
        self.missing = dict(missing or {})
        super().__init__(message)


@dataclass(frozen=True)
class ProcSchema:
    """Where a process-event table keeps each fact about a process.

    A field holds a column name, a tuple of alternatives (the first present
    is used) or None (the data has no such column).

    Attributes
    ----------
    name : str
        What the schema describes (``4688``, ``sysmon``, ``mde``, ``auditd``, ``custom``).
    pid, parent_pid, process_name, start : str or tuple of str
        Required: the process id and its parent's (ints or ``0x`` hex text), the
        image name or path (the tree's ``process_name`` is its file name, its
        ``process_path`` the full path when the column holds one), and the
        process start time.
    process_path, parent_path : optional
        Full image paths, for tables that keep the file name and the path
        apart (Defender's ``FolderPath``).
    host : str or tuple of str, optional
        The machine; without it all events are taken to come from one host.
    parent_name, command_line, parent_command_line, user, parent_user : optional
        More about the process and its parent (names of inferred parents come
        from ``parent_name``; when set, a parent found by pid must also have that
        file name, case aside).
    process_guid, parent_guid : optional
        Unique process ids (Sysmon): when set, parents are found by guid.
    parent_start : optional
        The parent's start time (Defender): when set, parents are found by
        pid and this time exactly.
    event_column, event_value : optional
        Keep only rows where *event_column* equals *event_value* (when the
        column is present).
    """

    name: str
    pid: Columns
    parent_pid: Columns
    process_name: Columns
    start: Columns
    host: Columns = None
    process_path: Columns = None
    parent_name: Columns = None
    parent_path: Columns = None
    command_line: Columns = None
    parent_command_line: Columns = None
    user: Columns = None
    parent_user: Columns = None
    process_guid: Columns = None
    parent_guid: Columns = None
    parent_start: Columns = None
    event_column: str | None = None
    event_value: str | int | None = None

    @property
    def required(self) -> tuple[str, ...]:
        """The fields the data must have for this schema to fit."""
        needed = ["pid", "parent_pid", "process_name", "start"]
        if self.process_guid is not None:
            needed += ["process_guid", "parent_guid"]
        if self.parent_start is not None:
            needed.append("parent_start")
        return tuple(needed)

    def missing(self, columns: pd.Index) -> tuple[str, ...]:
        """Return the required columns (first alternative of each) that *columns* lacks."""
        present = set(columns)
        return tuple(
            _alternatives(getattr(self, f))[0]
            for f in self.required
            if not any(c in present for c in _alternatives(getattr(self, f)))
        )

    def bind(self, columns: pd.Index) -> BoundSchema:
        """Return the concrete columns of this schema present in *columns*."""
        present = set(columns)
        chosen: dict[str, str | None] = {}
        for f in _COLUMN_FIELDS:
            chosen[f] = next((c for c in _alternatives(getattr(self, f)) if c in present), None)
        return BoundSchema(name=self.name, **chosen)


@dataclass(frozen=True)
class BoundSchema:
    """A `ProcSchema` resolved against one DataFrame: each field is one present column or None."""

    name: str
    pid: str | None = None
    parent_pid: str | None = None
    process_name: str | None = None
    start: str | None = None
    host: str | None = None
    process_path: str | None = None
    parent_name: str | None = None
    parent_path: str | None = None
    command_line: str | None = None
    parent_command_line: str | None = None
    user: str | None = None
    parent_user: str | None = None
    process_guid: str | None = None
    parent_guid: str | None = None
    parent_start: str | None = None


_COLUMN_FIELDS = tuple(f.name for f in fields(BoundSchema) if f.name != "name")


def _alternatives(value: Columns) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


#: The schemas `build_process_tree` recognises, tried in this order.
SCHEMAS: dict[str, ProcSchema] = {
    "sysmon": ProcSchema(
        name="sysmon",
        pid="ProcessId",
        parent_pid="ParentProcessId",
        process_name="Image",
        start=("UtcTime", "TimeGenerated"),
        host="Computer",
        parent_name="ParentImage",
        command_line="CommandLine",
        parent_command_line="ParentCommandLine",
        user="User",
        process_guid="ProcessGuid",
        parent_guid="ParentProcessGuid",
        event_column="EventID",
        event_value=1,
    ),
    "mde": ProcSchema(
        name="mde",
        pid="ProcessId",
        parent_pid="InitiatingProcessId",
        process_name=("FileName", "FolderPath"),
        start="ProcessCreationTime",
        host=("DeviceName", "DeviceId"),
        process_path="FolderPath",
        parent_name="InitiatingProcessFileName",
        parent_path="InitiatingProcessFolderPath",
        command_line="ProcessCommandLine",
        parent_command_line="InitiatingProcessCommandLine",
        user="AccountName",
        parent_user="InitiatingProcessAccountName",
        parent_start="InitiatingProcessCreationTime",
        event_column="ActionType",
        event_value="ProcessCreated",
    ),
    "4688": ProcSchema(
        name="4688",
        pid="NewProcessId",
        parent_pid="ProcessId",
        process_name="NewProcessName",
        start=("TimeGenerated", "TimeCreatedUtc"),
        host="Computer",
        parent_name="ParentProcessName",
        command_line="CommandLine",
        user=("SubjectUserName", "Account"),
        event_column="EventID",
        event_value=4688,
    ),
    "auditd": ProcSchema(
        name="auditd",
        pid="pid",
        parent_pid="ppid",
        process_name="exe",
        start="TimeGenerated",
        host="Computer",
        command_line="cmdline",
        user=("acct", "uid"),
        event_column="EventType",
        event_value="SYSCALL_EXECVE",
    ),
}


def resolve_schema(
    df: pd.DataFrame, schema: str | ProcSchema | Mapping[str, Columns] | None
) -> tuple[ProcSchema, BoundSchema]:
    """Return the schema to use for *df* and its columns.

    *schema* is a known schema's name, a `ProcSchema`, a mapping of
    `ProcSchema` fields to columns (a custom schema) or None (detect it).

    Raises
    ------
    ProcTreeSchemaError
        If no schema fits, naming the missing columns of each known schema.
    """
    if schema is None:
        for known in SCHEMAS.values():
            if not known.missing(df.columns):
                return known, known.bind(df.columns)
        missing = {name: known.missing(df.columns) for name, known in SCHEMAS.items()}
        detail = "; ".join(f"{name}: {', '.join(cols)}" for name, cols in missing.items())
        raise ProcTreeSchemaError(
            "cannot tell which process-event schema these columns follow. Missing columns per "
            f"schema: {detail}. Pass schema= a name ({', '.join(SCHEMAS)}) or a column mapping "
            "such as {'pid': ..., 'parent_pid': ..., 'process_name': ..., 'start': ...}.",
            missing=missing,
        )
    chosen = _as_schema(schema)
    lacking = chosen.missing(df.columns)
    if lacking:
        raise ProcTreeSchemaError(
            f"the data lacks the column(s) {', '.join(lacking)} of schema '{chosen.name}'",
            missing={chosen.name: lacking},
        )
    return chosen, chosen.bind(df.columns)


def _as_schema(schema: str | ProcSchema | Mapping[str, Columns]) -> ProcSchema:
    if isinstance(schema, ProcSchema):
        return schema
    if isinstance(schema, str):
        if schema not in SCHEMAS:
            raise ProcTreeSchemaError(
                f"unknown schema {schema!r}; known schemas are {', '.join(SCHEMAS)}."
                + did_you_mean(schema, SCHEMAS)
            )
        return SCHEMAS[schema]
    allowed = set(_COLUMN_FIELDS)
    for key in schema:
        if key not in allowed:
            raise ProcTreeSchemaError(
                f"unknown schema field {key!r}; fields are {', '.join(sorted(allowed))}."
                + did_you_mean(key, allowed)
            )
    absent = [f for f in ("pid", "parent_pid", "process_name", "start") if not schema.get(f)]
    if absent:
        raise ProcTreeSchemaError(f"a column mapping must name {', '.join(absent)}")
    kwargs: dict[str, Any] = dict(schema)
    return replace(_CUSTOM, **kwargs)


_CUSTOM = ProcSchema(name="custom", pid=None, parent_pid=None, process_name=None, start=None)
