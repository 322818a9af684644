"""Local stand-ins for three TI services, for the TI benchmark (run in its own process).

Each service listens on its own port of 127.0.0.1 and answers on the path its
API documents, with the body recorded in ``tests/enrich/ti/online/data`` (the
indicator value replaced by the address asked about):

- AlienVault OTX ``GET /api/v1/indicators/IPv4/{ip}/general``: ``otx_ip_pulses``
  for a flagged address, the same with ``pulse_info.count`` 0 and no pulses otherwise;
- AbuseIPDB ``GET /api/v2/check?ipAddress={ip}``: ``abuseipdb_malicious`` or
  ``abuseipdb_unreported``;
- GreyNoise community ``GET /v3/community/{ip}``: ``greynoise_malicious`` or
  ``greynoise_not_observed`` (HTTP 404, as the service answers).

Every answer waits ``--latency`` seconds first. Each service admits at most
``--rate`` requests in any sliding one-second window; a request beyond that gets
HTTP 429 with ``Retry-After: 1`` and is counted as a violation. A flagged
address is one whose `flagged` is true (one in five, by a hash).

``GET /__bench/stats`` answers the counts; ``POST /__bench/reset`` zeroes them.
Usage::

    python bench/ti_server.py --rate 100 --latency 0.05

prints one JSON line ``{"otx": PORT, "abuseipdb": PORT, "greynoise": PORT}`` once
listening, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import copy
import hashlib
import ipaddress
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "enrich" / "ti" / "online" / "data"
FIXTURE_IPS = ("203.0.113.66", "198.51.100.7")
SERVICES = ("otx", "abuseipdb", "greynoise")


def flagged(ip: str) -> bool:
    """Whether the stand-in services report *ip* as malicious (one address in five)."""
    return hashlib.sha256(ip.encode()).digest()[0] % 5 == 0


def _fixture(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text(encoding="utf-8")


def _with_ip(text: str, ip: str) -> Any:
    for old in FIXTURE_IPS:
        text = text.replace(old, ip)
    return json.loads(text)


def _otx_clean() -> str:
    body = json.loads(_fixture("otx_ip_pulses"))
    clean = copy.deepcopy(body)
    clean["pulse_info"]["count"] = 0
    clean["pulse_info"]["pulses"] = []
    return json.dumps(clean)


Answer = Callable[[str], tuple[int, Any]]


def answers() -> dict[str, Answer]:
    """The answer of each service for an address: ``(status, JSON body)``."""
    otx_bad, otx_clean = _fixture("otx_ip_pulses"), _otx_clean()
    abuse_bad, abuse_clean = _fixture("abuseipdb_malicious"), _fixture("abuseipdb_unreported")
    grey_bad, grey_clean = _fixture("greynoise_malicious"), _fixture("greynoise_not_observed")
    return {
        "otx": lambda ip: (200, _with_ip(otx_bad if flagged(ip) else otx_clean, ip)),
        "abuseipdb": lambda ip: (200, _with_ip(abuse_bad if flagged(ip) else abuse_clean, ip)),
        "greynoise": lambda ip: (
            (200, _with_ip(grey_bad, ip)) if flagged(ip) else (404, _with_ip(grey_clean, ip))
        ),
    }


class Service:
    """One stand-in service: a sliding-window rate limit, fixed latency, counts."""

    def __init__(self, name: str, answer: Answer, rate: int, latency: float):
        self.name, self.answer, self.rate, self.latency = name, answer, rate, latency
        self.window: collections.deque[float] = collections.deque()
        self.reset()

    def reset(self) -> None:
        self.window.clear()
        self.requests = self.violations = self.answered = self.peak = 0

    def stats(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "violations": self.violations,
            "answered": self.answered,
            "peak_per_second": self.peak,
        }

    async def handle(self, ip: str) -> web.Response:
        now = time.monotonic()
        self.requests += 1
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        if len(self.window) >= self.rate:
            self.violations += 1
            await asyncio.sleep(self.latency)
            return web.json_response(
                {"errors": [{"detail": "Too Many Requests", "status": 429}]},
                status=429,
                headers={"Retry-After": "1"},
            )
        self.window.append(now)
        self.peak = max(self.peak, len(self.window))
        await asyncio.sleep(self.latency)
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return web.json_response({"error": "invalid address"}, status=400)
        status, body = self.answer(ip)
        self.answered += 1
        return web.json_response(body, status=status)


def app_for(service: Service) -> web.Application:
    """The aiohttp application of one service (its documented path, and the bench endpoints)."""
    app = web.Application()

    async def otx(request: web.Request) -> web.Response:
        return await service.handle(request.match_info["ip"])

    async def abuseipdb(request: web.Request) -> web.Response:
        return await service.handle(request.query.get("ipAddress", ""))

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(service.stats())

    async def reset(request: web.Request) -> web.Response:
        service.reset()
        return web.json_response({})

    route = {
        "otx": web.get("/api/v1/indicators/IPv4/{ip}/general", otx),
        "abuseipdb": web.get("/api/v2/check", abuseipdb),
        "greynoise": web.get("/v3/community/{ip}", otx),
    }[service.name]
    app.add_routes([route, web.get("/__bench/stats", stats), web.post("/__bench/reset", reset)])
    return app


async def serve(rate: int, latency: float) -> None:
    ports: dict[str, int] = {}
    for name, answer in answers().items():
        runner = web.AppRunner(app_for(Service(name, answer, rate, latency)), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        ports[name] = runner.addresses[0][1]
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=100, help="requests admitted per sliding second")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every answer")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.rate, args.latency))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
