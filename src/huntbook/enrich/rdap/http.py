"""Polite async fetching of RDAP JSON: bounded concurrency, per-server pacing, bounded retries.

429 and 503 answers are retried after their ``Retry-After`` (seconds or an HTTP
date), if that is no longer than `FetchPolicy.max_retry_after`; 5xx answers,
timeouts and dropped connections are retried with exponential backoff. Every
call returns an `Answer` (``ok``, ``not found`` or ``error`` with the reason):
nothing is raised for a bad server, so a batch always completes.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from huntbook.enrich.ti.fetch import retry_after_seconds

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchPolicy:
    """How hard to try, and how gently.

    Attributes
    ----------
    concurrency : int
        Requests in flight at once, over all servers.
    requests_per_second : float
        Per RDAP server (host); RIRs and registries rate-limit by client.
    timeout : float
        Seconds for connect and for each read.
    max_retries : int
        Retries after the first attempt (so at most ``1 + max_retries`` requests).
    max_retry_after : float
        Longest ``Retry-After`` honoured; a longer one ends the item with an error.
    backoff : float
        First backoff in seconds for 5xx/timeouts, doubled each retry (with jitter).
    max_bytes : int
        Largest response body read.
    """

    concurrency: int = 4
    requests_per_second: float = 2.0
    timeout: float = 10.0
    max_retries: int = 3
    max_retry_after: float = 60.0
    backoff: float = 0.5
    max_bytes: int = 2_000_000


@dataclass(frozen=True)
class Answer:
    """The outcome of one RDAP request."""

    status: str  # "ok", "not found" or "error"
    document: Any = None
    error: str = ""
    url: str = ""


@dataclass
class Pacer:
    """Spaces requests to each host at least ``1 / requests_per_second`` apart."""

    policy: FetchPolicy
    semaphore: asyncio.Semaphore = field(init=False)
    _next: dict[str, float] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.semaphore = asyncio.Semaphore(max(1, self.policy.concurrency))

    async def wait_turn(self, host: str) -> None:
        """Sleep until *host* may be asked again."""
        lock = self._locks.setdefault(host, asyncio.Lock())
        interval = 1.0 / self.policy.requests_per_second if self.policy.requests_per_second > 0 else 0.0
        async with lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        if start > now:
            await asyncio.sleep(start - now)

    def hold_host(self, host: str, seconds: float) -> None:
        """Ask nothing more of *host* for *seconds* (after a Retry-After)."""
        self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)


async def _read(response: httpx.Response, limit: int) -> bytes | None:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


async def fetch_json(client: httpx.AsyncClient, url: str, pacer: Pacer) -> Answer:
    """GET *url* as RDAP JSON, with the retries of *pacer*'s policy; never raises for server faults."""
    import httpx

    policy = pacer.policy
    host = urlsplit(url).netloc
    reason = ""
    delay = 0.0
    for attempt in range(policy.max_retries + 1):
        if delay:
            await asyncio.sleep(delay)
        delay = policy.backoff * (2**attempt) * (0.5 + random.random() / 2)
        await pacer.wait_turn(host)
        async with pacer.semaphore:
            try:
                async with client.stream("GET", url, headers={"Accept": "application/rdap+json"}) as response:
                    status = response.status_code
                    if status == 404:
                        return Answer("not found", url=url)
                    if status in RETRY_STATUSES:
                        reason = f"HTTP {status}"
                        after = retry_after_seconds(response.headers.get("Retry-After"))
                        if after is not None and after > policy.max_retry_after:
                            why = (f"rate limited: HTTP {status} with Retry-After {after:.0f} s "
                                   f"(longer than {policy.max_retry_after:.0f} s)")
                            return Answer("error", error=why, url=url)
                        if after is not None:
                            pacer.hold_host(host, after)  # wait_turn honours it
                            reason, delay = f"HTTP {status} (Retry-After {after:.0f} s)", 0.0
                        continue
                    if status >= 400:
                        return Answer("error", error=f"HTTP {status} from the RDAP server", url=url)
                    body = await _read(response, policy.max_bytes)
            except httpx.TimeoutException:
                reason = f"timed out after {policy.timeout:g} s"
                continue
            except (httpx.TransportError, httpx.DecodingError) as exc:
                reason = f"connection failed ({type(exc).__name__})"
                continue
        if body is None:
            return Answer("error", error=f"response larger than {policy.max_bytes} bytes; not read", url=url)
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return Answer("error", error="malformed RDAP response (not JSON)", url=url)
        if not isinstance(document, dict):
            return Answer("error", error="malformed RDAP response (not a JSON object)", url=url)
        return Answer("ok", document=document, url=url)
    return Answer("error", error=f"gave up after {policy.max_retries + 1} attempts: {reason}", url=url)
