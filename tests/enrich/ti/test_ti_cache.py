"""The persistent TI cache: repeated lookups cost nothing, interrupted batches keep what they fetched."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from typing import ClassVar

import pytest

from huntbook.config import Settings
from huntbook.enrich.ti import Assessment, Endpoint, TICache, TILookup, TIOptions, TIProvider
from huntbook.enrich.ti.result import LookupResult


class Echo(TIProvider):
    """A test-only provider that marks odd last octets malicious."""

    name = "echo"
    base_url = "http://unused.invalid"
    endpoints: ClassVar = {"ipv4": Endpoint("/ip/{observable}")}
    key_required = False
    requests_per_minute = 60_000

    def parse(self, observable, ioc_type, payload, response):
        bad = int(observable.rsplit(".", 1)[1]) % 2 == 1
        return Assessment("malicious" if bad else "benign", "high" if bad else "none", payload["note"])


class Crashing(Echo):
    """Stops the whole process (as Ctrl-C would) on one observable."""

    def parse(self, observable, ioc_type, payload, response):
        if observable == "10.0.0.7":
            raise KeyboardInterrupt
        return super().parse(observable, ioc_type, payload, response)


IPS = [f"10.0.0.{i}" for i in range(1, 13)]


def make(provider, path, **options):
    fast = {"retries": 0, "concurrency": 2, "timeout_seconds": 5.0}
    return TILookup(
        [provider], settings=Settings(), options=TIOptions(**{**fast, **options}), cache=path, progress=False
    )


def requested(server):
    return [r.path.rsplit("/", 1)[1] for r in server.requests]


def test_a_repeated_lookup_makes_no_request(http_server, tmp_path):
    http_server.fallback = http_server.Reply(json={"note": "seen"})
    provider = Echo(base_url=http_server.url)
    first = make(provider, tmp_path / "c.sqlite").lookup(IPS)
    assert len(http_server.requests) == len(IPS) and not first["cached"].any()
    second = make(Echo(base_url=http_server.url), tmp_path / "c.sqlite").lookup(IPS)  # a new session
    assert len(http_server.requests) == len(IPS)
    assert second["cached"].all()
    assert second.attrs["huntbook"]["requests"] == 0
    cols = ["observable", "verdict", "severity", "summary", "raw", "status"]
    assert second[cols].to_dict("records") == first[cols].to_dict("records")


def test_not_found_is_cached_and_errors_are_not(http_server, tmp_path):
    reply = http_server.Reply
    http_server.route("/ip/10.0.0.1", reply(404))
    http_server.route("/ip/10.0.0.2", reply(500), reply(json={"note": "recovered"}))
    ti = make(Echo(base_url=http_server.url), tmp_path / "c.sqlite")
    first = ti.lookup(["10.0.0.1", "10.0.0.2"])
    assert list(first["status"]) == ["not_found", "error"]
    second = ti.lookup(["10.0.0.1", "10.0.0.2"])
    assert list(second["status"]) == ["not_found", "ok"]
    assert list(second["cached"]) == [True, False]
    assert requested(http_server) == ["10.0.0.1", "10.0.0.2", "10.0.0.2"]


def test_entries_expire_after_the_ttl(tmp_path):
    cache = TICache(tmp_path / "c.sqlite")
    old = LookupResult(
        "1.2.3.4",
        "ipv4",
        "p",
        "ok",
        "benign",
        "none",
        "s",
        lookup_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
    )
    cache.put(old, dt.timedelta(hours=1))
    assert cache.get_many("p", [("1.2.3.4", "ipv4")]) == {}
    cache.put(old, dt.timedelta(hours=3))
    hit = cache.get_many("p", [("1.2.3.4", "ipv4")])[("1.2.3.4", "ipv4")]
    assert hit.cached and hit.verdict == "benign"
    assert cache.clear("p") == 1 and len(cache) == 0
    cache.close()


def test_ttl_from_config_applies(http_server, tmp_path):
    http_server.fallback = http_server.Reply(json={"note": "n"})
    ti = make(Echo(base_url=http_server.url, ttl_hours=0), tmp_path / "c.sqlite")
    ti.lookup("10.0.0.1")
    ti.lookup("10.0.0.1")
    assert len(http_server.requests) == 2  # a TTL of zero: never cached


def _cached(path):
    if not path.exists():
        return set()
    cache = TICache(path)
    try:
        return {ip for ip in IPS if cache.get_many("echo", [(ip, "ipv4")])}
    finally:
        cache.close()


def test_an_interrupted_batch_keeps_what_it_fetched(http_server, tmp_path):
    http_server.fallback = http_server.Reply(json={"note": "slow"}, delay=0.05)
    path = tmp_path / "c.sqlite"

    async def interrupted():
        task = asyncio.create_task(make(Echo(base_url=http_server.url), path).alookup(IPS))
        deadline = asyncio.get_running_loop().time() + 30
        while not _cached(path) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.005)  # cancel once something is answered, however slow the machine
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    kept = _cached(path)
    assert 1 <= len(kept) < len(IPS)
    before = len(http_server.requests)
    frame = make(Echo(base_url=http_server.url), path).lookup(IPS)
    again = requested(http_server)[before:]
    # only the missing ones (as a set: a request cancelled in flight may reach the server late)
    assert set(again) == set(IPS) - kept
    assert set(frame["status"]) == {"ok"}
    assert set(frame[frame["cached"]]["observable"]) == kept


def test_a_crash_mid_batch_keeps_what_was_fetched(http_server, tmp_path, caplog):
    http_server.fallback = http_server.Reply(json={"note": "n"})
    path = tmp_path / "c.sqlite"
    with pytest.raises(KeyboardInterrupt):
        make(Crashing(base_url=http_server.url), path, concurrency=1).lookup(IPS)
    gc.collect()  # a task left unfinished would complain as it is collected (and later fail elsewhere)
    assert not [r for r in caplog.records if r.name == "asyncio"], caplog.text
    before = len(http_server.requests)
    make(Echo(base_url=http_server.url), path).lookup(IPS)
    again = requested(http_server)[before:]
    assert "10.0.0.1" not in again and "10.0.0.6" not in again  # answered before the crash
    assert "10.0.0.7" in again


def test_an_unwritable_cache_is_a_clear_error(tmp_path):
    from huntbook.enrich.ti import CacheError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CacheError, match="cannot be opened"):
        TICache(blocker / "sub" / "c.sqlite")


def test_cache_off(http_server, tmp_path):
    http_server.fallback = http_server.Reply(json={"note": "n"})
    ti = TILookup([Echo(base_url=http_server.url)], settings=Settings(), cache=False, progress=False)
    ti.lookup("10.0.0.1")
    ti.lookup("10.0.0.1")
    assert ti.cache is None and len(http_server.requests) == 2
