"""Microsoft Defender advanced hunting driver (Graph ``runHuntingQuery``, MDE, M365 Defender).

::

    providers:
      Defender:
        api: graph                 # graph (default) | mde | m365d
        auth: client_secret        # or certificate, device_code (delegated)
        tenant_id: ...
        client_id: ...
        client_secret: ...

    qp = QueryProvider("Defender")
    qp.MDE.list_host_processes(host_name="ws-017")

Advanced hunting takes no query parameters, so values are bound as ``let``
statements of literals (`sentinel.inline_parameters`). Throttling (429) is
retried after ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.data.drivers.azure_auth import provider_options
from huntbook.data.drivers.http_common import MalformedResponseError, MicrosoftApiDriver
from huntbook.data.drivers.sentinel import inline_parameters, table_frame
from huntbook.errors import ConfigError, QueryError, did_you_mean

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from huntbook.config import Settings


@dataclass(frozen=True)
class HuntingApi:
    """Where one advanced hunting API lives and how it spells its answer."""

    base_url: str
    path: str
    scope: str
    schema_key: str
    results_key: str
    name_key: str
    type_key: str


HUNTING_APIS = {
    "graph": HuntingApi(
        "https://graph.microsoft.com", "/v1.0/security/runHuntingQuery",
        "https://graph.microsoft.com/.default", "schema", "results", "name", "type",
    ),
    "mde": HuntingApi(
        "https://api.securitycenter.microsoft.com", "/api/advancedqueries/run",
        "https://api.securitycenter.microsoft.com/.default", "Schema", "Results", "Name", "Type",
    ),
    "m365d": HuntingApi(
        "https://api.security.microsoft.com", "/api/advancedhunting/run",
        "https://api.security.microsoft.com/.default", "Schema", "Results", "Name", "Type",
    ),
}  # fmt: skip
"""The advanced hunting endpoints (Graph is Microsoft's current one)."""

_TYPES = {
    "datetime": "datetime", "string": "string", "int64": "long", "long": "long", "int32": "int",
    "int": "int", "double": "real", "real": "real", "decimal": "real", "boolean": "bool",
    "bool": "bool", "sbyte": "bool", "object": "dynamic", "dynamic": "dynamic", "timespan": "timespan",
    "guid": "string",
}  # fmt: skip
"""Advanced hunting column types (.NET names) to Kusto type names."""


class DefenderDriver(MicrosoftApiDriver):
    """Runs KQL advanced hunting queries on Microsoft Defender.

    Parameters
    ----------
    api : str, optional
        ``graph`` (``/security/runHuntingQuery``, default), ``mde``
        (``/api/advancedqueries/run``) or ``m365d`` (``/api/advancedhunting/run``).
    auth : str, optional
        ``client_secret``, ``certificate`` (application) or ``device_code`` (delegated).
    settings : Settings, optional
        Configuration (``huntbook.yaml`` by default).
    base_url : str, optional
        Another host for the API (national clouds, a regional MDE host).
    token : callable, optional
        Returns an access token; used instead of signing in with msal.
    verify : bool or str, optional
        TLS verification (also for the sign-in authority), or a CA bundle path.
    retries : int
        Retries of a throttled request (Retry-After honoured).
    config_name : str
        The ``providers`` section to read.
    **auth_options
        ``tenant_id``, ``client_id``, ``client_secret``, ``certificate_path``, ``authority``.
    """

    languages: ClassVar[tuple[str, ...]] = ("kql",)

    def __init__(
        self,
        api: str | None = None,
        *,
        auth: str | None = None,
        settings: Settings | None = None,
        base_url: str | None = None,
        token: Callable[[], str] | None = None,
        verify: bool | str | None = None,
        retries: int = 3,
        config_name: str = "Defender",
        **auth_options: Any,
    ):
        super().__init__()
        overrides = {"api": api, "auth": auth, "base_url": base_url, "verify": verify}
        options = provider_options(settings, config_name, {**overrides, **auth_options})
        name = str(options.get("api") or "graph")
        if name not in HUNTING_APIS:
            raise ConfigError(
                f"Unknown Defender api '{name}'.{did_you_mean(name, HUNTING_APIS)} "
                f"Use one of: {', '.join(HUNTING_APIS)}.",
                key="api",
            )
        self.api_name = name
        self.api = HUNTING_APIS[name]
        self._setup_api(
            options,
            default_url=self.api.base_url,
            scope=self.api.scope,
            service=f"Defender advanced hunting ({name})",
            token=token,
            retries=retries,
        )

    def __repr__(self) -> str:
        state = "connected" if self.connected else "not connected"
        return (
            f"DefenderDriver(api={self.api_name!r}, url={self._http.base_url!r}, "
            f"auth={self.auth.method!r}, {state})"
        )

    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "kql",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """Run an advanced hunting query with *params* bound as ``let`` values.

        Raises
        ------
        ApiError, ApiThrottledError, ApiConnectionError, MalformedResponseError, AzureAuthError
        """
        if language != "kql":
            raise QueryError(f"Defender advanced hunting runs KQL, not {language!r}.")
        text = inline_parameters(query, params)
        answer = self._http.request("POST", self.api.path, body={"Query": text}, timeout=timeout, query=text)
        return self.frame(answer, text)

    def frame(self, answer: Mapping[str, Any], query: str | None = None) -> pd.DataFrame:
        """The rows of an advanced hunting answer, typed by its schema."""
        api = self.api
        schema, results = answer.get(api.schema_key), answer.get(api.results_key)
        if not isinstance(schema, list) or not isinstance(results, list):
            raise MalformedResponseError(
                f"The advanced hunting answer has no '{api.schema_key}'/'{api.results_key}' lists "
                f"(keys: {', '.join(list(answer)[:10])}).",
                query=query,
            )
        try:
            names = [str(column[api.name_key]) for column in schema]
            kinds = [_TYPES.get(str(column.get(api.type_key, "")).lower(), "string") for column in schema]
            rows = [[row.get(name) for name in names] for row in results]
        except (KeyError, TypeError, AttributeError) as exc:
            raise MalformedResponseError(
                f"The advanced hunting answer does not follow its schema ({type(exc).__name__}: {exc}).",
                query=query,
            ) from None
        return table_frame(names, kinds, rows)
