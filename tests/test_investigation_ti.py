"""The demo investigation's threat-intel step: offline providers flag what was planted, geo-IP locates.

Checked against the demo lake's ground truth: the C2 address, C2 domain and
download URLs come back flagged by the lake's TI table and the lake's partner
STIX feed, nothing the attacker did not use is flagged, and the external
addresses are located, except those in documentation ranges, which are named
as such.
"""

from __future__ import annotations

import ipaddress

import pytest

from huntbook.investigation import Finding, run_investigation

STEP = "Threat intelligence matches"


def _ti_step(investigation) -> Finding:
    (finding,) = [f for f in investigation.findings if f.step == STEP]
    assert finding.error is None, finding.error
    return finding


@pytest.fixture(scope="module")
def ti_finding(qp) -> Finding:
    return _ti_step(run_investigation(qp))


def _flagged_by(finding: Finding) -> dict[str, set[str]]:
    evidence = finding.evidence
    assert evidence is not None
    return {str(o): set(rows["provider"]) for o, rows in evidence.groupby("observable")}


def test_c2_and_download_indicators_are_flagged_by_lake_and_feed(ti_finding, ground_truth):
    intrusion = ground_truth.intrusion
    flagged = _flagged_by(ti_finding)
    assert flagged[intrusion.c2_ip] == {"lake", "feeds"}
    assert flagged[intrusion.c2_domain] == {"feeds"}
    assert flagged[intrusion.cradle_url] == {"feeds"}
    assert flagged[intrusion.payload_url] == {"feeds"}
    assert flagged[intrusion.exfil_ip] == {"feeds"}
    assert {intrusion.c2_ip, intrusion.exfil_ip} <= set(ti_finding.indicators["ip"])
    assert {intrusion.cradle_url, intrusion.payload_url} <= set(ti_finding.indicators["url"])
    assert ti_finding.indicators["domain"] == [intrusion.c2_domain]


def test_only_attacker_indicators_are_flagged(ti_finding, ground_truth):
    planted = {i.value for i in ground_truth.indicators}
    assert set(_flagged_by(ti_finding)) <= planted
    assert set(ti_finding.evidence["verdict"]) == {"malicious"}


def test_lake_flags_exactly_the_table_indicators_seen(ti_finding, ground_truth):
    evidence = ti_finding.evidence
    by_lake = set(evidence.loc[evidence["provider"] == "lake", "observable"])
    in_table = {i.value for i in ground_truth.in_ti}
    assert by_lake <= in_table
    assert ground_truth.intrusion.c2_ip in by_lake


def test_summary_says_which_provider_flagged_what(ti_finding, ground_truth):
    intrusion = ground_truth.intrusion
    summary = ti_finding.summary
    assert f"{intrusion.c2_ip} (lake: C2, confidence" in summary
    assert f"{intrusion.c2_domain} (feeds: C2 domain" in summary
    assert f"{intrusion.cradle_url} (feeds: PowerShell download cradle URL" in summary
    assert "the C2 address is among them" in summary
    assert "demo-intel.stix.json" in summary


def test_geo_ip_locates_public_destinations_and_names_documentation_ranges(ti_finding, ground_truth):
    intrusion = ground_truth.intrusion
    places = ti_finding.places
    assert places is not None and len(places) >= 10
    assert places["Latitude"].between(-90, 90).all() and places["Longitude"].between(-180, 180).all()
    assert all(ipaddress.ip_address(ip).is_global for ip in places["IP"])
    assert places["Country"].notna().all()
    for ip in (intrusion.c2_ip, intrusion.exfil_ip):
        assert ip not in set(places["IP"])
    summary = ti_finding.summary
    documentation = summary.split("lie in documentation ranges")[0].rsplit(";", 1)[-1]
    assert intrusion.c2_ip in documentation and intrusion.exfil_ip in documentation
    assert f"Geo-IP (offline) locates {len(places)} of" in summary


def test_step_uses_no_cache_file_and_no_network(qp, monkeypatch):
    """Guards, not mocks: opening a TI cache or an HTTP client would fail the step."""
    import httpx

    from huntbook.enrich.ti import cache

    def refuse(*args, **kwargs):
        raise AssertionError("the demo TI step must not open this")

    monkeypatch.setattr(cache.TICache, "__init__", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "__init__", refuse)
    monkeypatch.setenv("HUNTBOOK_VIRUSTOTAL_API_KEY", "configured-but-unused")
    finding = _ti_step(run_investigation(qp))
    assert set(finding.evidence["provider"]) == {"lake", "feeds"}


def test_step_alone_still_looks_up_the_matched_traffic(qp, ground_truth):
    """Without earlier steps' facts (no victim, no C2), the TI-matched addresses are still looked up."""
    from huntbook.investigation import _Context, _threat_intel

    finding = _threat_intel(_Context(qp))
    assert finding.error is None
    assert _flagged_by(finding)[ground_truth.intrusion.c2_ip] == {"lake", "feeds"}
    assert finding.queries == ["ThreatIntelligence.match_ip_indicators_in_firewall"]
    assert "in this traffic," in finding.summary
