"""Asking HTTP providers, politely: rate limits, bounded retries, Retry-After, timeouts, size caps.

`Fetcher.fetch` never raises for a network or service fault: it returns a
`LookupResult` whose ``status`` and ``reason`` say what happened.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

from huntbook.enrich.ti.provider import NotFound, ProviderError, TIProvider
from huntbook.enrich.ti.result import LookupResult
from huntbook.enrich.ti.settings import TIOptions

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("huntbook.enrich.ti")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses that are tried again (after Retry-After when the answer has one)."""
KEY_STATUSES = frozenset({401, 403})
"""Statuses that mean the key is wrong: the provider is not asked again in this batch."""
_CUT_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class _LogScrubber(logging.Filter):
    """Scrub secrets out of the records of the HTTP libraries (httpx logs request URLs)."""

    def __init__(self) -> None:
        super().__init__()
        self.scrub = Scrubber()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class Scrubber:
    """Replace secrets (and their URL-quoted forms) in text that may be shown or logged."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if len(secret) >= 4:
            self._secrets |= {secret, quote(secret, safe=""), quote_plus(secret)}

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "**********")
        return text


_LOG_FILTER = _LogScrubber()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_LOG_FILTER)


def hide_in_logs(secret: str) -> None:
    """Keep *secret* out of every record of the httpx and httpcore loggers from now on."""
    _LOG_FILTER.scrub.add(secret)


class RateLimiter:
    """Start requests at least ``60 / per_minute`` seconds apart, measured when each really starts.

    Waiting happens under a lock and the clock is read after the wait, so a late
    wake-up (a busy event loop) widens the next gap instead of letting a burst through.
    `pause` holds every request back (after a 429 with Retry-After).
    """

    def __init__(self, per_minute: float):
        self.interval = 60.0 / per_minute
        self._last = -float("inf")
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            while (hold := max(self._last + self.interval, self._paused_until) - time.monotonic()) > 0:
                await asyncio.sleep(hold)
            self._last = time.monotonic()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Read a Retry-After header: delay seconds or an HTTP date; ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


@dataclass
class ProviderState:
    """Per-provider bookkeeping during one batch."""

    provider: TIProvider
    limiter: RateLimiter
    client: httpx.AsyncClient
    slots: asyncio.Semaphore
    """Requests of this provider in flight at once."""
    stopped: str | None = None
    """Set when the provider is not to be asked again in this batch (bad key, unreachable)."""
    requests: int = 0
    retries: int = field(default=0)


class _Retry(Exception):  # noqa: N818 - internal signal, not an error
    def __init__(self, reason: str, wait: float | None = None, *, unreachable: bool = False):
        self.reason = reason
        self.wait = wait
        self.unreachable = unreachable
        super().__init__(reason)


class Fetcher:
    """Run requests for HTTP providers, each with its own client, concurrency slots and rate limit."""

    def __init__(self, options: TIOptions, scrub: Scrubber):
        self.options = options
        self.scrub = scrub

    async def fetch(self, state: ProviderState, observable: str, kind: str) -> LookupResult:
        """Ask *state*'s provider about one observable; always return a row."""
        provider = state.provider
        last = "not tried"
        attempts = self.options.retries + 1
        for attempt in range(attempts):
            if state.stopped:
                return self._failed(observable, kind, provider, state.stopped)
            try:
                return await self._once(state, observable, kind)
            except _Retry as retry:
                last = retry.reason
                if retry.unreachable and attempt == attempts - 1:
                    state.stopped = f"not asked: the provider was unreachable ({last})"
                if attempt == attempts - 1:
                    break
                wait = retry.wait
                if wait is None:
                    base = self.options.backoff_seconds * 2**attempt
                    wait = min(self.options.max_backoff_seconds, base * (1 + 0.25 * random.random()))
                elif wait > self.options.max_retry_after_seconds:
                    return self._failed(
                        observable,
                        kind,
                        provider,
                        f"{last}; the service asks to wait {wait:.0f} s, more than "
                        f"max_retry_after_seconds={self.options.max_retry_after_seconds:g}",
                    )
                else:
                    state.limiter.pause(wait)
                state.retries += 1
                log.debug("%s: retry %d for a %s in %.2f s: %s", provider.name, attempt + 1, kind, wait, last)
                await asyncio.sleep(wait)
        tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
        return self._failed(observable, kind, provider, f"gave up after {tries}: {last}")

    def _failed(self, observable: str, kind: str, provider: TIProvider, reason: str) -> LookupResult:
        return LookupResult.failed(observable, kind, provider.name, self.scrub(reason))

    async def _once(self, state: ProviderState, observable: str, kind: str) -> LookupResult:
        import httpx

        provider = state.provider
        try:
            spec = provider.request(observable, kind)
        except ProviderError as exc:
            return self._failed(observable, kind, provider, str(exc))
        async with state.slots:
            if state.stopped:
                return self._failed(observable, kind, provider, state.stopped)
            await state.limiter.wait()
            state.requests += 1
            try:
                async with state.client.stream(
                    spec.method,
                    spec.url,
                    params=spec.params or None,
                    headers=spec.headers,
                    data=spec.form,
                    json=spec.json,
                    timeout=self.options.timeout_seconds,
                ) as response:
                    body = await self._read(response)
            except httpx.TimeoutException as exc:
                raise _Retry(
                    f"timed out after {self.options.timeout_seconds:g} s ({type(exc).__name__})"
                ) from None
            except httpx.ConnectError as exc:
                raise _Retry(
                    f"cannot connect: {self.scrub(str(exc)) or type(exc).__name__}", unreachable=True
                ) from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise _Retry(f"connection failed: {type(exc).__name__}: {self.scrub(str(exc))}") from None
        if body is None:
            return self._failed(
                observable,
                kind,
                provider,
                f"answer larger than max_response_bytes={self.options.max_response_bytes}",
            )
        return self._judge(state, observable, kind, response, body)

    async def _read(self, response: httpx.Response) -> bytes | None:
        limit = self.options.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks, total = [], 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _judge(
        self, state: ProviderState, observable: str, kind: str, streamed: httpx.Response, body: bytes
    ) -> LookupResult:
        import httpx

        provider = state.provider
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _CUT_HEADERS]
        response = httpx.Response(
            streamed.status_code, headers=headers, content=body, request=streamed.request
        )
        status = response.status_code
        if status in provider.not_found_statuses:
            return LookupResult.answered(
                observable, kind, provider.name, None, _payload_or_none(response, body)
            )
        if status in RETRY_STATUSES:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            raise _Retry(self.scrub(provider.describe_error(response)), wait)
        if status >= 400:
            reason = self.scrub(provider.describe_error(response))
            if status in KEY_STATUSES:
                state.stopped = f"not asked after an earlier answer: {reason}"
            return self._failed(observable, kind, provider, reason)
        if status >= 300:
            return self._failed(observable, kind, provider, f"unexpected redirect (HTTP {status})")
        try:
            payload = decode_body(response, body)
        except ValueError as exc:
            return self._failed(observable, kind, provider, f"malformed answer: {exc}")
        try:
            assessment = provider.parse(observable, kind, payload, response)
        except NotFound:
            return LookupResult.answered(observable, kind, provider.name, None, payload)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            reason = f"malformed answer: {type(exc).__name__}: {exc}"
            return self._failed(observable, kind, provider, reason)
        except Exception as exc:
            return self._failed(observable, kind, provider, f"parser failed: {type(exc).__name__}: {exc}")
        return LookupResult.answered(observable, kind, provider.name, assessment, payload)


def decode_body(response: httpx.Response, body: bytes) -> Any:
    """Return the parsed JSON of *body* (or its text when it is not JSON).

    Raises
    ------
    ValueError
        The answer says it is JSON (or looks like it) and is not valid JSON.
    """
    text = body.decode(response.encoding or "utf-8", errors="replace")
    ctype = response.headers.get("content-type", "").lower()
    looks_json = text.lstrip()[:1] in ("{", "[")
    if "json" not in ctype and not looks_json:
        return text
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if "json" not in ctype:
            return text
        raise ValueError(f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _payload_or_none(response: httpx.Response, body: bytes) -> Any:
    try:
        return decode_body(response, body)
    except ValueError:
        return None
