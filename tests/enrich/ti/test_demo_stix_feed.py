"""The demo lake's partner STIX 2.1 feed: deterministic, valid, and read back by the feeds provider."""

from __future__ import annotations

import json

from huntbook.data.lake.intel_feed import STIX_PATTERNS, feed_indicators, stix_bundle, write_stix_feed
from huntbook.enrich.ti import TILookup
from huntbook.enrich.ti.providers.local.feeds import FeedFiles

HUNTBOOK_TYPES = {
    "ip": "ipv4",
    "domain": "domain",
    "url": "url",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
}


def test_same_truth_same_bytes(ground_truth, tmp_path):
    first = write_stix_feed(ground_truth, tmp_path / "a" / "feed.json")
    second = write_stix_feed(ground_truth, tmp_path / "b" / "feed.json")
    assert first.read_bytes() == second.read_bytes()
    stamp = first.stat().st_mtime_ns
    write_stix_feed(ground_truth, first)
    assert first.stat().st_mtime_ns == stamp  # unchanged content is not rewritten
    assert [p.name for p in first.parent.iterdir()] == ["feed.json"]  # no temp file left


def test_feed_holds_the_intrusion_and_what_the_table_lacks(ground_truth):
    chosen = feed_indicators(ground_truth)
    values = {i.value for i in chosen}
    for ioc in ground_truth.indicators:
        expected = ioc.type in STIX_PATTERNS and (ioc.scenario == "intrusion" or not ioc.in_ti)
        assert (ioc.value in values) == expected, ioc
    assert ground_truth.password_spray.source_ip not in values  # only the TI table knows it
    bundle = json.loads(stix_bundle(ground_truth))
    assert bundle["type"] == "bundle"
    indicators = [o for o in bundle["objects"] if o["type"] == "indicator"]
    assert len(indicators) == len(chosen)
    assert all(o["spec_version"] == "2.1" and o["pattern_type"] == "stix" for o in indicators)


def test_every_feed_indicator_is_found_by_the_feeds_provider(ground_truth, tmp_path):
    feed = write_stix_feed(ground_truth, tmp_path / "demo-intel.stix.json")
    chosen = feed_indicators(ground_truth)
    values = [i.value for i in chosen] + ["192.0.2.200", "example.org"]
    types = [HUNTBOOK_TYPES[i.type] for i in chosen] + ["ipv4", "domain"]
    with TILookup([FeedFiles(paths=[feed])], cache=False, progress=False) as lookup:
        frame = lookup.lookup(values, types=types)
    found = frame.set_index("observable")
    for ioc in chosen:
        assert found.loc[ioc.value, "verdict"] == "malicious", ioc
        assert found.loc[ioc.value, "severity"] == "high"
    assert found.loc["192.0.2.200", "status"] == "not_found"
    assert found.loc["example.org", "status"] == "not_found"
    c2 = found.loc[ground_truth.intrusion.c2_domain, "details"]
    payload = ground_truth.intrusion.payload_path.rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    assert c2["name"] == "C2 domain" and c2["threats"] == [f"{payload} loader"]
