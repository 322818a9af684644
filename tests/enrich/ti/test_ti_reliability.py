"""TILookup against a real, faulty HTTP server on 127.0.0.1: every fault ends in a row that says why."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import itertools
import logging
import time
from typing import ClassVar

import pandas as pd
from pydantic import SecretStr

from huntbook.config import Settings
from huntbook.enrich.ti import Assessment, Endpoint, NotFound, TILookup, TIOptions, TIProvider
from huntbook.enrich.ti.fetch import RateLimiter, retry_after_seconds

SECRET = "sk-Very-Secret-9f8e7d"


class Scored(TIProvider):
    """A test-only provider: ``{"score": n}`` -> a verdict, ``{"found": false}`` -> not found."""

    name = "scored"
    base_url = "http://unused.invalid"
    endpoints: ClassVar = {"ipv4": Endpoint("/ip/{observable}"), "domain": Endpoint("/domain/{observable}")}
    key_header = "X-Key"

    def parse(self, observable, ioc_type, payload, response):
        if payload.get("found") is False:
            raise NotFound
        score = payload["score"]
        if score > 50:
            return Assessment("malicious", "high", f"score {score}")
        return Assessment("benign", "none", f"score {score}")


class Other(Scored):
    name = "other"


def make(providers, tmp_path, **options):
    fast = {"retries": 2, "backoff_seconds": 0.01, "max_backoff_seconds": 0.05, "timeout_seconds": 2.0}
    return TILookup(
        providers,
        settings=Settings(),
        options=TIOptions(**{**fast, **options}),
        cache=tmp_path / "ti.sqlite",
        progress=False,
    )


def scored(url, **kw):
    return Scored(api_key=SecretStr(SECRET), base_url=url, requests_per_minute=60_000, **kw)


def by_observable(frame: pd.DataFrame, provider: str = "scored") -> dict[str, dict]:
    rows = frame[frame["provider"] == provider]
    return {r["observable"]: r for r in rows.to_dict("records")}


def test_ok_not_found_and_the_request_carries_the_key(http_server, tmp_path):
    reply = http_server.Reply
    http_server.route("/ip/1.1.1.1", reply(json={"score": 90}))
    http_server.route("/ip/2.2.2.2", reply(json={"score": 3}))
    http_server.route("/ip/3.3.3.3", reply(json={"found": False}))
    # 4.4.4.4 is unrouted: the server's 404 means "not found"
    frame = make([scored(http_server.url)], tmp_path).lookup(["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"])
    rows = by_observable(frame)
    assert rows["1.1.1.1"]["verdict"] == "malicious" and rows["1.1.1.1"]["summary"] == "score 90"
    assert rows["2.2.2.2"]["verdict"] == "benign"
    assert rows["3.3.3.3"]["status"] == "not_found" and rows["3.3.3.3"]["raw"] == {"found": False}
    assert rows["4.4.4.4"]["status"] == "not_found"
    assert rows["1.1.1.1"]["raw"] == {"score": 90}
    assert {r.headers["x-key"] for r in http_server.requests} == {SECRET}
    assert list(frame.columns) == [
        "observable", "type", "provider", "verdict", "severity", "summary", "reference", "details",
        "raw", "status", "reason", "lookup_time", "cached",
    ]  # fmt: skip


def test_timeout_is_an_error_row_and_other_results_are_kept(http_server, tmp_path):
    reply = http_server.Reply
    http_server.route("/ip/1.1.1.1", reply(json={"score": 90}))
    http_server.route("/ip/9.9.9.9", reply(json={"score": 1}, delay=5))
    frame = make([scored(http_server.url)], tmp_path, timeout_seconds=0.3, retries=1).lookup(
        ["1.1.1.1", "9.9.9.9"]
    )
    rows = by_observable(frame)
    assert rows["1.1.1.1"]["status"] == "ok"
    assert rows["9.9.9.9"]["status"] == "error"
    assert "timed out after 0.3 s" in rows["9.9.9.9"]["reason"]
    assert "gave up after 2 attempts" in rows["9.9.9.9"]["reason"]
    assert len(http_server.requests_to("/ip/9.9.9.9")) == 2  # retries are bounded: work counted, not timed


def test_429_with_retry_after_seconds_is_honoured(http_server, tmp_path):
    reply = http_server.Reply
    http_server.route(
        "/ip/1.1.1.1",
        reply(429, json={"error": "slow down"}, headers={"Retry-After": "1"}),
        reply(json={"score": 70}),
    )
    frame = make([scored(http_server.url)], tmp_path).lookup("1.1.1.1")
    assert frame.loc[0, "verdict"] == "malicious"
    first, second = http_server.requests_to("/ip/1.1.1.1")
    assert second.time - first.time >= 0.95  # waited as asked, not the 0.01 s backoff


def test_429_with_an_http_date_retry_after(http_server, tmp_path):
    reply = http_server.Reply
    when = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), usegmt=True)
    http_server.route("/ip/1.1.1.1", reply(429, headers={"Retry-After": when}), reply(json={"score": 1}))
    frame = make([scored(http_server.url)], tmp_path).lookup("1.1.1.1")
    assert frame.loc[0, "status"] == "ok"
    first, second = http_server.requests_to("/ip/1.1.1.1")
    assert second.time - first.time >= 0.5  # the HTTP date is 1-2 s ahead (whole seconds)


def test_retry_after_parsing():
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 01 Jan 2026 00:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 31 Dec 2025 00:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_a_retry_after_beyond_the_limit_ends_the_tries(http_server, tmp_path):
    http_server.route("/ip/1.1.1.1", http_server.Reply(429, headers={"Retry-After": "3600"}))
    frame = make([scored(http_server.url)], tmp_path, max_retry_after_seconds=5).lookup("1.1.1.1")
    assert frame.loc[0, "status"] == "error"
    assert "asks to wait 3600 s" in frame.loc[0, "reason"]
    assert len(http_server.requests) == 1


def test_5xx_is_retried_then_succeeds_or_gives_up(http_server, tmp_path):
    reply = http_server.Reply
    http_server.route("/ip/1.1.1.1", reply(503), reply(502), reply(json={"score": 60}))
    http_server.route("/ip/2.2.2.2", reply(500, body="boom"))
    frame = make([scored(http_server.url)], tmp_path, retries=2).lookup(["1.1.1.1", "2.2.2.2"])
    rows = by_observable(frame)
    assert rows["1.1.1.1"]["verdict"] == "malicious"
    assert rows["2.2.2.2"]["status"] == "error"
    assert rows["2.2.2.2"]["reason"] == "gave up after 3 attempts: HTTP 500 Internal Server Error"
    assert len(http_server.requests_to("/ip/2.2.2.2")) == 3


def test_malformed_json_and_a_wrong_shape_are_clear_errors(http_server, tmp_path):
    reply = http_server.Reply
    http_server.route("/ip/1.1.1.1", reply(body='{"score": 9', content_type="application/json"))
    http_server.route("/ip/2.2.2.2", reply(json={"unexpected": True}))
    http_server.route("/ip/3.3.3.3", reply(json={"score": 99}))
    frame = make([scored(http_server.url)], tmp_path).lookup(["1.1.1.1", "2.2.2.2", "3.3.3.3"])
    rows = by_observable(frame)
    assert rows["1.1.1.1"]["status"] == "error"
    assert rows["1.1.1.1"]["reason"].startswith("malformed answer: invalid JSON")
    assert rows["2.2.2.2"]["reason"] == "malformed answer: KeyError: 'score'"
    assert rows["3.3.3.3"]["status"] == "ok"
    assert len(http_server.requests_to("/ip/1.1.1.1")) == 1  # a malformed answer is not retried


def test_connection_reset_is_retried(http_server, tmp_path):
    reply = http_server.Reply
    http_server.route("/ip/1.1.1.1", reply(reset=True), reply(json={"score": 80}))
    http_server.route("/ip/2.2.2.2", reply(reset=True))
    frame = make([scored(http_server.url)], tmp_path, retries=1).lookup(["1.1.1.1", "2.2.2.2"])
    rows = by_observable(frame)
    assert rows["1.1.1.1"]["verdict"] == "malicious"
    assert rows["2.2.2.2"]["status"] == "error"
    assert "connection failed" in rows["2.2.2.2"]["reason"]


def test_a_dead_provider_keeps_the_other_providers_results(http_server, dead_url, tmp_path):
    http_server.route("/ip/1.1.1.1", http_server.Reply(json={"score": 77}))
    alive = Other(api_key=SecretStr("k"), base_url=http_server.url, requests_per_minute=60_000)
    ips = ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"]
    frame = make([scored(dead_url), alive], tmp_path, retries=1).lookup(ips)
    dead = frame[frame["provider"] == "scored"]
    assert len(dead) == 4 and set(dead["status"]) == {"error"}
    assert all("cannot connect" in r or "unreachable" in r for r in dead["reason"])
    assert by_observable(frame, "other")["1.1.1.1"]["verdict"] == "malicious"
    assert set(frame[frame["provider"] == "other"]["status"]) == {"ok", "not_found"}


def test_an_invalid_key_gives_one_clear_error_and_no_more_requests(http_server, tmp_path):
    http_server.route("/ip/1.1.1.1", http_server.Reply(401, json={"error": "bad key"}))
    http_server.fallback = http_server.Reply(401, json={"error": "bad key"})
    ips = [f"1.1.1.{i}" for i in range(1, 6)]
    frame = make([scored(http_server.url)], tmp_path, concurrency=1).lookup(ips)
    assert set(frame["status"]) == {"error"}
    assert frame.loc[0, "reason"] == "HTTP 401 Unauthorized: the API key was refused"
    assert all("the API key was refused" in r for r in frame["reason"])
    assert len(http_server.requests) == 1


def test_a_missing_key_is_reported_per_row_without_requests(http_server, tmp_path):
    provider = Scored(base_url=http_server.url)
    frame = make([provider], tmp_path).lookup(["1.1.1.1", "evil-site.com"])
    assert set(frame["status"]) == {"error"}
    assert "scored needs an API key" in frame.loc[0, "reason"]
    assert "HUNTBOOK_SCORED_API_KEY" in frame.loc[0, "reason"]
    assert http_server.requests == []


def test_the_rate_limit_spaces_requests(http_server, tmp_path):
    http_server.fallback = http_server.Reply(json={"score": 1})
    provider = Scored(
        api_key=SecretStr("k"), base_url=http_server.url, requests_per_minute=600
    )  # 0.1 s apart
    make([provider], tmp_path).lookup([f"10.0.0.{i}" for i in range(1, 7)])
    times = sorted(r.time for r in http_server.requests)
    assert len(times) == 6
    assert times[-1] - times[0] >= 0.4  # 5 gaps of 0.1 s, less the server's own scheduling jitter


def test_the_limiter_measures_real_starts():
    limiter = RateLimiter(per_minute=1200)  # 0.05 s apart
    starts = []

    async def one():
        await limiter.wait()
        starts.append(time.monotonic())

    async def many():
        await asyncio.gather(*(one() for _ in range(5)))
        limiter.pause(0.2)
        await one()

    asyncio.run(many())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps[:4]) >= 0.05
    assert gaps[4] >= 0.2  # a pause (after a 429 with Retry-After) holds later requests


def test_concurrency_is_bounded(http_server, tmp_path):
    http_server.fallback = http_server.Reply(json={"score": 1}, delay=0.2)
    make([scored(http_server.url)], tmp_path, concurrency=2).lookup([f"10.0.0.{i}" for i in range(1, 7)])
    times = sorted(r.time for r in http_server.requests)
    # a third request can only start once one of two in flight (0.2 s each) has finished
    assert all(later - earlier >= 0.18 for earlier, later in zip(times, times[2:], strict=False))


def test_an_oversized_answer_is_refused(http_server, tmp_path):
    http_server.route("/ip/1.1.1.1", http_server.Reply(body=b"x" * 5000, content_type="text/plain"))
    frame = make([scored(http_server.url)], tmp_path, max_response_bytes=1000).lookup("1.1.1.1")
    assert frame.loc[0, "reason"] == "answer larger than max_response_bytes=1000"


class KeyInUrl(Scored):
    name = "keyinurl"
    key_header = None
    key_param = "apikey"

    def parse(self, observable, ioc_type, payload, response):
        raise ValueError(f"could not read the answer of {response.request.url}")


def test_secrets_never_show(http_server, dead_url, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    http_server.fallback = http_server.Reply(429, headers={"Retry-After": "0"})
    http_server.route("/ip/1.1.1.1", http_server.Reply(json={"score": 1}))
    leaky = KeyInUrl(api_key=SecretStr(SECRET), base_url=http_server.url, requests_per_minute=60_000)
    dead = KeyInUrl(api_key=SecretStr(SECRET), base_url=dead_url)
    ti = make([leaky], tmp_path, retries=1)
    frame = ti.lookup(["1.1.1.1", "2.2.2.2"])
    assert http_server.requests[0].query["apikey"] == [SECRET]  # the key went where it should
    assert "could not read the answer of" in frame.loc[0, "reason"]
    frame2 = make([dead], tmp_path, retries=0).lookup("1.1.1.1")
    shown = [
        frame.to_string(),
        frame.to_json(date_format="iso"),
        frame2.to_json(date_format="iso"),
        repr(ti),
        repr(leaky),
        repr(leaky.request("1.1.1.1", "ipv4")),
        caplog.text,
    ]
    for text in shown:
        assert SECRET not in text
    assert "**********" in frame.loc[0, "reason"]
