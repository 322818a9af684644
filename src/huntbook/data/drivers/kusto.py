"""Azure Data Explorer (Kusto) driver, on ``azure-kusto-data``.

::

    qp = QueryProvider("Kusto", cluster="https://help.kusto.windows.net", database="Samples")

or from ``huntbook.yaml``::

    providers:
      Kusto:
        cluster: https://mycluster.westeurope.kusto.windows.net
        database: SecurityLogs
        auth: device_code          # see huntbook.data.drivers.azure_auth

Parameters travel beside the query as Kusto query parameters
(``declare query_parameters`` + ``ClientRequestProperties.set_parameter``),
never inside its text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.data.drivers.azure_auth import AzureAuth, auth_error, credential, provider_options
from huntbook.data.drivers.base import Driver
from huntbook.errors import ConfigError, MissingExtraError, PartialResultWarning, QueryError, TranslationError

if TYPE_CHECKING:
    import pandas as pd
    from azure.core.credentials import TokenCredential

    from huntbook.config import Settings


class KustoQueryError(QueryError):
    """The cluster refused or failed the query (the message is the cluster's)."""


class KustoConnectionError(QueryError):
    """The cluster could not be reached, or did not answer in time."""


class KustoThrottledError(QueryError):
    """The cluster throttled the request (HTTP 429)."""


class KustoDriver(Driver):
    """Runs KQL on an Azure Data Explorer database.

    Parameters
    ----------
    cluster : str, optional
        Cluster URL; ``providers.<config_name>.cluster`` by default.
    database : str, optional
        Database name; ``providers.<config_name>.database`` by default.
    auth : str, optional
        Sign-in method (`azure_auth.AUTH_METHODS`); ``none`` talks to a
        local ``http://`` server that needs no token.
    settings : Settings, optional
        Configuration (read from ``huntbook.yaml`` by default).
    token_credential : TokenCredential, optional
        Any ``azure-identity`` credential, used instead of *auth*.
    config_name : str
        The ``providers`` section to read.
    **auth_options
        ``tenant_id``, ``client_id``, ``client_secret``, ``certificate_path``, ``authority``.
    """

    languages: ClassVar[tuple[str, ...]] = ("kql",)

    def __init__(
        self,
        cluster: str | None = None,
        database: str | None = None,
        *,
        auth: str | None = None,
        settings: Settings | None = None,
        token_credential: TokenCredential | None = None,
        config_name: str = "Kusto",
        **auth_options: Any,
    ):
        super().__init__()
        options = provider_options(
            settings, config_name, {"cluster": cluster, "database": database, "auth": auth, **auth_options}
        )
        for key in ("cluster", "database"):
            if not options.get(key):
                raise ConfigError(
                    f"Kusto needs a {key}: pass {key}=... or set providers.{config_name}.{key} "
                    "in huntbook.yaml.",
                    key=f"providers.{config_name}.{key}",
                )
        self.cluster = str(options["cluster"]).rstrip("/")
        self.database = str(options["database"])
        self.auth = AzureAuth.from_options(options)
        self._token_credential = token_credential
        self._client: Any = None

    def __repr__(self) -> str:
        state = "connected" if self.connected else "not connected"
        return (
            f"KustoDriver(cluster={self.cluster!r}, database={self.database!r}, "
            f"auth={self.auth.method!r}, {state})"
        )

    def connect(self) -> None:
        """Create the client (sign-in happens on the first query)."""
        if self._client is not None:
            return
        try:
            from azure.kusto.data import KustoClient, KustoConnectionStringBuilder
        except ImportError:
            raise MissingExtraError("azure-kusto-data", "kusto", feature="The Kusto driver") from None
        if self._token_credential is None and self.auth.method == "none":
            if not self.cluster.startswith("http://"):
                raise ConfigError(
                    "auth 'none' is only for a local http:// server (e.g. duckdb-kql serve); "
                    f"{self.cluster} needs a sign-in method.",
                    key="auth",
                )
            kcsb = KustoConnectionStringBuilder.with_no_authentication(self.cluster)
        else:
            token_credential = self._token_credential or credential(self.auth, extra="kusto")
            kcsb = KustoConnectionStringBuilder.with_azure_token_credential(self.cluster, token_credential)
        self._client = KustoClient(kcsb)
        self.connected = True

    def close(self) -> None:
        """Close the client's HTTP session."""
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
        """Run KQL with *params* as Kusto query parameters and return the primary result.

        Raises
        ------
        KustoQueryError, KustoConnectionError, KustoThrottledError, AzureAuthError
            With the cluster's reason and what to do.
        """
        from azure.kusto.data import ClientRequestProperties

        if language != "kql":
            raise QueryError(f"Kusto runs KQL, not {language!r}.")
        self.connect()
        properties = ClientRequestProperties()  # type: ignore[no-untyped-call]
        for name, value in (params or {}).items():
            properties.set_parameter(name, kusto_parameter_value(value))
        if timeout:
            properties.set_option(properties.request_timeout_option_name, dt.timedelta(seconds=timeout))
        # Partial failures (e.g. a truncated result) are reported beside the rows rather
        # than inside them, so the rows received are kept and the failure becomes a warning.
        properties.set_option(properties.results_defer_partial_query_failures_option_name, True)
        try:
            response = self._client.execute_query(self.database, query, properties)
        except Exception as exc:
            raise self._translate(exc, query, timeout) from None
        if not response.primary_results:
            raise KustoQueryError(
                f"{self.cluster} answered without a primary result table; is this a Kusto cluster?",
                query=query,
            )
        frame = result_frame(response.primary_results[0])
        if response.errors_count:
            import warnings

            problems = "; ".join(response.get_exceptions())[:500]
            warnings.warn(
                PartialResultWarning(
                    f"{self.cluster}/{self.database} returned a partial result ({problems}); "
                    f"the {len(frame)} rows received are kept. Narrow the query to get all of them."
                ),
                stacklevel=2,
            )
        return frame

    def _translate(self, exc: Exception, query: str, timeout: float | None) -> QueryError:
        from azure.kusto.data.exceptions import (
            KustoAuthenticationError,
            KustoNetworkError,
            KustoServiceError,
            KustoThrottlingError,
        )

        where = f"{self.cluster} (database {self.database})"
        if isinstance(exc, KustoAuthenticationError) or _is_auth_failure(exc):
            return auth_error(where, getattr(exc, "exception", exc))
        if isinstance(exc, KustoThrottlingError):
            return KustoThrottledError(
                f"{where} throttled the request (HTTP 429). Wait a little and run it again, or "
                "narrow the query.",
                query=query,
            )
        if isinstance(exc, KustoNetworkError):
            cause = exc.__cause__
            if type(cause).__name__ in ("ReadTimeout", "Timeout", "TimeoutError"):
                return KustoConnectionError(
                    f"{where} did not answer within the timeout ({timeout or 'default'} s). Narrow the "
                    "time range or pass a larger timeout.",
                    query=query,
                )
            return KustoConnectionError(
                f"Cannot reach {where}: {type(cause).__name__ if cause else 'network error'}. "
                "Check the cluster URL and your network.",
                query=query,
            )
        if isinstance(exc, KustoServiceError):
            status = getattr(getattr(exc, "http_response", None), "status_code", None)
            if status == 401 or status == 403:
                return auth_error(where, exc)
            message = _first_line(exc)
            explained = self._engine_error(query, message)
            if explained is not None:
                return explained
            if "timeout" in message.lower() or "exceeded the allowed" in message.lower():
                return KustoConnectionError(
                    f"{where} stopped the query: {message}. Narrow the time range or pass a larger timeout.",
                    query=query,
                )
            if exc.is_semantic_error() or "syntax" in message.lower():
                return TranslationError(f"{where} cannot run the query: {message}", query=query)
            return KustoQueryError(f"{where} refused the query: {message}", query=query)
        if isinstance(exc, ValueError | KeyError | TypeError):
            return KustoQueryError(
                f"{where} sent a response that is not a Kusto result ({type(exc).__name__}: "
                f"{str(exc)[:200]}). Check that the URL is a Kusto cluster.",
                query=query,
            )
        return KustoQueryError(f"{where}: {type(exc).__name__}: {str(exc)[:300]}", query=query)


    def _engine_error(self, query: str, message: str) -> QueryError | None:
        """A refusal in duckdb-kql's words (from `duckdb-kql serve`), said as the local lake says it."""
        from huntbook.data.drivers.kql_errors import explain_engine_message

        try:
            return explain_engine_message(query, message, self._columns_of)
        except Exception:
            return None

    def _columns_of(self, table: str) -> list[str] | None:
        """The columns of *table* on the cluster, or None when it cannot tell."""
        quoted = "['" + table.replace("\\", "\\\\").replace("'", "\\'") + "']"
        try:
            response = self._client.execute_query(self.database, f"{quoted} | getschema | project ColumnName")
            return [str(row[0]) for row in response.primary_results[0]]
        except Exception:
            return None


def kusto_parameter_value(value: object) -> str:
    """Return *value* as the Kusto REST API carries a query parameter: text of a KQL literal.

    Strings travel as they are (the declaration says they are strings);
    everything else as the literal of its type, e.g. ``datetime(2026-11-03T14:00:00.000000Z)``,
    ``dynamic([4624, 4625])``, ``timespan(0.01:00:00.000000)``.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"real({_real_text(value)})"
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"datetime({moment.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z)"
    if isinstance(value, dt.timedelta):
        return f"timespan({timespan_text(value)})"
    if isinstance(value, list | tuple | dict):
        return f"dynamic({json.dumps(value, ensure_ascii=True)})"
    if value is None:
        return "dynamic(null)"
    raise QueryError(f"Cannot send a {type(value).__name__} as a Kusto query parameter: {value!r:.60}")


def timespan_text(value: dt.timedelta) -> str:
    """``[-]d.hh:mm:ss.ffffff``, the spelling every KQL reader accepts."""
    sign = "-" if value < dt.timedelta(0) else ""
    span = abs(value)
    hours, rest = divmod(span.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{span.days}.{hours:02}:{minutes:02}:{seconds:02}.{span.microseconds:06}"


def _real_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    return repr(value)


def result_frame(table: Any) -> pd.DataFrame:
    """A Kusto result table as a DataFrame: UTC datetimes, nullable ints and bools, dynamic as objects."""
    from azure.kusto.data.helpers import dataframe_from_result_table

    if not table.columns:
        import pandas as pd

        return pd.DataFrame()
    reals: dict[str, Any] = dict.fromkeys(("real", "double", "decimal"), _real_column)
    return dataframe_from_result_table(table, nullable_bools=True, converters_by_type=reals)


_SPECIAL_REALS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _real_column(column: str, frame: pd.DataFrame) -> pd.Series:
    """Kusto reals as nullable floats (the SDK's converter warns on pandas 3)."""
    import pandas as pd

    values = [
        None if v is None else _SPECIAL_REALS[v] if isinstance(v, str) and v in _SPECIAL_REALS else float(v)
        for v in frame[column]
    ]
    return pd.Series(pd.array(values, dtype="Float64"), index=frame.index, name=column)


def _is_auth_failure(exc: Exception) -> bool:
    return type(exc).__name__ in ("ClientAuthenticationError", "CredentialUnavailableError")


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message_text", None) or str(exc)
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else type(exc).__name__
