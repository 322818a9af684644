"""The local lake driver: DuckDB views over Parquet, queried in KQL or SQL.

Each lake table is a DuckDB view over its Parquet files, so a query reads
only the columns and row groups it needs. KQL is translated by `duckdb_kql`
with parameters bound as values; SQL runs as DuckDB SQL with ``$name``
parameters.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from abc import abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.data.drivers import kql_errors
from huntbook.data.drivers.base import Driver
from huntbook.data.drivers.kql_columns import ColumnProblem, case_suspects, column_problem
from huntbook.data.lake.lake import Lake
from huntbook.data.lake.schemas import EVENT_TABLES, TABLES, schema_for
from huntbook.errors import (
    HuntbookError,
    QueryError,
    TranslationError,
    UnknownTableError,
    did_you_mean,
)

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_MISSING_TABLE = re.compile(r"Table with name (\S+?)!? does not exist")
_BINDER_COLUMN = re.compile(r'[Cc]olumn (?:with name )?"([^"]+)"')


class LakeDriver(Driver):
    """A driver over a lake folder (``self.lake``): queries default to the span of its data."""

    _span: tuple[dt.datetime, dt.datetime] | None = None

    @property
    @abstractmethod
    def lake(self) -> Lake:
        """The lake whose tables this driver reads."""

    def tables(self) -> list[str]:
        """Return the lake's table names."""
        return self.lake.tables()

    def schema(self) -> dict[str, dict[str, str]]:
        """Return each lake table's columns and their Arrow types."""
        return {table: self.lake.columns(table) for table in self.tables()}

    def default_time_range(self, lookback: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
        """Return the span of the lake's data (so catalog queries see all of it)."""
        if self._span is None:
            self._span = self.lake.time_range()
        if self._span is None:
            return super().default_time_range(lookback)
        return self._span[0], self._span[1] + dt.timedelta(microseconds=1)


class LocalDriver(LakeDriver):
    """Runs KQL and SQL on a local lake with DuckDB.

    Parameters
    ----------
    lake : Lake, Path or str, optional
        The lake; the demo lake (generated on first use) by default.
    threads : int, optional
        DuckDB worker threads (all cores by default).
    memory_limit : str, optional
        DuckDB memory limit such as ``"4GB"``.
    """

    languages: ClassVar[tuple[str, ...]] = ("kql", "sql")

    def __init__(
        self,
        lake: Lake | Path | str | None = None,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
    ):
        super().__init__()
        self._lake_arg = lake
        self._lake: Lake | None = lake if isinstance(lake, Lake) else None
        self._threads = threads
        self._memory_limit = memory_limit
        self._con: duckdb.DuckDBPyConnection | None = None
        self._columns: dict[str, list[str]] | None = None
        self._span: tuple[dt.datetime, dt.datetime] | None = None
        self._lock = threading.Lock()

    @property
    def lake(self) -> Lake:
        """The lake this driver reads (the demo lake is generated on first use)."""
        if self._lake is None:
            arg = self._lake_arg
            self._lake = Lake(arg) if isinstance(arg, Path | str) else Lake.demo(progress=True)
        return self._lake

    def connect(self) -> None:
        """Open DuckDB and create one view per lake table."""
        import duckdb_kql

        if self._con is not None:
            return
        con = duckdb_kql.connect()
        if self._threads:
            con.execute(f"SET threads = {int(self._threads)}")
        if self._memory_limit:
            con.execute("SET memory_limit = $limit", {"limit": self._memory_limit})
        for table in self.lake.tables():
            con.execute(_view_sql(table, self.lake.files(table)))
        self._span = None
        self._columns = None
        self._con = con
        self.connected = True

    def close(self) -> None:
        """Close the DuckDB connection."""
        if self._con is not None:
            self._con.close()
            self._con = None
        super().close()

    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "kql",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """Run *query* (KQL or SQL) with *params* bound as values.

        Parameters
        ----------
        query : str
            Query text.
        params : Mapping, optional
            Parameter values by name (KQL: declared with
            ``declare query_parameters``; SQL: referred to as ``$name``).
        language : str
            ``"kql"`` or ``"sql"``.
        timeout : float, optional
            Seconds after which the query is interrupted.

        Raises
        ------
        TranslationError, UnknownTableError, ParameterError, QueryError
            With a message that says what to change.
        """
        import duckdb
        import duckdb_kql

        if language not in self.languages:
            raise QueryError(f"The local lake runs {' or '.join(self.languages)}, not {language!r}.")
        self.connect()
        con = self._con
        assert con is not None
        if language == "kql":
            self._check_names(query)
        timer = threading.Timer(timeout, con.interrupt) if timeout else None
        try:
            with self._lock:
                if timer:
                    timer.start()
                if language == "kql":
                    frame = duckdb_kql.df(con, query, dict(params or {}), allow_write=False)
                else:
                    frame = con.execute(query, dict(params or {})).df()
        except duckdb_kql.KqlSyntaxError as exc:
            raise kql_errors.syntax_error(query, exc) from None
        except duckdb_kql.KqlUnsupportedError as exc:
            raise kql_errors.unsupported_error(query, exc) from None
        except duckdb_kql.KqlSchemaError as exc:
            if "unknown table" in str(exc.hint or ""):
                raise self._unknown_table_error(exc.name, query) from None
            raise kql_errors.schema_error(query, exc) from None
        except duckdb_kql.KqlError as exc:
            raise TranslationError(str(exc), query=query) from None
        except duckdb.BinderException as exc:
            raise self._binder_error(exc, query, language) from None
        except duckdb.InterruptException:
            raise QueryError(
                f"The query was stopped after the {timeout} s timeout. Narrow the time "
                "range or filter earlier, or pass a larger timeout.",
                query=query,
            ) from None
        except duckdb.CatalogException as exc:
            raise self._translate_catalog_error(exc, query) from None
        except duckdb.Error as exc:
            raise QueryError(f"The query failed: {_first_line(exc)}", query=query) from None
        finally:
            if timer:
                timer.cancel()
        return _utc_times(frame)

    def _schema(self) -> dict[str, list[str]]:
        """Each table's columns as DuckDB has them (exact case), read once per connection."""
        if self._columns is None:
            from duckdb_kql.engine import schema

            assert self._con is not None
            with self._lock:
                self._columns = {t: c for t, c in schema(self._con).items() if "." not in t}
        return self._columns

    def _check_names(self, query: str) -> None:
        """Refuse a KQL name that matches a column or table only when case is ignored (as Sentinel does)."""
        schema = self._schema()
        suspects = case_suspects(query, schema)
        if not suspects:
            return
        problem = column_problem(query, schema)
        if problem is not None and problem.case_only:
            raise kql_errors.column_error(query, problem) from None
        import warnings

        warnings.warn(
            f"'{suspects[0]}' matches a name of the lake only when letter case is ignored; the local "
            "lake finds it, Sentinel does not (KQL names are case-sensitive).",
            UserWarning,
            stacklevel=4,
        )

    def _binder_error(self, exc: Exception, query: str, language: str) -> QueryError:
        """A DuckDB binding failure in the user's words: which name is not there, and close ones."""
        if language == "kql":
            problem = column_problem(query, self._schema())
            if problem is not None:
                return kql_errors.column_error(query, problem)
        match = _BINDER_COLUMN.search(str(exc))
        if match and language == "kql":
            name = match.group(1)
            candidates = re.findall(r'"([^"]+)"', str(exc).partition("Candidate bindings:")[2])
            close = ColumnProblem(name, "the input of that step", tuple(candidates))
            return kql_errors.column_error(query, close)
        return QueryError(f"The query failed: {_first_line(exc)}", query=query)

    def _translate_catalog_error(self, exc: Exception, query: str) -> HuntbookError:
        match = _MISSING_TABLE.search(str(exc))
        if not match:
            return QueryError(f"The query failed: {_first_line(exc)}", query=query)
        return self._unknown_table_error(match.group(1).strip('"'), query)

    def _unknown_table_error(self, table: str, query: str) -> UnknownTableError:
        tables = self.tables()
        hint = did_you_mean(table, tables)  # a known table is not a typo of another: say how to fill it
        if table in TABLES:
            hint = f" '{table}' is a known Sentinel table; ingest data into it with Lake.ingest()."
        elif table in EVENT_TABLES:
            hint = (
                f" '{table}' is filled from Windows event files: ingest .evtx or Winlogbeat "
                "JSON-lines files without a table (Lake.ingest(path) or 'huntbook lake ingest PATH')."
            )
        return UnknownTableError(
            f"The lake at {self.lake.path} has no table '{table}'.{hint} "
            f"Tables: {', '.join(tables) or '(none)'}.",
            table=table,
            query=query,
        )


def _view_sql(table: str, files: list[Path]) -> str:
    """Return the DDL of the view for *table* (dynamic columns read as JSON)."""
    file_list = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    source = f"read_parquet([{file_list}], union_by_name = true)"
    schema = schema_for(table)
    dynamic = [c for c in (schema.dynamic_columns if schema else ()) if c]
    replace = ""
    if dynamic:
        casts = ", ".join(f'CAST("{c}" AS JSON) AS "{c}"' for c in dynamic)
        replace = f" REPLACE ({casts})"
    return f'CREATE OR REPLACE VIEW "{table}" AS SELECT *{replace} FROM {source}'


def _utc_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark naive datetime columns as UTC, which is what KQL datetimes are."""
    import pandas as pd

    for column in frame.columns:
        dtype = frame[column].dtype
        if pd.api.types.is_datetime64_dtype(dtype) and getattr(dtype, "tz", None) is None:
            frame[column] = frame[column].dt.tz_localize("UTC")
    return frame


def _first_line(exc: BaseException) -> str:
    """DuckDB's message without the SQL excerpt (which is the translation, not the user's text)."""
    lines = str(exc).strip().splitlines()
    if not lines:
        return type(exc).__name__
    hints = [line.strip() for line in lines[1:] if line.startswith(("Candidate bindings", "Did you mean"))]
    return " ".join([lines[0], *hints])
