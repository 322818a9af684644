"""A loopback relay between the real ``azure-kusto-data`` client and ``duckdb-kql serve``.

Why it exists: the Kusto REST API documents ``properties`` as a JSON-encoded
*string* whose ``Parameters`` values are KQL literal text
(``"datetime(1970-05-11)"``, ``"dynamic([...])"``, ``"42"``), and that is what
``azure-kusto-data`` sends. ``duckdb-kql serve`` 1.1.2 reads ``properties``
only when it is a JSON object and binds parameters only from typed JSON
values, so it silently drops every parameter the real client sends. The relay
rewrites exactly that one field - decodes the string and turns each literal
into the typed value of its declared type - and passes everything else, both
ways, byte for byte. It never touches the query text.

With ``row_limit`` set it also plays Kusto's result-size limit, which
duckdb-kql never hits: the primary result is cut to that many rows and, as
Kusto does for a request with ``deferpartialqueryfailures``, the failure is
reported as an Error row of QueryCompletionInformation (E_QUERY_RESULT_SET_TOO_LARGE,
the LimitsExceeded partial-query failure) instead of inside the rows.
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb_kql

_WRAPPERS = {"datetime": "datetime(", "timespan": "timespan(", "dynamic": "dynamic(", "real": "real("}


def typed_parameter(text: str, kind: str):
    """The JSON value duckdb-kql binds for a parameter whose KQL literal is *text*."""
    if kind == "string":
        return text
    prefix = _WRAPPERS.get(kind)
    if prefix and text.startswith(prefix) and text.endswith(")"):
        text = text[len(prefix) : -1]
    if kind in ("long", "int"):
        return int(text)
    if kind == "real":
        return float(text)
    if kind == "bool":
        return {"true": True, "false": False}[text]
    return text  # datetime ISO text, timespan d.hh:mm:ss text, dynamic JSON text


def _rewrite(body: bytes) -> bytes:
    request = json.loads(body or b"{}")
    properties = request.get("properties")
    if isinstance(properties, str):
        properties = json.loads(properties)
    if isinstance(properties, dict):
        try:
            declared = {d.name: d.type for d in duckdb_kql.query_parameters(request.get("csl", ""))}
        except duckdb_kql.KqlError:  # a query that does not parse: the server answers why
            declared = {}
        parameters = properties.get("Parameters") or {}
        properties["Parameters"] = {
            name: typed_parameter(value, declared.get(name, "string")) for name, value in parameters.items()
        }
        request["properties"] = properties
    return json.dumps(request).encode()


class KustoRelay(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.row_limit: int | None = None
        self.refuse: tuple[int, dict] | None = None  # answer this (status, OneAPI body) instead
        super().__init__(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: KustoRelay

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    def do_POST(self):
        if self.server.refuse is not None:
            status, error = self.server.refuse
            data = json.dumps(error).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self._forward("POST", _rewrite(self.rfile.read(int(self.headers.get("Content-Length", "0")))))

    def do_GET(self):  # the client asks /v1/rest/auth/metadata before signing in
        self._forward("GET", None)

    def _forward(self, method: str, body: bytes | None):
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "host")}
        upstream.request(method, self.path, body=body, headers=headers)
        reply = upstream.getresponse()
        data = reply.read()
        if self.server.row_limit is not None and reply.status == 200 and self.path.startswith("/v2/"):
            data = _truncate(data, self.server.row_limit)
        self.send_response(reply.status)
        for key, value in reply.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()


def _truncate(data: bytes, limit: int) -> bytes:
    frames = json.loads(data)
    primary = next(f for f in frames if f.get("TableKind") == "PrimaryResult")
    if len(primary["Rows"]) <= limit:
        return data
    primary["Rows"] = primary["Rows"][:limit]
    completion = next(f for f in frames if f.get("TableKind") == "QueryCompletionInformation")
    template = completion["Rows"][0]
    payload = {
        "error": {
            "code": "LimitsExceeded",
            "message": "Request is invalid and cannot be executed.",
            "@type": "Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException",
            "@message": f"Query execution has exceeded the allowed limits (80DA0003): The results of this "
            f"query exceed the set limit of {limit} records (E_QUERY_RESULT_SET_TOO_LARGE).",
        }
    }
    completion["Rows"].append(
        [*template[:5], 2, "Error", -2133196797, "LimitsExceeded", 4, "QueryInfo", json.dumps(payload)]
    )
    return json.dumps(frames).encode()
