"""A real HTTP server on 127.0.0.1 that answers scripted replies and records requests.

Use it to test network enrichment against a service's documented wire format
and against faults::

    def test_something(http_server):
        Reply = http_server.Reply
        http_server.route("/api/v3/ip_addresses/1.2.3.4", Reply(json={"data": ...}))
        http_server.route("/flaky", Reply(429, headers={"Retry-After": "0"}), Reply(json={}))
        url = http_server.url          # "http://127.0.0.1:PORT"
        ...
        assert http_server.requests[0].headers["x-apikey"] == "k"

A route holds a script of replies used in order; the last one repeats. A reply
can be slow (``delay``), cut the connection (``reset=True``) or be any bytes.
``route`` also takes a function ``(Recorded) -> Reply`` for answers that depend
on the request. Unrouted paths get ``fallback`` (404 JSON by default).
``dead_url`` is an address where nothing listens.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    json: Any = None
    body: bytes | str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False
    content_type: str | None = None

    def payload(self) -> tuple[bytes, str]:
        if self.body is not None:
            data = self.body.encode() if isinstance(self.body, str) else self.body
            return data, self.content_type or "text/plain; charset=utf-8"
        if self.json is not None:
            return json.dumps(self.json).encode(), self.content_type or "application/json"
        return b"", self.content_type or "application/json"


@dataclass(frozen=True)
class Recorded:
    """A request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    time: float

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


Script = list[Reply] | Callable[[Recorded], Reply]


class ScriptedServer:
    """The server behind the `http_server` fixture."""

    Reply = Reply

    def __init__(self) -> None:
        self.routes: dict[str, Script] = {}
        self.fallback = Reply(404, json={"error": "not found"})
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                rec = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.monotonic(),
                )
                reply = server._next_reply(rec)
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                if reply.reset:
                    # SO_LINGER 0: close() sends a TCP RST instead of a clean FIN.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                data, ctype = reply.payload()
                self.send_response(reply.status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 - stdlib naming

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, *replies: Reply | Callable[[Recorded], Reply]) -> None:
        """Answer *path* with *replies* in order (the last repeats), or with a function of the request."""
        if len(replies) == 1 and callable(replies[0]):
            self.routes[path] = replies[0]
        else:
            scripted = [r for r in replies if isinstance(r, Reply)]
            if not scripted or len(scripted) != len(replies):
                raise TypeError("route() takes Reply objects, or one function (Recorded) -> Reply")
            self.routes[path] = scripted

    def requests_to(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next_reply(self, rec: Recorded) -> Reply:
        with self._lock:
            self.requests.append(rec)
            script = self.routes.get(rec.path)
            if script is None:
                return self.fallback
            if callable(script):
                return script(rec)
            return script.pop(0) if len(script) > 1 else script[0]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    """A scripted HTTP server on 127.0.0.1 (see the module docstring)."""
    server = ScriptedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dead_url() -> str:
    """An http:// address on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
