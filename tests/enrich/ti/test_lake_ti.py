"""The lake TI provider: the demo lake's planted indicators come back flagged from the TI table."""

from __future__ import annotations

import datetime as dt

import pytest

from huntbook.config import Settings
from huntbook.enrich.ti import TILookup
from huntbook.enrich.ti.providers.local.lake import LakeTI, lookup_query

IOC_TYPE = {"ip": None, "domain": "domain", "url": "url", "md5": "md5", "sha1": "sha1", "sha256": "sha256"}


@pytest.fixture(scope="module")
def lake_ti(qp):
    return LakeTI(query_provider=qp)


def lookup(lake_ti, values, **kw):
    return TILookup([lake_ti], settings=Settings(), cache=False, progress=False).lookup(values, **kw)


def test_planted_indicators_in_the_ti_table_are_malicious(lake_ti, ground_truth):
    planted = [i for i in ground_truth.indicators if i.type in IOC_TYPE]
    assert ground_truth.in_ti, "the demo lake plants indicators in ThreatIntelligenceIndicator"
    frame = lookup(lake_ti, [i.value for i in planted]).set_index("observable")
    for indicator in planted:
        row = frame.loc[indicator.value]
        if indicator.in_ti:
            assert row["verdict"] == "malicious", indicator
            assert row["severity"] == "high"
            assert row["details"]["Active"] is True
        else:
            assert row["status"] == "not_found", indicator


def test_the_c2_address_details(lake_ti, ground_truth):
    c2 = next(i for i in ground_truth.indicators if i.role == "c2_ip")
    row = lookup(lake_ti, c2.value).iloc[0]
    assert row["details"]["ThreatType"] == "C2"
    assert row["summary"].startswith("C2 (active, confidence 85)")
    assert row["raw"][0]["NetworkIP"] == c2.value


def test_background_indicators_match_case_insensitively(lake_ti, qp):
    domains = qp.exec_query("ThreatIntelligenceIndicator | where isnotempty(DomainName) | take 3")[
        "DomainName"
    ]
    hashes = qp.exec_query("ThreatIntelligenceIndicator | where FileHashType == 'SHA256' | take 2")[
        "FileHashValue"
    ]
    values = [d.upper() for d in domains] + [h.upper() for h in hashes]
    frame = lookup(lake_ti, values)
    assert (frame["status"] == "ok").all()
    assert set(frame["type"]) == {"domain", "sha256"}


def test_values_are_bound_never_spliced(lake_ti):
    hostile = "1.2.3.4' or true or '"  # not an IP: typed explicitly so it reaches the query
    frame = lookup(lake_ti, [hostile, "x' | take 1 //"], types="domain")
    assert list(frame["status"]) == ["not_found", "not_found"]


def test_one_query_per_chunk(qp, monkeypatch):
    calls = []
    original = qp.exec_query

    def counting(*args, **kwargs):
        calls.append(kwargs["params"])
        return original(*args, **kwargs)

    monkeypatch.setattr(qp, "exec_query", counting)
    LakeTI(query_provider=qp, chunk_size=2).lookup_batch([(f"10.9.9.{i}", "ipv4") for i in range(5)])
    assert [len(c["ips"]) for c in calls] == [2, 2, 1]


def row(active=True, confidence=85, expires_in_days=30, threat="C2"):
    as_of = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return {
        "Active": active,
        "ConfidenceScore": confidence,
        "ThreatType": threat,
        "SourceSystem": "feed",
        "TimeGenerated": as_of - dt.timedelta(days=1),
        "ExpirationDateTime": as_of + dt.timedelta(days=expires_in_days),
    }


@pytest.mark.parametrize(
    ("rows", "verdict", "severity"),
    [
        ([row()], "malicious", "high"),
        ([row(confidence=60)], "malicious", "medium"),
        ([row(confidence=30)], "suspicious", "low"),
        ([row(active=False)], "suspicious", "info"),
        ([row(expires_in_days=-1)], "suspicious", "info"),
        ([row(expires_in_days=-1), row(confidence=55)], "malicious", "medium"),  # the live one wins
    ],
)
def test_verdict_rules(rows, verdict, severity):
    result = LakeTI(query_provider=object())._judge(rows, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert (result.assessment.verdict, result.assessment.severity) == (verdict, severity)


def test_the_catalog_query_declares_list_parameters():
    query = lookup_query()
    assert {p.name: p.type for p in query.parameters} == dict.fromkeys(
        ["ips", "domains", "urls", "hashes", "emails"], "list"
    )
    assert query.text("kql").startswith("declare query_parameters(ips:dynamic")
