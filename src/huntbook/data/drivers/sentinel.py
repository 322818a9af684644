r"""Microsoft Sentinel / Log Analytics driver, on ``azure-monitor-query``.

::

    providers:
      Sentinel:
        auth: cli
        workspaces:                       # by name
          Prod: {workspace_id: 8ecf8077-...}
          Lab: 1d8b2e1c-...               # or just the id
        default_workspace: Prod

    qp = QueryProvider("Sentinel")                          # the default workspace
    qp = QueryProvider("Sentinel", workspace=["Prod", "Lab"])  # both; rows say which

The Log Analytics query API takes no query parameters, so values are bound
as ``let`` statements built from the typed values - the language's literal
escaping: numbers, datetimes and timespans rendered from the Python value,
strings as double-quoted literals with ``\``, ``"``, CR, LF and tab escaped
(what KQL's string grammar needs to keep a value inside its quotes), lists as
``dynamic(...)`` of ASCII-only JSON. A value never becomes query syntax.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.data.drivers.azure_auth import AzureAuth, auth_error, credential, provider_options
from huntbook.data.drivers.base import Driver
from huntbook.data.drivers.kusto import kusto_parameter_value
from huntbook.errors import (
    ConfigError,
    MissingExtraError,
    ParameterError,
    PartialResultWarning,
    QueryError,
    TranslationError,
)

if TYPE_CHECKING:
    import pandas as pd
    from azure.core.credentials import TokenCredential

    from huntbook.config import Settings

DEFAULT_ENDPOINT = "https://api.loganalytics.io"
MAX_SERVER_TIMEOUT = 600
"""The longest server-side wait the Log Analytics API allows (seconds)."""


class LogAnalyticsQueryError(QueryError):
    """The workspace refused or failed the query (the message is the service's)."""


class LogAnalyticsConnectionError(QueryError):
    """The Log Analytics endpoint could not be reached, or did not answer in time."""


class LogAnalyticsThrottledError(QueryError):
    """The service kept throttling the request (HTTP 429) after the retries."""


class SentinelDriver(Driver):
    """Runs KQL on one or several Log Analytics (Sentinel) workspaces.

    Parameters
    ----------
    workspace : str or sequence of str, optional
        Workspace name(s) from ``providers.<config_name>.workspaces``; the
        configured ``default_workspace`` (or the only one) by default. With
        several, the query runs on each and a ``Workspace`` column says
        where each row came from.
    workspace_id : str, optional
        A workspace id to use without configuring it.
    auth : str, optional
        Sign-in method (`azure_auth.AUTH_METHODS`).
    settings : Settings, optional
        Configuration (``huntbook.yaml`` by default).
    token_credential : TokenCredential, optional
        Any ``azure-identity`` credential, used instead of *auth*.
    endpoint : str, optional
        The API endpoint (national clouds); ``https://api.loganalytics.io`` by default.
    verify : bool or str, optional
        TLS verification, or a CA bundle path.
    retries : int
        How many times a throttled or failed request is retried (Retry-After is honoured).
    config_name : str
        The ``providers`` section to read.
    **auth_options
        ``tenant_id``, ``client_id``, ``client_secret``, ``certificate_path``, ``authority``.
    """

    languages: ClassVar[tuple[str, ...]] = ("kql",)

    def __init__(
        self,
        workspace: str | Sequence[str] | None = None,
        *,
        workspace_id: str | None = None,
        auth: str | None = None,
        settings: Settings | None = None,
        token_credential: TokenCredential | None = None,
        endpoint: str | None = None,
        verify: bool | str | None = None,
        retries: int = 3,
        config_name: str = "Sentinel",
        **auth_options: Any,
    ):
        super().__init__()
        overrides = {"auth": auth, "endpoint": endpoint, "verify": verify}
        options = provider_options(settings, config_name, {**overrides, **auth_options})
        self.workspaces = _pick_workspaces(options, workspace, workspace_id, config_name)
        self.endpoint = str(options.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/")
        self.auth = AzureAuth.from_options(options)
        self.retries = retries
        self._verify = options.get("verify", True)
        self._token_credential = token_credential
        self._client: Any = None

    def __repr__(self) -> str:
        state = "connected" if self.connected else "not connected"
        return (
            f"SentinelDriver(workspaces={list(self.workspaces)}, endpoint={self.endpoint!r}, "
            f"auth={self.auth.method!r}, {state})"
        )

    def connect(self) -> None:
        """Create the Log Analytics client (sign-in happens on the first query)."""
        if self._client is not None:
            return
        try:
            from azure.monitor.query import LogsQueryClient
        except ImportError:
            raise MissingExtraError(
                "azure-monitor-query", "sentinel", feature="The Sentinel driver"
            ) from None
        token_credential = self._token_credential or credential(
            self.auth, extra="sentinel", verify=self._verify
        )
        self._client = LogsQueryClient(
            token_credential,
            endpoint=self.endpoint,
            connection_verify=self._verify,
            retry_total=self.retries,
            retry_backoff_max=60,
        )
        self.connected = True

    def close(self) -> None:
        """Close the client."""
        if self._client is not None:
            self._client.close()
            self._client = None
        super().close()

    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "kql",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """Run KQL on the workspace(s) with *params* bound as ``let`` values.

        Parameters
        ----------
        timeout : float, optional
            Seconds the service may run the query (at most 600); the
            client waits a little longer for the answer.

        Raises
        ------
        LogAnalyticsQueryError, LogAnalyticsConnectionError, LogAnalyticsThrottledError, AzureAuthError
            Naming the workspace and the service's reason. With several
            workspaces, one failing gives a `PartialResultWarning` and the
            others' rows; all failing raises the first error.
        """
        import pandas as pd

        if language != "kql":
            raise QueryError(f"Log Analytics runs KQL, not {language!r}.")
        text = inline_parameters(query, params)
        self.connect()
        if len(self.workspaces) == 1:
            name, workspace_id = next(iter(self.workspaces.items()))
            return self._query_one(name, workspace_id, text, timeout)
        with ThreadPoolExecutor(max_workers=min(4, len(self.workspaces))) as pool:
            futures = {
                name: pool.submit(self._query_one, name, wid, text, timeout)
                for name, wid in self.workspaces.items()
            }
        frames, failures = [], []
        for name, future in futures.items():
            try:
                frames.append(future.result().assign(Workspace=name))
            except QueryError as exc:
                failures.append((name, exc))
        if not frames:
            raise failures[0][1]
        for name, error in failures:
            warnings.warn(
                PartialResultWarning(f"Workspace '{name}' failed ({error}); rows from the others are kept."),
                stacklevel=2,
            )
        return pd.concat(frames, ignore_index=True)

    def _query_one(self, name: str, workspace_id: str, text: str, timeout: float | None) -> pd.DataFrame:
        from azure.monitor.query import LogsQueryStatus

        wait = None if not timeout else max(1, min(MAX_SERVER_TIMEOUT, int(timeout)))
        extra: dict[str, Any] = {"read_timeout": wait + 30} if wait else {}
        try:
            result = self._client.query_workspace(
                workspace_id, text, timespan=None, server_timeout=wait, **extra
            )
        except Exception as exc:
            raise self._translate(exc, name, text, timeout) from None
        if result.status == LogsQueryStatus.PARTIAL:
            error = result.partial_error
            warnings.warn(
                PartialResultWarning(
                    f"Workspace '{name}' returned a partial result: {_error_text(error)}. "
                    "The rows received are kept; narrow the query to get all of them."
                ),
                stacklevel=3,
            )
            tables = result.partial_data
        else:
            tables = result.tables
        if not tables:
            import pandas as pd

            return pd.DataFrame()
        return table_frame(tables[0].columns, tables[0].columns_types, [list(r) for r in tables[0].rows])

    def _translate(self, exc: Exception, name: str, query: str, timeout: float | None) -> QueryError:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            DecodeError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )

        where = f"workspace '{name}'"
        # azure-monitor-query re-raises a sign-in failure as a plain HttpResponseError; the
        # original is its context.
        cause: BaseException | None = exc
        for _ in range(5):
            if cause is None:
                break
            if (
                isinstance(cause, ClientAuthenticationError)
                or type(cause).__name__ == "CredentialUnavailableError"
            ):
                return auth_error(f"Log Analytics ({where})", cause)
            cause = cause.__cause__ or cause.__context__
        if isinstance(exc, ServiceRequestError):
            return LogAnalyticsConnectionError(
                f"Cannot reach {self.endpoint} for {where}: {_short(exc)}. "
                "Check the endpoint and your network.",
                query=query,
            )
        if isinstance(exc, ServiceResponseError):
            return LogAnalyticsConnectionError(
                f"{self.endpoint} did not answer for {where} within the timeout ({timeout} s): "
                f"{_short(exc)}. Narrow the time range or pass a larger timeout.",
                query=query,
            )
        if isinstance(exc, DecodeError):
            return LogAnalyticsQueryError(
                f"{where} sent a response that is not a Log Analytics result ({_short(exc)}).", query=query
            )
        if isinstance(exc, HttpResponseError):
            status = exc.status_code
            codes, reason = _service_error(exc)
            if status in (401, 403):
                return auth_error(f"Log Analytics ({where})", _ReasonError(f"HTTP {status}: {reason}"))
            if status == 429:
                return LogAnalyticsThrottledError(
                    f"{where} throttled the query (HTTP 429) through {self.retries} retries: {reason}. "
                    "Wait a minute and run it again.",
                    query=query,
                )
            if status in (408, 504) or "timeout" in reason.lower():
                return LogAnalyticsConnectionError(
                    f"{where} stopped the query after the {timeout} s timeout: {reason}. Narrow the time "
                    "range or pass a larger timeout.",
                    query=query,
                )
            if status == 400 and any("Semantic" in c or "Syntax" in c for c in codes):
                return TranslationError(f"{where} cannot run the query: {reason}", query=query)
            if status == 404:
                return LogAnalyticsQueryError(
                    f"{where} was not found (HTTP 404): {reason}. Check the workspace id.", query=query
                )
            return LogAnalyticsQueryError(f"{where} refused the query (HTTP {status}): {reason}", query=query)
        return LogAnalyticsQueryError(f"{where}: {_short(exc)}", query=query)


class _ReasonError(Exception):
    """A plain reason handed to `auth_error`."""


def _pick_workspaces(
    options: Mapping[str, Any], workspace: str | Sequence[str] | None, workspace_id: str | None, section: str
) -> dict[str, str]:
    """Workspace names to ids, from the arguments and the configuration."""
    if workspace_id:
        return {str(workspace or options.get("workspace_name") or workspace_id): workspace_id}
    configured: dict[str, str] = {}
    for name, value in (options.get("workspaces") or {}).items():
        wid = value.get("workspace_id") if isinstance(value, Mapping) else value
        if not wid:
            raise ConfigError(f"providers.{section}.workspaces.{name} has no workspace_id.", key="workspaces")
        configured[str(name)] = str(wid)
    if options.get("workspace_id") and not configured:
        configured[str(options.get("workspace_name") or "default")] = str(options["workspace_id"])
    if not configured:
        raise ConfigError(
            "No Log Analytics workspace: pass workspace_id=... or list them under "
            f"providers.{section}.workspaces in huntbook.yaml.",
            key=f"providers.{section}.workspaces",
        )
    if workspace is None:
        default = options.get("default_workspace")
        names = [str(default)] if default else list(configured)[:1]
    else:
        names = [workspace] if isinstance(workspace, str) else list(workspace)
    if names == ["*"]:
        names = list(configured)
    unknown = [n for n in names if n not in configured]
    if unknown:
        from huntbook.errors import did_you_mean

        raise ConfigError(
            f"Unknown workspace '{unknown[0]}'.{did_you_mean(unknown[0], configured)} "
            f"Configured: {', '.join(configured)}.",
            key="workspace",
        )
    return {n: configured[n] for n in names}


# -- parameters as let statements ------------------------------------------------

_DECLARE = re.compile(r"\s*declare\s+query_parameters\s*\(", re.IGNORECASE)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def inline_parameters(query: str, params: Mapping[str, Any] | None) -> str:
    """Replace a leading ``declare query_parameters(...)`` with ``let`` statements binding *params*.

    For services that take no query parameters (Log Analytics, Defender
    advanced hunting). Each value is rendered from its Python value as the
    literal of its declared type (`kql_value`).

    Raises
    ------
    ParameterError
        A value for an undeclared name, a declared one without value or
        default, or a value of the wrong type.
    """
    import duckdb_kql

    params = dict(params or {})
    match = _DECLARE.match(query)
    if match is None:
        if params:
            raise ParameterError(
                f"Parameters {', '.join(params)} were given but the query declares none; start it with "
                "declare query_parameters(name:type, ...);"
            )
        return query
    end = _statement_end(query, match.end())
    declarations = duckdb_kql.query_parameters(query[:end])
    declared = {d.name: d for d in declarations}
    unknown = [name for name in params if name not in declared]
    if unknown:
        raise ParameterError(
            f"Parameter '{unknown[0]}' is not declared by the query (declared: {', '.join(declared)}).",
            parameter=unknown[0],
        )
    lets = []
    for decl in declarations:
        if not _IDENTIFIER.fullmatch(decl.name):
            raise ParameterError(
                f"Parameter name {decl.name!r} must be a plain identifier.", parameter=decl.name
            )
        if decl.name in params and params[decl.name] is not None:
            value = kql_value(params[decl.name], decl.type, decl.name)
        elif decl.default is not None:
            value = kql_value(decl.default, decl.type, decl.name)
        else:
            raise ParameterError(f"The query needs a value for '{decl.name}'.", parameter=decl.name)
        lets.append(f"let {decl.name} = {value};")
    return "\n".join(lets) + "\n" + query[end:].lstrip()


def _statement_end(query: str, start: int) -> int:
    """Index just past the ``;`` that ends the declaration opened before *start*."""
    depth, quote, i = 1, "", start
    while i < len(query):
        char = query[i]
        if quote:
            if char == "\\" and quote != "@":
                i += 1
            elif char == quote[-1]:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                rest = query[i + 1 :]
                stripped = rest.lstrip()
                if not stripped.startswith(";"):
                    break
                return i + 1 + (len(rest) - len(stripped)) + 1
        i += 1
    raise ParameterError("The declare query_parameters(...) statement is not closed by ');'.")


def kql_value(value: object, kind: str, name: str = "value") -> str:
    """Return the KQL literal of *value* as KQL type *kind*, safe for any input."""
    from huntbook.data.params import kql_literal, parse_datetime, parse_timedelta

    try:
        if kind == "string":
            if not isinstance(value, str):
                raise TypeError(f"got {type(value).__name__}")
            return kql_literal(value)
        if kind in ("long", "int"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"got {type(value).__name__}")
            return f"{kind}({int(value)})"
        if kind in ("real", "double"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"got {type(value).__name__}")
            return kusto_parameter_value(float(value))
        if kind in ("bool", "boolean"):
            if not isinstance(value, bool):
                raise TypeError(f"got {type(value).__name__}")
            return kusto_parameter_value(value)
        if kind in ("datetime", "date"):
            return kusto_parameter_value(parse_datetime(value))
        if kind in ("timespan", "time"):
            return kusto_parameter_value(parse_timedelta(value))
        if kind == "dynamic":
            return f"dynamic({json.dumps(value, ensure_ascii=True, default=str)})"
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"Parameter '{name}' is declared {kind}: {exc}", parameter=name) from None
    raise ParameterError(f"Parameter '{name}' has type {kind}, which cannot be bound here.", parameter=name)


# -- results ---------------------------------------------------------------------------


def table_frame(columns: list[str], types: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    """A Log Analytics table as a DataFrame: UTC datetimes, nullable numbers, dynamic as objects."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    for name, kind in zip(columns, types, strict=True):
        values = frame[name]
        if kind == "datetime":
            frame[name] = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
        elif kind in ("long", "int"):
            frame[name] = pd.array(values.tolist(), dtype="Int64" if kind == "long" else "Int32")
        elif kind in ("real", "decimal"):
            frame[name] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
        elif kind == "bool":
            frame[name] = pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
        elif kind == "timespan":
            frame[name] = pd.to_timedelta([_timespan(v) for v in values])
        elif kind == "dynamic":
            frame[name] = pd.Series([_json(v) for v in values], index=frame.index, dtype=object)
    return frame


def _timespan(value: object) -> str | None:
    if value is None or value == "None":
        return None
    text = str(value)
    head, _, rest = text.partition(":")
    if "." in head:  # d.hh:mm:ss -> "d days hh:mm:ss"
        days, _, hours = head.partition(".")
        return f"{days} days {hours}:{rest}"
    return text


def _json(value: object) -> object:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _service_error(exc: Any) -> tuple[list[str], str]:
    """The OneAPI error of a failed response: every code down the innererror chain, and its text."""
    try:
        body = exc.response.json()
        error = body.get("error") if isinstance(body, Mapping) else None
    except Exception:
        error = None
    if not isinstance(error, Mapping):
        return [], _short(exc)
    codes: list[str] = []
    messages: list[str] = []
    node: Any = error
    depth = 0
    while isinstance(node, Mapping) and depth < 10:
        codes.append(str(node.get("code", "")))
        if node.get("message"):
            messages.append(str(node["message"]))
        node, depth = node.get("innererror"), depth + 1
    top = f"{codes[0]}: {messages[0]}" if messages else codes[0]
    deepest = messages[-1] if len(messages) > 1 else ""
    return codes, (f"{top} ({deepest})" if deepest else top)[:500]


def _error_text(error: object) -> str:
    if error is None:
        return ""
    code = getattr(error, "code", "") or ""
    message = getattr(error, "message", "") or ""
    details = getattr(error, "details", None) or []
    detail = next((d.get("message") for d in details if isinstance(d, Mapping) and d.get("message")), "")
    text = f"{code}: {message}" if code else str(message)
    if detail and detail not in text:
        text += f" ({detail})"
    return text[:500]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
