"""Query parameter types: turning what a user passes into a typed value.

Each catalog parameter has one of the types in `PARAM_TYPES`. `coerce`
normalises loose input once, at the edge: a datetime may be a `datetime`, a
`date`, a pandas `Timestamp`, an ISO-8601 string, ``"now"``, or a relative
form such as ``"-7d"``, ``"now-2h"`` or ``"ago(1d)"``; a timedelta may be a
`timedelta` or ``"1h"``/``"30m"``/``"1.5d"``; a list may be any iterable (a
single string is a one-item list).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from huntbook.errors import ParameterError

PARAM_TYPES = ("str", "int", "float", "bool", "datetime", "timedelta", "list")

KQL_TYPE = {
    "str": "string",
    "int": "long",
    "float": "real",
    "bool": "bool",
    "datetime": "datetime",
    "timedelta": "timespan",
    "list": "dynamic",
}
"""The KQL ``declare query_parameters`` type for each parameter type."""

_UNITS = {
    "d": dt.timedelta(days=1),
    "h": dt.timedelta(hours=1),
    "m": dt.timedelta(minutes=1),
    "s": dt.timedelta(seconds=1),
    "ms": dt.timedelta(milliseconds=1),
    "w": dt.timedelta(weeks=1),
}
_SPAN = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,6})?)\s*(ms|d|h|m|s|w)\s*$")
_RELATIVE = re.compile(r"^\s*(?:now\s*)?([+-])\s*(\S{1,20})\s*$")
_AGO = re.compile(r"^\s*ago\(\s*(\S{1,20})\s*\)\s*$")


def parse_timedelta(value: object) -> dt.timedelta:
    """Parse a timespan such as ``"1d"``, ``"90m"``, ``"1.5h"`` or a `timedelta`.

    Raises
    ------
    ValueError
        The value is not a timespan.
    """
    if isinstance(value, dt.timedelta):
        return value
    if hasattr(value, "to_pytimedelta"):  # pandas Timedelta
        result: dt.timedelta = value.to_pytimedelta()
        return result
    if isinstance(value, str) and (match := _SPAN.match(value)):
        return float(match.group(1)) * _UNITS[match.group(2)]
    raise ValueError(f"{value!r} is not a timespan; use e.g. '1d', '6h', '30m' or a timedelta")


def parse_datetime(value: object, *, now: dt.datetime | None = None) -> dt.datetime:
    """Parse a point in time into a timezone-aware UTC `datetime`.

    Parameters
    ----------
    value : object
        A `datetime`/`date`/pandas `Timestamp`, an ISO-8601 string (no offset
        means UTC), ``"now"``, ``"-7d"``, ``"now-2h"``, ``"now+1h"`` or ``"ago(1d)"``.
    now : datetime, optional
        What relative forms are relative to; the current time by default.

    Raises
    ------
    ValueError
        The value is not a point in time.
    """
    now = now or dt.datetime.now(dt.UTC)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return _as_utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a datetime")
    text = value.strip()
    if text.lower() == "now":
        return now
    if match := _AGO.match(text):
        return now - parse_timedelta(match.group(1))
    if match := _RELATIVE.match(text.lower()):
        span = parse_timedelta(match.group(2))
        return now - span if match.group(1) == "-" else now + span
    try:
        return _as_utc(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a datetime; use ISO-8601 ('2026-11-03 14:00'), "
            "'now', or a relative form such as '-7d', 'now-2h' or 'ago(1d)'"
        ) from None


def _as_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def coerce(
    value: object,
    param_type: str,
    *,
    name: str,
    query: str | None = None,
    now: dt.datetime | None = None,
) -> Any:
    """Convert *value* to the Python value for a parameter of *param_type*.

    Raises
    ------
    ParameterError
        The value cannot be read as that type; the message names the
        parameter and the query and shows what is accepted.
    """
    try:
        return _coerce(value, param_type, now)
    except (ValueError, TypeError) as exc:
        where = f" of query '{query}'" if query else ""
        raise ParameterError(
            f"Parameter '{name}'{where} expects {param_type}: {exc}", query=query, parameter=name
        ) from None


def _coerce(value: object, param_type: str, now: dt.datetime | None) -> Any:
    if param_type == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise TypeError(f"got {type(value).__name__} {value!r}")
    if param_type == "int":
        if isinstance(value, bool):
            raise TypeError(f"got bool {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,19}\s*", value):
            return int(value)
        raise TypeError(f"got {type(value).__name__} {value!r}")
    if param_type == "float":
        if isinstance(value, bool):
            raise TypeError(f"got bool {value!r}")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return float(value)
        raise TypeError(f"got {type(value).__name__} {value!r}")
    if param_type == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "yes", "no", "1", "0"}:
            return value.lower() in {"true", "yes", "1"}
        raise TypeError(f"got {type(value).__name__} {value!r}; use True or False")
    if param_type == "datetime":
        return parse_datetime(value, now=now)
    if param_type == "timedelta":
        return parse_timedelta(value)
    if param_type == "list":
        return _as_list(value)
    raise ValueError(f"unknown parameter type {param_type!r}")


def _as_list(value: object) -> list[str | int | float]:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        items = list(value)
        for item in items:
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                raise TypeError(f"list items must be strings or numbers, got {item!r}")
        return items
    raise TypeError(f"got {type(value).__name__} {value!r}; pass a list of values")


def kql_literal(value: object) -> str:
    """Render a coerced parameter value as KQL literal text (for display).

    Queries never run with spliced literals; this is how `Query.render`
    shows a query as it would read with its values in place.
    """
    import json

    if value is None:
        return "dynamic(null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"datetime({_as_utc(value).strftime('%Y-%m-%dT%H:%M:%S.%fZ')})"
    if isinstance(value, dt.timedelta):
        return f"time({value.total_seconds():.6g}s)"
    if isinstance(value, list):
        return f"dynamic({json.dumps(value)})"
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(raw, escaped)
    return f'"{text}"'
