"""`TILookup`: ask many threat-intel providers about many observables, into one DataFrame.

::

    ti = TILookup()                                  # providers from huntbook.yaml; the lake by default
    ti.lookup(["203.0.113.66", "evil.example"])      # one row per observable and provider
    ti.lookup(frame, column="DestinationIP", providers=["lake", "virustotal"])

HTTP providers run concurrently under one async httpx client (rate-limited per
provider, retried with backoff); offline providers run beside them in a
thread. Each answer is cached as it arrives; a repeated lookup makes no request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from huntbook.enrich.ti.classify import classify
from huntbook.enrich.ti.local import LocalProvider
from huntbook.enrich.ti.provider import ProviderError, TIProvider
from huntbook.enrich.ti.registry import (
    DEFAULT_PROVIDERS,
    UnknownProviderError,
    canonical_name,
    load_provider_class,
    provider_names,
)
from huntbook.enrich.ti.settings import (
    LOOKUP_SECTION,
    TIOptions,
    env_key_name,
    lookup_options,
    provider_options,
    resolve_key,
)
from huntbook.errors import HuntbookError, MissingExtraError

if TYPE_CHECKING:
    # asyncio, the HTTP fetcher and the sqlite cache load when a lookup is set up, not on import
    # (init_notebook puts TILookup into every notebook).
    import pandas as pd

    from huntbook.config import Settings
    from huntbook.enrich.ti.cache import TICache
    from huntbook.enrich.ti.result import LookupResult

Provider = TIProvider | LocalProvider
T = TypeVar("T")

PROGRESS_MIN_ITEMS = 20
"""With ``progress=None``, a bar is shown when at least this many answers are to be fetched."""


class LookupInputError(HuntbookError, TypeError):
    """`TILookup.lookup` got observables, a column or types it cannot use."""


@dataclass(frozen=True)
class _Broken:
    """A provider that could not be set up; each of its rows says why."""

    name: str
    reason: str


@dataclass(frozen=True)
class _Job:
    position: int
    observable: str
    kind: str


class TILookup:
    """Look observables up in threat-intel providers.

    Parameters
    ----------
    providers : str, list of str or provider objects, optional
        Provider names in any case (see `provider_names`) or instances. By default the
        ``providers.ti.providers`` list of huntbook.yaml; without one, the lake's
        TI table plus every provider configured (or with a key in
        ``HUNTBOOK_<NAME>_API_KEY``).
    settings : Settings, optional
        Configuration; read from huntbook.yaml by default.
    options : TIOptions, optional
        Concurrency, timeouts, retries, cache; ``providers.ti`` of the settings by default.
    cache : TICache, path or bool, optional
        The answer cache: an open `TICache`, a file, ``False`` for none; by
        default as *options* say (the user cache folder).
    progress : bool, optional
        Show a progress bar; by default only for batches of `PROGRESS_MIN_ITEMS` or more.
    """

    def __init__(
        self,
        providers: str | Sequence[str | Provider] | None = None,
        *,
        settings: Settings | None = None,
        options: TIOptions | None = None,
        cache: TICache | Path | str | bool | None = None,
        progress: bool | None = None,
    ) -> None:
        from huntbook.config import load_settings
        from huntbook.enrich.ti.fetch import Scrubber

        self.settings = settings or load_settings()
        self.options = options or lookup_options(self.settings)
        self.progress = progress
        self.cache = self._open_cache(cache)
        self._scrub = Scrubber()
        self._providers: dict[str, Provider | _Broken] = {}
        if isinstance(providers, str):  # TILookup("virustotal") means one provider, not its letters
            providers = [providers]
        names = providers if providers is not None else self.default_providers()
        self.provider_order: list[str] = [self._add(p) for p in names]

    def __repr__(self) -> str:
        cache = self.cache.path if self.cache is not None else "off"
        return f"TILookup(providers={self.provider_order}, cache={cache!r})"

    def __enter__(self) -> TILookup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the cache and release what offline providers hold."""
        for provider in self._providers.values():
            if isinstance(provider, LocalProvider):
                provider.close()
        if self.cache is not None:
            self.cache.close()

    # -- setup ------------------------------------------------------------------

    def default_providers(self) -> list[str]:
        """Return the providers used when none are named (see the class docstring)."""
        import os

        if self.options.providers is not None:
            return list(self.options.providers)
        chosen = list(DEFAULT_PROVIDERS)
        for name in provider_names():
            section = self.settings.providers.get(name)
            configured = section is not None and (section.model_extra or {}).get("enabled", True) is not False
            if name not in chosen and (configured or os.environ.get(env_key_name(name))):
                chosen.append(name)
        return chosen

    @property
    def providers(self) -> dict[str, Provider]:
        """The providers that are set up, by name (those that failed to set up are left out)."""
        return {n: p for n, p in self._providers.items() if not isinstance(p, _Broken)}

    @property
    def problems(self) -> dict[str, str]:
        """Why each provider that failed to set up did so, by name."""
        return {n: p.reason for n, p in self._providers.items() if isinstance(p, _Broken)}

    def _open_cache(self, cache: TICache | Path | str | bool | None) -> TICache | None:
        from huntbook.enrich.ti.cache import TICache

        if isinstance(cache, TICache):
            return cache
        if cache is False or (cache is None and not self.options.cache):
            return None
        if isinstance(cache, str | Path):
            return TICache(cache)
        return TICache(self.options.cache_path)

    def _add(self, provider: str | Provider) -> str:
        if isinstance(provider, TIProvider | LocalProvider):
            self._providers[provider.name] = self._checked(provider)
            return provider.name
        if not isinstance(provider, str):
            raise LookupInputError(
                f"providers must be names or TIProvider/LocalProvider objects, not {type(provider).__name__}"
            )
        if provider in self._providers:
            return provider
        if provider == LOOKUP_SECTION:
            raise UnknownProviderError(provider, provider_names())
        provider = canonical_name(provider)
        if provider not in self._providers:
            self._providers[provider] = self._build(provider)
        return provider

    def _checked(self, provider: Provider) -> Provider | _Broken:
        from huntbook.enrich.ti.fetch import hide_in_logs

        if isinstance(provider, TIProvider):
            if provider.api_key is not None:
                self._scrub.add(provider.api_key.get_secret_value())
                hide_in_logs(provider.api_key.get_secret_value())
            missing = provider.missing_key()
            if missing:
                return _Broken(provider.name, missing)
        return provider

    def _build(self, name: str) -> Provider | _Broken:
        try:
            cls = load_provider_class(name)
            options = provider_options(self.settings, name)
            if issubclass(cls, LocalProvider):
                return cls(settings=self.settings, **options.extras())
            provider: TIProvider = cls(api_key=resolve_key(name, options.api_key), **options.extras())
        except (HuntbookError, TypeError, ValueError) as exc:
            return _Broken(name, self._scrub(f"{type(exc).__name__}: {exc}"))
        return self._checked(provider)

    # -- lookups ------------------------------------------------------------------

    def lookup(
        self,
        observables: str | Iterable[str] | pd.Series | pd.DataFrame,
        *,
        column: str | None = None,
        types: str | Sequence[str | None] | None = None,
        providers: str | Sequence[str | Provider] | None = None,
    ) -> pd.DataFrame:
        """Look observables up; return one row per (unique observable, provider).

        Parameters
        ----------
        observables : str, list of str, Series or DataFrame
            What to look up; for a DataFrame, name the *column*.
        column : str, optional
            The column of *observables* (a DataFrame) to look up.
        types : str or list, optional
            The IoC type (``ipv4``, ``domain``, ``url``, ``md5``, ...) of every
            observable, or a list with one type per observable (None entries are
            inferred). Inferred from huntbook's IoC patterns by default.
        providers : list of str or provider objects, optional
            Ask only these (by default all of this lookup's providers).

        Returns
        -------
        pandas.DataFrame
            Columns `huntbook.enrich.ti.result.COLUMNS`: ``observable``,
            ``type``, ``provider``, ``verdict``, ``severity``, ``summary``,
            ``reference``, ``details``, ``raw``, ``status`` (``ok``,
            ``not_found``, ``error``), ``reason`` (why an error), ``lookup_time``
            and ``cached``. An observable that no provider can take gets one
            ``error`` row with an empty provider.
        """
        try:
            return run_sync(lambda: self._alookup(observables, column, types, providers))
        except _StoppedError as stop:  # raised again here, outside the event loop, which has ended cleanly
            raise stop.original from None

    async def alookup(
        self,
        observables: str | Iterable[str] | pd.Series | pd.DataFrame,
        *,
        column: str | None = None,
        types: str | Sequence[str | None] | None = None,
        providers: str | Sequence[str | Provider] | None = None,
    ) -> pd.DataFrame:
        """`lookup`, as a coroutine (for code already inside an event loop)."""
        try:
            return await self._alookup(observables, column, types, providers)
        except _StoppedError as stop:
            raise stop.original from None

    async def _alookup(
        self,
        observables: str | Iterable[str] | pd.Series | pd.DataFrame,
        column: str | None,
        types: str | Sequence[str | None] | None,
        providers: str | Sequence[str | Provider] | None,
    ) -> pd.DataFrame:
        from huntbook.enrich.ti.result import LookupResult, to_frame

        started = time.perf_counter()
        items = _typed_items(_values(observables, column), types)
        if isinstance(providers, str):
            providers = [providers]
        names = [self._add(p) for p in providers] if providers is not None else self.provider_order
        results: list[LookupResult] = []
        jobs: dict[str, list[_Job]] = {}
        for observable, kind in items:
            if kind is None:
                reason = (
                    "not recognised as an indicator (ipv4, ipv6, domain, url, email, md5, sha1, sha256); "
                    "pass types= to say what it is"
                )
                results.append(LookupResult.failed(observable, "", "", reason))
                continue
            takers = [n for n in names if _takes(self._providers[n], kind)]
            if not takers:
                reason = f"no selected provider looks up type {kind!r} (providers: {', '.join(names)})"
                results.append(LookupResult.failed(observable, kind, "", reason))
            for name in takers:
                jobs.setdefault(name, []).append(_Job(len(results), observable, kind))
                results.append(LookupResult.failed(observable, kind, name, "not looked up (interrupted)"))
        stats = await self._run(jobs, results)
        frame = to_frame(results)
        frame.attrs["huntbook"] = {**stats, "seconds": round(time.perf_counter() - started, 4)}
        return frame

    async def _run(self, jobs: dict[str, list[_Job]], results: list[LookupResult]) -> dict[str, int]:
        from huntbook.enrich.ti.result import LookupResult

        stats = {"requests": 0, "retries": 0, "cached": 0}
        todo: dict[str, list[_Job]] = {}
        for name, provider_jobs in jobs.items():
            provider = self._providers[name]
            if isinstance(provider, _Broken):
                for job in provider_jobs:
                    results[job.position] = LookupResult.failed(
                        job.observable, job.kind, name, provider.reason
                    )
                continue
            pending = self._from_cache(provider, provider_jobs, results)
            stats["cached"] += len(provider_jobs) - len(pending)
            if pending:
                todo[name] = pending
        total = sum(len(j) for j in todo.values())
        with _Progress(self.progress, total) as advance:
            tasks = [
                self._run_local(p, todo[n], results, advance)
                for n, p in self.providers.items()
                if n in todo and isinstance(p, LocalProvider)
            ]
            http = {n: p for n, p in self.providers.items() if n in todo and isinstance(p, TIProvider)}
            if http:
                tasks.append(self._run_http(http, todo, results, advance, stats))
            await _all(tasks)
        return stats

    def _from_cache(self, provider: Provider, jobs: list[_Job], results: list[LookupResult]) -> list[_Job]:
        ttl = provider.ttl_delta if isinstance(provider, TIProvider) else provider.ttl
        if self.cache is None or ttl <= dt.timedelta(0):
            return jobs
        hits = self.cache.get_many(provider.name, ((j.observable, j.kind) for j in jobs))
        pending = []
        for job in jobs:
            hit = hits.get((job.observable, job.kind))
            if hit is None:
                pending.append(job)
            else:
                results[job.position] = hit
        return pending

    def _store(self, result: LookupResult, provider: Provider) -> None:
        if self.cache is not None:
            ttl = provider.ttl_delta if isinstance(provider, TIProvider) else provider.ttl
            self.cache.put(result, ttl)

    async def _run_local(
        self,
        provider: LocalProvider,
        jobs: list[_Job],
        results: list[LookupResult],
        advance: Callable[[int], None],
    ) -> None:
        import asyncio

        from huntbook.enrich.ti.result import LookupResult

        items = [(j.observable, j.kind) for j in jobs]
        try:
            answers = await _carried(asyncio.to_thread(provider.lookup_batch, items))
            if len(answers) != len(items):
                raise ProviderError(
                    f"{provider.name} answered {len(answers)} of {len(items)} items", provider=provider.name
                )
        except Exception as exc:  # any fault of one provider stays in its own rows
            reason = self._scrub(f"{type(exc).__name__}: {exc}")
            for job in jobs:
                results[job.position] = LookupResult.failed(job.observable, job.kind, provider.name, reason)
        else:
            for job, answer in zip(jobs, answers, strict=True):
                row = LookupResult.answered(
                    job.observable, job.kind, provider.name, answer.assessment, answer.raw
                )
                results[job.position] = row
                self._store(row, provider)
        advance(len(jobs))

    async def _run_http(
        self,
        providers: dict[str, TIProvider],
        todo: dict[str, list[_Job]],
        results: list[LookupResult],
        advance: Callable[[int], None],
        stats: dict[str, int],
    ) -> None:
        import asyncio

        from huntbook.enrich.ti.fetch import Fetcher, ProviderState, RateLimiter

        try:
            import httpx
        except ImportError:
            raise MissingExtraError("httpx", "ti", feature="Online threat-intel lookups") from None
        limits = httpx.Limits(
            max_connections=self.options.concurrency, max_keepalive_connections=self.options.concurrency
        )
        fetcher = Fetcher(self.options, self._scrub)

        async def one(state: ProviderState, job: _Job) -> None:
            row = await _carried(fetcher.fetch(state, job.observable, job.kind))
            results[job.position] = row
            self._store(row, state.provider)
            advance(1)

        # One client (connection pool) per provider: httpcore's pool work grows with its size.
        async with contextlib.AsyncExitStack() as stack:
            states = {
                name: ProviderState(
                    provider,
                    RateLimiter(provider.rate_per_minute),
                    await stack.enter_async_context(
                        httpx.AsyncClient(limits=limits, follow_redirects=False, trust_env=True)
                    ),
                    asyncio.Semaphore(self.options.concurrency),
                )
                for name, provider in providers.items()
            }
            try:
                await _all(one(states[n], j) for n in providers for j in todo[n])
            finally:
                stats["requests"] += sum(s.requests for s in states.values())
                stats["retries"] += sum(s.retries for s in states.values())


class _StoppedError(Exception):
    """A KeyboardInterrupt or SystemExit raised in a provider's code, carried out of the event loop.

    asyncio stops its loop in the middle of a step on those two, leaving tasks
    unfinished that fail much later, wherever they are collected; as an
    ordinary exception it ends the lookup cleanly and is raised again after.
    """

    def __init__(self, original: BaseException):
        super().__init__(repr(original))
        self.original = original


async def _carried(step: Coroutine[Any, Any, T]) -> T:
    """Await *step*; a KeyboardInterrupt or SystemExit in it comes out as `_StoppedError`."""
    try:
        return await step
    except (KeyboardInterrupt, SystemExit) as exc:
        raise _StoppedError(exc) from None


async def _all(steps: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Await every step; when one fails, cancel the others and wait for them before raising."""
    import asyncio

    tasks = [asyncio.ensure_future(step) for step in steps]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _takes(provider: Provider | _Broken, kind: str) -> bool:
    if isinstance(provider, _Broken):
        return True
    return kind in provider.types


def _values(observables: Any, column: str | None) -> list[str]:
    import pandas as pd

    if isinstance(observables, pd.DataFrame):
        if column is None:
            raise LookupInputError(
                f"a DataFrame needs column=: the column to look up (one of {list(observables.columns)})"
            )
        if column not in observables.columns:
            from huntbook.errors import did_you_mean

            hint = did_you_mean(column, [str(c) for c in observables.columns])
            raise LookupInputError(f"the DataFrame has no column {column!r}.{hint}")
        observables = observables[column]
    elif column is not None:
        raise LookupInputError("column= applies only to a DataFrame")
    if isinstance(observables, str):
        return [observables]
    if isinstance(observables, bytes) or not isinstance(observables, Iterable):
        raise LookupInputError(
            f"observables must be a string, a list of strings, a Series or a DataFrame column, "
            f"not {type(observables).__name__}"
        )
    values = []
    for value in observables:
        if value is None or (isinstance(value, float) and value != value):
            continue
        values.append(value if isinstance(value, str) else str(value))
    return values


def _typed_items(values: list[str], types: str | Sequence[str | None] | None) -> list[tuple[str, str | None]]:
    if isinstance(types, str):
        given: list[str | None] = [types] * len(values)
    elif types is None:
        given = [None] * len(values)
    else:
        given = list(types)
        if len(given) != len(values):
            raise LookupInputError(
                f"types has {len(given)} entries for {len(values)} observables; pass one type for all, "
                "or one per observable"
            )
    guesses = classify([v for v, t in zip(values, given, strict=True) if t is None])
    guessed = iter(guesses)
    items: dict[tuple[str, str | None], None] = {}
    for value, kind in zip(values, given, strict=True):
        if kind is None:
            guess = next(guessed)
            items[guess if guess is not None else (value.strip(), None)] = None
        else:
            items[(value.strip(), kind)] = None
    return list(items)


class _Progress:
    def __init__(self, show: bool | None, total: int):
        self.show = show if show is not None else total >= PROGRESS_MIN_ITEMS
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.show or not self.total:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("TI lookup"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("lookup", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, also inside a running event loop (Jupyter).

    Inside a running loop the coroutine runs on its own loop in a worker thread;
    an interrupt (Ctrl-C, the notebook's stop button) cancels it there.
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    box: dict[str, Any] = {}
    ready = threading.Event()

    def worker() -> None:
        loop = asyncio.new_event_loop()
        task = loop.create_task(factory())
        box["loop"], box["task"] = loop, task
        ready.set()
        try:
            box["result"] = loop.run_until_complete(task)
        except BaseException as exc:  # carried over to the caller's thread
            box["error"] = exc
        finally:
            loop.close()

    thread = threading.Thread(target=worker, name="huntbook-ti-lookup", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.05)
    except BaseException:
        ready.wait()
        box["loop"].call_soon_threadsafe(box["task"].cancel)
        thread.join(10)
        raise
    if "error" in box:
        raise box["error"]
    result: T = box["result"]
    return result
