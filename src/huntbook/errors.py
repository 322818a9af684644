"""Every error huntbook raises, under one root.

::

    HuntbookError
    ├── ConfigError            huntbook.yaml is missing a key, has a wrong one, or a bad value
    ├── MissingExtraError      an optional dependency is not installed (names the extra)
    ├── CatalogError           a query file is malformed (names file, line, query, field)
    ├── QueryError             a query could not run
    │   ├── UnknownQueryError  no such query (suggests close names)
    │   ├── ParameterError     a missing, unknown or badly typed parameter
    │   ├── UnknownTableError  the query names a table the backend does not have
    │   ├── UnknownColumnError a column that is not there, or only in another letter case
    │   └── TranslationError   KQL that could not be parsed or translated for the engine
    │       ├── QuerySyntaxError       does not parse (line, column, caret)
    │       └── UnsupportedQueryError  valid KQL the engine cannot run (nearest form that runs)
    ├── LakeError              the local lake could not be read or written
    │   └── IngestError        an input file does not fit (names file, line, column)
    │       └── TableNeededError  rows for one table (CSV, Parquet) given without a table
    ├── IocTypeError           an unknown IoC type, or a custom one that cannot be registered
    ├── IocInputError          extract_iocs got input it cannot read
    ├── UnpackError            an argument of unpack / unpack_frame cannot be used
    │   ├── UnpackInputError   input of a kind unpack cannot read
    │   └── UnpackLimitError   a limit that is not a positive integer
    ├── ProcTreeSchemaError    process events whose columns fit no known schema
    ├── ProviderError, CacheError, FeedError, LookupInputError   threat-intel lookups
    ├── GeoDataError, MaxMindDatabaseError, MaxMindDownloadError  geo-IP
    ├── PlotError              a plot's input lacks a column or rows
    └── WidgetValueError       a widget was given a value that is not one of its choices

`PartialResultWarning` (a warning, not an error) says that part of a result
failed (a time chunk, a connection, a workspace) and the rest is kept.

Errors of one backend subclass `QueryError` beside their driver
(``huntbook.data.drivers``: e.g. ``KustoQueryError``, ``RemoteQueryError`` with
``BackendAuthError``, ``BackendTimeoutError``, ``ResultTooLargeError``). The
analysis, enrichment and plotting errors live beside their functions. Each
error carries the input that caused it as attributes, and its message says
what to do about it.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Sequence
from typing import Any


class HuntbookError(Exception):
    """Root of all huntbook errors."""


class ConfigError(HuntbookError):
    """The configuration is invalid or incomplete."""

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        path: str | None = None,
        problems: Sequence[Any] = (),
    ):
        self.key = key
        self.path = path
        self.problems = list(problems)
        """Every problem found (`huntbook.config_check.ConfigProblem`), when the file was checked."""
        super().__init__(message)


class MissingExtraError(HuntbookError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, module: str, extra: str, *, feature: str):
        self.module = module
        self.extra = extra
        super().__init__(
            f"{feature} needs the '{module}' package, which is not installed. "
            f"Install it with: pip install 'huntbook[{extra}]'"
        )


class CatalogError(HuntbookError):
    """A query catalog file is malformed."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int | None = None,
        query: str | None = None,
        field: str | None = None,
    ):
        self.path = path
        self.line = line
        self.query = query
        self.field = field
        where = path if line is None else f"{path}:{line}"
        parts = [where]
        if query:
            parts.append(f"query '{query}'")
        if field:
            parts.append(f"field '{field}'")
        super().__init__(f"{', '.join(parts)}: {message}")


class QueryError(HuntbookError):
    """A query could not be run."""

    def __init__(self, message: str, *, query: str | None = None):
        self.query = query
        super().__init__(message)


class UnknownQueryError(QueryError):
    """No query of that name exists."""


class ParameterError(QueryError):
    """A query parameter is missing, unknown or has a value of the wrong type."""

    def __init__(self, message: str, *, query: str | None = None, parameter: str | None = None):
        self.parameter = parameter
        super().__init__(message, query=query)


class UnknownTableError(QueryError):
    """The query names a table that the backend does not have."""

    def __init__(self, message: str, *, table: str, query: str | None = None):
        self.table = table
        super().__init__(message, query=query)


class TranslationError(QueryError):
    """The query text could not be parsed or translated for the engine."""


class QuerySyntaxError(TranslationError):
    """The query does not parse; names the line and column, and what would fit there (``hint``)."""

    def __init__(
        self,
        message: str,
        *,
        query: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ):
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(message, query=query)


class UnsupportedQueryError(TranslationError):
    """The query is valid KQL the engine cannot run; ``hint`` is the nearest form that runs, if any."""

    def __init__(self, message: str, *, query: str | None = None, hint: str | None = None):
        self.hint = hint
        super().__init__(message, query=query)


class UnknownColumnError(QueryError):
    """The query names a column (or table) that is not there, or is there in another letter case."""

    def __init__(
        self,
        message: str,
        *,
        column: str,
        where: str,
        suggestions: Iterable[str] = (),
        query: str | None = None,
    ):
        self.column = column
        self.where = where
        self.suggestions = list(suggestions)
        self.hint = self.suggestions[0] if self.suggestions else None
        super().__init__(message, query=query)


class LakeError(HuntbookError):
    """The local lake could not be read or written."""


class IngestError(LakeError):
    """An input file could not be ingested; nothing of it was written."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int | None = None,
        column: str | None = None,
    ):
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        where = path if line is None else f"{path}, line {line}"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickle by the arguments (worker processes send these errors back)."""
        rebuild = functools.partial(type(self), path=self.path, line=self.line, column=self.column)
        return rebuild, (self.message,)


class TableNeededError(IngestError):
    """A file of rows for one table (CSV, Parquet) was given without the table to add them to."""

    def __init__(self, kind: str, *, path: str, how: str = "table='NAME'"):
        self.kind = kind
        self.how = how
        """How to name the table, in the words of the caller (``table='NAME'``, ``--table NAME``)."""
        super().__init__(
            f"{kind} files hold the rows of one table, not Windows events: pass {how} to say which "
            "(a new name such as MyLogs_CL, or a Sentinel table such as SigninLogs for its column types)",
            path=path,
        )

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickle by the arguments."""
        return functools.partial(type(self), path=self.path, how=self.how), (self.kind,)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choices, or ``""``."""
    options = list(choices)
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in options}
        close = [lowered[c] for c in difflib.get_close_matches(name.lower(), lowered, n=3)]
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


class PartialResultWarning(UserWarning):
    """Part of a result failed (a chunk, a connection, a workspace); the rows received are kept."""
