"""Run one query on several connections at once (workspaces, tenants, lakes).

::

    mp = QueryProvider.multi({"prod": ("Sentinel", {"workspace": "Prod"}),
                              "lab": QueryProvider("Local", lake="lab-lake")})
    mp.WindowsSecurity.list_host_logons(host_name="WS-017")   # a "Connection" column says where

Each connection runs in its own thread; the rows come back in the order the
connections were given, with a ``Connection`` column first. A connection that
fails gives a `PartialResultWarning` naming it and its error, and the other
connections' rows are kept (``attrs["huntbook"]["failed_connections"]``);
only when all fail is the first error raised.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from huntbook.errors import HuntbookError, PartialResultWarning, UnknownQueryError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.data.provider import QueryProvider


class MultiProvider:
    """Several `QueryProvider` connections queried as one.

    Parameters
    ----------
    connections : mapping or sequence
        ``{name: provider}`` or a list of providers; a provider may also be
        given as ``(environment, driver_kwargs)``. Unnamed connections are
        called by their environment (``Local``, ``Local-2``...).
    column : str
        Name of the column that says which connection a row came from.
    max_workers : int, optional
        Connections queried at once (all by default, at most 8).
    """

    def __init__(
        self,
        connections: Mapping[str, Any] | Sequence[Any],
        *,
        column: str = "Connection",
        max_workers: int | None = None,
    ):
        items = (
            list(connections.items())
            if isinstance(connections, Mapping)
            else [(None, c) for c in connections]
        )
        if not items:
            raise HuntbookError("MultiProvider needs at least one connection.")
        self.providers: dict[str, QueryProvider] = {}
        for name, spec in items:
            provider = _as_provider(spec)
            label = name or _unique(provider.environment, self.providers)
            if label in self.providers:
                raise HuntbookError(f"Two connections are named '{label}'; give each a distinct name.")
            self.providers[label] = provider
        self.column = column
        self.max_workers = max_workers or min(8, len(self.providers))

    def __repr__(self) -> str:
        return f"MultiProvider({', '.join(self.providers)})"

    def connect(self) -> None:
        """Connect every connection."""
        for provider in self.providers.values():
            provider.connect()

    def close(self) -> None:
        """Close every connection."""
        for provider in self.providers.values():
            provider.close()

    def __enter__(self) -> MultiProvider:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list_queries(self, family: str | None = None) -> list[str]:
        """Return the catalog queries every connection can run."""
        names = [set(p.list_queries(family)) for p in self.providers.values()]
        return sorted(set.intersection(*names))

    def exec_query(self, query: str, **kwargs: Any) -> pd.DataFrame:
        """Run ad-hoc *query* on every connection (*kwargs* as for `QueryProvider.exec_query`)."""
        return self._on_all(lambda p: p.exec_query(query, **kwargs), label="query")

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run catalog query *name* (``"Family.query"``) on every connection."""
        return self.query(name)(**params)

    def query(self, name: str) -> Callable[..., pd.DataFrame]:
        """Return a callable that runs catalog query *name* on every connection."""
        if name not in self.list_queries():
            raise UnknownQueryError(
                f"Not every connection can run '{name}'.{did_you_mean(name, self.list_queries())} "
                "See list_queries() for the queries all of them have.",
                query=name,
            )

        def run_everywhere(**params: Any) -> pd.DataFrame:
            return self._on_all(lambda p: p.run(name, **params), label=name)

        run_everywhere.__name__ = name.partition(".")[2]
        run_everywhere.__doc__ = next(iter(self.providers.values())).query(name).__doc__
        return run_everywhere

    def __getattr__(self, name: str) -> _MultiFamily:
        providers = self.__dict__.get("providers")
        if providers is None or name.startswith("_"):
            raise AttributeError(name)
        families = sorted({q.partition(".")[0] for q in self.list_queries()})
        if name not in families:
            raise AttributeError(
                f"No query family '{name}' on all connections.{did_you_mean(name, families)} "
                f"Families: {', '.join(families)}."
            )
        return _MultiFamily(self, name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(q.partition(".")[0] for q in self.list_queries())})

    def _on_all(self, run: Callable[[QueryProvider], pd.DataFrame], *, label: str) -> pd.DataFrame:
        import pandas as pd

        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="huntbook-multi") as pool:
            futures = {name: pool.submit(run, provider) for name, provider in self.providers.items()}
        frames: list[pd.DataFrame] = []
        failed: dict[str, str] = {}
        first_error: BaseException | None = None
        for name, future in futures.items():
            try:
                frame = future.result()
            except Exception as exc:  # one connection's failure is reported; the others' rows are kept
                failed[name] = f"{type(exc).__name__}: {exc}"
                first_error = first_error or exc
                continue
            frame = frame.copy()
            frame.insert(0, self.column, pd.Series([name] * len(frame), index=frame.index, dtype="string"))
            frames.append(frame)
        if not frames:
            assert first_error is not None
            raise first_error
        non_empty = [f for f in frames if len(f)]
        result = pd.concat(non_empty or frames[:1], ignore_index=True)
        if failed:
            listed = "; ".join(f"{name}: {error}" for name, error in failed.items())
            warnings.warn(
                PartialResultWarning(
                    f"{label}: {len(failed)} of {len(self.providers)} connections failed ({listed}). "
                    "The rows of the other connections are kept."
                ),
                stacklevel=3,
            )
        result.attrs["huntbook"] = {"connections": list(self.providers), "failed_connections": failed}
        return result


class _MultiFamily:
    """The queries of one family, run on every connection of a `MultiProvider`."""

    def __init__(self, multi: MultiProvider, name: str):
        self._multi = multi
        self._name = name

    def __repr__(self) -> str:
        return f"<query family {self._name} on {', '.join(self._multi.providers)}>"

    def __getattr__(self, name: str) -> Callable[..., pd.DataFrame]:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._multi.query(f"{self._name}.{name}")
        except UnknownQueryError as exc:
            raise AttributeError(str(exc)) from None

    def __dir__(self) -> list[str]:
        return sorted(q.partition(".")[2] for q in self._multi.list_queries(self._name))


def _as_provider(spec: Any) -> QueryProvider:
    from huntbook.data.provider import QueryProvider

    if isinstance(spec, QueryProvider):
        return spec
    if (
        isinstance(spec, tuple)
        and len(spec) == 2
        and isinstance(spec[0], str)
        and isinstance(spec[1], Mapping)
    ):
        return QueryProvider(spec[0], **spec[1])
    raise HuntbookError(
        f"A connection must be a QueryProvider or (environment, options), not {type(spec).__name__}."
    )


def _unique(base: str, taken: Mapping[str, object]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
