"""The Kusto driver through the real azure-kusto-data client against `duckdb-kql serve` on loopback.

Every KQL catalog query runs through the driver and must give the local
driver's rows. The server is one subprocess per test session, serving the
demo lake as DuckDB views over its Parquet files (the local driver's own DDL).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("azure.kusto.data")

from huntbook.data.drivers.azure_auth import AzureAuthError
from huntbook.data.drivers.kusto import (
    KustoConnectionError,
    KustoDriver,
    KustoThrottledError,
    kusto_parameter_value,
    timespan_text,
)
from huntbook.data.drivers.local import _view_sql
from huntbook.data.provider import QueryProvider
from huntbook.errors import ConfigError, PartialResultWarning, QueryError, TranslationError

HERE = Path(__file__).resolve().parent
from kusto_rest_shim import KustoRelay, typed_parameter  # noqa: E402

DATABASE = "memory"  # what duckdb-kql serve calls an in-memory database


def _catalog_cases():
    """The parameters tests/data/test_catalog_queries.py gives each catalog query."""
    path = HERE.parents[1] / "test_catalog_queries.py"
    spec = importlib.util.spec_from_file_location("huntbook_catalog_query_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"duckdb-kql serve exited: {process.stderr.read()!r}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("duckdb-kql serve did not start listening")


@pytest.fixture(scope="module")
def kusto_relay(demo_lake, tmp_path_factory):
    """`duckdb-kql serve` over the demo lake, behind the parameter relay (see kusto_rest_shim)."""
    init = tmp_path_factory.mktemp("kusto") / "lake.sql"
    init.write_text(
        "".join(_view_sql(t, demo_lake.files(t)) + ";\n" for t in demo_lake.tables()), encoding="utf-8"
    )
    binary = Path(sys.executable).with_name("duckdb-kql")
    port = _free_port()
    process = subprocess.Popen(
        [str(binary), "serve", "--init", str(init), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    relay = None
    try:
        _wait_for(port, process)
        relay = KustoRelay(port)
        relay.thread.start()
        yield relay
    finally:
        if relay is not None:
            relay.shutdown()
            relay.server_close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stderr:
            process.stderr.close()


@pytest.fixture(scope="module")
def kusto_url(kusto_relay):
    return kusto_relay.url


@pytest.fixture(scope="module")
def kusto_qp(kusto_url, qp):
    provider = QueryProvider("Kusto", cluster=kusto_url, database=DATABASE, auth="none")
    provider.set_time_range(*qp.time_range)  # the lake's span, as the local provider uses
    yield provider
    provider.close()


def _normal(value):
    """One cell, comparable across drivers (see _rows)."""
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return pd.Timestamp(value).tz_convert("UTC").isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _rows(frame: pd.DataFrame, dynamic: set[str]) -> list[tuple]:
    """Rows as sorted tuples of plain values.

    Normalised on purpose: the local driver returns dynamic columns as JSON
    text while Kusto returns parsed objects (parsed here and re-dumped with
    sorted keys); ints are numpy int64 locally and nullable Int64/Int32 from
    Kusto; and rows are compared as a sorted multiset because KQL promises no
    order where a query does not sort, and ties inside a sort may come back in
    either order.
    """
    columns = []
    for name in frame.columns:
        values = frame[name].tolist()
        if name in dynamic:
            values = [json.loads(v) if isinstance(v, str) else v for v in values]
        columns.append([_normal(v) for v in values])
    return sorted(zip(*columns, strict=True), key=repr) if columns else []


def test_every_kql_catalog_query_matches_the_local_driver(kusto_qp, qp, ground_truth):
    module = _catalog_cases()
    cases, lacking = module.CASES, module.NOT_IN_DEMO  # lacking: queries of a table the demo lake lacks
    names = kusto_qp.list_queries()
    assert names, "the Kusto provider offers no catalog query"
    assert set(names) == set(qp.list_queries())  # the whole KQL catalog is offered
    checked = 0
    for name in names:
        if name in lacking:  # an error through Kusto too, not an empty result
            query = kusto_qp.catalog[name]
            with pytest.raises(QueryError, match="SysmonEvent"):
                kusto_qp.run(name, **{p.name: module.VALUES[p.name] for p in query.parameters if p.required})
            checked += 1
            continue
        make_params, check = cases[name]
        params = make_params(ground_truth)
        if params.get("alert_id") == "__first_alert__":
            params["alert_id"] = qp.SecurityAlert.list_alerts()["SystemAlertId"].iloc[0]
        local = qp.run(name, **params)
        remote = kusto_qp.run(name, **params)
        assert list(remote.columns) == list(local.columns), name
        dynamic = {c for c in remote.columns if any(isinstance(v, list | dict) for v in remote[c])}
        assert _rows(remote, dynamic) == _rows(local, dynamic), name
        if check is not None:  # the planted activity is found through Kusto too; the checks
            # were written for the local lake, which gives dynamic values as JSON text
            as_text = remote.assign(**{c: remote[c].map(json.dumps) for c in dynamic})
            assert check(as_text, ground_truth), name
        checked += 1
    assert checked == len(names) == len(cases) + len(lacking)


def test_results_have_kusto_types(kusto_qp, ground_truth):
    frame = kusto_qp.WindowsSecurity.summarize_host_events(host_name=ground_truth.intrusion.host)
    assert str(frame["EventID"].dtype) in ("Int32", "Int64")
    logons = kusto_qp.WindowsSecurity.list_host_logons(host_name=ground_truth.intrusion.lateral_targets[0])
    assert isinstance(logons["TimeGenerated"].dtype, pd.DatetimeTZDtype)
    assert str(logons["TimeGenerated"].dt.tz) == "UTC"
    answers = kusto_qp.DNS.list_lookups_for_domain(domain=ground_truth.intrusion.c2_domain)["Answers"]
    assert all(isinstance(v, list) for v in answers)  # dynamic comes back as Python objects


def test_hostile_parameter_values_stay_values(kusto_qp):
    hostile = 'x" or 1==1 | project secret; SecurityEvent | take 1 //'
    frame = kusto_qp.WindowsSecurity.list_host_processes(host_name=hostile)
    assert frame.empty
    frame = kusto_qp.exec_query("declare query_parameters(s:string); print value = s", params={"s": hostile})
    assert frame["value"].tolist() == [hostile]


def test_partial_result_is_a_warning_and_keeps_rows(kusto_qp, kusto_relay):
    kusto_relay.row_limit = 7
    try:
        with pytest.warns(
            PartialResultWarning, match=r"partial result.*E_QUERY_RESULT_SET_TOO_LARGE.*7 rows"
        ):
            frame = kusto_qp.exec_query("SecurityEvent | project TimeGenerated, Computer | take 50")
    finally:
        kusto_relay.row_limit = None
    assert len(frame) == 7


@pytest.mark.parametrize(
    ("status", "code", "error", "message"),
    [
        (429, "TooManyRequests", KustoThrottledError, "throttled the request"),
        (401, "Unauthorized", AzureAuthError, "Signing in to"),
        (403, "Forbidden", AzureAuthError, "Signing in to"),
    ],
)
def test_service_refusals_are_specific(kusto_qp, kusto_relay, status, code, error, message):
    body = {"error": {"code": code, "message": "Request was refused.", "@message": "Refused by the test."}}
    kusto_relay.refuse = (status, body)
    try:
        with pytest.raises(error, match=message):
            kusto_qp.exec_query("print 1")
    finally:
        kusto_relay.refuse = None


def test_failing_sign_in_is_an_auth_error(kusto_url):
    from azure.core.exceptions import ClientAuthenticationError

    class NoLogin:  # the cloud login is out of reach in tests; this one always fails like it
        def get_token(self, *scopes, **kwargs):
            raise ClientAuthenticationError("AADSTS700016: Application not found in the directory.")

    driver = KustoDriver(kusto_url, DATABASE, token_credential=NoLogin())
    with pytest.raises(AzureAuthError, match="AADSTS700016"):
        driver.execute("print 1")


def test_parameter_wire_values():
    moment = dt.datetime(2026, 11, 3, 14, 0, 1, 250000, tzinfo=dt.UTC)
    assert kusto_parameter_value(moment) == "datetime(2026-11-03T14:00:01.250000Z)"
    assert kusto_parameter_value([4624, 4625]) == "dynamic([4624, 4625])"
    assert kusto_parameter_value(10) == "10"
    assert kusto_parameter_value(True) == "true"
    assert kusto_parameter_value(dt.timedelta(hours=1)) == "timespan(0.01:00:00.000000)"
    assert timespan_text(-dt.timedelta(days=2, seconds=5)) == "-2.00:00:05.000000"
    assert typed_parameter("timespan(1.02:03:04.500000)", "timespan") == "1.02:03:04.500000"


def test_timespan_and_datetime_parameters_round_trip(kusto_qp):
    frame = kusto_qp.exec_query(
        "declare query_parameters(w:timespan, t:datetime, n:long); print w = w, t = t, n = n + 1",
        params={"w": dt.timedelta(hours=1, seconds=1), "t": dt.datetime(2026, 1, 2, tzinfo=dt.UTC), "n": 41},
    )
    assert frame["w"].iloc[0] == pd.Timedelta(hours=1, seconds=1)
    assert frame["t"].iloc[0] == pd.Timestamp("2026-01-02", tz="UTC")
    assert frame["n"].iloc[0] == 42


def test_bad_query_gives_the_cluster_reason(kusto_qp):
    with pytest.raises(QueryError) as info:
        kusto_qp.exec_query("SecurityEvent | where NoSuchColumn == 1")
    assert "NoSuchColumn" in str(info.value)
    assert kusto_qp.environment == "Kusto"


def test_unsupported_construct_is_a_translation_or_query_error(kusto_qp):
    with pytest.raises((TranslationError, QueryError)):
        kusto_qp.exec_query("SecurityEvent | evaluate no_such_plugin()")


def test_server_timeout_stops_a_long_query(kusto_qp):
    # The server's own message shows that it stopped the query (the client did not wait it out).
    with pytest.raises(KustoConnectionError, match=r"stopped the query.*timed out"):
        kusto_qp.exec_query(
            "SecurityEvent"
            " | join kind=inner (SecurityEvent | project Computer, T2 = TimeGenerated) on Computer"
            " | join kind=inner (SecurityEvent | project Computer, T3 = TimeGenerated) on Computer | count",
            timeout=1,
        )


def test_unreachable_cluster_is_a_connection_error():
    port = _free_port()  # nothing listens here
    driver = KustoDriver(f"http://127.0.0.1:{port}", "db", auth="none")
    with pytest.raises(KustoConnectionError, match="Cannot reach"):
        driver.execute("print 1")


def test_missing_cluster_names_the_setting():
    with pytest.raises(ConfigError, match=r"providers\.Kusto\.cluster"):
        KustoDriver(database="db", settings=_empty_settings())


def test_no_auth_refuses_a_remote_cluster():
    driver = KustoDriver("https://help.kusto.windows.net", "Samples", auth="none")
    with pytest.raises(ConfigError, match="local http"):
        driver.connect()


def test_settings_supply_cluster_and_secret_stays_hidden():
    from huntbook.config import Settings

    secret = "kusto-very-secret-value-1234"
    settings = Settings.model_validate(
        {
            "providers": {
                "Kusto": {
                    "cluster": "https://c.kusto.windows.net",
                    "database": "Logs",
                    "auth": "client_secret",
                    "tenant_id": "t",
                    "client_id": "c",
                    "client_secret": secret,
                }
            }
        }
    )
    qp = QueryProvider("Kusto", settings=settings)
    assert qp.driver.cluster == "https://c.kusto.windows.net"
    assert qp.driver.database == "Logs"
    for text in (repr(qp), repr(qp.driver), repr(qp.driver.auth), str(qp.driver.__dict__)):
        assert secret not in text


def _empty_settings():
    from huntbook.config import Settings

    return Settings()


@pytest.mark.parametrize(
    ("query", "first_line"),
    [
        (
            "SecurityEvent | where NewProcesName has 'x'",
            "column 'NewProcesName' is not in SecurityEvent; did you mean 'NewProcessName'",
        ),
        (
            "SecurityEvent | summarise count()",
            "The KQL does not parse at line 1, column 17: 'summarise' is not a KQL operator; "
            "did you mean 'summarize'?",
        ),
        (
            "SecurityEvent | make-series count() on TimeGenerated step 1h",
            "The local lake's KQL engine does not support 'make-series' (Sentinel does). The nearest form "
            "that works here: summarize count() by bin(TimeGenerated, 1h)",
        ),
    ],
)
def test_emulator_refusals_read_as_the_local_lakes(kusto_qp, query, first_line):
    """`duckdb-kql serve` answers in its engine's words; the driver says them as the local lake does."""
    with pytest.raises(QueryError) as info:
        kusto_qp.exec_query(query)
    lines = str(info.value).splitlines()
    assert lines[0].startswith(first_line)
    assert lines[1] == f"  {query}" and set(lines[2].strip()) == {"^"}
    assert "Binder" not in str(info.value) and "Operator" not in str(info.value)
