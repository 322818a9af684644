"""What the remote drivers (Splunk, OpenSearch, Spark) share: errors, settings, typing.

Every failure of a remote backend maps to one specific `RemoteQueryError`
subclass whose message names the backend and says what to do; secrets are
`pydantic.SecretStr` from the moment they enter a driver, so they cannot
reach a repr, a log line or an exception.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from huntbook.errors import QueryError

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.config import Settings

SECRET_KEYS = frozenset({"password", "token", "api_key", "client_secret"})
"""Setting names whose values are secrets."""


class RemoteQueryError(QueryError):
    """A remote backend could not run a query; ``backend`` names it."""

    def __init__(self, message: str, *, backend: str, query: str | None = None):
        self.backend = backend
        super().__init__(f"{backend}: {message}", query=query)


class BackendAuthError(RemoteQueryError):
    """The backend refused the credentials (wrong, expired or lacking rights)."""


class BackendUnreachableError(RemoteQueryError):
    """No connection could be made (wrong host or port, network, TLS)."""


class BackendTimeoutError(RemoteQueryError):
    """The backend did not answer in time."""


class MalformedResponseError(RemoteQueryError):
    """The backend answered with something that is not its documented format."""


class ResultTooLargeError(RemoteQueryError):
    """The result has more rows than the driver may collect."""


def provider_settings(section: str, settings: Settings | None = None) -> dict[str, Any]:
    """Return the ``providers.<section>`` settings, secrets wrapped.

    Parameters
    ----------
    section : str
        The provider name, e.g. ``"Splunk"``.
    settings : Settings, optional
        The configuration (the QueryProvider's); huntbook.yaml by default.
    """
    from huntbook.config import load_settings

    found = (settings or load_settings()).providers.get(section)
    if found is None:
        return {}
    values = dict(found.model_dump(exclude_none=True))
    return {k: secret(v) if k in SECRET_KEYS else v for k, v in values.items()}


def secret(value: object) -> SecretStr | None:
    """Wrap *value* as a `SecretStr` (``None`` and empty text stay ``None``)."""
    if value is None or isinstance(value, SecretStr):
        return value
    text = str(value)
    return SecretStr(text) if text else None


def pick(explicit: Mapping[str, Any], configured: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """Return the explicit argument *key*, else the configured one, else *default*."""
    if explicit.get(key) is not None:
        return explicit[key]
    return configured.get(key, default)


_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)?$")
_NUMBER = re.compile(r"^-?\d{1,18}(\.\d{1,15})?([eE][-+]?\d{1,3})?$")


def frame_from_records(
    records: Iterable[Mapping[str, Any]], columns: list[str] | None = None
) -> pd.DataFrame:
    """Build a DataFrame from text-valued records and give its columns real types.

    Remote backends answer with JSON in which times are ISO-8601 text and,
    for Splunk, every value is text. A column whose every value is a number
    becomes numeric; one whose every value is an ISO-8601 time becomes a UTC
    datetime. Anything else stays as it came.
    """
    import pandas as pd

    frame = pd.DataFrame.from_records(list(records), columns=columns)
    for name in frame.columns:
        values = frame[name].dropna()
        if values.empty or not all(isinstance(v, str) for v in values):
            continue
        if all(_NUMBER.match(v) for v in values):
            numbers = pd.to_numeric(frame[name])
            frame[name] = numbers
        elif all(_ISO_TIME.match(v) for v in values):
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    return frame


def epoch_seconds(value: dt.datetime) -> str:
    """Return *value* as Unix epoch seconds text (microsecond precision)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return f"{value.timestamp():.6f}"
