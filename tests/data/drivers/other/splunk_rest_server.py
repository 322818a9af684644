"""A local server speaking the Splunk REST API over the demo lake, for the driver tests.

It answers the two endpoints splunklib's `connect` and `jobs.export` call,
in Splunk's documented wire formats:

- ``POST /services/auth/login`` (form ``username``, ``password``) ->
  ``<response><sessionKey>...</sessionKey></response>``, or 401 with
  ``<response><messages><msg type="WARN">Login failed</msg></messages></response>``.
- ``GET /services/server/info`` -> the Atom feed with the version (9.4.0),
  which splunklib reads to choose the v2 search endpoints.
- ``POST /services/search/v2/jobs/export`` (also under ``/servicesNS/<owner>/<app>/``)
  with ``output_mode=json`` -> one JSON object per line,
  ``{"preview": false, "offset": n, "result": {...}}``, the last with
  ``"lastrow": true``; every value is text, as Splunk sends it. A search that
  does not parse is a 400 with ``{"messages": [{"type": "FATAL", "text": ...}]}``.

Searches run for real on the demo lake, through a small SPL evaluator that
follows what Splunk documents:

- the ``search`` command: ``field=value`` terms matched without case, where an
  asterisk is always a wildcard (a backslash cannot escape it) and ``?`` is
  literal; ``!=``, ``IN (...)``, ``AND``/``OR``/``NOT``, brackets,
  ``sourcetype=<table>``; bounded by ``earliest_time``/``latest_time`` on
  ``TimeGenerated``;
- ``where <eval-expression>``: string literals in double quotes (``\\`` and
  ``\"`` escaped, other backslashes kept), ``'field'`` names, ``==``/``=``/``!=``
  (case-sensitive; numeric when both sides are numbers), ``<`` ``>`` ``<=``
  ``>=``, ``.`` concatenation, ``+``/``-``, ``AND``/``OR``/``NOT``, and
  ``lower``, ``upper``, ``len``, ``substr`` (1-based, negative from the end),
  ``match`` (a regular expression found anywhere), ``like`` (``%`` and ``_``,
  no escape), ``isnull``, ``isnotnull``; a null operand makes a comparison
  false;
- then ``table``/``fields``, ``rename``, ``fillnull``, ``stats``, ``sort`` and ``head``.

A subsearch (``[`` outside quotes) or a macro (a backtick outside quotes) is
refused: Splunk would run it, this server cannot, so a value that leaks one
fails loudly instead of being read as text. It is not Splunk; it is enough SPL
to check that the driver's searches, values and escaping arrive and mean what
they should.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import spl_where

TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\(|\)|,|!=|<=|>=|=|<|>|\||[^\s()=,!<>"|]+')


SERVER_INFO = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <title>server-info</title>
  <id>https://localhost:8089/services/server/info</id>
  <updated>2026-11-29T00:00:00+00:00</updated>
  <generator build="8fb2a6c586a5" version="9.4.0"/>
  <author><name>Splunk</name></author>
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:itemsPerPage>30</opensearch:itemsPerPage>
  <opensearch:startIndex>0</opensearch:startIndex>
  <entry>
    <title>server-info</title>
    <id>https://localhost:8089/services/server/info/server-info</id>
    <updated>2026-11-29T00:00:00+00:00</updated>
    <author><name>system</name></author>
    <content type="text/xml">
      <s:dict>
        <s:key name="build">8fb2a6c586a5</s:key>
        <s:key name="product_type">enterprise</s:key>
        <s:key name="serverName">huntbook-test</s:key>
        <s:key name="version">9.4.0</s:key>
      </s:dict>
    </content>
  </entry>
</feed>
"""


class SplError(Exception):
    """The search does not parse (becomes a FATAL message)."""


def split_stages(spl: str) -> list[str]:
    """The search's commands: split on ``|`` outside double quotes."""
    stages, current, quoted, escaped = [], [], False, False
    for char in spl:
        if quoted:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char == "|":
            stages.append("".join(current))
            current = []
            continue
        elif char == "[":
            raise SplError("This server does not run subsearches ([ ... ] outside quotes).")
        elif char == "`":
            raise SplError("This server does not expand macros (`...` outside quotes).")
        current.append(char)
    if quoted:
        raise SplError("Unbalanced quotes.")
    stages.append("".join(current))
    return stages


def tokenize(text: str) -> list[str]:
    tokens, at = [], 0
    for match in TOKEN_RE.finditer(text):
        if text[at : match.start()].strip():
            raise SplError("Unbalanced quotes.")
        tokens.append(match.group(0))
        at = match.end()
    if text[at:].strip():
        raise SplError("Unbalanced quotes.")
    return tokens


def unquote(token: str) -> str:
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return token


class Search:
    """Parses the ``search`` command's terms into a row mask."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.pos = 0
        self.terms: list[tuple[str, str, str]] = []  # (field, op, value) as parsed

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise SplError("Unexpected end of search.")
        self.pos += 1
        return token

    def parse(self):
        node = self.or_expr()
        if self.peek() is not None:
            raise SplError(f"Unexpected {self.peek()!r}.")
        return node

    def or_expr(self):
        nodes = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            nodes.append(self.and_expr())
        return ("or", nodes) if len(nodes) > 1 else nodes[0]

    def and_expr(self):
        nodes = [self.not_expr()]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.take()
            nodes.append(self.not_expr())
        return ("and", nodes) if len(nodes) > 1 else nodes[0]

    def not_expr(self):
        if self.peek() == "NOT":
            self.take()
            return ("not", self.not_expr())
        return self.atom()

    def atom(self):
        token = self.take()
        if token == "(":
            node = self.or_expr()
            if self.take() != ")":
                raise SplError("Missing ).")
            return node
        field = token
        op = self.take()
        if op == "IN":
            if self.take() != "(":
                raise SplError("IN needs (.")
            values = [unquote(self.take())]
            while self.peek() == ",":
                self.take()
                values.append(unquote(self.take()))
            if self.take() != ")":
                raise SplError("Missing ) after IN.")
            for value in values:
                self.terms.append((field, "=", value))
            return ("or", [("term", field, "=", v) for v in values])
        if op not in ("=", "!=", "<", ">", "<=", ">="):
            raise SplError(f"Expected a comparison after {field!r}, got {op!r}.")
        value = unquote(self.take())
        self.terms.append((field, op, value))
        return ("term", field, op, value)


def wildcard(value: str) -> str:
    return ".*".join(re.escape(p) for p in value.split("*"))


def as_text(series: pd.Series) -> pd.Series:
    """Values as Splunk sends them: text, times in ISO-8601, missing as NA."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00").astype("string")
    if series.dtype == object:
        series = series.map(lambda v: v if v is None or isinstance(v, str) else json.dumps(v, default=str))
    return series.astype("string")


def evaluate(node, frame: pd.DataFrame) -> pd.Series:
    kind = node[0]
    if kind == "and":
        mask = pd.Series(True, index=frame.index)
        for child in node[1]:
            mask &= evaluate(child, frame)
        return mask
    if kind == "or":
        mask = pd.Series(False, index=frame.index)
        for child in node[1]:
            mask |= evaluate(child, frame)
        return mask
    if kind == "not":
        return ~evaluate(node[1], frame)
    _, field, op, value = node
    if field == "sourcetype":
        return pd.Series(True, index=frame.index)
    if field not in frame.columns:
        return pd.Series(op == "!=", index=frame.index)
    column = frame[field]
    if op in ("=", "!="):
        text = as_text(column)
        matched = (
            text.str.fullmatch(wildcard(value), flags=re.IGNORECASE | re.DOTALL).fillna(False).astype(bool)
        )
        return matched if op == "=" else (~matched & text.notna())
    number = pd.to_numeric(column, errors="coerce")
    bound = float(value)
    return {"<": number < bound, ">": number > bound, "<=": number <= bound, ">=": number >= bound}[
        op
    ].fillna(False)


def source_table(node) -> str:
    if node[0] == "term" and node[1] == "sourcetype" and node[2] == "=":
        return node[3]
    if node[0] == "and":
        for child in node[1]:
            if child[0] == "term" and child[1] == "sourcetype":
                return child[3]
    raise SplError("This server needs sourcetype=<table> in the base search.")


def fields_of(tokens: list[str]) -> list[str]:
    return [unquote(t) for t in tokens if t != ","]


def run_stats(frame: pd.DataFrame, tokens: list[str]) -> pd.DataFrame:
    by: list[str] = []
    if "by" in tokens:
        at = tokens.index("by")
        by = fields_of(tokens[at + 1 :])
        tokens = tokens[:at]
    aggs: list[tuple[str, str | None, str]] = []
    i = 0
    while i < len(tokens):
        func = tokens[i]
        field = None
        if i + 1 < len(tokens) and tokens[i + 1] == "(":
            field = tokens[i + 2]
            i += 4
        else:
            i += 1
        name = f"{func}({field})" if field else func
        if i < len(tokens) and tokens[i].lower() == "as":
            name = unquote(tokens[i + 1])
            i += 2
        if i < len(tokens) and tokens[i] == ",":
            i += 1
        aggs.append((func, field, name))
    groups = frame.groupby(by, dropna=True, sort=True) if by else [((), frame)]
    rows = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key, strict=True))
        for func, field, name in aggs:
            if func == "count":
                row[name] = len(part) if field is None else int(part[field].notna().sum())
            elif func == "dc":
                row[name] = part[field].nunique()
            elif func in ("sum", "min", "max", "avg"):
                values = part[field].dropna()
                row[name] = getattr(values, "mean" if func == "avg" else func)() if len(values) else None
            else:
                raise SplError(f"Unknown stats function {func!r}.")
        rows.append(row)
    return pd.DataFrame(rows, columns=[*by, *(a[2] for a in aggs)])


def run_sort(frame: pd.DataFrame, tokens: list[str]) -> pd.DataFrame:
    if tokens and tokens[0].isdigit():
        tokens = tokens[1:]
    keys, ascending = [], []
    sign = "+"
    for token in fields_of(tokens):
        if token in "+-":
            sign = token
            continue
        if token.startswith(("+", "-")):
            sign, token = token[0], token[1:]
        keys.append(token)
        ascending.append(sign == "+")
        sign = "+"
    return frame.sort_values(keys, ascending=ascending, kind="stable", na_position="last")


class SplunkLake:
    """Runs the SPL subset on the demo lake's tables."""

    def __init__(self, lake):
        self.lake = lake
        self.tables: dict[str, pd.DataFrame] = {}
        self.last_terms: list[tuple[str, str, str]] = []
        self.last_literals: list[str] = []  # string literals of the last search's where commands
        self.last_commands: list[str] = []
        self.searches: list[str] = []

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            if name not in self.lake.tables():
                raise SplError(f"No sourcetype {name!r} in this lake.")
            self.tables[name] = pd.concat(
                [pd.read_parquet(p) for p in self.lake.files(name)], ignore_index=True
            )
        return self.tables[name]

    def run(self, spl: str, earliest: str | None, latest: str | None) -> list[dict]:
        self.searches.append(spl)
        stages = split_stages(spl)
        first = tokenize(stages[0])
        if not first or first[0] != "search":
            raise SplError("This server runs searches that start with the search command.")
        parser = Search(first[1:])
        tree = parser.parse()
        self.last_terms = parser.terms
        self.last_literals = []
        self.last_commands = ["search"]
        frame = self.table(source_table(tree))
        times = frame["TimeGenerated"]
        window = pd.Series(True, index=frame.index)
        if earliest:
            window &= times >= pd.Timestamp(float(earliest), unit="s", tz="UTC")
        if latest:
            window &= times < pd.Timestamp(float(latest), unit="s", tz="UTC")
        frame = frame[window]
        frame = frame[evaluate(tree, frame)]
        frame = frame.assign(_time=frame["TimeGenerated"])
        for text in stages[1:]:
            command, _, rest = text.strip().partition(" ")
            self.last_commands.append(command)
            if command == "where":
                try:
                    where = spl_where.Parser(rest)
                    node = where.parse()
                    self.last_literals.extend(where.literals)
                    rows = pd.DataFrame({c: as_text(frame[c]) for c in frame.columns}).astype(object)
                    records = rows.where(rows.notna(), None).to_dict("records")
                    frame = frame[spl_where.keep(node, records)]
                except spl_where.WhereError as exc:
                    raise SplError(f"Error in 'where' command: {exc}") from None
                continue
            stage = tokenize(text)
            command, args = stage[0], stage[1:]
            if command in ("table", "fields"):
                frame = frame[[c for c in fields_of(args) if c in frame.columns]]
            elif command == "rename":
                names = fields_of(args)
                frame = frame.rename(columns={names[i]: names[i + 2] for i in range(0, len(names), 3)})
            elif command == "stats":
                frame = run_stats(frame, args)
            elif command == "sort":
                frame = run_sort(frame, args)
            elif command == "fillnull":
                value, names = ("0", fields_of(args))
                if args[:2] == ["value", "="]:
                    value, names = unquote(args[2]), fields_of(args[3:])
                frame = frame.assign(
                    **{c: frame[c].astype(object).where(frame[c].notna(), value) for c in names}
                )
            elif command == "head":
                frame = frame.head(int(args[0]) if args else 10)
            else:
                raise SplError(f"Unknown search command '{command}'.")
        text = pd.DataFrame({c: as_text(frame[c]) for c in frame.columns}).astype(object)
        return [{k: v for k, v in row.items() if v is not pd.NA} for row in text.to_dict("records")]


class SplunkServer:
    """The HTTP server; ``mode`` switches on failures for the reliability tests."""

    USERNAME = "hunter"

    def __init__(self, lake, password: str, token: str):
        self.engine = SplunkLake(lake)
        self.password = password
        self.token = token
        self.session = "sess-" + "9f" * 8
        self.mode = "ok"
        self.requests: list[tuple[str, str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                server.requests.append((self.command, self.path, form))
                server.handle(self, form)

            do_GET = do_POST  # noqa: N815 - http.server's handler names

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def reply(self, handler, status: int, body: str, content_type: str):
        data = body.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def handle(self, handler, form: dict):
        path = urllib.parse.urlparse(handler.path).path
        if path.endswith("/auth/login"):
            if form.get("username") == self.USERNAME and form.get("password") == self.password:
                body = f"<response>\n  <sessionKey>{self.session}</sessionKey>\n</response>\n"
                if self.mode == "bad_login_xml":
                    body = "<response><sessionKey>"
                return self.reply(handler, 200, body, "text/xml")
            body = (
                '<response>\n  <messages>\n    <msg type="WARN">Login failed</msg>\n'
                "  </messages>\n</response>\n"
            )
            return self.reply(handler, 401, body, "text/xml")
        auth = handler.headers.get("Authorization", "")
        if auth not in (f"Splunk {self.session}", f"Bearer {self.token}"):
            body = {"messages": [{"type": "WARN", "text": "call not properly authenticated"}]}
            return self.reply(handler, 401, json.dumps(body), "application/json")
        if path == "/services/server/info":
            return self.reply(handler, 200, SERVER_INFO, "text/xml")
        if not re.fullmatch(r"/services(NS/[^/]+/[^/]+)?/search/(v2/)?jobs/export", path):
            return self.reply(
                handler,
                404,
                json.dumps({"messages": [{"type": "ERROR", "text": "Not Found"}]}),
                "application/json",
            )
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "error500":
            body = {"messages": [{"type": "ERROR", "text": "Search head is restarting"}]}
            return self.reply(handler, 503, json.dumps(body), "application/json")
        if self.mode == "garbage":
            return self.reply(handler, 200, '{"preview":false,"offset":0,"result":{"a":', "application/json")
        if form.get("output_mode") != "json":
            return self.reply(
                handler,
                400,
                "<response><messages><msg type='FATAL'>json only</msg></messages></response>",
                "text/xml",
            )
        try:
            rows = self.engine.run(form["search"], form.get("earliest_time"), form.get("latest_time"))
        except SplError as exc:
            body = {"messages": [{"type": "FATAL", "text": f"Error in 'search' command: {exc}"}]}
            return self.reply(handler, 400, json.dumps(body), "application/json")
        lines = []
        for offset, row in enumerate(rows):
            item = {"preview": False, "offset": offset}
            if offset == len(rows) - 1:
                item["lastrow"] = True
            item["result"] = row
            lines.append(json.dumps(item))
        if not rows:
            lines.append(
                json.dumps({"preview": False, "init_offset": 0, "messages": [], "fields": [], "results": []})
            )
        if self.mode == "fatal_message":
            lines = [
                json.dumps(
                    {"preview": False, "messages": [{"type": "FATAL", "text": "Unknown search command 'x'."}]}
                )
            ]
        return self.reply(handler, 200, "\n".join(lines) + "\n", "application/json")
