"""The demo investigation finds, from alerts and detections alone, what the generator planted."""

import re

import pytest

from huntbook.investigation import run_investigation


@pytest.fixture(scope="module")
def investigation(qp):
    return run_investigation(qp)


def step(investigation, title):
    (finding,) = [f for f in investigation.findings if f.step.startswith(title)]
    assert finding.error is None, finding.error
    return finding


def test_no_step_fails(investigation):
    assert [f.step for f in investigation.findings if f.error] == []
    assert all(f.found for f in investigation.findings)


def test_hosts_accounts_and_indicators_match_the_ground_truth(investigation, ground_truth):
    intrusion = ground_truth.intrusion
    hosts = set(investigation.hosts())
    assert {intrusion.host, *intrusion.lateral_targets, ground_truth.ssh_brute_force.host} <= hosts
    accounts = set(investigation.accounts())
    assert {
        intrusion.account,
        intrusion.stolen_account,
        ground_truth.ssh_brute_force.compromised_account,
    } <= accounts
    assert ground_truth.password_spray.compromised_account in accounts
    ips = set(investigation.indicators()["ip"])
    assert {
        intrusion.c2_ip,
        intrusion.exfil_ip,
        ground_truth.password_spray.source_ip,
        ground_truth.ssh_brute_force.source_ip,
    } <= ips
    assert intrusion.cradle_url in investigation.indicators()["url"]


def test_beacon_interval_and_jitter_are_measured(investigation, ground_truth):
    c2 = step(investigation, "Command and control")
    beacon = ground_truth.intrusion.beacon
    assert f"every {beacon.interval_seconds:.0f} s" in c2.summary
    assert c2.indicators == {"ip": [beacon.remote_ip]}
    assert f"±{beacon.jitter:.0%}" in c2.summary or "±19%" in c2.summary


def test_lateral_movement_names_only_the_stolen_account(investigation, ground_truth):
    lateral = step(investigation, "Lateral movement")
    assert lateral.accounts == [ground_truth.intrusion.stolen_account]
    assert {h.split(".")[0] for h in lateral.hosts} == set(ground_truth.intrusion.lateral_targets)


def test_times_fall_in_the_planted_windows(investigation, ground_truth):
    intrusion = ground_truth.intrusion
    finding = step(investigation, "Execution")
    assert intrusion.stage("initial_access").start <= finding.start <= intrusion.stage("execution").end
    spray = step(investigation, "Password spray")
    assert ground_truth.password_spray.start <= spray.start <= ground_truth.password_spray.end


def test_the_cradle_is_decoded_and_its_indicators_extracted(investigation, ground_truth):
    intrusion = ground_truth.intrusion
    finding = step(investigation, "Execution")
    assert intrusion.decoded_command in set(finding.evidence["Decoded"].dropna())
    assert finding.indicators["url"] == [intrusion.cradle_url]
    assert finding.indicators["domain"] == [intrusion.c2_domain]


def test_report_is_self_contained_and_escapes_data(investigation, tmp_path):
    import pandas as pd

    from huntbook.investigation import Finding

    hostile = Finding(
        "<script>alert(1)</script>",
        "a <b>bold</b> claim",
        ["Q.q"],
        evidence=pd.DataFrame({"x": ["<img src=x onerror=alert(1)>"]}),
    )
    investigation.findings.append(hostile)
    try:
        html = investigation.write_html(tmp_path / "r.html").read_text()
    finally:
        investigation.findings.remove(hostile)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"<[^>]*\s(?:src|href)=|<link|url\(|@import", html)  # nothing loaded from elsewhere


def test_a_failing_step_is_recorded_and_the_rest_still_run(qp, monkeypatch):
    from huntbook.errors import QueryError
    from huntbook.investigation import STEPS

    def broken(ctx):
        raise QueryError("backend went away")

    monkeypatch.setattr("huntbook.investigation.STEPS", (("Broken", broken), *STEPS[1:3]))
    result = run_investigation(qp)
    assert result.findings[0].error == "backend went away"
    assert [f.error for f in result.findings[1:]] == [None, None]
