"""The Apache Spark driver: the lake's tables as Spark views, queried in SQL or KQL.

::

    qp = QueryProvider("Spark", master="spark://cluster:7077", lake="/data/lake")
    qp.WindowsSecurity.list_host_logons(host_name="DC01")

Each lake table becomes a temporary view over the same Parquet files, so a
query written for the local lake runs unchanged on a cluster. Two languages:

- ``sql``: the catalog's SQL bodies, which are DuckDB SQL (what the local
  lake runs) with ``$name`` parameters. `sqlglot` transpiles them to Spark SQL
  and the values are bound through Spark's named parameters (``:name``,
  ``spark.sql(..., args=...)``), never written into the text.
- ``kql``: translated by ``duckdb-kql`` to DuckDB SQL (parameters stay
  placeholders), then transpiled by `sqlglot` like the SQL bodies. Which
  catalog queries survive that route is tested query by query; the others
  have a hand-written SQL body, which is preferred when both exist.

Results come back as Arrow, converted to pandas by pyarrow, at most ``max_rows`` of them
(a larger result is a `ResultTooLargeError`, found without collecting it).

Settings (``providers: {Spark: {...}}``): ``master`` (``local[*]`` by
default), ``lake``, ``max_rows``, ``conf`` (extra Spark settings).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.data.drivers._remote import (
    BackendTimeoutError,
    BackendUnreachableError,
    RemoteQueryError,
    ResultTooLargeError,
    pick,
    provider_settings,
)
from huntbook.data.drivers.local import LakeDriver, _utc_times
from huntbook.data.lake.lake import Lake
from huntbook.errors import MissingExtraError, QueryError, TranslationError, UnknownTableError

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.config import Settings

BACKEND = "Spark"


class SparkQueryError(RemoteQueryError):
    """Spark could not analyse or run the query (the message carries Spark's reason)."""


def duckdb_to_spark(sql: str) -> str:
    """Transpile DuckDB SQL (``$name`` parameters) to Spark SQL (``:name``) with sqlglot.

    Raises
    ------
    TranslationError
        sqlglot cannot parse or write the statement.
    """
    import sqlglot
    from sqlglot.errors import SqlglotError

    try:
        statements = sqlglot.transpile(
            sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
        )
    except SqlglotError as exc:
        raise TranslationError(
            f"sqlglot cannot turn this DuckDB SQL into Spark SQL: {exc}", query=sql
        ) from None
    if len(statements) != 1:
        raise TranslationError(f"expected one SQL statement, got {len(statements)}", query=sql)
    return statements[0]


def kql_to_spark(
    kql: str, params: Mapping[str, Any], schema: Mapping[str, list[str]]
) -> tuple[str, dict[str, Any]]:
    """Translate KQL to Spark SQL and the values of its parameters.

    Parameters
    ----------
    kql : str
        The query, with its ``declare query_parameters``.
    params : Mapping
        Typed values of the declared parameters.
    schema : Mapping
        Column names by table (lets duckdb-kql resolve joins and names).

    Raises
    ------
    TranslationError
        duckdb-kql or sqlglot cannot translate the query.
    """
    import duckdb_kql

    try:
        translated = duckdb_kql.to_sql(kql, schema=dict(schema), parameters=dict(params), allow_write=False)
    except duckdb_kql.KqlError as exc:
        raise TranslationError(f"duckdb-kql cannot translate this KQL: {exc}", query=kql) from None
    values = {name: _spark_value(value) for name, value in translated.parameters.items()}
    return duckdb_to_spark(str(translated)), values


def _spark_value(value: object) -> Any:
    """A parameter value as Spark binds it (UTC datetimes without zone; timespans as seconds)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


class SparkDriver(LakeDriver):
    """Runs SQL and KQL on Spark over the lake's Parquet files.

    Parameters
    ----------
    master : str, optional
        Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``, ...);
        ``local[*]`` by default.
    lake : Lake, Path or str, optional
        The lake whose tables become views; the demo lake by default. On a
        cluster, a path every executor can read.
    session : SparkSession, optional
        An existing session to use instead of creating one.
    max_rows : int
        Most rows a query may return to pandas.
    conf : Mapping, optional
        Extra Spark settings for a new session.
    settings : Settings, optional
        Where ``providers.Spark`` is read for arguments not given (the
        QueryProvider passes its own; huntbook.yaml by default).
    """

    languages: ClassVar[tuple[str, ...]] = ("sql", "kql")

    def __init__(
        self,
        *,
        master: str | None = None,
        lake: Lake | Path | str | None = None,
        session: Any = None,
        max_rows: int | None = None,
        conf: Mapping[str, str] | None = None,
        settings: Settings | None = None,
    ):
        super().__init__()
        given = dict(locals())
        configured = provider_settings(BACKEND, settings)
        self.master: str = pick(given, configured, "master", "local[*]")
        lake_arg = pick(given, configured, "lake")
        self._lake: Lake | None = lake_arg if isinstance(lake_arg, Lake) else None
        self._lake_path = None if isinstance(lake_arg, Lake) else lake_arg
        self.max_rows = int(pick(given, configured, "max_rows", 100_000))
        self.conf = dict(pick(given, configured, "conf", {}) or {})
        self.spark: Any = session
        self._schema: dict[str, list[str]] = {}
        self._span: tuple[dt.datetime, dt.datetime] | None = None

    def __repr__(self) -> str:
        state = "connected" if self.connected else "not connected"
        return f"SparkDriver({self.master!r}, {state})"

    @property
    def lake(self) -> Lake:
        """The lake whose tables this driver reads."""
        if self._lake is None:
            self._lake = Lake(self._lake_path) if self._lake_path else Lake.demo(progress=True)
        return self._lake

    def connect(self) -> None:
        """Start (or join) the Spark session and register one view per lake table."""
        if self.connected:
            return
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise MissingExtraError("pyspark", "spark", feature="The Spark driver") from None
        # PySpark logs every analysis error as a JSON stack trace; ours says it in one line.
        logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
        if self.spark is None:
            builder = SparkSession.builder.master(self.master).appName("huntbook")
            if self.master.startswith("local"):
                # local workers are started with $PYSPARK_PYTHON (else "python3"); give them
                # this interpreter, so they import huntbook and pyarrow like the driver
                os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            spark_conf = {
                "spark.sql.session.timeZone": "UTC",
                "spark.sql.execution.arrow.pyspark.enabled": "true",
                "spark.ui.showConsoleProgress": "false",
                **self.conf,
            }
            for key, value in spark_conf.items():
                builder = builder.config(key, value)
            try:
                self.spark = builder.getOrCreate()
            except Exception as exc:  # Py4J/JVM start-up failures have no common base class
                raise BackendUnreachableError(
                    f"could not start a session with master {self.master!r}: {_first_line(exc)}. "
                    "Check the master URL, that Java 17+ is installed, and that the cluster is up.",
                    backend=BACKEND,
                ) from None
        tables = self.lake.tables()
        if any(_case_twins(self.lake.files(table)) for table in tables):
            # Windows event tables keep fields that differ only in case (Sysmon's TargetProcessGuid
            # and TargetProcessGUID); Spark reads them only when case-sensitive, as KQL names are.
            self.spark.conf.set("spark.sql.caseSensitive", "true")
        for table in tables:
            frame = self.spark.read.parquet(*[str(f) for f in self.lake.files(table)])
            frame.createOrReplaceTempView(table)
            self._schema[table] = list(frame.columns)
        self.connected = True

    def close(self) -> None:
        """Drop this driver's views (the session stays up for others to share)."""
        if self.connected and self.spark is not None:
            for table in self._schema:
                self.spark.catalog.dropTempView(table)
        self._schema = {}
        super().close()

    def translate(
        self, query: str, params: Mapping[str, Any] | None = None, *, language: str = "sql"
    ) -> tuple[str, dict[str, Any]]:
        """Return the Spark SQL text and bound values *query* runs as (nothing is run)."""
        values = dict(params or {})
        if language == "kql":
            self.connect()
            return kql_to_spark(query, values, self._schema)
        if language == "sql":
            return duckdb_to_spark(query), {k: _spark_value(v) for k, v in values.items()}
        raise QueryError(f"Spark runs {' or '.join(self.languages)}, not {language!r}.", query=query)

    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "sql",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """Run *query* (DuckDB-dialect SQL or KQL) on Spark with *params* bound as values.

        With a *timeout*, the query's jobs run in their own job group, which
        is cancelled (again every 0.2 s, for jobs that start later) once the
        time is up. This needs a classic session (``sparkContext``); a Spark
        Connect session raises when given a timeout.

        Raises
        ------
        TranslationError, UnknownTableError, SparkQueryError,
        BackendTimeoutError, ResultTooLargeError
        """
        from py4j.protocol import Py4JError  # type: ignore[import-untyped,unused-ignore]
        from pyspark.errors import AnalysisException, PySparkException

        sql, values = self.translate(query, params, language=language)
        self.connect()
        context = self.spark.sparkContext if timeout else None  # (Spark Connect: no timeout, see above)
        group = f"huntbook-{uuid.uuid4().hex}"
        done = threading.Event()
        expired = threading.Event()
        if context is not None:
            context.setJobGroup(group, "huntbook query", interruptOnCancel=True)
            canceller = threading.Thread(
                target=_cancel_after, args=(context, group, timeout, done, expired), daemon=True
            )
            canceller.start()
        try:
            frame = self.spark.sql(sql, args=values or None)
            rows = frame.limit(self.max_rows + 1).toArrow().to_pandas()  # Arrow -> pandas by pyarrow
        except AnalysisException as exc:
            raise self._analysis_error(exc, query) from None
        except (PySparkException, Py4JError) as exc:
            if expired.is_set():
                raise BackendTimeoutError(
                    f"the query was stopped after the {timeout} s timeout. Narrow the time range "
                    "or filter earlier, or pass a larger timeout.",
                    backend=BACKEND,
                    query=query,
                ) from None
            raise SparkQueryError(
                f"the query failed: {_first_line(exc)}", backend=BACKEND, query=query
            ) from None
        finally:
            done.set()
            if context is not None:
                context.setLocalProperty("spark.jobGroup.id", None)
        if len(rows) > self.max_rows:
            raise ResultTooLargeError(
                f"the result has more than max_rows={self.max_rows} rows, too many to collect to "
                "pandas. Aggregate or filter in the query, or raise max_rows.",
                backend=BACKEND,
                query=query,
            )
        return _utc_times(rows)

    def _analysis_error(self, exc: Any, query: str) -> QueryError:
        condition = exc.getCondition() if hasattr(exc, "getCondition") else None
        if condition == "TABLE_OR_VIEW_NOT_FOUND":
            params = exc.getMessageParameters() or {}
            table = str(params.get("relationName", "?")).strip("`")
            return UnknownTableError(
                f"{BACKEND}: no table {table}. Tables: {', '.join(self.tables())}.", table=table, query=query
            )
        return SparkQueryError(
            f"the query is not valid Spark SQL: {_first_line(exc)}", backend=BACKEND, query=query
        )


def _case_twins(files: list[Path]) -> list[str]:
    """Column names of the Parquet *files* that another column has in other case."""
    import pyarrow.parquet as pq

    names = {name for f in files for name in pq.read_schema(f).names}
    lowered: dict[str, list[str]] = {}
    for name in names:
        lowered.setdefault(name.lower(), []).append(name)
    return sorted(n for group in lowered.values() if len(group) > 1 for n in group)


def _cancel_after(
    context: Any, group: str, timeout: float, done: threading.Event, expired: threading.Event
) -> None:
    """Cancel the job group once *timeout* has passed, until the query has returned."""
    if done.wait(timeout):
        return
    expired.set()
    while not done.is_set():
        context.cancelJobGroup(group)
        done.wait(0.2)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else type(exc).__name__
