"""Every built-in catalog query runs on the demo lake; the hunting ones find what was planted."""

from __future__ import annotations

import json

import pytest

from huntbook.data.catalog import load_catalog
from huntbook.errors import UnknownTableError


def has(frame, column, value):
    return value in set(frame[column].astype(str))


def contains(frame, column, text):
    return frame[column].astype(str).str.contains(text, regex=False).any()


def answers(frame, column):
    return {a for value in frame[column] for a in json.loads(value)}


# query -> (parameters, check); parameters and checks read the ground truth `t`.
CASES = {
    "WindowsSecurity.list_host_processes": (
        lambda t: {"host_name": t.intrusion.host},
        lambda f, t: has(f, "CommandLine", t.intrusion.powershell_command_line),
    ),
    "WindowsSecurity.list_processes_by_commandline": (
        lambda t: {"commandline_text": "MiniDump"},
        lambda f, t: contains(f, "CommandLine", f"MiniDump {t.intrusion.lsass_pid}"),
    ),
    "WindowsSecurity.list_processes_by_name": (
        lambda t: {"process_name": "rundll32.exe", "host_name": t.intrusion.host},
        lambda f, t: contains(f, "CommandLine", "comsvcs"),
    ),
    "WindowsSecurity.list_encoded_powershell": (
        lambda t: {"host_name": t.intrusion.host},
        lambda f, t: list(f["CommandLine"]) == [t.intrusion.powershell_command_line],
    ),
    "WindowsSecurity.list_office_child_processes": (
        lambda t: {},
        lambda f, t: has(f, "CommandLine", t.intrusion.powershell_command_line),
    ),
    "WindowsSecurity.list_credential_dumping": (
        lambda t: {},
        lambda f, t: (
            contains(f, "CommandLine", "comsvcs") and f["Computer"].str.startswith(t.intrusion.host).all()
        ),
    ),
    "WindowsSecurity.list_lateral_movement_tools": (
        lambda t: {},
        lambda f, t: (
            {c.split(".")[0] for c in f["Computer"]} >= set(t.intrusion.lateral_targets) - {"DC01"}
            and contains(f, "NewProcessName", "PSEXESVC")
        ),
    ),
    "WindowsSecurity.list_archive_staging": (
        lambda t: {},
        lambda f, t: contains(f, "CommandLine", t.intrusion.archive_path),
    ),
    "WindowsSecurity.list_host_logons": (
        lambda t: {"host_name": t.intrusion.lateral_targets[0]},
        lambda f, t: (
            (f["TargetUserName"] == t.intrusion.stolen_account) & (f["IpAddress"] == t.intrusion.host_ip)
        ).any(),
    ),
    "WindowsSecurity.list_host_logon_failures": (lambda t: {"host_name": t.intrusion.host}, None),
    "WindowsSecurity.list_account_logons": (
        lambda t: {"account_name": t.intrusion.stolen_account},
        lambda f, t: (
            {c.split(".")[0] for c in f.loc[f["IpAddress"] == t.intrusion.host_ip, "Computer"]}
            == set(t.intrusion.lateral_targets)
        ),
    ),
    "WindowsSecurity.list_logons_from_ip": (
        lambda t: {"ip_address": t.intrusion.host_ip},
        lambda f, t: has(f, "TargetUserName", t.intrusion.stolen_account),
    ),
    "WindowsSecurity.summarize_network_logons": (
        lambda t: {},
        lambda f, t: (
            (
                (f["TargetUserName"] == t.intrusion.stolen_account) & (f["IpAddress"] == t.intrusion.host_ip)
            ).sum()
            == len(t.intrusion.lateral_targets)
        ),
    ),
    "WindowsSecurity.list_events_by_id": (
        lambda t: {"event_ids": [4624, 4625], "host_name": t.intrusion.host},
        lambda f, t: set(f["EventID"]) <= {4624, 4625} and len(f) > 0,
    ),
    "WindowsSecurity.summarize_host_events": (
        lambda t: {"host_name": t.intrusion.host},
        lambda f, t: {4624, 4688} <= set(f["EventID"]),
    ),
    "WindowsSecurity.list_account_changes": (lambda t: {}, None),
    "WindowsSecurity.list_rare_processes": (
        lambda t: {},
        lambda f, t: has(f, "NewProcessName", t.intrusion.payload_path),
    ),
    "AzureAD.list_signins_for_account": (
        lambda t: {"account_upn": t.password_spray.compromised_account},
        lambda f, t: ((f["IPAddress"] == t.password_spray.source_ip) & (f["ResultType"] == "0")).any(),
    ),
    "AzureAD.list_signins_from_ip": (
        lambda t: {"ip_address": t.password_spray.source_ip},
        lambda f, t: len(f) == t.password_spray.attempts + t.password_spray.post_compromise_signins,
    ),
    "AzureAD.summarize_failed_signins": (
        lambda t: {},
        lambda f, t: (
            f.loc[f["IPAddress"] == t.password_spray.source_ip, "Failures"].sum() == t.password_spray.failures
        ),
    ),
    "AzureAD.detect_password_spray": (
        lambda t: {},
        lambda f, t: list(f["IPAddress"].unique()) == [t.password_spray.source_ip],
    ),
    "AzureAD.list_successful_signins_from_ips": (
        lambda t: {"ip_addresses": [t.password_spray.source_ip]},
        lambda f, t: set(f["UserPrincipalName"]) == {t.password_spray.compromised_account},
    ),
    "AzureAD.summarize_signin_locations": (
        lambda t: {"account_upn": t.password_spray.compromised_account},
        lambda f, t: has(f, "IPAddress", t.password_spray.source_ip),
    ),
    "AzureAD.list_risky_signins": (lambda t: {}, None),
    "LinuxSyslog.list_host_syslog": (
        lambda t: {"host_name": t.ssh_brute_force.host},
        lambda f, t: set(f["Computer"]) == {t.ssh_brute_force.host},
    ),
    "LinuxSyslog.list_ssh_failures": (
        lambda t: {"host_name": t.ssh_brute_force.host},
        lambda f, t: (f["SourceIP"] == t.ssh_brute_force.source_ip).sum() == t.ssh_brute_force.failures,
    ),
    "LinuxSyslog.detect_ssh_brute_force": (
        lambda t: {},
        lambda f, t: (
            list(f["SourceIP"]) == [t.ssh_brute_force.source_ip]
            and int(f["Failures"].iloc[0]) == t.ssh_brute_force.failures
            and int(f["Successes"].iloc[0]) >= 1
        ),
    ),
    "LinuxSyslog.list_ssh_logins": (
        lambda t: {"host_name": t.ssh_brute_force.host},
        lambda f, t: (
            set(f.loc[f["SourceIP"] == t.ssh_brute_force.source_ip, "User"])
            == {t.ssh_brute_force.compromised_account}
        ),
    ),
    "LinuxSyslog.list_sudo_commands": (
        lambda t: {"host_name": t.ssh_brute_force.host},
        lambda f, t: contains(f, "Command", t.ssh_brute_force.authorized_keys_file),
    ),
    "LinuxSyslog.list_account_changes": (
        lambda t: {},
        lambda f, t: contains(f, "SyslogMessage", t.ssh_brute_force.backdoor_user),
    ),
    "LinuxSyslog.list_persistence_changes": (
        lambda t: {},
        lambda f, t: (
            contains(f, "SyslogMessage", "authorized_keys") and set(f["Computer"]) >= {t.ssh_brute_force.host}
        ),
    ),
    "Network.list_connections_for_ip": (
        lambda t: {"ip_address": t.intrusion.c2_ip},
        lambda f, t: has(f, "SourceIP", t.intrusion.host_ip),
    ),
    "Network.summarize_destinations_for_host": (
        lambda t: {"source_ip": t.intrusion.host_ip},
        lambda f, t: {t.intrusion.c2_ip, t.intrusion.exfil_ip} <= set(f["DestinationIP"]),
    ),
    "Network.list_large_outbound_transfers": (
        lambda t: {},
        lambda f, t: (
            f["DestinationIP"].iloc[0] == t.intrusion.exfil_ip
            and int(f["SentBytes"].iloc[0]) >= t.intrusion.exfil_bytes
        ),
    ),
    "Network.detect_beaconing": (
        lambda t: {},
        lambda f, t: (
            (f["SourceIP"].iloc[0], f["DestinationIP"].iloc[0]) == (t.intrusion.host_ip, t.intrusion.c2_ip)
        ),
    ),
    "Network.list_denied_connections": (lambda t: {}, None),
    "Network.list_traffic_on_port": (
        lambda t: {"port": t.intrusion.beacon.remote_port},
        lambda f, t: has(f, "DestinationIP", t.intrusion.c2_ip),
    ),
    "DNS.list_queries_for_client": (
        lambda t: {"client_ip": t.intrusion.host_ip},
        lambda f, t: has(f, "Name", t.intrusion.c2_domain),
    ),
    "DNS.list_lookups_for_domain": (
        lambda t: {"domain": t.intrusion.c2_domain},
        lambda f, t: any(t.intrusion.c2_ip in a for a in answers(f, "Answers")),
    ),
    "DNS.list_rare_domains": (
        lambda t: {},
        lambda f, t: has(f, "Name", t.intrusion.c2_domain),
    ),
    "DNS.list_failed_lookups": (lambda t: {}, None),
    "SecurityAlert.list_alerts": (
        lambda t: {},
        lambda f, t: {a.name for a in t.alerts} <= set(f["AlertName"]),
    ),
    "SecurityAlert.list_alerts_for_host": (
        lambda t: {"host_name": t.intrusion.host},
        lambda f, t: (
            {a.name for a in t.alerts if a.compromised_entity == t.intrusion.host} <= set(f["AlertName"])
        ),
    ),
    "SecurityAlert.list_alerts_for_ip": (
        lambda t: {"ip_address": t.password_spray.source_ip},
        lambda f, t: has(f, "AlertName", "Password spray"),
    ),
    "SecurityAlert.list_alerts_for_account": (
        lambda t: {"account_name": t.password_spray.compromised_account},
        lambda f, t: has(f, "AlertName", "Password spray"),
    ),
    "SecurityAlert.get_alert": (
        lambda t: {"alert_id": "__first_alert__"},
        lambda f, t: len(f) == 1,
    ),
    "SecurityAlert.summarize_alerts": (
        lambda t: {},
        lambda f, t: f["Alerts"].sum() == t.row_counts["SecurityAlert"],
    ),
    "ThreatIntelligence.list_indicators": (
        lambda t: {},
        lambda f, t: {i.value for i in t.in_ti if i.type == "ip"} <= set(f["NetworkIP"].astype(str)),
    ),
    "ThreatIntelligence.lookup_ip": (
        lambda t: {"ip_address": t.intrusion.c2_ip},
        lambda f, t: len(f) >= 1,
    ),
    "ThreatIntelligence.lookup_domain": (
        lambda t: {"domain": t.intrusion.c2_domain},
        lambda f, t: f.empty,  # planted as unknown to TI
    ),
    "ThreatIntelligence.lookup_hash": (
        lambda t: {"file_hash": t.intrusion.payload_hashes.sha256},
        lambda f, t: f.empty,  # planted as unknown to TI
    ),
    "ThreatIntelligence.match_ip_indicators_in_firewall": (
        lambda t: {},
        lambda f, t: (
            t.intrusion.c2_ip in set(f["IndicatorIP"]) and t.intrusion.exfil_ip not in set(f["IndicatorIP"])
        ),
    ),
    "ThreatIntelligence.match_domain_indicators_in_dns": (
        lambda t: {},
        lambda f, t: t.intrusion.c2_domain not in set(f["Name"]),
    ),
    "MDE.list_host_processes": (
        lambda t: {"host_name": t.intrusion.host},
        lambda f, t: has(f, "FolderPath", t.intrusion.payload_path),
    ),
    "MDE.list_processes_by_hash": (
        lambda t: {"file_hash": t.intrusion.payload_hashes.sha256},
        lambda f, t: set(f["FolderPath"]) == {t.intrusion.payload_path},
    ),
    "MDE.list_child_processes": (
        lambda t: {"parent_name": "winword.exe"},
        lambda f, t: has(f, "ProcessCommandLine", t.intrusion.powershell_command_line),
    ),
    "MDE.list_host_connections": (
        lambda t: {"host_name": t.intrusion.host},
        lambda f, t: has(f, "RemoteIP", t.intrusion.c2_ip),
    ),
    "MDE.list_connections_to_ip": (
        lambda t: {"ip_address": t.intrusion.c2_ip},
        lambda f, t: (
            dict(zip(f["InitiatingProcessFileName"], f["Connections"], strict=True))
            == {t.intrusion.beacon.process: t.intrusion.beacon.count, "powershell.exe": 2}
        ),  # cradle and payload
    ),
    "MDE.list_host_logons": (
        lambda t: {"host_name": t.intrusion.lateral_targets[0]},
        lambda f, t: has(f, "AccountName", t.intrusion.stolen_account),
    ),
    "MDE.list_logons_from_ip": (
        lambda t: {"ip_address": t.intrusion.host_ip},
        lambda f, t: has(f, "AccountName", t.intrusion.stolen_account),
    ),
    "Heartbeat.list_hosts": (
        lambda t: {},
        lambda f, t: {h.name for h in t.environment.hosts} == {c.split(".")[0] for c in f["Computer"]},
    ),
    "Heartbeat.get_host_info": (
        lambda t: {"host_name": t.intrusion.host},
        lambda f, t: list(f["ComputerIP"]) == [t.intrusion.host_ip],
    ),
    "Heartbeat.find_host_by_ip": (
        lambda t: {"ip_address": t.intrusion.host_ip},
        lambda f, t: [c.split(".")[0] for c in f["Computer"]] == [t.intrusion.host],
    ),
}


NOT_IN_DEMO = sorted(name for name in load_catalog() if name.startswith("Sysmon."))
"""Queries of SysmonEvent, which only Windows event ingest fills (test_catalog_evtx.py runs them)."""
VALUES = {"host_name": "WS-017", "process_name": "cmd.exe", "commandline_text": "powershell"}


def test_every_builtin_query_has_a_case():
    assert set(CASES) | set(NOT_IN_DEMO) == set(load_catalog())


@pytest.mark.parametrize("name", NOT_IN_DEMO)
def test_a_query_of_a_table_the_demo_lake_lacks_says_how_to_fill_it(qp, name):
    query = load_catalog()[name]
    with pytest.raises(UnknownTableError, match=r"no table 'SysmonEvent'.*\.evtx"):
        qp.run(name, **{p.name: VALUES[p.name] for p in query.parameters if p.required})


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_runs_and_finds_the_planted_activity(qp, ground_truth, name):
    make_params, check = CASES[name]
    params = make_params(ground_truth)
    if params.get("alert_id") == "__first_alert__":
        params["alert_id"] = qp.SecurityAlert.list_alerts()["SystemAlertId"].iloc[0]
    frame = qp.run(name, **params)
    assert frame.attrs["huntbook"]["query_name"] == name
    if check is not None:
        assert check(frame, ground_truth), frame.head(10).to_string()
