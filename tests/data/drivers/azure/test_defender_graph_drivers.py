"""Defender advanced hunting and Graph security alerts through msal + httpx against a local HTTPS
server speaking the documented shapes: an Entra ID authority (OpenID discovery + OAuth 2.0 client
credentials token endpoint), Graph runHuntingQuery / alerts_v2 with @odata.nextLink paging, the MDE
advancedqueries/run API, 429 + Retry-After, and OneAPI error bodies. Hunting answers are the local
lake's real query results. The real Entra ID is out of reach, so the authority is local: msal signs
in against it exactly as it would against login.microsoftonline.com."""

from __future__ import annotations

import logging
import time
import warnings

import pandas as pd
import pytest

pytest.importorskip("msal")
pytest.importorskip("httpx")

from azure_https_servers import HttpsServer, SecurityApiState, security_api_handler

from huntbook.config import Settings
from huntbook.data.drivers.azure_auth import AzureAuthError
from huntbook.data.drivers.defender import DefenderDriver
from huntbook.data.drivers.graph import GraphDriver, GraphPagingWarning, odata_string
from huntbook.data.drivers.http_common import (
    ApiConnectionError,
    ApiError,
    ApiThrottledError,
    MalformedResponseError,
    retry_after,
)
from huntbook.data.drivers.local import LocalDriver
from huntbook.data.provider import QueryProvider
from huntbook.errors import ConfigError

TENANT = "72f988bf-0000-4000-8000-000000000001"
CLIENT = "0b5a1d4c-0000-4000-8000-000000000002"
SECRET = "app-secret-Zq8~vX3.super-secret"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.graph-token-51c3"


@pytest.fixture(scope="module")
def security_server(demo_lake, tls):
    state = SecurityApiState(LocalDriver(demo_lake), TENANT, CLIENT, SECRET, TOKEN)
    holder: dict[str, HttpsServer] = {}
    with HttpsServer(security_api_handler(state, lambda: holder["server"].url), *tls) as server:
        holder["server"] = server
        server.state = state
        yield server


@pytest.fixture(autouse=True)
def _close_drivers(monkeypatch):
    """Close every driver a test makes, so no socket is left open (pytest turns that into an error)."""
    made = []
    for cls in (DefenderDriver, GraphDriver):

        def init(self, *args, _original=cls.__init__, **kwargs):
            made.append(self)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", init)
    yield
    for driver in made:
        if hasattr(driver, "_http"):
            driver.close()


def _settings(server, tls, secret=SECRET, **extra) -> Settings:
    common = {"auth": "client_secret", "tenant_id": TENANT, "client_id": CLIENT, "client_secret": secret,
              "authority": server.url, "base_url": server.url, "verify": str(tls[0])}  # fmt: skip
    return Settings.model_validate(
        {"providers": {"Defender": {**common, **extra}, "MSGraph": {**common, **extra}}}
    )


def _plain(frame):
    return sorted(
        (tuple(None if v is None or (not isinstance(v, list | dict) and pd.isna(v)) else str(v) for v in row)
         for row in frame.itertuples(index=False)),
        key=repr,
    )  # fmt: skip


@pytest.mark.parametrize("api", ["graph", "mde"])
def test_mde_catalog_queries_match_the_local_lake(security_server, tls, qp, ground_truth, api):
    provider = QueryProvider("Defender", settings=_settings(security_server, tls), api=api)
    provider.set_time_range(*qp.time_range)
    for name, params in {
        "MDE.list_host_processes": {"host_name": ground_truth.intrusion.host},
        "MDE.list_connections_to_ip": {"ip_address": ground_truth.intrusion.c2_ip},
        "MDE.list_processes_by_hash": {"file_hash": ground_truth.intrusion.payload_hashes.sha256},
    }.items():
        remote, local = provider.run(name, **params), qp.run(name, **params)
        assert list(remote.columns) == list(local.columns), name
        assert len(remote) > 0, name
        assert _plain(remote) == _plain(local), name
    frame = provider.MDE.list_host_processes(host_name=ground_truth.intrusion.host)
    assert str(frame["TimeGenerated" if "TimeGenerated" in frame else frame.columns[0]].dtype).startswith(
        "datetime64"
    )


def test_msal_signs_in_once_and_reuses_the_token(security_server, tls):
    before = security_server.state.tokens_issued
    driver = DefenderDriver(settings=_settings(security_server, tls))
    driver.execute("DeviceProcessEvents | take 1")
    driver.execute("DeviceProcessEvents | take 2")
    assert security_server.state.tokens_issued == before + 1  # msal's token cache


def test_wrong_secret_is_an_auth_error_without_the_secret(security_server, tls):
    wrong = "not-the-secret-~~0123456789"
    driver = DefenderDriver(settings=_settings(security_server, tls, secret=wrong))
    with pytest.raises(AzureAuthError, match="invalid_client") as info:
        driver.execute("DeviceProcessEvents | take 1")
    assert "AADSTS7000215" in str(info.value)
    assert wrong not in str(info.value) and wrong not in repr(driver)


def test_throttling_honours_retry_after(security_server, tls):
    security_server.state.throttle = 2
    driver = DefenderDriver(settings=_settings(security_server, tls))
    started = time.monotonic()
    frame = driver.execute("DeviceProcessEvents | take 3")
    assert time.monotonic() - started >= 1.9  # two Retry-After: 1 waits
    assert len(frame) == 3


def test_throttling_past_the_retry_limit(security_server, tls):
    security_server.state.throttle = 10
    driver = DefenderDriver(settings=_settings(security_server, tls), retries=1)
    with pytest.raises(ApiThrottledError, match="429 TooManyRequests: Rate limit is exceeded"):
        driver.execute("DeviceProcessEvents | take 3")
    security_server.state.throttle = 0


def test_a_long_retry_after_is_not_slept(security_server, tls):
    security_server.state.throttle, security_server.state.retry_after = 1, "3600"
    driver = DefenderDriver(settings=_settings(security_server, tls))
    before = len(security_server.requests)
    with pytest.raises(ApiThrottledError, match="wait 3600 s"):
        driver.execute("DeviceProcessEvents | take 3")
    hunts = [r for r in security_server.requests[before:] if "Hunting" in r.path or "advanced" in r.path]
    assert len(hunts) == 1  # given up at once: no wait, no retry (counted, so load cannot fail it)
    security_server.state.throttle, security_server.state.retry_after = 0, "1"


def test_error_body_becomes_a_clear_error(security_server, tls):
    driver = DefenderDriver(settings=_settings(security_server, tls))
    with pytest.raises(ApiError, match=r"HTTP 400 BadRequest: Query could not be parsed.*NoSuchTable"):
        driver.execute("NoSuchTable | take 1")


def test_hostile_parameter_stays_a_value(security_server, tls):
    driver = DefenderDriver(settings=_settings(security_server, tls))
    hostile = 'x" | union DeviceProcessEvents | take 5 //'
    frame = driver.execute(
        "declare query_parameters(h:string);\nDeviceProcessEvents | where DeviceName == h | take 5",
        {"h": hostile},
    )
    assert frame.empty


def test_graph_alerts_follow_every_page(security_server, tls, qp, ground_truth):
    driver = GraphDriver(settings=_settings(security_server, tls))
    frame = driver.alerts()
    assert len(frame) == ground_truth.row_counts["SecurityAlert"]
    assert len(frame) > security_server.state.page_size  # so it really paged
    assert frame["id"].is_unique
    assert str(frame["createdDateTime"].dt.tz) == "UTC"
    high = driver.alerts(severity="high")
    assert set(high["severity"]) == {"high"}
    assert len(high) == (qp.exec_query("SecurityAlert")["AlertSeverity"] == "High").sum()


def test_graph_page_limit_warns_and_keeps_rows(security_server, tls):
    driver = GraphDriver(settings=_settings(security_server, tls), max_pages=2)
    with pytest.warns(GraphPagingWarning, match="Stopped after 2 pages"):
        frame = driver.alerts()
    assert len(frame) == 2 * security_server.state.page_size


def test_graph_refuses_a_next_link_to_another_host(security_server, tls):
    driver = GraphDriver(settings=_settings(security_server, tls))
    with pytest.raises(MalformedResponseError, match="another host"):
        driver._http.request("GET", "https://evil.example/steal")


def test_graph_query_must_be_a_path(security_server, tls):
    from huntbook.errors import ParameterError

    qp = QueryProvider("MSGraph", settings=_settings(security_server, tls))
    with pytest.raises(ParameterError, match="Graph path"):
        qp.exec_query("/v1.0/security/alerts_v2?$top=1")
    frame = qp.exec_query(
        "/v1.0/security/alerts_v2", params={"$filter": f"severity eq {odata_string('low')}"}
    )
    assert set(frame["severity"]) == {"low"}


def test_unreachable_host(tls):
    driver = DefenderDriver(
        token=lambda: "t", base_url="https://127.0.0.1:9", verify=str(tls[0]), settings=Settings()
    )
    with pytest.raises(ApiConnectionError, match="Cannot reach"):
        driver.execute("DeviceProcessEvents | take 1")


def test_malformed_answers(security_server, tls):
    driver = DefenderDriver(
        token=lambda: TOKEN, base_url=security_server.url, verify=str(tls[0]), settings=Settings()
    )
    with pytest.raises(MalformedResponseError, match="schema"):
        driver.frame({"schema": [{"type": "String"}], "results": [{"a": 1}]})
    with pytest.raises(MalformedResponseError, match="no 'schema'"):
        driver.frame({"value": []})


def test_config_errors():
    with pytest.raises(ConfigError, match="Did you mean 'mde'"):
        DefenderDriver("mdee", token=lambda: "t", settings=Settings())
    with pytest.raises(ConfigError, match="needs tenant_id, client_id, client_secret"):
        DefenderDriver(settings=Settings())


def test_retry_after_forms():
    assert retry_after("7", default=1) == 7
    assert retry_after(None, default=1.5) == 1.5
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", default=1) == 0
    assert retry_after("soon", default=2) == 2


def test_secrets_never_in_logs_output_or_reprs(security_server, tls, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    settings = _settings(security_server, tls)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        qp = QueryProvider("Defender", settings=settings)
        qp.exec_query("DeviceProcessEvents | take 1")
        graph = QueryProvider("MSGraph", settings=settings)
        graph.driver.max_pages = 1
        graph.driver.alerts()
        errors = []
        for bad in (_settings(security_server, tls, secret="wrong-secret-value"),):
            try:
                DefenderDriver(settings=bad).execute("DeviceProcessEvents | take 1")
            except AzureAuthError as exc:
                errors.append(str(exc))
    reprs = [repr(qp), repr(qp.driver), repr(graph.driver), repr(qp.driver.auth), str(qp.driver.__dict__)]
    texts = [caplog.text, *capsys.readouterr(), *reprs, *errors, *(str(w.message) for w in caught)]
    for text in texts:
        assert SECRET not in text
        assert TOKEN not in text
        assert "wrong-secret-value" not in text
