"""Local HTTPS servers answering in the documented wire formats of Azure services.

- `tls_files`: a self-signed certificate for 127.0.0.1, made with `cryptography`.
- `HttpsServer`: a threaded HTTPS server whose handler is one Python function.
- `log_analytics_handler`: the Log Analytics query API
  (POST /v1/workspaces/{id}/query, https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format):
  answers by running the query on the local lake with the local driver, so
  results are real; truncates results over a row limit the way the service
  does, with a ``PartialError``; fatal errors are OneAPI error objects.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd

from huntbook.data.drivers.local import LocalDriver


def tls_files(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate and key for 127.0.0.1/localhost; return (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "huntbook test server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    status: int = 200
    body: object = None  # JSON-able, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


class HttpsServer(ThreadingHTTPServer):
    """Serves *handler(request) -> Response* over TLS on a free loopback port."""

    daemon_threads = True

    def __init__(self, handler: Callable[[Request], Response], cert: Path, key: Path):
        self.handler = handler
        self.requests: list[Request] = []
        super().__init__(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> HttpsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: HttpsServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _serve(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        request = Request(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
        self.server.requests.append(request)
        response = self.server.handler(request)
        data = response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
        self.send_response(response.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve  # noqa: N815 - http.server's handler names


def one_api_error(status: int, code: str, message: str, inner: dict | None = None) -> Response:
    error: dict = {"code": code, "message": message}
    if inner:
        error["innererror"] = inner
    return Response(status, {"error": error})


# -- Log Analytics ----------------------------------------------------------------------


def frame_to_table(frame: pd.DataFrame, kinds: list[str]) -> dict:
    """A DataFrame as a Log Analytics result table (dynamic values as JSON text, as the API sends)."""
    columns = [{"name": name, "type": kind} for name, kind in zip(frame.columns, kinds, strict=True)]
    converters = kinds
    rows = []
    for record in frame.itertuples(index=False):
        row = []
        for kind, value in zip(converters, record, strict=True):
            if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
                row.append(None)
            elif kind == "datetime":
                row.append(pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
            elif kind == "timespan":
                row.append(_timespan_text(pd.Timedelta(value)))
            elif kind == "dynamic":
                row.append(value if isinstance(value, str) else json.dumps(value))
            elif hasattr(value, "item"):
                row.append(value.item())
            else:
                row.append(value)
        rows.append(row)
    return {"name": "PrimaryResult", "columns": columns, "rows": rows}


def _timespan_text(value: pd.Timedelta) -> str:
    total = value.to_pytimedelta()
    hours, rest = divmod(total.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours:02}:{minutes:02}:{seconds:02}"
    if total.microseconds:
        text += f".{total.microseconds:06}0"
    return f"{total.days}.{text}" if total.days else text


@dataclass
class LogAnalyticsState:
    """What the test server knows: the lake, the token it accepts, workspace behaviours."""

    local_driver: LocalDriver
    token: str
    row_limits: dict[str, int] = field(default_factory=dict)  # workspace id -> truncate at
    throttle: dict[str, int] = field(default_factory=dict)  # workspace id -> 429s to send first
    malformed: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)


_WORKSPACE_PATH = re.compile(r"^/v1/workspaces/([^/]+)/query$")
_WAIT = re.compile(r"wait=(\d+)")


def log_analytics_handler(state: LogAnalyticsState) -> Callable[[Request], Response]:
    import duckdb_kql
    from duckdb_kql.types import kusto_type

    from huntbook.errors import QueryError, TranslationError, UnknownTableError

    lock = threading.Lock()

    def handle(request: Request) -> Response:
        match = _WORKSPACE_PATH.match(request.path)
        if request.method != "POST" or not match:
            return one_api_error(
                404, "PathNotFoundError", f"The requested path does not exist: {request.path}"
            )
        if request.headers.get("Authorization") != f"Bearer {state.token}":
            return one_api_error(
                401, "InvalidTokenError", "The provided authentication is not valid for this resource"
            )
        workspace = match.group(1)
        if workspace not in state.known:
            return one_api_error(
                404, "WorkspaceNotFoundError", f"The workspace could not be found: {workspace}"
            )
        if state.throttle.get(workspace, 0) > 0:
            state.throttle[workspace] -= 1
            return Response(
                429,
                {"error": {"code": "TooManyRequests", "message": "Too many requests; retry later."}},
                {"Retry-After": "1"},
            )
        if workspace in state.malformed:
            return Response(200, b"<html>proxy error</html>", {"Content-Type": "text/html"})
        body = json.loads(request.body)
        wait = _WAIT.search(request.headers.get("Prefer", ""))
        with lock:  # one DuckDB connection; requests for several workspaces arrive at once
            return _answer(workspace, body["query"], float(wait.group(1)) if wait else None)

    def _answer(workspace: str, query: str, wait: float | None) -> Response:
        try:
            frame = state.local_driver.execute(query, timeout=wait)
        except (TranslationError, UnknownTableError) as exc:
            return one_api_error(
                400,
                "BadArgumentError",
                "The request had some invalid properties",
                {"code": "SemanticError", "message": "A semantic error occurred.",
                 "innererror": {"code": "SEM0100", "message": str(exc)}},
            )  # fmt: skip
        except QueryError as exc:
            if "timeout" in str(exc):
                return one_api_error(504, "GatewayTimeout", "The query exceeded the allowed timeout")
            return one_api_error(400, "BadArgumentError", str(exc))
        # Column types as Kusto names them, from the DuckDB relation (as duckdb-kql serve does).
        relation = duckdb_kql.kql(state.local_driver._con, query)
        kinds = [kusto_type(t) for t in relation.types]
        limit = state.row_limits.get(workspace)
        response: dict = {}
        if limit is not None and len(frame) > limit:
            frame = frame.head(limit)
            response["error"] = {
                "code": "PartialError",
                "message": "There were some errors when processing your query.",
                "details": [
                    {
                        "code": "EngineError",
                        "message": f"Query result set has exceeded the internal record count limit {limit}",
                        "innererror": {"code": "-2133196797", "message": "E_QUERY_RESULT_SET_TOO_LARGE"},
                    }
                ],
            }
        response = {"tables": [frame_to_table(frame, kinds)], **response}
        return Response(200, response)

    return handle


# -- Entra ID authority, Defender advanced hunting, Graph security alerts --------------------------

_NET_TYPES = {"datetime": "DateTime", "string": "String", "long": "Int64", "int": "Int32", "real": "Double",
              "bool": "Boolean", "dynamic": "Object", "timespan": "TimeSpan", "guid": "Guid"}  # fmt: skip


@dataclass
class SecurityApiState:
    """The tenant the test server plays: app credentials, the lake, throttling counters."""

    local_driver: LocalDriver
    tenant: str
    client_id: str
    client_secret: str
    token: str
    page_size: int = 4
    throttle: int = 0  # 429s to send before answering a hunting query
    retry_after: str = "1"
    tokens_issued: int = 0


def _parse_form(body: bytes) -> dict[str, str]:
    from urllib.parse import parse_qs

    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


def security_api_handler(
    state: SecurityApiState, base_url: Callable[[], str]
) -> Callable[[Request], Response]:
    """Entra ID token endpoint (OAuth 2.0 client credentials), Graph runHuntingQuery and
    alerts_v2 (OData paging), and the MDE advancedqueries/run API, in their documented shapes."""
    import duckdb_kql
    from duckdb_kql.types import kusto_type

    from huntbook.errors import QueryError

    lock = threading.Lock()
    tenant_root = f"/{state.tenant}"

    def authority(request: Request) -> Response | None:
        if request.path == f"{tenant_root}/v2.0/.well-known/openid-configuration":
            root = base_url() + tenant_root
            return Response(200, {
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                "issuer": f"{root}/v2.0",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            })  # fmt: skip
        if request.path == f"{tenant_root}/oauth2/v2.0/token" and request.method == "POST":
            form = _parse_form(request.body)
            if form.get("client_id") != state.client_id or form.get("client_secret") != state.client_secret:
                return Response(401, {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret "
                    "being sent in the request is the client secret value, not the client secret ID.",
                    "error_codes": [7000215],
                })  # fmt: skip
            state.tokens_issued += 1
            return Response(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": state.token})  # fmt: skip
        return None

    def hunt(query: str) -> tuple[list[dict], list[dict]]:
        with lock:
            frame = state.local_driver.execute(query)
            kinds = [kusto_type(t) for t in duckdb_kql.kql(state.local_driver._con, query).types]
        table = frame_to_table(frame, kinds)
        schema = [{"name": c["name"], "type": _NET_TYPES.get(c["type"], "String")} for c in table["columns"]]
        results = [dict(zip(frame.columns, row, strict=True)) for row in table["rows"]]
        return schema, results

    def alerts(request: Request) -> Response:
        from urllib.parse import parse_qs, urlencode, urlsplit

        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        with lock:
            frame = state.local_driver.execute(
                "SecurityAlert | sort by TimeGenerated desc, SystemAlertId asc"
            )
        records = [
            {
                "id": row.SystemAlertId, "providerAlertId": row.SystemAlertId, "title": row.AlertName,
                "severity": row.AlertSeverity.lower(), "status": row.Status.lower(),
                "description": row.Description, "serviceSource": row.ProductName, "category": row.Tactics,
                "createdDateTime": row.TimeGenerated.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "firstActivityDateTime": row.StartTime.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "lastActivityDateTime": row.EndTime.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "mitreTechniques": json.loads(row.Techniques), "evidence": json.loads(row.Entities),
            }
            for row in frame.itertuples()
        ]  # fmt: skip
        for clause in filter(None, query.get("$filter", "").split(" and ")):
            field_name, op, value = clause.split(" ", 2)
            if op == "eq":
                records = [r for r in records if r[field_name] == value.strip("'").replace("''", "'")]
            elif op == "ge":
                records = [r for r in records if r[field_name] >= value]
            else:
                return one_api_error(400, "BadRequest", f"Invalid filter clause: {clause}")
        top = int(query.get("$top", state.page_size))
        skip = int(query.get("$skiptoken", 0))
        page: dict = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2",
                      "value": records[skip : skip + top]}  # fmt: skip
        if skip + top < len(records):
            rest = {k: v for k, v in query.items() if k != "$skiptoken"} | {
                "$top": top,
                "$skiptoken": skip + top,
            }
            page["@odata.nextLink"] = f"{base_url()}/v1.0/security/alerts_v2?{urlencode(rest)}"
        return Response(200, page)

    def handle(request: Request) -> Response:
        answer = authority(request)
        if answer is not None:
            return answer
        if request.headers.get("Authorization") != f"Bearer {state.token}":
            return one_api_error(401, "InvalidAuthenticationToken", "Access token validation failure.")
        path = request.path.split("?")[0]
        if path in ("/v1.0/security/runHuntingQuery", "/api/advancedqueries/run"):
            if state.throttle > 0:
                state.throttle -= 1
                return Response(429, {"error": {"code": "TooManyRequests",
                                                "message": "Rate limit is exceeded. Try again later."}},
                                {"Retry-After": state.retry_after})  # fmt: skip
            try:
                schema, results = hunt(json.loads(request.body)["Query"])
            except QueryError as exc:
                return one_api_error(400, "BadRequest", f"Query could not be parsed: {exc}")
            if path.startswith("/api/"):  # MDE spells its answer with capitals
                schema = [{"Name": c["name"], "Type": c["type"]} for c in schema]
                return Response(200, {"Stats": {"ExecutionTime": 0.1}, "Schema": schema, "Results": results})
            return Response(200, {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
                "schema": schema, "results": results,
            })  # fmt: skip
        if path == "/v1.0/security/alerts_v2" and request.method == "GET":
            return alerts(request)
        return one_api_error(404, "ResourceNotFound", f"Resource not found for the segment '{path}'.")

    return handle
