"""On the demo lake, IoC extraction and decoding recover every indicator the generator planted.

Most indicators sit in process data: command lines (Windows 4688 events and
MDE process events, Linux cron commands in Syslog), the encoded PowerShell
cradle (decoded with `unpack`) and the image hashes of process events. Three
never touch a process by design -- the C2 address and the payload URL live in
network logs, the password spray's source in sign-in logs -- so those are
looked for there, with the same extractor.
"""

from __future__ import annotations

import pandas as pd
import pytest

from huntbook.analysis.decode import unpack
from huntbook.analysis.iocs import extract_iocs

OUTSIDE_PROCESS_DATA = {"c2_ip", "payload_url", "spray_ip"}
TYPE_NAMES = {"ip": {"ipv4", "ipv6"}, "file_path": {"winpath"}}


def _kinds(kind: str) -> set[str]:
    return TYPE_NAMES.get(kind, {kind})


@pytest.fixture(scope="module")
def process_data(qp) -> dict[str, pd.DataFrame]:
    return {
        "windows": qp.exec_query(
            "SecurityEvent | where EventID == 4688 | project CommandLine"
        ),
        "mde": qp.exec_query(
            "DeviceProcessEvents"
            " | project ProcessCommandLine, InitiatingProcessCommandLine, SHA1, SHA256, MD5"
        ),
        "cron": qp.exec_query("Syslog | where SyslogMessage has 'CMD (' | project SyslogMessage"),
    }


def _found(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["type"].astype(str), frame["observable"].astype(str).str.lower(), strict=True))


def test_process_data_yields_the_planted_indicators(process_data, ground_truth) -> None:
    found: set[tuple[str, str]] = set()
    for frame in process_data.values():
        found |= _found(extract_iocs(frame, nested=True))
    decoded = []
    for command in process_data["mde"]["ProcessCommandLine"].dropna().unique():
        if "-enc" in command.lower():
            decoded += [layer.text for layer in unpack(command).layers()]
    assert decoded, "no encoded PowerShell was decoded"
    found |= _found(extract_iocs(decoded, nested=True))

    planted = [i for i in ground_truth.indicators if i.role not in OUTSIDE_PROCESS_DATA]
    missing = [i for i in planted if not any((k, i.value.lower()) in found for k in _kinds(i.type))]
    assert not missing, f"not recovered from process data: {missing}"
    assert ("url", ground_truth.intrusion.cradle_url) in found


def test_network_and_signin_logs_yield_the_rest(qp, ground_truth) -> None:
    logs = [
        qp.exec_query("CommonSecurityLog | project DestinationIP, RequestURL"),
        qp.exec_query("DeviceNetworkEvents | project RemoteIP, RemoteUrl"),
        qp.exec_query("SigninLogs | project IPAddress"),
    ]
    found = set().union(*(_found(extract_iocs(frame)) for frame in logs))
    rest = [i for i in ground_truth.indicators if i.role in OUTSIDE_PROCESS_DATA]
    assert len(rest) == len(OUTSIDE_PROCESS_DATA)
    missing = [i for i in rest if not any((k, i.value.lower()) in found for k in _kinds(i.type))]
    assert not missing
