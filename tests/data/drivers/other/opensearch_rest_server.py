"""A local server speaking the OpenSearch REST API over the demo lake, for the driver tests.

Endpoints and shapes, as documented by OpenSearch:

- ``GET /`` -> cluster info (``version.distribution: opensearch``).
- ``POST /<index>/_search[?scroll=2m]`` -> ``{"_scroll_id", "took", "timed_out",
  "_shards": {...}, "hits": {"total": {"value", "relation"}, "hits": [{"_index",
  "_id", "_score", "_source", "sort"}]}}``; with ``size: 0`` and a ``composite``
  aggregation -> ``aggregations.<name>.{after_key, buckets[{key, doc_count, <metric>: {value}}]}``.
- ``POST /_search/scroll`` (``scroll_id``) -> the next page; ``DELETE /_search/scroll``.
- ``POST /_plugins/_sql`` -> JDBC format ``{"schema", "datarows", "total", "size",
  "status", "cursor"?}``; ``{"cursor": ...}`` -> the next page; ``/_plugins/_sql/close``.
- Errors: ``{"error": {"root_cause": [...], "type", "reason"}, "status"}`` with
  401 (security_exception), 404 (index_not_found_exception), 400 (parsing_exception).

Indices are the demo lake's tables, lower-cased. The query DSL is evaluated on
the rows for real (bool, term, terms, range, prefix, wildcard, match_all,
exists; sort; _source; composite with terms sources and value_count, sum,
min, max, cardinality); SQL runs in DuckDB over the same Parquet files, with
the request's ``parameters`` bound to its ``?`` markers.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pandas as pd


class DslError(Exception):
    def __init__(self, status: int, kind: str, reason: str):
        super().__init__(reason)
        self.status, self.kind, self.reason = status, kind, reason


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string")


def _scalar(frame: pd.DataFrame, field: str, value):
    column = frame[field]
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column, pd.Timestamp(value).tz_convert("UTC") if pd.Timestamp(value).tzinfo else pd.Timestamp(
            value, tz="UTC"
        )
    if pd.api.types.is_numeric_dtype(column) and not isinstance(value, str | bool):
        return column, value
    return _text(column), str(value)


def _spec(body, key="value"):
    return (body.get(key), body.get("case_insensitive", False)) if isinstance(body, dict) else (body, False)


def evaluate(query: dict, frame: pd.DataFrame) -> pd.Series:
    if len(query) != 1:
        raise DslError(
            400, "parsing_exception", f"[query] malformed, expected one query type, got {list(query)}"
        )
    kind, body = next(iter(query.items()))
    true = pd.Series(True, index=frame.index)
    if kind == "match_all":
        return true
    if kind == "bool":
        mask = true.copy()
        for clause in ("filter", "must"):
            for child in _as_list(body.get(clause)):
                mask &= evaluate(child, frame)
        for child in _as_list(body.get("must_not")):
            mask &= ~evaluate(child, frame)
        should = _as_list(body.get("should"))
        if should:
            need = int(body.get("minimum_should_match", 0 if body.get("filter") or body.get("must") else 1))
            hits = sum(evaluate(child, frame).astype(int) for child in should)
            mask &= hits >= need
        return mask
    if kind not in ("term", "terms", "range", "prefix", "wildcard", "exists"):
        raise DslError(400, "parsing_exception", f"unknown query [{kind}]")
    if kind == "exists":
        field = body["field"]
        return frame[field].notna() if field in frame else ~true
    ((field, spec),) = body.items()
    if field not in frame.columns:
        return ~true
    if kind == "terms":
        column, _ = _scalar(frame, field, spec[0] if spec else "")
        values = [_scalar(frame, field, v)[1] for v in spec]
        return column.isin(values).fillna(False).astype(bool)
    if kind == "range":
        mask = true.copy()
        for op, bound in spec.items():
            column, value = _scalar(frame, field, bound)
            mask &= (
                {"gte": column >= value, "gt": column > value, "lte": column <= value, "lt": column < value}[
                    op
                ]
                .fillna(False)
                .astype(bool)
            )
        return mask
    value, insensitive = _spec(spec)
    column, value = _scalar(frame, field, value)
    flags = re.IGNORECASE if insensitive else 0
    if kind == "term":
        if isinstance(value, str):
            return column.str.fullmatch(re.escape(value), flags=flags).fillna(False).astype(bool)
        return (column == value).fillna(False).astype(bool)
    if kind == "prefix":
        return column.str.match(re.escape(value), flags=flags).fillna(False).astype(bool)
    pattern = "".join(
        re.escape(part[1])
        if part.startswith("\\")
        else ".*"
        if part == "*"
        else "."
        if part == "?"
        else re.escape(part)
        for part in re.findall(r"\\.|\*|\?|[^\\*?]+", value)
    )
    return column.str.fullmatch(pattern, flags=flags | re.DOTALL).fillna(False).astype(bool)


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _json_value(value):
    if isinstance(value, list | dict) or (hasattr(value, "tolist") and getattr(value, "ndim", 0)):
        return value.tolist() if hasattr(value, "tolist") else value
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat().replace("+00:00", "Z")
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


class Hits:
    """Matching rows, turned into hits only when a page of them is sent."""

    def __init__(self, index: str, frame: pd.DataFrame):
        self.index, self.frame = index, frame

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, part: slice) -> list[dict] | Hits:
        page = self.frame.iloc[part]
        return Hits(self.index, page)

    def hits(self) -> list[dict]:
        result = []
        for position, (row_id, row) in enumerate(
            zip(self.frame.index, self.frame.to_dict("records"), strict=True)
        ):
            doc = {k: v for k, v in ((k, _json_value(v)) for k, v in row.items()) if v is not None}
            result.append(
                {"_index": self.index, "_id": str(row_id), "_score": None, "_source": doc, "sort": [position]}
            )
        return result


class OpenSearchLake:
    def __init__(self, lake):
        self.lake = lake
        self.tables: dict[str, pd.DataFrame] = {}
        self.names = {t.lower(): t for t in lake.tables()}
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        for index, table in self.names.items():
            files = ", ".join("'" + str(f) + "'" for f in lake.files(table))
            self.con.execute(
                f'CREATE VIEW "{index}" AS SELECT * FROM read_parquet([{files}], union_by_name = true)'
            )

    def frame(self, index: str) -> pd.DataFrame:
        if index not in self.names:
            raise DslError(404, "index_not_found_exception", f"no such index [{index}]")
        if index not in self.tables:
            table = self.names[index]
            self.tables[index] = pd.concat(
                [pd.read_parquet(p) for p in self.lake.files(table)], ignore_index=True
            )
        return self.tables[index]

    def search(self, index: str, body: dict) -> tuple[list[dict], dict | None]:
        frame = self.frame(index)
        frame = frame[evaluate(body.get("query", {"match_all": {}}), frame)]
        if body.get("aggs") or body.get("aggregations"):
            return [], self.aggregate(frame, body.get("aggs") or body.get("aggregations"))
        keys, ascending = [], []
        for item in _as_list(body.get("sort")):
            if item == "_doc":
                continue
            field, order = (item, "asc") if isinstance(item, str) else next(iter(item.items()))
            order = order.get("order", "asc") if isinstance(order, dict) else order
            keys.append(field)
            ascending.append(order == "asc")
        if keys:
            frame = frame.sort_values(keys, ascending=ascending, kind="stable")
        source = body.get("_source")
        if isinstance(source, list):
            frame = frame[[c for c in source if c in frame.columns]]
        return Hits(index, frame), None

    def aggregate(self, frame: pd.DataFrame, aggs: dict) -> dict:
        ((name, spec),) = aggs.items()
        composite = spec["composite"]
        fields = []
        for source in composite["sources"]:
            ((key, terms),) = source.items()
            fields.append((key, terms["terms"]["field"], terms["terms"].get("missing_bucket", False)))
        keyed = frame.assign(**{k: frame[f] for k, f, _ in fields})
        groups = keyed.groupby([k for k, _, _ in fields], dropna=False, sort=True)
        buckets = []
        for key, part in groups:
            key = key if isinstance(key, tuple) else (key,)
            if any(pd.isna(v) and not missing for v, (_, _, missing) in zip(key, fields, strict=True)):
                continue
            bucket = {
                "key": {k: _json_value(v) for (k, _, _), v in zip(fields, key, strict=True)},
                "doc_count": len(part),
            }
            for metric, body in spec.get("aggs", {}).items():
                ((func, args),) = body.items()
                values = part[args["field"]].dropna()
                if func == "value_count":
                    bucket[metric] = {"value": len(values)}
                elif func == "cardinality":
                    bucket[metric] = {"value": int(values.nunique())}
                elif func in ("sum", "min", "max"):
                    result = getattr(values, func)() if len(values) else None
                    if isinstance(result, pd.Timestamp):
                        bucket[metric] = {
                            "value": result.timestamp() * 1000,
                            "value_as_string": _json_value(result),
                        }
                    else:
                        bucket[metric] = {"value": _json_value(result)}
                else:
                    raise DslError(400, "parsing_exception", f"unknown aggregation type [{func}]")
            buckets.append(bucket)
        after = composite.get("after")
        if after is not None:
            order = [tuple(b["key"].values()) for b in buckets]
            start = order.index(tuple(after.values())) + 1
            buckets = buckets[start:]
        page = buckets[: composite.get("size", 10)]
        result = {"buckets": page}
        if page:
            result["after_key"] = page[-1]["key"]
        return {name: result}

    def sql(self, query: str, parameters: list[dict]) -> tuple[list[dict], list[list]]:
        try:
            cursor = self.con.execute(query, [p["value"] for p in parameters])
        except duckdb.Error as exc:
            raise DslError(400, "SemanticAnalysisException", str(exc).splitlines()[0]) from None
        schema = [{"name": d[0], "type": _sql_type(str(d[1]))} for d in cursor.description]
        rows = []
        for row in cursor.fetchall():
            rows.append([v.strftime("%Y-%m-%d %H:%M:%S.%f") if hasattr(v, "strftime") else v for v in row])
        return schema, rows


def _sql_type(duck: str) -> str:
    duck = duck.upper()
    if "TIMESTAMP" in duck:
        return "timestamp"
    if duck in ("BIGINT", "HUGEINT"):
        return "long"
    if "INT" in duck:
        return "integer"
    if duck in ("DOUBLE", "FLOAT") or "DECIMAL" in duck:
        return "double"
    if duck == "BOOLEAN":
        return "boolean"
    return "keyword"


class OpenSearchServer:
    """The HTTP server; ``mode`` switches on failures for the reliability tests."""

    USERNAME = "hunter"

    def __init__(self, lake, password: str):
        self.engine = OpenSearchLake(lake)
        self.password = password
        self.mode = "ok"
        self.requests: list[tuple[str, str, dict | None]] = []
        self.scrolls: dict[str, list[dict]] = {}
        self.cursors: dict[str, list[list]] = {}
        self.cleared: list[str] = []
        self.page_sizes: dict[str, int] = {}
        self.ids = itertools.count()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                server.requests.append((self.command, self.path, body))
                try:
                    status, payload = server.route(self, body)
                except DslError as exc:
                    status = exc.status
                    error = {"type": exc.kind, "reason": exc.reason}
                    payload = {"error": {"root_cause": [error], **error}, "status": exc.status}
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = handle_any  # noqa: N815 - http.server's names

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, handler, body):
        auth = handler.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{self.USERNAME}:{self.password}".encode()).decode()
        if auth != expected:
            raise DslError(401, "security_exception", "Authentication finally failed")
        url = urllib.parse.urlparse(handler.path)
        path, query = url.path, dict(urllib.parse.parse_qsl(url.query))
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "error500" and path != "/":
            raise DslError(
                503, "cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]"
            )
        if self.mode == "garbage" and path != "/":
            return 200, b'{"hits": {"hits": [ {"_source": '
        if path == "/":
            return 200, {
                "name": "node-1", "cluster_name": "huntbook-test", "cluster_uuid": "test",
                "version": {"distribution": "opensearch", "number": "2.17.0", "lucene_version": "9.11.1"},
                "tagline": "The OpenSearch Project: https://opensearch.org/",
            }  # fmt: skip
        if path == "/_search/scroll":
            if handler.command == "DELETE":
                ids = body.get("scroll_id", [])
                ids = ids if isinstance(ids, list) else [ids]
                self.cleared.extend(ids)
                for sid in ids:
                    self.scrolls.pop(sid, None)
                return 200, {"succeeded": True, "num_freed": len(ids)}
            sid = body["scroll_id"]
            if sid not in self.scrolls:
                raise DslError(
                    404, "search_context_missing_exception", f"No search context found for id [{sid}]"
                )
            return 200, self._page(sid, None)
        match = re.fullmatch(r"/([^/]+)/_search", path)
        if match:
            index = urllib.parse.unquote(match.group(1))
            hits, aggregations = self.engine.search(index, body or {})
            if aggregations is not None:
                return 200, {
                    **self._envelope(),
                    "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []},
                    "aggregations": aggregations,
                }
            size = int((body or {}).get("size", query.get("size", 10)))
            if "scroll" in query:
                sid = f"scroll-{next(self.ids)}"
                self.scrolls[sid] = hits
                return 200, self._page(sid, size)
            return 200, {**self._envelope(), "hits": self._hits(hits[:size], len(hits))}
        if path == "/_plugins/_sql/close":
            self.cursors.pop(body["cursor"], None)
            self.cleared.append(body["cursor"])
            return 200, {"succeeded": True}
        if path == "/_plugins/_sql":
            if "cursor" in body:
                rows = self.cursors.pop(body["cursor"])
                return 200, self._sql_page(rows, None, body["cursor"])
            schema, rows = self.engine.sql(body["query"], body.get("parameters", []))
            size = int(body.get("fetch_size", 200))
            return 200, self._sql_page(rows, schema, None, size)
        raise DslError(
            400,
            "illegal_argument_exception",
            f"no handler found for uri [{path}] and method [{handler.command}]",
        )

    def _sql_page(self, rows, schema, cursor, size=None):
        size = size or self.page_sizes[cursor]
        page, rest = rows[:size], rows[size:]
        result = (
            {"datarows": page}
            if schema is None
            else {"schema": schema, "datarows": page, "total": len(rows), "size": len(page), "status": 200}
        )
        if rest:
            new = f"cursor-{next(self.ids)}"
            self.cursors[new] = rest
            self.page_sizes[new] = size
            result["cursor"] = new
        return result

    def _envelope(self):
        return {
            "took": 1,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        }

    def _hits(self, hits, total):
        return {"total": {"value": total, "relation": "eq"}, "max_score": None, "hits": hits.hits()}

    def _page(self, sid, size):
        remaining = self.scrolls[sid]
        size = self.page_sizes.setdefault(sid, size or 10)
        page, self.scrolls[sid] = remaining[:size], remaining[size:]
        return {"_scroll_id": sid, **self._envelope(), "hits": self._hits(page, len(remaining))}
