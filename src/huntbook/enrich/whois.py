"""Whois for IP addresses, domains and AS numbers, over RDAP (the JSON successor of port-43 whois).

`whois_lookup` finds each object's RDAP server from IANA's bootstrap registry,
asks it politely (bounded concurrency, per-server pacing, ``Retry-After``,
bounded retries; see `huntbook.enrich.rdap.http.FetchPolicy`), follows a
domain's ``related`` link to the registrar's RDAP server for the details thin
registries leave out, and caches answers in a SQLite file in the user cache
folder. Every input gets one row, in input order: ``ok``, ``not found``,
``not looked up (<why>)``, ``invalid: <why>`` or ``error: <why>``.

Why not ``ipwhois`` or ``whoisit``: ipwhois 1.3 is synchronous (urllib), sleeps
a fixed 120 s on HTTP 429 whatever ``Retry-After`` says and hard-codes the
registries' URLs; whoisit keeps its bootstrap data in module-global state and
drops ``Retry-After`` too. RDAP itself is plain JSON over HTTPS (RFC 9082/9083),
so a small client on httpx does it with the same politeness rules as the TI lookups.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from huntbook.enrich.rdap.bootstrap import BOOTSTRAP_FILES, IANA_BOOTSTRAP_URL, Bootstrap, BootstrapError
from huntbook.enrich.rdap.cache import RdapCache
from huntbook.enrich.rdap.http import Answer, FetchPolicy, Pacer, fetch_json
from huntbook.enrich.rdap.parse import RDAP_FIELDS, parse_rdap
from huntbook.errors import MissingExtraError

if TYPE_CHECKING:
    import httpx
    import pandas as pd

__all__ = ["WHOIS_COLUMNS", "FetchPolicy", "whois_lookup"]

WHOIS_COLUMNS = ("observable", "type", "query", "status", "error", *RDAP_FIELDS, "server", "cached", "raw")
BOOTSTRAP_TTL_SECONDS = 7 * 86_400.0
_ASN = re.compile(r"(?i)as(\d{1,20})")
T = TypeVar("T")


@dataclass(frozen=True)
class _Item:
    """What one input asks for: kind (``ip``/``domain``/``asn``) and query, or why nothing is asked."""

    kind: str
    query: str
    problem: str = ""


def _classify(value: object) -> _Item:
    from huntbook.enrich.domains import normalize_domain, split_domain
    from huntbook.enrich.geoip._addresses import format_address, parse_addresses
    from huntbook.enrich.geoip._special import GLOBAL, classify

    parsed = parse_addresses([value])
    if parsed.version[0]:
        address_class = str(classify(parsed)[0])
        text = format_address(int(parsed.version[0]), int(parsed.hi[0]), int(parsed.lo[0]))
        if address_class != GLOBAL:
            return _Item("ip", text, f"not looked up ({address_class})")
        return _Item("ip", text)
    if isinstance(value, str) and (match := _ASN.fullmatch(value.strip())):
        number = int(match.group(1))
        if number > 2**32 - 1:
            return _Item("asn", "", "invalid: AS number larger than 4294967295")
        return _Item("asn", str(number))
    norm = normalize_domain(value)
    if norm.problem:
        return _Item("", "", norm.problem)
    registered = split_domain(norm.ascii)[3]
    if not registered:
        return _Item("domain", norm.ascii, "not looked up (no public suffix)")
    return _Item("domain", registered)


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run *coro* to completion, also from inside a running event loop (a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:  # handed to the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target, name="huntbook-rdap")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


class _Lookup:
    """One batch: bootstrap, cache and fetch."""

    def __init__(self, client: httpx.AsyncClient, pacer: Pacer, cache: RdapCache | None,
                 bootstrap_url: str, follow_related: bool):
        self.client = client
        self.pacer = pacer
        self.cache = cache
        self.bootstrap_url = bootstrap_url if bootstrap_url.endswith("/") else bootstrap_url + "/"
        self.follow_related = follow_related
        self.bootstrap = Bootstrap()
        self.bootstrap_problem: dict[str, str] = {}

    async def load_bootstrap(self, kinds: set[str]) -> None:
        files = {"ip": ("ipv4", "ipv6"), "domain": ("domain",), "asn": ("asn",)}
        for kind in kinds:
            for name in files[kind]:
                url = self.bootstrap_url + BOOTSTRAP_FILES[name]
                key = f"bootstrap:{url}"
                hit = self.cache.get(key, ttl_seconds=BOOTSTRAP_TTL_SECONDS) if self.cache else None
                if hit:
                    answer = Answer("ok", hit[1], url=url)
                else:
                    answer = await fetch_json(self.client, url, self.pacer)
                try:
                    if answer.status != "ok":
                        raise BootstrapError(answer.error or answer.status)
                    self.bootstrap.add(name, answer.document)
                except BootstrapError as exc:
                    self.bootstrap_problem[kind] = f"error: RDAP bootstrap file {url} unavailable ({exc})"
                    continue
                if self.cache and not hit:
                    self.cache.put(key, "ok", answer.document)

    def server(self, item: _Item) -> str | None:
        if item.kind == "ip":
            return self.bootstrap.for_ip(ipaddress.ip_address(item.query))
        if item.kind == "asn":
            return self.bootstrap.for_asn(int(item.query))
        return self.bootstrap.for_domain(item.query)

    async def fetch(self, item: _Item) -> tuple[Answer, str]:
        if item.kind in self.bootstrap_problem:
            return Answer("error", error=self.bootstrap_problem[item.kind].removeprefix("error: ")), ""
        base = self.server(item)
        if base is None:
            what = {"ip": "this address block", "asn": "this AS number",
                    "domain": f"the .{item.query.rsplit('.', 1)[-1]} registry"}[item.kind]
            return Answer("error", error=f"no RDAP server is listed for {what} in the IANA bootstrap"), ""
        path = {"ip": "ip", "asn": "autnum", "domain": "domain"}[item.kind]
        answer = await fetch_json(self.client, f"{base}{path}/{quote(item.query, safe=':')}", self.pacer)
        if answer.status == "ok" and item.kind == "domain" and self.follow_related:
            related = _related_link(answer.document)
            if related:
                extra = await fetch_json(self.client, related, self.pacer)
                if extra.status == "ok":
                    answer.document["huntbook_related"] = extra.document
        if self.cache and answer.status in ("ok", "not found"):
            self.cache.put(f"rdap:{item.kind}:{item.query}", answer.status, answer.document)
        return answer, base


def _related_link(document: dict[str, Any]) -> str:
    for link in document.get("links") or []:
        if (isinstance(link, dict) and link.get("rel") == "related"
                and "rdap" in str(link.get("type", "")) and str(link.get("href", "")).startswith("http")):
            return str(link["href"])
    return ""


def _fields(document: Any) -> dict[str, str]:
    fields = parse_rdap(document)
    if isinstance(document, dict) and isinstance(document.get("huntbook_related"), dict):
        for key, value in parse_rdap(document["huntbook_related"]).items():
            if not fields[key] and key != "object_class":
                fields[key] = value
    return fields


async def _lookup_all(
    items: dict[_Item, None], cache: RdapCache | None, policy: FetchPolicy, bootstrap_url: str,
    follow_related: bool, progress: bool,
) -> dict[_Item, tuple[Answer, str, bool]]:
    import httpx
    from rich.progress import Progress

    results: dict[_Item, tuple[Answer, str, bool]] = {}
    todo = []
    for item in items:
        hit = cache.get(f"rdap:{item.kind}:{item.query}") if cache else None
        if hit is not None:
            results[item] = (Answer(hit[0], hit[1]), "", True)
        else:
            todo.append(item)
    if not todo:
        return results
    timeout = httpx.Timeout(policy.timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, max_redirects=5,
                                 headers={"User-Agent": "huntbook-rdap"}) as client:
        lookup = _Lookup(client, Pacer(policy), cache, bootstrap_url, follow_related)
        await lookup.load_bootstrap({item.kind for item in todo})
        with Progress(disable=not progress, transient=True) as bar:
            task = bar.add_task("RDAP lookups", total=len(todo))

            async def one(item: _Item) -> None:
                answer, server = await lookup.fetch(item)
                results[item] = (answer, server, False)
                bar.advance(task)

            await asyncio.gather(*(one(item) for item in todo))
    return results


def whois_lookup(
    observables: str | Iterable[object] | pd.Series,
    *,
    cache_path: str | Path | None = None,
    use_cache: bool = True,
    ttl_hours: float = 24.0,
    bootstrap_url: str = IANA_BOOTSTRAP_URL,
    policy: FetchPolicy | None = None,
    follow_related: bool = True,
    progress: bool = True,
) -> pd.DataFrame:
    """Look up registration data (RDAP) for IP addresses, domain names and AS numbers.

    Parameters
    ----------
    observables : str, list or Series
        IPs (v4/v6), domain or host names (looked up as their registered domain:
        ``www.example.co.uk`` asks for ``example.co.uk``), or ``AS13335``-style numbers.
    cache_path : path, optional
        The SQLite cache file; default ``<user cache dir>/huntbook/rdap.sqlite``.
    use_cache : bool
        Read and write the cache (``False``: always ask the servers, store nothing).
    ttl_hours : float
        Age after which a cached answer is asked again.
    bootstrap_url : str
        Where ``dns.json``/``ipv4.json``/``ipv6.json``/``asn.json`` live (IANA by default).
    policy : FetchPolicy, optional
        Concurrency, pacing, timeouts and retries.
    follow_related : bool
        Also ask the registrar's RDAP server a domain's registry links to.
    progress : bool
        Show a progress bar.

    Returns
    -------
    DataFrame
        `WHOIS_COLUMNS`, one row per input in input order. ``registrar``,
        ``org`` (registrant or network name), ``country``, ``asn`` (origin ASes
        when the registry publishes them), ``cidr``, ``created``/``updated``/
        ``expires`` (ISO 8601 text as published), ``nameservers``,
        ``rdap_status``, ``abuse_email``; ``server`` is the RDAP base URL
        asked, ``cached`` whether the answer came from the cache and ``raw``
        the RDAP JSON.
    """
    try:
        import httpx  # noqa: F401
    except ImportError:
        raise MissingExtraError("httpx", "ti", feature="Whois/RDAP lookups") from None
    import pandas as pd

    values = [observables] if isinstance(observables, str) else list(observables)
    classified = [_classify(v) for v in values]
    wanted = {item: None for item in classified if not item.problem}
    cache = RdapCache(cache_path, ttl_seconds=ttl_hours * 3600) if use_cache else None
    try:
        answers = _run_sync(_lookup_all(wanted, cache, policy or FetchPolicy(), bootstrap_url,
                                        follow_related, progress)) if wanted else {}
    finally:
        if cache is not None:
            cache.close()
    rows = []
    for value, item in zip(values, classified, strict=True):
        row: dict[str, Any] = {"observable": value, "type": item.kind, "query": item.query,
                               **dict.fromkeys(RDAP_FIELDS, ""), "server": "", "cached": False, "raw": ""}
        if item.problem:
            rows.append({**row, "status": item.problem, "error": ""})
            continue
        answer, server, cached = answers[item]
        status = answer.status if answer.status != "error" else "error"
        row.update(status=status, error=answer.error, server=server, cached=cached)
        if answer.status == "ok":
            row.update(_fields(answer.document), raw=json.dumps(answer.document))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(WHOIS_COLUMNS)).astype(
        {c: object for c in WHOIS_COLUMNS if c != "cached"})
