"""`QueryProvider`: one front for every backend and its query catalog.

::

    qp = QueryProvider("Local")            # the demo lake
    qp.connect()
    qp.WindowsSecurity.list_host_processes(host_name="WS-017")
    qp.exec_query("SecurityEvent | take 10")

Catalog queries hang off one `QueryFamily` object per family, found by
``__getattr__`` and listed by ``__dir__`` so tab completion works; each query
is a `QueryFunction` with a real signature and docstring.
"""

from __future__ import annotations

import datetime as dt
import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, overload, runtime_checkable

from huntbook.data.catalog import Catalog, Query, load_catalog
from huntbook.data.drivers.base import Driver
from huntbook.data.params import parse_timedelta
from huntbook.errors import HuntbookError, QueryError, UnknownQueryError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.config import Settings
    from huntbook.data.multi import MultiProvider
    from huntbook.data.result_cache import ResultCache


@runtime_checkable
class TimeRangeSource(Protocol):
    """Anything that supplies a query time range live (the notebook's time-range widget)."""

    @property
    def time_range(self) -> tuple[dt.datetime, dt.datetime]:
        """The current ``(start, end)``, timezone-aware UTC."""


def _local_driver(**kwargs: Any) -> Driver:
    from huntbook.data.drivers.local import LocalDriver

    return LocalDriver(**kwargs)


DRIVERS: dict[str, Callable[..., Driver]] = {"Local": _local_driver}
"""Backends by environment name. Third parties add theirs through the
``huntbook.drivers`` entry-point group (a name mapped to a `Driver` class)."""


def _lazy_driver(module: str, cls: str) -> Callable[..., Driver]:
    """A factory that imports *module* only when the environment is used."""

    def factory(**kwargs: Any) -> Driver:
        import importlib

        driver: Driver = getattr(importlib.import_module(module), cls)(**kwargs)
        return driver

    return factory


AZURE_DRIVERS = {
    "Kusto": _lazy_driver("huntbook.data.drivers.kusto", "KustoDriver"),
    "Sentinel": _lazy_driver("huntbook.data.drivers.sentinel", "SentinelDriver"),
    "Defender": _lazy_driver("huntbook.data.drivers.defender", "DefenderDriver"),
    "MSGraph": _lazy_driver("huntbook.data.drivers.graph", "GraphDriver"),
}
"""Azure drivers; they read their ``providers`` section of the QueryProvider's settings."""

DRIVERS.update(AZURE_DRIVERS)
REMOTE_DRIVERS = {
    "Splunk": _lazy_driver("huntbook.data.drivers.splunk", "SplunkDriver"),
    "OpenSearch": _lazy_driver("huntbook.data.drivers.opensearch", "OpenSearchDriver"),
    "Spark": _lazy_driver("huntbook.data.drivers.spark", "SparkDriver"),
}
"""Splunk, OpenSearch and Spark; they too read their ``providers`` section of the settings."""

DRIVERS.update(REMOTE_DRIVERS)


def _driver_factory(environment: str) -> Callable[..., Driver]:
    if environment in DRIVERS:
        return DRIVERS[environment]
    from importlib.metadata import entry_points

    for entry in entry_points(group="huntbook.drivers"):
        if entry.name == environment:
            factory: Callable[..., Driver] = entry.load()
            return factory
    known = QueryProvider.list_data_environments()
    raise HuntbookError(
        f"Unknown environment '{environment}'.{did_you_mean(environment, known)} "
        f"Available: {', '.join(known)}."
    )


class QueryProvider:
    """Run catalog queries and ad-hoc queries against one backend.

    Parameters
    ----------
    environment : str
        The backend: ``"Local"`` (the local lake) or a name registered by a
        driver plugin.
    settings : Settings, optional
        Configuration; read from ``huntbook.yaml`` by default.
    catalog : Catalog, optional
        Queries to offer; the built-in catalog plus the folders named in the
        configuration by default.
    cache : bool, str, Path or ResultCache, optional
        Keep query results as Parquet files and re-use them when the same
        query runs again with the same parameters on the same backend
        (`huntbook.data.result_cache`): ``True`` for the user cache folder,
        a folder, or a `ResultCache`. Off by default.
    **driver_args
        Passed to the driver, e.g. ``lake="path/to/lake"`` for ``"Local"``.
    """

    def __init__(
        self,
        environment: str = "Local",
        *,
        settings: Settings | None = None,
        catalog: Catalog | None = None,
        cache: bool | str | Path | ResultCache = False,
        **driver_args: Any,
    ):
        from huntbook.config import load_settings
        from huntbook.data.result_cache import ResultCache

        self.environment = environment
        self.settings = settings or load_settings()
        if environment == "Local" and "lake" not in driver_args and self.settings.lake.path:
            driver_args["lake"] = self.settings.lake.path
        if environment in AZURE_DRIVERS or environment in REMOTE_DRIVERS:
            driver_args.setdefault("settings", self.settings)
        self.driver = _driver_factory(environment)(**driver_args)
        self.result_cache: ResultCache | None = None
        if isinstance(cache, ResultCache):
            self.result_cache = cache
        elif cache is True:
            self.result_cache = ResultCache()
        elif isinstance(cache, str | Path):
            self.result_cache = ResultCache(cache)
        self.catalog = catalog if catalog is not None else load_catalog(self.settings.queries.catalog_paths)
        self._time_range: tuple[dt.datetime, dt.datetime] | None = None
        self._time_source: TimeRangeSource | None = None
        self._query_time: Any = None
        self._families = {
            name: QueryFamily(self, name, queries)
            for name, queries in sorted(self.catalog.families.items())
            if any(lang in self.driver.languages for q in queries.values() for lang in q.languages)
        }

    def __repr__(self) -> str:
        state = "connected" if self.connected else "not connected"
        return f"QueryProvider({self.environment!r}, {state}, {len(self.catalog)} queries)"

    @property
    def connected(self) -> bool:
        """Whether `connect` has succeeded."""
        return self.driver.connected

    def connect(self) -> None:
        """Connect to the backend (catalog queries connect on first use anyway)."""
        self.driver.connect()

    def close(self) -> None:
        """Close the connection."""
        self.driver.close()

    def __enter__(self) -> QueryProvider:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def multi(connections: Mapping[str, Any] | Sequence[Any], **options: Any) -> MultiProvider:
        """Return a `MultiProvider` that runs each query on all *connections* at once.

        *connections* are providers or ``(environment, driver_kwargs)`` pairs,
        in a list or by name; see `huntbook.data.multi.MultiProvider`.
        """
        from huntbook.data.multi import MultiProvider

        return MultiProvider(connections, **options)

    # -- time range ----------------------------------------------------------

    @property
    def time_range(self) -> tuple[dt.datetime, dt.datetime]:
        """Default ``start``/``end`` of catalog queries.

        For the local lake, the span of its data; elsewhere the configured
        lookback before now. Set it with `set_time_range`.
        """
        if self._time_source is not None:
            return self._time_source.time_range
        if self._time_range is None:
            lookback = parse_timedelta(self.settings.queries.default_lookback)
            return self.driver.default_time_range(lookback)
        return self._time_range

    def set_time_range(self, start: object = None, end: object = None) -> None:
        """Set the default ``start``/``end`` (``None`` for both restores the default).

        *start* may also be a `TimeRangeSource` such as the notebook's time-range
        widget: its ``time_range`` then supplies the default at each query.
        """
        from huntbook.data.params import parse_datetime

        self._time_source = None
        if isinstance(start, TimeRangeSource) and end is None:
            self._time_source = start
            return
        if start is None and end is None:
            self._time_range = None
            return
        default = self.time_range
        low = parse_datetime(start) if start is not None else default[0]
        high = parse_datetime(end) if end is not None else default[1]
        if low > high:
            raise QueryError(f"start ({low}) is after end ({high}).")
        self._time_range = (low, high)

    def time_range_widget(self, **options: Any) -> Any:
        """Return a notebook time-range picker that sets this provider's default ``start``/``end``.

        *options* go to `huntbook.notebook.widgets.QueryTimeRange`.
        """
        from huntbook.notebook.widgets.time_range import QueryTimeRange  # upward reach, lazy

        return QueryTimeRange(provider=self, **options)

    # -- running queries -------------------------------------------------------

    def exec_query(
        self,
        query: str,
        *,
        params: Mapping[str, Any] | None = None,
        language: str | None = None,
        timeout: float | None = None,
        split_by: object = None,
        max_workers: int | None = None,
        progress: bool = True,
        cache: bool = True,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Run ad-hoc query text and return the rows.

        Parameters
        ----------
        query : str
            Query text in the backend's language (KQL on the local lake).
        params : Mapping, optional
            Values for parameters the text declares; bound, never pasted in.
        language : str, optional
            ``"kql"`` (default where supported) or ``"sql"``.
        timeout : float, optional
            Seconds before the query is stopped (the configured timeout by default).
        split_by : str or timedelta, optional
            Split ``params["start"]`` .. ``params["end"]`` into chunks this long
            (``"1d"``) run in parallel, rows concatenated in time order; a chunk
            that fails gives a `PartialResultWarning` and the other chunks'
            rows (`huntbook.data.chunking`). Only for queries whose rows do not
            depend on seeing the whole range (not for summaries over it).
        max_workers : int, optional
            Chunks run at once (4 by default).
        progress : bool
            Show a progress bar while chunks run.
        cache : bool
            With a result cache (``QueryProvider(..., cache=True)``), read and
            save results; ``False`` bypasses it for this run.
        refresh : bool
            Run the query even when a cached result exists, and save the new one.
        """
        language = language or self.driver.languages[0]
        started = time.perf_counter()
        if split_by is None:
            frame = self._execute(query, params, language, timeout, cache=cache, refresh=refresh)
        else:
            frame = self._execute_split(
                query, dict(params or {}), language, timeout, split_by, max_workers, progress, cache, refresh
            )
        info = frame.attrs.get("huntbook", {})
        frame.attrs["huntbook"] = {
            **info,
            "environment": self.environment,
            "query": query,
            "seconds": round(time.perf_counter() - started, 4),
        }
        return frame

    def _execute(
        self,
        query: str,
        params: Mapping[str, Any] | None,
        language: str,
        timeout: float | None,
        *,
        cache: bool,
        refresh: bool,
    ) -> pd.DataFrame:
        """One run on the driver, through the result cache when there is one."""
        store = self.result_cache if cache else None
        key = ""
        if store is not None:
            from huntbook.data.result_cache import backend_identity

            key = store.key(backend_identity(self.environment, self.driver), query, language, params)
            if not refresh and (hit := store.get(key)) is not None:
                hit.attrs["huntbook"] = {"cached": True}
                return hit
        frame = self.driver.execute(
            query,
            params,
            language=language,
            timeout=timeout or self.settings.queries.timeout_seconds,
        )
        if store is not None:
            store.put(key, frame, environment=self.environment, language=language)
        frame.attrs["huntbook"] = {"cached": False}
        return frame

    def _execute_split(
        self,
        query: str,
        params: dict[str, Any],
        language: str,
        timeout: float | None,
        split_by: object,
        max_workers: int | None,
        progress: bool,
        cache: bool,
        refresh: bool,
    ) -> pd.DataFrame:
        """Run *query* once per time chunk of ``params["start"]`` .. ``params["end"]``."""
        from huntbook.data.chunking import run_chunks, split_time_range
        from huntbook.data.params import parse_datetime
        from huntbook.errors import ParameterError

        if params.get("start") is None or params.get("end") is None:
            raise ParameterError(
                "split_by needs the query's 'start' and 'end' parameters: pass params={'start': ..., "
                "'end': ...} and compare the time column with them in the query.",
                query=query,
            )
        start, end = parse_datetime(params["start"]), parse_datetime(params["end"])
        chunks = split_time_range(start, end, split_by)

        def run_one(low: dt.datetime, high: dt.datetime) -> pd.DataFrame:
            return self._execute(
                query, {**params, "start": low, "end": high}, language, timeout, cache=cache, refresh=refresh
            )

        return run_chunks(run_one, chunks, max_workers=max_workers, progress=progress, label=self.environment)

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run catalog query *name* (``"Family.query"``) with *params*."""
        return self.query(name)(**params)

    def query(self, name: str) -> QueryFunction:
        """Return the callable for catalog query *name* (``"Family.query"``)."""
        family, _, short = name.partition(".")
        if family not in self._families or not short:
            known = [f"{f}.{q}" for f, fam in self._families.items() for q in fam.names()]
            raise UnknownQueryError(
                f"No query named '{name}'.{did_you_mean(name, known)} "
                "See list_queries() for what is available.",
                query=name,
            )
        return self._families[family].get(short)

    def _run_catalog_query(
        self, query: Query, values: Mapping[str, Any], timeout: float | None, **options: Any
    ) -> pd.DataFrame:
        language = next((lang for lang in self.driver.languages if lang in query.bodies), None)
        if language is None:
            raise QueryError(
                f"Query '{query.full_name}' has no body in a language {self.environment} runs "
                f"({', '.join(self.driver.languages)}).",
                query=query.full_name,
            )
        bound = query.bind(values, time_range=self.time_range)
        try:
            frame = self.exec_query(
                query.text(language), params=bound, language=language, timeout=timeout, **options
            )
        except QueryError as exc:
            exc.args = (f"{query.full_name} ({query.source}:{query.line}): {exc}",)
            exc.query = query.full_name
            raise
        frame.attrs["huntbook"].update({"query_name": query.full_name, "parameters": bound})
        return frame

    # -- discovery -------------------------------------------------------------

    def list_queries(self, family: str | None = None) -> list[str]:
        """Return ``Family.query`` names this backend can run, optionally of one family."""
        return [
            f"{name}.{q}"
            for name, fam in self._families.items()
            if family is None or name == family
            for q in fam.names()
        ]

    def query_table(self) -> pd.DataFrame:
        """Return the runnable queries as a table: family, name, description, parameters."""
        import pandas as pd

        rows = []
        for fam in self._families.values():
            for name in fam.names():
                q = fam.get(name).query
                rows.append(
                    {
                        "family": q.family,
                        "query": q.name,
                        "description": q.description,
                        "parameters": ", ".join(p.name + ("" if p.required else "?") for p in q.parameters),
                        "entities": ", ".join(q.entities),
                    }
                )
        return pd.DataFrame(rows)

    def browse(self) -> object:
        """Browse the catalog: widgets in a notebook, a rich table in a terminal."""
        from huntbook.notebook.query_browser import query_browser  # the one upward reach, lazy

        return query_browser(self)

    def browse_queries(self) -> object:
        """`browse`, under the name msticpy users know."""
        return self.browse()

    @property
    def query_time(self) -> Any:
        """The notebook time-range picker of this provider (msticpy's ``qp.query_time``), made once."""
        if self._query_time is None:
            self._query_time = self.time_range_widget()
        return self._query_time

    @property
    def schema(self) -> dict[str, dict[str, str]]:
        """Each table's columns and their types (empty where the backend cannot tell)."""
        return self.driver.schema()

    @property
    def schema_tables(self) -> list[str]:
        """The backend's table names (empty where the backend cannot tell)."""
        return self.driver.tables()

    @staticmethod
    def list_data_environments() -> list[str]:
        """Return the environment names `QueryProvider` accepts: built-in drivers and plugins."""
        from importlib.metadata import entry_points

        return sorted({*DRIVERS, *(e.name for e in entry_points(group="huntbook.drivers"))})

    def __getattr__(self, name: str) -> QueryFamily:
        families = self.__dict__.get("_families", {})
        if name in families:
            family: QueryFamily = families[name]
            return family
        raise AttributeError(
            f"{type(self).__name__} has no attribute or query family '{name}'."
            f"{did_you_mean(name, families)} Families: {', '.join(families)}."
        )

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._families})


class QueryFamily:
    """The queries of one family, as attributes."""

    def __init__(self, provider: QueryProvider, name: str, queries: Mapping[str, Query]):
        self._provider = provider
        self._name = name
        self._queries = {
            q_name: QueryFunction(provider, q)
            for q_name, q in sorted(queries.items())
            if any(lang in provider.driver.languages for lang in q.languages)
        }

    def __repr__(self) -> str:
        return f"<query family {self._name}: {', '.join(self._queries)}>"

    def names(self) -> list[str]:
        """Return the query names of this family."""
        return list(self._queries)

    def get(self, name: str) -> QueryFunction:
        """Return query *name* of this family."""
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQueryError(
                f"Family '{self._name}' has no query '{name}'.{did_you_mean(name, self._queries)} "
                f"Its queries: {', '.join(self._queries)}.",
                query=f"{self._name}.{name}",
            ) from None

    def __getattr__(self, name: str) -> QueryFunction:
        if name.startswith("__") or "_queries" not in self.__dict__:
            raise AttributeError(name)
        try:
            return self.get(name)
        except UnknownQueryError as exc:
            raise AttributeError(str(exc)) from None

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._queries})


RUN_OPTIONS: dict[str, tuple[object, str]] = {
    "split_by": (None, "str"),
    "max_workers": (None, "int"),
    "progress": (True, "bool"),
    "cache": (True, "bool"),
    "refresh": (False, "bool"),
}
"""Keyword options of every catalog query call beside its parameters: (default, type)."""


class QueryFunction:
    """A catalog query bound to a provider: call it to run it.

    ``help(fn)`` / ``fn?`` show its parameters and description; `text`
    shows the query as it would run.
    """

    def __init__(self, provider: QueryProvider, query: Query):
        self._provider = provider
        self.query = query
        self.__name__ = query.name
        self.__qualname__ = query.full_name
        self.__doc__ = query_help_text(query)
        self.__signature__ = _signature(query)

    def __repr__(self) -> str:
        return f"<query {self.query.full_name}({', '.join(p.name for p in self.query.parameters)})>"

    @overload
    def __call__(
        self, *, timeout: float | None = None, print_query: bool = False, **params: Any
    ) -> pd.DataFrame: ...

    @overload
    def __call__(self, what: str, /) -> None: ...

    def __call__(
        self, *what: str, timeout: float | None = None, print_query: bool = False, **params: Any
    ) -> pd.DataFrame | None:
        """Run the query with *params* and return its rows as a DataFrame.

        Besides the query's parameters it takes the run options of
        `QueryProvider.exec_query` (`RUN_OPTIONS`): *split_by* (``"1d"``)
        splits ``start`` .. ``end`` into chunks run in parallel, with
        *max_workers* and *progress*; *cache* and *refresh* steer the
        provider's result cache. *print_query* prints the query text before it
        runs. As in msticpy, ``fn("print")`` prints the text without running it
        (`text` returns it) and ``fn("help")`` prints the help (`help`).
        """
        if what:
            self._answer(what, params)
            return None
        if print_query:
            print(self.text(**{k: v for k, v in params.items() if k not in RUN_OPTIONS}))
        options = {name: params.pop(name) for name in RUN_OPTIONS if name in params}
        if options.get("split_by") is not None and not {"start", "end"} <= {
            p.name for p in self.query.parameters
        }:
            from huntbook.errors import ParameterError

            raise ParameterError(
                f"{self.query.full_name} has no start/end parameters, so it cannot be split by time.",
                query=self.query.full_name,
            )
        return self._provider._run_catalog_query(self.query, params, timeout, **options)

    def _answer(self, what: tuple[str, ...], params: dict[str, Any]) -> None:
        """Print the text (``"print"``, ``"query"``) or the help (``"help"``) instead of running."""
        from huntbook.errors import ParameterError

        if what in (("print",), ("query",)):
            print(self.text(**params))
        elif what == ("help",):
            print(self.help())
        else:
            raise ParameterError(
                f"{self.query.full_name} takes its parameters by name "
                f"({', '.join(p.name for p in self.query.parameters)}); the only positional words are "
                f"'print' (show the query text) and 'help'. Got {what!r}.",
                query=self.query.full_name,
            )

    def text(self, **params: Any) -> str:
        """Return the query text with *params* (and defaults) in place, without running it."""
        language = next(lang for lang in self._provider.driver.languages if lang in self.query.bodies)
        bound = self.query.bind(params, time_range=self._provider.time_range)
        return self.query.render(bound, language)

    def help(self) -> str:
        """Return the query's help: description, parameters, defaults, body."""
        return query_help_text(self.query)


def _signature(query: Query) -> inspect.Signature:
    params = []
    for p in query.parameters:
        default = p.default if p.has_default else (None if not p.required else inspect.Parameter.empty)
        params.append(
            inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=p.type)
        )
    for name, (default, annotation) in {
        "timeout": (None, "float"),
        "print_query": (False, "bool"),
        **RUN_OPTIONS,
    }.items():
        params.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        )
    return inspect.Signature(params, return_annotation="pandas.DataFrame")


def query_help_text(query: Query) -> str:
    """Return plain-text help for *query*."""
    lines = [f"{query.full_name}: {query.description}", "", "Parameters", "----------"]
    for p in query.parameters:
        if p.has_default:
            default = f" (default {p.default!r})"
        elif p.is_time_range:
            default = " (default: the provider's time range)"
        else:
            default = " (required)"
        lines.append(f"{p.name} : {p.type}{default}\n    {p.description}")
    if query.entities:
        lines += ["", "Entities: " + ", ".join(f"{k} -> {v}" for k, v in query.entities.items())]
    for language, body in query.bodies.items():
        lines += ["", f"Query ({language.upper()})", "-" * (len(language) + 8), body.rstrip()]
    lines += ["", f"Defined in {Path(query.source).name}, line {query.line}."]
    return "\n".join(lines)
