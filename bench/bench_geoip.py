"""Geo-IP throughput: huntbook's `geo_lookup` (offline and with a .mmdb) against msticpy 3.0.2.

Usage::

    python bench/bench_geoip.py [--rows 1000000] [--mmdb-rows 20000]
                                [--msticpy-python /work/msticpy-venv/bin/python]

1. Offline: ``geo_lookup`` over ``--rows`` random IPv4 addresses (all of the
   address space, so special ranges are included as in real logs) plus 10 %
   IPv6 addresses, all distinct; cold (first call, data file load included) and
   warm (median of 3). Target: >= 200,000 addresses/s.
2. msticpy 3.0.2 has no offline geo-IP data: its ``GeoLiteLookup`` needs a
   MaxMind GeoLite2-City ``.mmdb`` (downloaded with an account and licence key)
   and ``IPStackLookup`` is an online API. So both tools are also timed on the
   same City-format ``.mmdb`` (written here with mmdb-writer: one /16 network per
   country-coded block, ``--mmdb-networks``) over ``--mmdb-rows`` addresses:
   huntbook's ``geo_lookup(city_db=...)`` against msticpy's
   ``GeoLiteLookup(db_folder=..., auto_update=False).lookup_ip(ip_addr_list=...)``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MSTICPY_WORKER = r"""
import json, sys, time
from msticpy.context.geoip import GeoLiteLookup
folder, ips_file = sys.argv[1], sys.argv[2]
ips = json.loads(open(ips_file).read())
lookup = GeoLiteLookup(db_folder=folder, auto_update=False)
start, cpu = time.perf_counter(), time.process_time()
raw, entities = lookup.lookup_ip(ip_addr_list=ips)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "rows": len(raw),
                  "located": sum(1 for e in entities if getattr(e, "Location", None) is not None)}))
"""


def random_addresses(n: int, seed: int = 7) -> list[str]:
    """Distinct random addresses: 90 % IPv4 over the whole space, 10 % IPv6 in 2000::/4."""
    import ipaddress

    rng = random.Random(seed)
    n6 = n // 10
    v4 = {rng.getrandbits(32) for _ in range(n - n6 + 1000)}
    out = [str(ipaddress.IPv4Address(x)) for x in list(v4)[: n - n6]]
    out += [str(ipaddress.IPv6Address((0x2 << 124) | rng.getrandbits(124))) for _ in range(n6)]
    rng.shuffle(out)
    return out


def bench_offline(rows: int) -> dict[str, float]:
    from huntbook.enrich.geoip import geo_lookup

    ips = random_addresses(rows)
    start, cpu = time.perf_counter(), time.process_time()
    frame = geo_lookup(ips, offline_only=True)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        geo_lookup(ips, offline_only=True)
        warm.append(time.perf_counter() - start)
        warm_cpu.append(time.process_time() - cpu)
    located = int((frame["status"] == "ok").sum())
    return {"rows": rows, "cold_s": cold, "cold_cpu_s": cold_cpu, "warm_s": min(warm),
            "warm_median_s": statistics.median(warm), "warm_cpu_s": min(warm_cpu), "located": located,
            "special": int(frame["status"].str.startswith("not looked up").sum())}


def write_city_mmdb(folder: Path, networks: int) -> Path:
    import mmdb_writer
    import netaddr

    rng = random.Random(3)
    writer = mmdb_writer.MMDBWriter(ip_version=6, database_type="GeoLite2-City", languages=["en"],
                                    description="bench", ipv4_compatible=True)
    firsts = rng.sample(range(1, 223), min(networks // 256 + 1, 222))
    count = 0
    for a in firsts:
        for b in range(256):
            if count >= networks:
                break
            writer.insert_network(netaddr.IPSet([f"{a}.{b}.0.0/16"]), {
                "city": {"names": {"en": f"City{count}"}},
                "country": {"iso_code": "US", "names": {"en": "United States"}},
                "location": {"latitude": 10.0 + count % 50, "longitude": 20.0 + count % 90},
            })
            count += 1
    path = folder / "GeoLite2-City.mmdb"
    writer.to_db_file(str(path))
    return path


def bench_mmdb(rows: int, networks: int, msticpy_python: str | None) -> dict[str, object]:
    from huntbook.enrich.geoip import geo_lookup

    result: dict[str, object] = {"rows": rows, "networks": networks}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        city = write_city_mmdb(folder, networks)
        ips = random_addresses(rows, seed=11)
        start, cpu = time.perf_counter(), time.process_time()
        frame = geo_lookup(ips, city_db=city)
        result["huntbook_s"] = time.perf_counter() - start
        result["huntbook_cpu_s"] = time.process_time() - cpu
        result["huntbook_city_rows"] = int((frame["location_precision"] == "city").sum())
        if msticpy_python:
            ips_file = folder / "ips.json"
            ips_file.write_text(json.dumps(ips))
            done = subprocess.run([msticpy_python, "-c", MSTICPY_WORKER, str(folder), str(ips_file)],
                                  capture_output=True, text=True, timeout=3600, check=False)
            if done.returncode == 0:
                result["msticpy"] = json.loads(done.stdout.strip().splitlines()[-1])
            else:
                result["msticpy_error"] = done.stderr.strip().splitlines()[-1:]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--mmdb-rows", type=int, default=20_000)
    parser.add_argument("--mmdb-networks", type=int, default=5_000)
    parser.add_argument("--msticpy-python", default=None)
    args = parser.parse_args()

    offline = bench_offline(args.rows)
    rate_cold = offline["rows"] / offline["cold_s"]
    rate_warm = offline["rows"] / offline["warm_s"]
    load = os.getloadavg()[0]
    print("## huntbook geo_lookup, offline (geoip2fast data + country centre points)\n")
    print(f"{offline['rows']:,} distinct addresses (90% IPv4 over the whole space, 10% IPv6); "
          f"{offline['located']:,} located, {offline['special']:,} special-purpose "
          "(classified, not looked up)\n")
    print("| run | wall s | CPU s | addresses/s (wall) | target 200,000/s |\n|---|--:|--:|--:|---|")
    verdict = {True: "met", False: "MISSED"}
    print(f"| cold (incl. data load) | {offline['cold_s']:.2f} | {offline['cold_cpu_s']:.2f} | "
          f"{rate_cold:,.0f} | {verdict[rate_cold >= 200_000]} |")
    print(f"| warm (best of 3; median {offline['warm_median_s']:.2f} s) | {offline['warm_s']:.2f} | "
          f"{offline['warm_cpu_s']:.2f} | {rate_warm:,.0f} | {verdict[rate_warm >= 200_000]} |\n")
    print(f"1-minute load average at the end: {load:.1f} on {os.cpu_count()} CPUs "
          "(other work on the machine slows the wall-clock figures; CPU s is the process's own time).\n")

    mmdb = bench_mmdb(args.mmdb_rows, args.mmdb_networks, args.msticpy_python)
    print("## Same City .mmdb, huntbook geo_lookup(city_db=...) vs msticpy GeoLiteLookup\n")
    print("msticpy 3.0.2 ships no offline geo-IP data (GeoLiteLookup needs a downloaded MaxMind "
          "database, IPStackLookup is online), so this is the only like-for-like comparison.\n")
    print("| tool | addresses | wall s | CPU s | addresses/s (wall) |\n|---|--:|--:|--:|--:|")
    print(f"| huntbook | {mmdb['rows']:,} | {mmdb['huntbook_s']:.2f} | {mmdb['huntbook_cpu_s']:.2f} | "
          f"{mmdb['rows'] / mmdb['huntbook_s']:,.0f} |")  # type: ignore[operator]
    if "msticpy" in mmdb:
        m = mmdb["msticpy"]
        print(f"| msticpy 3.0.2 | {mmdb['rows']:,} | {m['seconds']:.2f} | {m['cpu_seconds']:.2f} | "
              f"{mmdb['rows'] / m['seconds']:,.0f} |")  # type: ignore[operator]
        print(f"\nmsticpy returned {m['rows']:,} result rows (addresses found in the file); huntbook returns "
              f"one row per input, {mmdb['huntbook_city_rows']:,} of them with city-level coordinates.")
        print(f"\nratio msticpy / huntbook: wall {m['seconds'] / mmdb['huntbook_s']:.1f}x, "
              f"CPU {m['cpu_seconds'] / mmdb['huntbook_cpu_s']:.1f}x")
    elif "msticpy_error" in mmdb:
        print(f"\nmsticpy failed: {mmdb['msticpy_error']}")
    else:
        print("\nmsticpy not run (pass --msticpy-python).")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
