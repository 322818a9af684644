"""Microsoft Graph security driver: alerts (``/security/alerts_v2``) and other OData collections.

::

    qp = QueryProvider("MSGraph")                 # providers.MSGraph: tenant_id, client_id, ...
    qp.driver.alerts(severity="high", since="-7d")
    qp.exec_query("/v1.0/security/incidents", params={"$top": "50"})

A query is a Graph path; parameters are OData query options sent as URL
parameters (encoded by the HTTP client, never pasted into the path). Pages
are followed through ``@odata.nextLink`` - only on the same host, so the
token never leaves it - up to a page limit; stopping early is a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.data.drivers.azure_auth import provider_options
from huntbook.data.drivers.http_common import MalformedResponseError, MicrosoftApiDriver
from huntbook.errors import ParameterError, QueryError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    import pandas as pd

    from huntbook.config import Settings

GRAPH_URL = "https://graph.microsoft.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
ALERTS_PATH = "/v1.0/security/alerts_v2"


class GraphPagingWarning(UserWarning):
    """Paging stopped at the page limit; more results remain on the server."""


class GraphDriver(MicrosoftApiDriver):
    """Reads Microsoft Graph security collections (alerts, incidents) as DataFrames.

    Parameters
    ----------
    auth : str, optional
        ``client_secret``, ``certificate`` (application) or ``device_code`` (delegated).
    settings : Settings, optional
        Configuration (``huntbook.yaml`` by default).
    base_url : str, optional
        Another Graph host (national clouds).
    token : callable, optional
        Returns an access token; used instead of signing in with msal.
    verify : bool or str, optional
        TLS verification (also for the sign-in authority), or a CA bundle path.
    max_pages : int
        Most pages read per query.
    retries : int
        Retries of a throttled request (Retry-After honoured).
    config_name : str
        The ``providers`` section to read.
    **auth_options
        ``tenant_id``, ``client_id``, ``client_secret``, ``certificate_path``, ``authority``.
    """

    languages: ClassVar[tuple[str, ...]] = ("odata",)

    def __init__(
        self,
        *,
        auth: str | None = None,
        settings: Settings | None = None,
        base_url: str | None = None,
        token: Callable[[], str] | None = None,
        verify: bool | str | None = None,
        max_pages: int = 100,
        retries: int = 3,
        config_name: str = "MSGraph",
        **auth_options: Any,
    ):
        super().__init__()
        overrides = {"auth": auth, "base_url": base_url, "verify": verify}
        options = provider_options(settings, config_name, {**overrides, **auth_options})
        self.max_pages = max_pages
        self._setup_api(
            options,
            default_url=GRAPH_URL,
            scope=GRAPH_SCOPE,
            service="Microsoft Graph",
            token=token,
            retries=retries,
        )

    def __repr__(self) -> str:
        state = "connected" if self.connected else "not connected"
        return f"GraphDriver(url={self._http.base_url!r}, auth={self.auth.method!r}, {state})"

    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "odata",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """GET the collection at path *query* with OData options *params*; all pages as one frame.

        Raises
        ------
        ApiError, ApiThrottledError, ApiConnectionError, MalformedResponseError, AzureAuthError
        """
        import pandas as pd

        if language != "odata":
            raise QueryError(f"Microsoft Graph takes a collection path with OData options, not {language!r}.")
        if not query.startswith("/") or "?" in query or "#" in query:
            raise ParameterError(
                f"Give a Graph path such as {ALERTS_PATH!r} and put OData options in params "
                f"(e.g. {{'$filter': ...}}), not {query[:80]!r}."
            )
        options = {str(k): str(v) for k, v in (params or {}).items()}
        records: list[dict[str, Any]] = []
        url: str | None = query
        pages = 0
        while url is not None:
            if pages == self.max_pages:
                warnings.warn(
                    GraphPagingWarning(
                        f"Stopped after {pages} pages ({len(records)} items) of {query}; more remain. "
                        "Narrow the $filter or raise max_pages."
                    ),
                    stacklevel=2,
                )
                break
            page = self._http.request("GET", url, params=options if pages == 0 else None, timeout=timeout)
            values = page.get("value")
            if not isinstance(values, list):
                raise MalformedResponseError(f"Graph page {pages + 1} of {query} has no 'value' list.")
            records.extend(v for v in values if isinstance(v, dict))
            pages += 1
            next_link = page.get("@odata.nextLink")
            url = next_link if isinstance(next_link, str) and next_link else None
        frame = pd.DataFrame.from_records(records)
        for column in frame.columns:
            if column.endswith("DateTime"):
                frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601", errors="coerce")
        return frame

    def alerts(
        self,
        *,
        severity: str | None = None,
        status: str | None = None,
        since: dt.datetime | str | None = None,
        top: int | None = None,
        odata_filter: str | None = None,
    ) -> pd.DataFrame:
        """Return security alerts (``alerts_v2``).

        Parameters
        ----------
        severity, status : str, optional
            E.g. ``"high"``, ``"new"``; matched exactly.
        since : datetime or str, optional
            Only alerts created at or after this time (``"-7d"`` works).
        top : int, optional
            Page size.
        odata_filter : str, optional
            An extra ``$filter`` clause, joined with ``and``.
        """
        from huntbook.data.params import parse_datetime

        clauses = []
        if severity:
            clauses.append(f"severity eq {odata_string(severity)}")
        if status:
            clauses.append(f"status eq {odata_string(status)}")
        if since is not None:
            moment = parse_datetime(since)
            clauses.append(f"createdDateTime ge {moment.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        if odata_filter:
            clauses.append(f"({odata_filter})")
        params: dict[str, str] = {}
        if clauses:
            params["$filter"] = " and ".join(clauses)
        if top:
            params["$top"] = str(int(top))
        return self.execute(ALERTS_PATH, params)


def odata_string(value: str) -> str:
    """An OData string literal: single quotes, inner quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
