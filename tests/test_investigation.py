"""The demo investigation finds, from alerts and detections alone, what the generator planted."""

import re
import sys
from html import unescape

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


HOSTILE = "</script><img src=x onerror=alert(1)>"


def test_report_is_self_contained_and_escapes_data(investigation, tmp_path):
    import pandas as pd

    from huntbook.investigation import Finding

    hostile = Finding(
        "<script>alert(1)</script>",
        "a <b>bold</b> claim",
        ["Q.q"],
        evidence=pd.DataFrame({"x": [HOSTILE]}),
        events=pd.DataFrame(
            {"TimeGenerated": [pd.Timestamp("2026-11-10", tz="UTC")], "CommandLine": [HOSTILE]}
        ),
    )
    investigation.findings.append(hostile)
    try:
        html = investigation.write_html(tmp_path / "r.html").read_text()
    finally:
        investigation.findings.remove(hostile)
    # the hostile text stays text (BokehJS itself holds "<img" in its code, so look for the payloads)
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\\u003c/script\\u003e\\u003cimg src=x" in html or "&lt;/script&gt;&lt;img src=x" in html
    # nothing is loaded from elsewhere, in the page or in the map's frame
    for page in (html, unescape(html)):
        assert not re.search(r"<(?:script|link|img|iframe)[^>]*\s(?:src|href)=[\"']?(?:https?:)?//", page)
        assert not re.search(r"@import|url\([\"']?(?:https?:)?//", page)
    mapped = [f for f in investigation.findings if f.places is not None and len(f.places)]
    assert len(mapped) >= 1 and html.count("<iframe") == len(mapped) and "srcdoc=" in html  # the maps


def test_report_draws_the_timeline_tree_and_maps(investigation, tmp_path):
    from huntbook.report import draw_pictures, timeline_events

    inline = pytest.importorskip("bokeh.resources").INLINE

    pictures = draw_pictures(investigation.findings)
    assert pictures.notes == []
    titles = [re.search(r"<h2>(.*?)</h2>", s).group(1) for s in pictures.sections]
    assert titles[0] == "Timeline (UTC)" and titles[1].startswith("Process tree")
    assert "Where: Password spray against Azure AD" in titles[2:]
    core = inline.js_raw[0]  # BokehJS itself: in the page once, shared by both plots
    assert pictures.head.count(core[len(core) // 2 : len(core) // 2 + 400]) == 1
    lanes = list(dict.fromkeys(timeline_events(investigation.findings)["step"]))
    numbers = [int(lane.split(" · ")[0]) for lane in lanes]
    assert numbers == sorted(numbers) and 1 not in numbers  # in step order; the alerts are markers
    steps = {lane.split(" · ")[1].split(":")[0] for lane in lanes}
    assert {"Initial access", "Execution", "Process tree of the attack chain", "Command and control"} <= steps
    assert {"Credential access", "Lateral movement", "Collection and exfiltration"} <= steps


def test_a_picture_that_cannot_be_drawn_leaves_a_note_and_the_rest(investigation):
    import pandas as pd

    from huntbook.investigation import Finding
    from huntbook.report import draw_pictures

    pytest.importorskip("bokeh")
    broken = Finding("Broken tree", "s", [], tree=pd.DataFrame({"pid": [1]}))
    spray = step(investigation, "Password spray")
    pictures = draw_pictures([broken, spray])
    assert len(pictures.notes) == 1 and pictures.notes[0].startswith("The process tree could not be drawn")
    assert "build_process_tree" in pictures.notes[0]  # the plot's own advice
    titles = [re.search(r"<h2>(.*?)</h2>", s).group(1) for s in pictures.sections]
    assert titles == ["Timeline (UTC)", "Where: Password spray against Azure AD"]  # the rest is drawn


def test_report_without_bokeh_keeps_an_svg_timeline(investigation, monkeypatch):
    from huntbook.report import render_report

    for name in ("bokeh", "bokeh.embed", "bokeh.resources"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails as when the vis extra is missing
    html = render_report(investigation)
    assert "huntbook[vis]" in html and "<svg" in html and "<iframe" not in html


def test_report_in_a_browser(investigation, tmp_path, render_html):
    path = investigation.write_html(tmp_path / "huntbook-demo-report.html")
    assert path.stat().st_size < 15_000_000
    shown = render_html(path, height=2400)
    assert shown.console_problems == [], shown.console
    assert shown.drawn_fraction() > 0.1
    # the timeline's beacon lane, the process tree's nodes and the map's markers are drawn
    assert len(shown.colours_seen(["#1f77b4", "#ff7f0e", "#2ca02c"])) == 3


def test_attack_chain_is_the_tree_under_the_cradle(investigation, ground_truth):
    intrusion = ground_truth.intrusion
    chain = step(investigation, "Process tree")
    tree = chain.tree
    names = set(tree["process_name"].str.rsplit("\\", n=1).str[-1].str.lower())
    assert {"winword.exe", "powershell.exe", intrusion.payload_path.rsplit("\\", 1)[-1].lower()} <= names
    assert {"rundll32.exe", "psexec64.exe", "7z.exe", "curl.exe"} <= names
    assert tree["command_line"].str.contains(f"MiniDump {intrusion.lsass_pid}", regex=False).any()
    assert set(tree["host"].dropna().str.split(".").str[0]) == {intrusion.host}


def test_sign_in_places_locate_the_spray(investigation, ground_truth):
    spray = step(investigation, "Password spray")
    places = spray.places
    source = places[places["IPAddress"] == ground_truth.password_spray.source_ip]
    assert len(source) == 1 and source["layer"].iloc[0] == "password spray source"
    assert source["Failures"].iloc[0] >= ground_truth.password_spray.failures // 2
    assert places[["Latitude", "Longitude"]].notna().all().all()


def test_a_failing_step_is_recorded_and_the_rest_still_run(qp, monkeypatch):
    from huntbook.errors import QueryError
    from huntbook.investigation import STEPS

    def broken(ctx):
        raise QueryError("backend went away")

    monkeypatch.setattr("huntbook.investigation.STEPS", (("Broken", broken), *STEPS[1:3]))
    result = run_investigation(qp)
    assert result.findings[0].error == "backend went away"
    assert [f.error for f in result.findings[1:]] == [None, None]


def test_demo_command_writes_the_report_and_says_where(tmp_path, demo_lake, ground_truth):
    from typer.testing import CliRunner

    from huntbook.cli import app

    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--lake", str(demo_lake.path)])
    assert result.exit_code == 0, result.output
    report = tmp_path / "huntbook-demo-report.html"
    assert f"Report written to {report.resolve()} (" in result.output
    assert "Findings" in result.output and ground_truth.intrusion.c2_ip in result.output
    assert "Process tree of the attack chain" in report.read_text(encoding="utf-8")
