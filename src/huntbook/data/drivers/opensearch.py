"""The OpenSearch / Elasticsearch driver: query DSL and SQL through ``opensearch-py``.

::

    qp = QueryProvider("OpenSearch", hosts="https://search.example.com:9200",
                       username="hunter", password=getpass())
    qp.WindowsSecurity.list_host_logons(host_name="DC01")
    qp.exec_query("SELECT Computer, count(*) FROM securityevent GROUP BY Computer",
                  language="opensearch_sql")

**Query DSL** (language ``opensearch``): the body is a JSON (or YAML) object
with the lake ``table`` it reads and the search body (``query``, ``sort``,
``_source``, ``aggs``), plus an optional ``limit`` on the rows returned.
The table becomes the index through ``index_template`` (``"{table}"``,
lower-cased, by default; e.g. ``"logs-{table}-*"``). Parameters are written
``"{{name}}"``. The body is parsed first and each placeholder is replaced
*in the parsed structure*, so a value is always one JSON value and cannot add
clauses: a whole-string placeholder takes the typed value (numbers stay
numbers, datetimes become ISO-8601 text), one inside a longer string is
inserted as text. Inside a ``wildcard`` or ``regexp`` query a value is
escaped so it matches literally (a ``*`` in a value is an asterisk, not
every document); ``query_string`` bodies take no parameters.

Hits are read with the scroll API (``helpers.scan``) in pages of
``page_size``; a body with a ``composite`` aggregation is paged with its
``after_key`` and each bucket becomes one row (keys, ``doc_count`` and each
metric's ``value``).

**SQL** (language ``opensearch_sql``): sent to ``_plugins/_sql`` (JDBC
format), paged with ``fetch_size`` and the returned cursor (closed at the
end); ``params`` fill the query's ``?`` markers in order, as the request's
``parameters``.

Settings (``providers: {OpenSearch: {...}}``): ``hosts``, ``username``,
``password``, ``api_key``, ``verify``, ``ca_certs``, ``index_template``,
``max_rows``, ``page_size``, ``timeout``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import SecretStr

from huntbook.data.drivers._remote import (
    BackendAuthError,
    BackendTimeoutError,
    BackendUnreachableError,
    MalformedResponseError,
    RemoteQueryError,
    ResultTooLargeError,
    frame_from_records,
    pick,
    provider_settings,
    secret,
)
from huntbook.data.drivers.base import Driver
from huntbook.errors import MissingExtraError, ParameterError, QueryError, UnknownTableError

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.config import Settings

BACKEND = "OpenSearch"

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_ESCAPES = {  # what a value must escape to stay literal, by query type
    "wildcard": re.compile(r"([\\*?])"),
    # Lucene's operators, and ^ $ (literal to Lucene, anchors to every other regex dialect)
    "regexp": re.compile(r"([.?+*|{}\[\]()\"\\#@&<>~^$])"),
}
_NO_PARAMETERS = ("query_string", "simple_query_string")
_BODY_KEYS = ("table", "limit", "query", "sort", "_source", "aggs", "aggregations", "track_total_hits")


class OpenSearchQueryError(RemoteQueryError):
    """OpenSearch refused or failed the query (the message carries its reason)."""


def bind_dsl(template: object, params: Mapping[str, Any], *, context: str | None = None) -> Any:
    """Return a copy of a parsed DSL body with every ``{{name}}`` replaced by its value.

    A value is always matched literally: inside a ``wildcard`` query its
    ``*``, ``?`` and ``\\`` are escaped, inside a ``regexp`` query every
    Lucene regular-expression operator is; ``query_string`` and
    ``simple_query_string`` take no parameters (their syntax has characters
    that cannot be escaped, such as ``<`` and ``>``).

    Parameters
    ----------
    template : object
        The parsed body (dicts, lists, strings, numbers).
    params : Mapping
        Typed values by name.
    context : str, optional
        The query type the template sits in (``"wildcard"``, ``"regexp"``).

    Raises
    ------
    ParameterError
        A placeholder names a parameter that has no value.
    QueryError
        A placeholder is inside a ``query_string`` or ``simple_query_string``.
    """
    if isinstance(template, dict):
        bound = {}
        for key, value in template.items():
            inner = key if key in _ESCAPES or key in _NO_PARAMETERS else context
            bound[key] = bind_dsl(value, params, context=inner)
        return bound
    if isinstance(template, list):
        return [bind_dsl(item, params, context=context) for item in template]
    if not isinstance(template, str) or "{{" not in template:
        return template
    if context in _NO_PARAMETERS and _PLACEHOLDER.search(template):
        raise QueryError(
            f"A parameter inside a {context} query would be read as query syntax ({template!r}). "
            "Use a term, terms, prefix, wildcard or match query for values.",
            query=template,
        )
    escape = _ESCAPES.get(context or "")
    whole = _PLACEHOLDER.fullmatch(template.strip())
    if whole:
        value = _json_value(_lookup(params, whole.group(1)))
        return escape.sub(r"\\\1", value) if escape and isinstance(value, str) else value

    def text(match: re.Match[str]) -> str:
        value = _json_value(_lookup(params, match.group(1)))
        value = value if isinstance(value, str) else str(value)
        return escape.sub(r"\\\1", value) if escape else value

    return _PLACEHOLDER.sub(text, template)


def _lookup(params: Mapping[str, Any], name: str) -> object:
    if name not in params:
        raise ParameterError(
            f"The query names {{{{{name}}}}}, but no parameter '{name}' was given "
            f"(given: {', '.join(params) or 'none'}).",
            parameter=name,
        )
    return params[name]


def _json_value(value: object) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.timedelta):
        return f"{int(value.total_seconds() * 1000)}ms"
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


_SQL_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def sql_parameters(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return *params* (in order) as the SQL plugin's ``parameters`` list."""
    result = []
    for name, value in params.items():
        value = _json_value(value)
        kind = _SQL_TYPES.get(type(value))
        if kind is None:
            raise ParameterError(
                f"Parameter '{name}' is a {type(value).__name__}; OpenSearch SQL takes text, "
                "numbers and booleans.",
                parameter=name,
            )
        result.append({"type": kind, "value": value})
    return result


class OpenSearchDriver(Driver):
    """Runs query DSL and SQL on OpenSearch (or Elasticsearch for the DSL).

    Parameters
    ----------
    hosts : str or list of str
        Node URLs, e.g. ``"https://search.example.com:9200"``.
    username, password : str, optional
        Basic authentication.
    api_key : str, optional
        Sent as ``Authorization: ApiKey <key>`` instead of a password.
    verify : bool
        Verify TLS certificates (default ``True``); ``ca_certs`` names a CA bundle.
    index_template : str
        How a lake table becomes an index pattern; ``{table}`` is the
        lower-cased table name.
    max_rows : int
        Most rows a query may return; more is a `ResultTooLargeError`.
    page_size : int
        Hits or SQL rows per request.
    timeout : float
        Seconds per request.
    settings : Settings, optional
        Where ``providers.OpenSearch`` is read for arguments not given (the
        QueryProvider passes its own; huntbook.yaml by default).
    """

    languages: ClassVar[tuple[str, ...]] = ("opensearch", "opensearch_sql")

    def __init__(
        self,
        *,
        hosts: str | list[str] | None = None,
        username: str | None = None,
        password: str | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
        verify: bool | None = None,
        ca_certs: str | None = None,
        index_template: str | None = None,
        max_rows: int | None = None,
        page_size: int | None = None,
        timeout: float | None = None,
        settings: Settings | None = None,
    ):
        super().__init__()
        given = dict(locals())
        conf = provider_settings(BACKEND, settings)
        raw_hosts = pick(given, conf, "hosts", "https://localhost:9200")
        self.hosts: list[str] = [raw_hosts] if isinstance(raw_hosts, str) else list(raw_hosts)
        self.username: str | None = pick(given, conf, "username")
        self._password = secret(pick(given, conf, "password"))
        self._api_key = secret(pick(given, conf, "api_key"))
        self.verify = bool(pick(given, conf, "verify", True))
        self.ca_certs: str | None = pick(given, conf, "ca_certs")
        self.index_template: str = pick(given, conf, "index_template", "{table}")
        self.max_rows = int(pick(given, conf, "max_rows", 1_000_000))
        self.page_size = int(pick(given, conf, "page_size", 5_000))
        self.timeout = float(pick(given, conf, "timeout", 60))
        self._client: Any = None

    def __repr__(self) -> str:
        who = f"user={self.username!r}" if self.username else ("api key" if self._api_key else "no auth")
        state = "connected" if self.connected else "not connected"
        return f"OpenSearchDriver({', '.join(self.hosts)}, {who}, {state})"

    def connect(self) -> None:
        """Create the client and check the credentials with one request."""
        if self._client is not None:
            return
        opensearchpy, _ = _opensearchpy()
        kwargs: dict[str, Any] = {
            "hosts": self.hosts,
            "verify_certs": self.verify,
            "ssl_show_warn": False,
            "timeout": self.timeout,
            "max_retries": 0,
        }
        if self.ca_certs:
            kwargs["ca_certs"] = self.ca_certs
        if self._api_key:
            kwargs["headers"] = {"Authorization": f"ApiKey {self._api_key.get_secret_value()}"}
        elif self.username and self._password:
            kwargs["http_auth"] = (self.username, self._password.get_secret_value())
        client = opensearchpy.OpenSearch(**kwargs)
        self._call(client.info, action="connect")
        self._client = client
        self.connected = True

    def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            self._client.close()
            self._client = None
        super().close()

    def index(self, table: str) -> str:
        """Return the index pattern for a lake *table*."""
        return self.index_template.format(table=table.lower())

    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "opensearch",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """Run a DSL body (``opensearch``) or SQL (``opensearch_sql``) with *params* as values.

        Raises
        ------
        OpenSearchQueryError, UnknownTableError, BackendAuthError,
        BackendUnreachableError, BackendTimeoutError, MalformedResponseError,
        ResultTooLargeError
        """
        if language not in self.languages:
            raise QueryError(
                f"OpenSearch runs {' or '.join(self.languages)}, not {language!r} "
                "(SQL is language='opensearch_sql').",
                query=query,
            )
        self.connect()
        values = dict(params or {})
        seconds = timeout or self.timeout
        if language == "opensearch_sql":
            return frame_from_records(*self._sql(query, values, seconds))
        body = self._parse_body(query)
        bound = bind_dsl(body, values)
        table = bound.pop("table")
        limit = bound.pop("limit", None)
        index = self.index(table)
        rows: Generator[dict[str, Any], None, None]
        aggs = bound.get("aggs") or bound.get("aggregations")
        if aggs:
            rows = self._composite(index, bound, seconds, query)
        else:
            rows = self._hits(index, bound, seconds, query)
        cap = self.max_rows + 1 if limit is None else min(int(limit), self.max_rows + 1)
        collected = []
        try:
            for row in rows:
                collected.append(row)
                if len(collected) >= cap:
                    break
        finally:
            rows.close()  # closes the scroll
        if len(collected) > self.max_rows:
            raise ResultTooLargeError(
                f"the query returns more than max_rows={self.max_rows} rows. Narrow the time "
                "range or filter, aggregate, or raise max_rows.",
                backend=BACKEND,
                query=query,
            )
        return frame_from_records(collected, _columns(bound) or None)

    def _parse_body(self, query: str) -> dict[str, Any]:
        import yaml

        try:
            body = yaml.safe_load(query)
        except yaml.YAMLError as exc:
            raise QueryError(f"The DSL body is not JSON or YAML: {exc}", query=query) from None
        if not isinstance(body, dict) or not isinstance(body.get("table"), str):
            raise QueryError(
                "A DSL body is an object with 'table' (the lake table) and the search body, "
                'e.g. {"table": "SecurityEvent", "query": {"term": {"EventID": 4624}}}.',
                query=query,
            )
        unknown = sorted(set(body) - set(_BODY_KEYS))
        if unknown:
            raise QueryError(
                f"Unknown keys in the DSL body: {', '.join(unknown)}. Allowed: {', '.join(_BODY_KEYS)}.",
                query=query,
            )
        return body

    def _hits(
        self, index: str, body: dict[str, Any], timeout: float, query: str
    ) -> Generator[dict[str, Any], None, None]:
        _, helpers = _opensearchpy()
        if "sort" not in body:
            body = {**body, "sort": ["_doc"]}
        scan = helpers.scan(
            self._client,
            query=body,
            index=index,
            size=self.page_size,
            scroll="2m",
            preserve_order=True,
            request_timeout=timeout,
        )
        try:
            while True:
                hit = self._call(lambda: next(scan, None), action="read the hits", query=query, index=index)
                if hit is None:
                    return
                source = hit.get("_source") if isinstance(hit, dict) else None
                if not isinstance(source, dict):
                    raise MalformedResponseError(
                        "a hit has no _source object; hits.hits[]._source is where documents are.",
                        backend=BACKEND,
                        query=query,
                    )
                yield source
        finally:
            scan.close()  # clears the scroll on the server

    def _composite(
        self, index: str, body: dict[str, Any], timeout: float, query: str
    ) -> Generator[dict[str, Any], None, None]:
        aggs = body.get("aggs") or body.get("aggregations") or {}
        if len(aggs) != 1 or "composite" not in next(iter(aggs.values())):
            raise QueryError(
                "A DSL body with aggregations takes exactly one composite aggregation "
                "(it is paged with after_key); put metrics under it as sub-aggregations.",
                query=query,
            )
        name, spec = next(iter(aggs.items()))
        request = {k: v for k, v in body.items() if k not in ("aggs", "aggregations", "sort", "_source")}
        after: Any = None
        while True:
            composite = dict(spec["composite"], size=min(self.page_size, 10_000))
            if after is not None:
                composite["after"] = after
            page = {**request, "size": 0, "aggs": {name: {**spec, "composite": composite}}}
            response = self._call(
                lambda page=page: self._client.search(index=index, body=page, request_timeout=timeout),
                action="run the aggregation",
                query=query,
                index=index,
            )
            try:
                result = response["aggregations"][name]
                buckets = result["buckets"]
            except (KeyError, TypeError):
                raise MalformedResponseError(
                    f"the answer has no aggregations.{name}.buckets.", backend=BACKEND, query=query
                ) from None
            for bucket in buckets:
                row = dict(bucket.get("key", {}))
                row["doc_count"] = bucket.get("doc_count")
                for metric, value in bucket.items():
                    if isinstance(value, dict) and "value" in value:
                        row[metric] = value.get("value_as_string", value["value"])
                yield row
            after = result.get("after_key")
            if not buckets or after is None:
                return

    def _sql(
        self, query: str, params: Mapping[str, Any], timeout: float
    ) -> tuple[list[dict[str, Any]], list[str]]:
        body: dict[str, Any] = {"query": query, "fetch_size": self.page_size}
        if params:
            body["parameters"] = sql_parameters(params)
        transport = self._client.transport
        response = self._call(
            lambda: transport.perform_request(
                "POST", "/_plugins/_sql", params={"format": "jdbc", "request_timeout": timeout}, body=body
            ),
            action="run the SQL",
            query=query,
        )
        try:
            columns = [str(c.get("alias") or c["name"]) for c in response["schema"]]
        except (KeyError, TypeError, AttributeError):
            raise MalformedResponseError(
                "the SQL answer has no schema[].name (JDBC format).", backend=BACKEND, query=query
            ) from None
        rows: list[dict[str, Any]] = []
        while True:
            datarows = response.get("datarows") if isinstance(response, dict) else None
            if not isinstance(datarows, list):
                raise MalformedResponseError(
                    "the SQL answer has no datarows list.", backend=BACKEND, query=query
                )
            for values in datarows:
                if not isinstance(values, list) or len(values) != len(columns):
                    raise MalformedResponseError(
                        f"a SQL row has {len(values) if isinstance(values, list) else 'no'} values for "
                        f"{len(columns)} columns.",
                        backend=BACKEND,
                        query=query,
                    )
                rows.append(dict(zip(columns, values, strict=True)))
            cursor = response.get("cursor")
            if len(rows) > self.max_rows:
                if cursor:
                    self._close_cursor(cursor)
                raise ResultTooLargeError(
                    f"the SQL returns more than max_rows={self.max_rows} rows. Add a WHERE or "
                    "LIMIT, aggregate, or raise max_rows.",
                    backend=BACKEND,
                    query=query,
                )
            if not cursor:
                return rows, columns
            response = self._call(
                lambda cursor=cursor: transport.perform_request(
                    "POST",
                    "/_plugins/_sql",
                    params={"format": "jdbc", "request_timeout": timeout},
                    body={"cursor": cursor},
                ),
                action="read the next SQL page",
                query=query,
            )

    def _close_cursor(self, cursor: str) -> None:
        self._client.transport.perform_request("POST", "/_plugins/_sql/close", body={"cursor": cursor})

    def _call(self, fn: Any, *, action: str, query: str | None = None, index: str | None = None) -> Any:
        """Run *fn*, translating opensearch-py failures into our errors."""
        opensearchpy, helpers = _opensearchpy()
        exc_mod = opensearchpy.exceptions
        where = ", ".join(self.hosts)
        try:
            return fn()
        except exc_mod.ConnectionTimeout:
            raise BackendTimeoutError(
                f"no answer from {where} within the timeout while trying to {action}. Pass a larger "
                "timeout or narrow the query.",
                backend=BACKEND,
                query=query,
            ) from None
        except exc_mod.SSLError as exc:
            raise BackendUnreachableError(
                f"TLS with {where} failed ({_reason(exc)}). Check the scheme, or pass ca_certs.",
                backend=BACKEND,
            ) from None
        except exc_mod.ConnectionError as exc:
            raise BackendUnreachableError(
                f"cannot reach {where} ({_reason(exc)}). Check the host, port and scheme.", backend=BACKEND
            ) from None
        except (exc_mod.AuthenticationException, exc_mod.AuthorizationException) as exc:
            what = "refused the credentials" if exc.status_code == 401 else "denied access"
            raise BackendAuthError(
                f"{where} {what} ({_reason(exc)}). Check the user, password or API key and its roles.",
                backend=BACKEND,
            ) from None
        except exc_mod.NotFoundError as exc:
            if index is not None and "index_not_found" in str(exc.error):
                raise UnknownTableError(
                    f"{BACKEND}: no index matches '{index}' (index_template={self.index_template!r}).",
                    table=index,
                    query=query,
                ) from None
            raise OpenSearchQueryError(f"not found: {_reason(exc)}", backend=BACKEND, query=query) from None
        except exc_mod.SerializationError as exc:
            raise MalformedResponseError(
                f"the answer to '{action}' is not valid JSON ({str(exc)[:200]}).",
                backend=BACKEND,
                query=query,
            ) from None
        except exc_mod.TransportError as exc:
            status = exc.status_code
            kind = "refused the query" if isinstance(status, int) and status < 500 else "failed"
            raise OpenSearchQueryError(
                f"{where} {kind} (HTTP {status}): {_reason(exc)}", backend=BACKEND, query=query
            ) from None
        except helpers.ScanError as exc:
            raise OpenSearchQueryError(
                f"some shards failed while reading the hits: {exc}", backend=BACKEND, query=query
            ) from None


def _reason(exc: Any) -> str:
    """The server's own reason from an opensearch-py error, without any request detail."""
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            parts = [error.get("type"), error.get("reason"), error.get("details")]
            root = error.get("root_cause")
            if isinstance(root, list) and root and isinstance(root[0], dict) and not error.get("reason"):
                parts.append(root[0].get("reason"))
            return ": ".join(str(p) for p in parts if p)
        if error:
            return str(error)
    if isinstance(info, Exception):
        return type(info).__name__ + (f": {info}" if str(info) else "")
    return str(getattr(exc, "error", exc))


def _columns(body: Mapping[str, Any]) -> list[str]:
    """The ``_source`` field list of a body, when it names one."""
    source = body.get("_source")
    if isinstance(source, list):
        return [str(s) for s in source]
    if isinstance(source, dict) and isinstance(source.get("includes"), list):
        return [str(s) for s in source["includes"]]
    return []


def _opensearchpy() -> tuple[Any, Any]:
    try:
        import opensearchpy
        from opensearchpy import helpers
    except ImportError:
        raise MissingExtraError("opensearch-py", "opensearch", feature="The OpenSearch driver") from None
    return opensearchpy, helpers
