"""The Sentinel driver through the real azure-monitor-query client against a local HTTPS
Log Analytics API that answers with the local lake's real query results."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
import warnings

import pandas as pd
import pytest

pytest.importorskip("azure.monitor.query")

from azure_https_servers import HttpsServer, LogAnalyticsState, log_analytics_handler

from conftest import FixedTokenCredential
from huntbook.config import Settings
from huntbook.data.drivers.azure_auth import AzureAuthError
from huntbook.data.drivers.local import LocalDriver
from huntbook.data.drivers.sentinel import (
    LogAnalyticsConnectionError,
    LogAnalyticsQueryError,
    LogAnalyticsThrottledError,
    PartialResultWarning,
    SentinelDriver,
    inline_parameters,
    kql_value,
)
from huntbook.data.provider import QueryProvider
from huntbook.errors import ConfigError, ParameterError, TranslationError

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi.test-access-token-7f3a9c"
PROD, LAB, SMALL, BUSY, BROKEN = (
    "11111111-prod",
    "22222222-lab",
    "33333333-small",
    "44444444-busy",
    "55555555-bad",
)


@pytest.fixture(scope="module")
def la_server(demo_lake, tls):
    state = LogAnalyticsState(
        local_driver=LocalDriver(demo_lake),
        token=TOKEN,
        row_limits={SMALL: 5},
        malformed={BROKEN},
        known={PROD, LAB, SMALL, BUSY, BROKEN},
    )
    with HttpsServer(log_analytics_handler(state), *tls) as server:
        server.state = state
        yield server


def _settings(server, tls, **extra) -> Settings:
    return Settings.model_validate(
        {
            "providers": {
                "Sentinel": {
                    "endpoint": server.url,
                    "verify": str(tls[0]),
                    "workspaces": {
                        "Prod": {"workspace_id": PROD},
                        "Lab": LAB,
                        "Small": SMALL,
                        "Busy": BUSY,
                        "Broken": BROKEN,
                    },
                    "default_workspace": "Prod",
                    **extra,
                }
            }
        }
    )


def _provider(server, tls, qp, workspace=None, **kwargs) -> QueryProvider:
    provider = QueryProvider(
        "Sentinel",
        settings=_settings(server, tls),
        workspace=workspace,
        token_credential=FixedTokenCredential(TOKEN),
        **kwargs,
    )
    provider.set_time_range(*qp.time_range)
    return provider


def _plain(frame: pd.DataFrame) -> list[list]:
    """Rows as JSON-comparable lists; dynamic values as objects either way (local gives JSON text)."""
    out = []
    for record in frame.itertuples(index=False):
        row = []
        for value in record:
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            if isinstance(value, pd.Timestamp):
                value = value.isoformat()
            elif value is None or (not isinstance(value, list | dict) and pd.isna(value)):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            row.append(value)
        out.append(row)
    return sorted(out, key=repr)


CATALOG_SAMPLE = {
    "WindowsSecurity.list_host_processes": lambda t: {"host_name": t.intrusion.host},
    "WindowsSecurity.list_events_by_id": lambda t: {"event_ids": [4624, 4625], "host_name": t.intrusion.host},
    "AzureAD.list_successful_signins_from_ips": lambda t: {"ip_addresses": [t.password_spray.source_ip]},
    "AzureAD.detect_password_spray": lambda t: {},
    "Network.detect_beaconing": lambda t: {},
    "DNS.list_lookups_for_domain": lambda t: {"domain": t.intrusion.c2_domain},
    "LinuxSyslog.detect_ssh_brute_force": lambda t: {},
}


@pytest.mark.parametrize("name", sorted(CATALOG_SAMPLE))
def test_catalog_queries_give_the_local_rows(la_server, tls, qp, ground_truth, name):
    params = CATALOG_SAMPLE[name](ground_truth)
    provider = _provider(la_server, tls, qp)
    remote = provider.run(name, **params)
    local = qp.run(name, **params)
    assert list(remote.columns) == list(local.columns)
    assert len(remote) > 0
    assert _plain(remote) == _plain(local)


def test_result_types(la_server, tls, qp, ground_truth):
    frame = _provider(la_server, tls, qp).DNS.list_lookups_for_domain(domain=ground_truth.intrusion.c2_domain)
    assert str(frame["FirstSeen"].dt.tz) == "UTC"
    assert all(isinstance(v, list) for v in frame["Answers"])  # dynamic parsed into objects


def test_hostile_values_stay_values(la_server, tls, qp):
    provider = _provider(la_server, tls, qp)
    hostile = 'WS-017" or true | project x = "pwned\n| union SecurityEvent //\\'
    assert provider.WindowsSecurity.list_host_processes(host_name=hostile).empty
    echoed = provider.exec_query("declare query_parameters(s:string); print s = s", params={"s": hostile})
    assert echoed["s"].tolist() == [hostile]
    sent = json.loads(la_server.requests[-1].body)["query"]
    assert sent.startswith(
        'let s = "WS-017\\" or true | project x = \\"pwned\\n| union SecurityEvent //\\\\";'
    )


def test_inline_parameters_renders_lets():
    text = inline_parameters(
        "declare query_parameters(a:string, n:long, w:timespan = 1h);\nT | where x == a",
        {"a": "WS-017", "n": 3},
    )
    assert text.splitlines()[:3] == [
        'let a = "WS-017";',
        "let n = long(3);",
        "let w = timespan(0.01:00:00.000000);",
    ]
    assert kql_value(["a", 'b"c\u2028'], "dynamic") == 'dynamic(["a", "b\\"c\\u2028"])'
    assert kql_value("a\rb", "string") == '"a\\rb"'
    with pytest.raises(ParameterError, match="not declared"):
        inline_parameters("declare query_parameters(a:string);\nT", {"b": "x"})
    with pytest.raises(ParameterError, match="declared long"):
        inline_parameters("declare query_parameters(n:long);\nT", {"n": "3; drop"})


def test_several_workspaces_label_their_rows(la_server, tls, qp, ground_truth):
    provider = _provider(la_server, tls, qp, workspace=["Prod", "Lab"])
    frame = provider.WindowsSecurity.list_host_processes(host_name=ground_truth.intrusion.host)
    single = qp.WindowsSecurity.list_host_processes(host_name=ground_truth.intrusion.host)
    assert frame["Workspace"].value_counts().to_dict() == {"Prod": len(single), "Lab": len(single)}


def test_partial_result_is_a_warning_and_keeps_rows(la_server, tls, qp):
    provider = _provider(la_server, tls, qp, workspace="Small")
    with pytest.warns(PartialResultWarning, match=r"Workspace 'Small'.*record count limit 5") as record:
        frame = provider.exec_query("SecurityEvent | project TimeGenerated, Computer | take 50")
    assert len(frame) == 5
    assert len(record) == 1


def test_one_failing_workspace_keeps_the_others(la_server, tls, qp):
    provider = _provider(la_server, tls, qp, workspace=["Prod", "Broken"])
    with pytest.warns(PartialResultWarning, match="Workspace 'Broken' failed"):
        frame = provider.exec_query("Heartbeat | summarize n = count()")
    assert frame["Workspace"].tolist() == ["Prod"]


def test_throttling_is_retried_after_retry_after(la_server, tls, qp):
    la_server.state.throttle[BUSY] = 1
    provider = _provider(la_server, tls, qp, workspace="Busy")
    started = time.monotonic()
    frame = provider.exec_query("Heartbeat | summarize n = count()")
    assert time.monotonic() - started >= 0.9  # waited the Retry-After second
    assert int(frame["n"].iloc[0]) > 0


def test_throttling_past_the_retries_is_a_clear_error(la_server, tls, qp):
    la_server.state.throttle[BUSY] = 5
    provider = _provider(la_server, tls, qp, workspace="Busy", retries=1)
    with pytest.raises(LogAnalyticsThrottledError, match="429"):
        provider.exec_query("Heartbeat | take 1")
    la_server.state.throttle[BUSY] = 0


def test_server_timeout_is_sent(la_server, tls, qp):
    provider = _provider(la_server, tls, qp)
    provider.exec_query("Heartbeat | take 1", timeout=42)
    assert la_server.requests[-1].headers["Prefer"] == "wait=42"


def test_semantic_error_is_translated(la_server, tls, qp):
    provider = _provider(la_server, tls, qp)
    with pytest.raises(TranslationError, match=r"workspace 'Prod' cannot run the query.*NoSuchTable"):
        provider.exec_query("NoSuchTable | take 1")


def test_malformed_response(la_server, tls, qp):
    provider = _provider(la_server, tls, qp, workspace="Broken")
    with pytest.raises(LogAnalyticsQueryError, match="Broken"):
        provider.exec_query("Heartbeat | take 1")


def test_unknown_workspace_id_is_not_found(la_server, tls):
    driver = SentinelDriver(
        workspace_id="99999999-none", endpoint=la_server.url, verify=str(tls[0]),
        token_credential=FixedTokenCredential(TOKEN), settings=Settings(),
    )  # fmt: skip
    with pytest.raises(LogAnalyticsQueryError, match="not found"):
        driver.execute("Heartbeat | take 1")


def test_wrong_token_is_an_auth_error_without_the_token(la_server, tls):
    wrong = "wrong-token-abcdef-123456"
    driver = SentinelDriver(
        workspace_id=PROD, endpoint=la_server.url, verify=str(tls[0]),
        token_credential=FixedTokenCredential(wrong), settings=Settings(),
    )  # fmt: skip
    with pytest.raises(AzureAuthError, match="InvalidTokenError") as info:
        driver.execute("Heartbeat | take 1")
    assert wrong not in str(info.value)


def test_untrusted_certificate_is_refused(la_server):
    driver = SentinelDriver(
        workspace_id=PROD, endpoint=la_server.url,
        token_credential=FixedTokenCredential(TOKEN), settings=Settings(),
    )  # fmt: skip
    with pytest.raises(LogAnalyticsConnectionError, match="Cannot reach"):
        driver.execute("Heartbeat | take 1")


def test_unreachable_endpoint(tls):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    driver = SentinelDriver(
        workspace_id=PROD, endpoint=f"https://127.0.0.1:{port}", verify=str(tls[0]),
        token_credential=FixedTokenCredential(TOKEN), settings=Settings(), retries=0,
    )  # fmt: skip
    with pytest.raises(LogAnalyticsConnectionError, match="Cannot reach"):
        driver.execute("Heartbeat | take 1")


def test_workspace_config_errors(la_server, tls):
    with pytest.raises(ConfigError, match="Did you mean 'Prod'"):
        SentinelDriver("Prd", settings=_settings(la_server, tls))
    with pytest.raises(ConfigError, match="No Log Analytics workspace"):
        SentinelDriver(settings=Settings())


def test_secrets_never_reach_output_logs_or_reprs(la_server, tls, qp, caplog, capsys):
    secret = "client-secret-value-0xDEADBEEF"
    caplog.set_level(logging.DEBUG)
    settings = _settings(
        la_server, tls, auth="client_secret", tenant_id="t", client_id="c", client_secret=secret
    )
    provider = QueryProvider("Sentinel", settings=settings, token_credential=FixedTokenCredential(TOKEN))
    provider.set_time_range(*qp.time_range)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        provider.exec_query("Heartbeat | take 3")
        _provider(la_server, tls, qp, workspace="Small").exec_query("SecurityEvent | take 20")
    texts = [
        caplog.text, *capsys.readouterr(), repr(provider), repr(provider.driver),
        repr(provider.driver.auth), *(str(w.message) for w in caught),
    ]  # fmt: skip
    for text in texts:
        assert secret not in text
        assert TOKEN not in text


def test_client_secret_sign_in_through_azure_identity(la_server, demo_lake, tls, qp):
    """The real azure-identity ClientSecretCredential signs in against a local Entra ID authority
    (OpenID discovery + OAuth 2.0 client credentials), and the token it gets opens the workspace."""
    from azure_https_servers import SecurityApiState, security_api_handler

    secret = "sentinel-app-secret-~0987654321"
    state = SecurityApiState(LocalDriver(demo_lake), "tenant-1", "client-1", secret, TOKEN)
    holder = {}
    with HttpsServer(security_api_handler(state, lambda: holder["server"].url), *tls) as authority:
        holder["server"] = authority
        settings = _settings(
            la_server, tls, auth="client_secret", tenant_id="tenant-1", client_id="client-1",
            client_secret=secret, authority=authority.url,
        )  # fmt: skip
        with SentinelDriver(settings=settings) as driver:
            frame = driver.execute("Heartbeat | summarize n = count()")
        assert int(frame["n"].iloc[0]) > 0
        assert state.tokens_issued == 1
        wrong = _settings(
            la_server, tls, auth="client_secret", tenant_id="tenant-1", client_id="client-1",
            client_secret="wrong-secret-0000", authority=authority.url,
        )  # fmt: skip
        with SentinelDriver(settings=wrong) as driver, pytest.raises(AzureAuthError) as info:
            driver.execute("Heartbeat | take 1")
        assert "wrong-secret-0000" not in str(info.value)
        assert "invalid_client" in str(info.value) or "AADSTS7000215" in str(info.value)
