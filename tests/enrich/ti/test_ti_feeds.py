"""The feeds TI provider: STIX 2.1 bundles, MISP exports, CSV files and plain lists."""

from __future__ import annotations

import json
import os

import pytest
import stix2
from test_demo_stix_feed import HUNTBOOK_TYPES  # the feed's types as huntbook names them

from huntbook.config import Settings
from huntbook.enrich.ti import ProviderError, TILookup
from huntbook.enrich.ti.providers.local.feeds import FeedFiles
from huntbook.enrich.ti.providers.local.index import FeedError

PAYLOAD_SHA256 = "67752b463ccc867bcdff1feed074dced15384be26f6b8f5bbcc7f06b14b47b26"


def lookup(provider, values, **kw):
    return TILookup([provider], settings=Settings(), cache=False, progress=False).lookup(values, **kw)


def rows(frame):
    return {r["observable"]: r for r in frame.to_dict("records")}


def stix_feed_of(indicators):
    """A STIX 2.1 bundle, made with the stix2 library, indicating the given (type, value) pairs."""
    objects = []
    paths = {"ip": "ipv4-addr:value", "domain": "domain-name:value", "url": "url:value"}
    paths |= {h: f"file:hashes.'{n}'" for h, n in [("md5", "MD5"), ("sha1", "SHA-1"), ("sha256", "SHA-256")]}
    malware = stix2.Malware(name="OdSync loader", is_family=False)
    for kind, value in indicators:
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        indicator = stix2.Indicator(
            name=f"{kind} of the intrusion",
            pattern=f"[{paths[kind]} = '{escaped}']",
            pattern_type="stix",
            valid_from="2026-01-01T00:00:00Z",
            indicator_types=["malicious-activity"],
            confidence=80,
        )
        objects += [indicator, stix2.Relationship(indicator, "indicates", malware)]
    return stix2.Bundle(*objects, malware).serialize()


def test_the_demo_c2_and_download_indicators_are_flagged_from_a_stix_feed(ground_truth, tmp_path):
    wanted = [
        i for i in ground_truth.indicators if i.role in ("c2_ip", "c2_domain", "cradle_url", "payload_url")
    ]
    assert len(wanted) == 4
    path = tmp_path / "intrusion.json"
    path.write_text(stix_feed_of([(i.type, i.value) for i in wanted]))
    others = [i.value for i in ground_truth.indicators if i.type == "ip" and i.role != "c2_ip"]
    frame = lookup(FeedFiles(paths=[path]), [i.value for i in wanted] + others)
    found = rows(frame)
    for indicator in wanted:
        answer = found[indicator.value]
        assert (answer["verdict"], answer["severity"]) == ("malicious", "high"), indicator
        assert answer["summary"] == "OdSync loader (STIX indicator) in intrusion.json"
        assert answer["details"]["threats"] == ["OdSync loader"]
    assert all(found[v]["status"] == "not_found" for v in others)


def test_stix_details_expiry_revocation_and_in_lists(tmp_path):
    live = stix2.Indicator(
        pattern="[ipv4-addr:value IN ('203.0.113.5', '203.0.113.6') OR ipv4-addr:value = '198.51.100.0/24']",
        pattern_type="stix",
        valid_from="2026-01-01T00:00:00Z",
        external_references=[{"source_name": "report", "url": "https://intel.contoso.com/r/1"}],
    )
    expired = stix2.Indicator(
        pattern="[domain-name:value = 'old-c2.net']",
        pattern_type="stix",
        valid_from="2020-01-01T00:00:00Z",
        valid_until="2020-02-01T00:00:00Z",
    )
    revoked = stix2.Indicator(
        pattern="[domain-name:value = 'revoked-c2.net']",
        pattern_type="stix",
        valid_from="2020-01-01T00:00:00Z",
        revoked=True,
    )
    (tmp_path / "b.json").write_text(stix2.Bundle(live, expired, revoked).serialize())
    found = rows(
        lookup(
            FeedFiles(paths=[tmp_path / "b.json"]),
            ["203.0.113.6", "198.51.100.77", "old-c2.net", "revoked-c2.net"],
        )
    )
    assert found["203.0.113.6"]["reference"] == "https://intel.contoso.com/r/1"
    assert found["198.51.100.77"]["verdict"] == "malicious"  # inside the CIDR range
    assert (found["old-c2.net"]["verdict"], found["old-c2.net"]["severity"]) == ("suspicious", "info")
    assert found["revoked-c2.net"]["status"] == "not_found"


def test_misp_event_export(tmp_path):
    event = {
        "Event": {
            "info": "Phishing wave",
            "uuid": "5f1c-event",
            "threat_level_id": "2",
            "date": "2026-11-01",
            "Tag": [{"name": "tlp:amber"}],
            "Attribute": [
                {"type": "url", "category": "Network activity", "to_ids": True,
                 "value": "http://contoso-sync.net/s/upd.ps1"},
                {"type": "domain|ip", "category": "Network activity", "to_ids": True,
                 "value": "contoso-sync.net|203.0.113.66"},
                {"type": "ip-dst", "category": "Network activity", "to_ids": True, "value": "10.0.0.1",
                 "deleted": True},
            ],
            "Object": [
                {
                    "name": "file",
                    "Attribute": [
                        {"type": "filename|sha256", "category": "Payload delivery", "to_ids": False,
                         "value": "odsync.exe|" + PAYLOAD_SHA256.upper()},
                    ],
                }
            ],
        }
    }  # fmt: skip
    path = tmp_path / "misp.json"
    path.write_text(json.dumps({"response": [event]}))
    values = [
        "http://contoso-sync.net/s/upd.ps1",
        "contoso-sync.net",
        "203.0.113.66",
        "10.0.0.1",
        PAYLOAD_SHA256,
    ]
    found = rows(lookup(FeedFiles(paths=[path]), values))
    url = found["http://contoso-sync.net/s/upd.ps1"]
    assert (url["verdict"], url["severity"]) == ("malicious", "medium")
    assert url["details"]["event"] == "Phishing wave" and url["details"]["tags"] == ["tlp:amber"]
    assert found["contoso-sync.net"]["verdict"] == "malicious"
    assert found["203.0.113.66"]["verdict"] == "malicious"
    assert found["10.0.0.1"]["status"] == "not_found"  # deleted attribute
    assert found[values[-1]]["verdict"] == "suspicious"  # to_ids false


def test_csv_and_plain_lists(tmp_path):
    (tmp_path / "iocs.csv").write_text(
        "Indicator,Type,Threat,Severity,Reference\n"
        "bad-domain.net,,Botnet,medium,https://intel.contoso.com/b\n"
        "1d4845b00049d93f63ccd93b5b5637f3,md5,Trojan,,\n"
    )
    (tmp_path / "block.txt").write_text("# blocklist\n192.0.2.0/24  # test range\nevil-site.com\n\n")
    feeds = FeedFiles(paths=[str(tmp_path / "*.csv"), tmp_path / "block.txt"], severity="low")
    found = rows(
        lookup(feeds, ["bad-domain.net", "1d4845b00049d93f63ccd93b5b5637f3", "192.0.2.77", "evil-site.com"])
    )
    assert found["bad-domain.net"]["summary"] == "Botnet in iocs.csv"
    assert found["bad-domain.net"]["severity"] == "medium"
    assert found["bad-domain.net"]["reference"] == "https://intel.contoso.com/b"
    assert found["1d4845b00049d93f63ccd93b5b5637f3"]["severity"] == "low"  # the configured default
    assert found["192.0.2.77"]["summary"] == "listed in block.txt"
    assert found["evil-site.com"]["details"]["line"] == 3


def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "block.txt"
    path.write_text("evil-site.com\n")
    feeds = FeedFiles(paths=[path])
    assert lookup(feeds, "other-site.com").loc[0, "status"] == "not_found"
    path.write_text("evil-site.com\nother-site.com\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert lookup(feeds, "other-site.com").loc[0, "status"] == "ok"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.txt", "evil-site.com\nnot an indicator\n", r"bad.txt, line 2: 'not' is not an indicator"),
        ("bad.csv", "name,score\nx,1\n", r"bad.csv, line 1: no indicator column"),
        ("bad.csv", "ioc,verdict\nevil-site.com,evil\n", r"bad.csv, line 2: verdict 'evil' is not one of"),
        ("bad.json", "{not json", r"bad.json: not valid JSON"),
        ("bad.json", '{"hello": 1}', r"bad.json: not a MISP event export"),
        (
            "bad.json",
            '{"type": "bundle", "id": "nope", "objects": []}',
            r"bad.json: not a valid STIX 2.1 bundle",
        ),
    ],
)
def test_a_bad_feed_file_is_an_error_naming_file_and_line(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(FeedError, match=message):
        FeedFiles(paths=[tmp_path / name]).lookup_batch([("evil-site.com", "domain")])


def test_a_bad_feed_gives_error_rows_not_a_crash(tmp_path):
    frame = lookup(FeedFiles(paths=[tmp_path / "missing.txt"]), "evil-site.com")
    assert frame.loc[0, "status"] == "error"
    assert "missing.txt: no such feed file" in frame.loc[0, "reason"]


def test_feeds_need_paths_unless_the_lake_is_a_demo(tmp_path):
    with pytest.raises(ProviderError, match=r"set providers\.feeds\.paths"):
        FeedFiles(paths=[])
    provider = FeedFiles(lake=tmp_path)  # not a demo lake: no feed of its own
    with pytest.raises(ProviderError, match=r"set providers\.feeds\.paths.*is not a demo lake"):
        provider.lookup_batch([("evil-site.com", "domain")])


def test_without_paths_the_demo_lake_feed_is_written_and_read(demo_lake, ground_truth, tmp_path):
    import shutil

    from huntbook.data.lake.intel_feed import FEED_FILE, feed_indicators

    lake = tmp_path / "lake"
    shutil.copytree(demo_lake.path, lake, ignore=shutil.ignore_patterns("feeds"))
    provider = FeedFiles(lake=lake)
    values = [(i.value, HUNTBOOK_TYPES[i.type]) for i in feed_indicators(ground_truth)]
    answers = provider.lookup_batch([*values, ("192.0.2.201", "ipv4")])
    assert all(a.assessment is not None and a.assessment.verdict == "malicious" for a in answers[:-1])
    assert answers[-1].assessment is None
    assert (lake / FEED_FILE).is_file()

