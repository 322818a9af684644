"""The Spark driver in local mode: lake tables as Spark views, SQL and KQL catalog queries.

Every KQL catalog query is tried on Spark through duckdb-kql's SQL and sqlglot;
the ones listed in TRANSLATED must give the local lake's rows, the others must
fail with a clear error and have a hand-written SQL body (NOT_ON_SPARK names any
that has none), whose rows must equal the KQL's on the local lake.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import busiest
from huntbook.data.catalog import load_catalog
from huntbook.data.drivers._remote import ResultTooLargeError
from huntbook.data.drivers.spark import SparkDriver, SparkQueryError, duckdb_to_spark
from huntbook.data.provider import QueryProvider
from huntbook.errors import QueryError, TranslationError, UnknownTableError

pytestmark = pytest.mark.spark

CATALOG = load_catalog()
KQL_QUERIES = sorted(n for n, q in CATALOG.items() if "kql" in q.bodies)
SQL_QUERIES = sorted(n for n, q in CATALOG.items() if "sql" in q.bodies)

TRANSLATED = {
    "AzureAD.list_risky_signins",
    "AzureAD.list_signins_for_account",
    "AzureAD.list_signins_from_ip",
    "AzureAD.list_successful_signins_from_ips",
    "DNS.list_failed_lookups",
    "DNS.list_queries_for_client",
    "Heartbeat.find_host_by_ip",
    "Heartbeat.list_hosts",
    "MDE.list_child_processes",
    "MDE.list_logons_from_ip",
    "MDE.list_processes_by_hash",
    "Network.list_connections_for_ip",
    "Network.list_denied_connections",
    "Network.list_large_outbound_transfers",
    "Network.list_traffic_on_port",
    "SecurityAlert.get_alert",
    "SecurityAlert.list_alerts",
    "ThreatIntelligence.list_indicators",
    "ThreatIntelligence.lookup_hash",
    "ThreatIntelligence.lookup_ip",
    "WindowsSecurity.list_account_changes",
    "WindowsSecurity.list_account_logons",
    "WindowsSecurity.list_logons_from_ip",
    "WindowsSecurity.list_processes_by_commandline",
}
"""KQL catalog queries whose duckdb-kql SQL, transpiled by sqlglot, runs on Spark with the same rows."""

NOT_ON_SPARK: set[str] = set()
"""KQL catalog queries with neither a translation nor a SQL body."""

CORE_FAMILIES = {"WindowsSecurity", "MDE", "Network", "DNS", "SecurityAlert"}

LIVE = {
    "host_name": "'DC01'",
    "account_upn": "SELECT UserPrincipalName FROM SigninLogs GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "ip_address": "SELECT IpAddress FROM SecurityEvent WHERE EventID = 4625 "
    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "client_ip": "SELECT ClientIP FROM DnsEvents GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "source_ip": "SELECT SourceIP FROM CommonSecurityLog GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    "domain": "'microsoft.com'",
    "file_hash": "SELECT SHA256 FROM DeviceProcessEvents WHERE SHA256 IS NOT NULL LIMIT 1",
    "parent_name": "'winword.exe'",
    "port": "3389",
    "account_name": "SELECT TargetUserName FROM SecurityEvent WHERE EventID = 4624 "
    "GROUP BY 1 ORDER BY count(*) LIMIT 1",
    "alert_id": "SELECT SystemAlertId FROM SecurityAlert ORDER BY TimeGenerated LIMIT 1",
    "commandline_text": "'powershell'",
    "process_name": "'powershell.exe'",
}


@pytest.fixture(scope="module")
def values(qp):
    """A value with rows in the demo lake for each required parameter."""
    found = {}
    for name, sql in LIVE.items():
        found[name] = busiest(qp, sql) if sql.startswith("SELECT") else eval(sql)
    found["port"] = int(found["port"])
    found["ip_addresses"] = [found["ip_address"]]
    found["event_ids"] = [4624, 4625]
    return found


def _cell(value):
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:  # make_set's JSON text: a set, in no particular order
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, np.ndarray | list | tuple):
        return str(sorted(str(_cell(v)) for v in value))
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT or value is pd.NA:
        return "None"
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").isoformat() if value.tzinfo else value.tz_localize("UTC").isoformat()
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return repr(round(float(value), 6))
    return str(value)


def canonical(frame: pd.DataFrame) -> list[tuple]:
    """Rows as sorted tuples of comparable text (engines differ in types, not in values)."""
    rows = [tuple(_cell(v) for v in row) for row in frame.astype(object).itertuples(index=False, name=None)]
    return sorted(rows)


LIVE_FOR_QUERY = {
    "LinuxSyslog.list_host_syslog": {
        "host_name": "SELECT Computer FROM Syslog GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    },
    "ThreatIntelligence.lookup_domain": {
        "domain": "SELECT regexp_extract(Url, '://([^/]+)', 1) FROM ThreatIntelligenceIndicator "
        "WHERE Url LIKE 'http%' ORDER BY IndicatorId LIMIT 1"
    },
    "SecurityAlert.list_alerts_for_ip": {
        "ip_address": "SELECT regexp_extract(Entities, 'Address[^0-9]+([0-9.]+)', 1) FROM SecurityAlert "
        "WHERE Entities LIKE '%Address%' ORDER BY TimeGenerated LIMIT 1"
    },
    "SecurityAlert.list_alerts_for_account": {
        "account_name": "SELECT CompromisedEntity FROM SecurityAlert "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    },
    "MDE.list_connections_to_ip": {
        "ip_address": "SELECT RemoteIP FROM DeviceNetworkEvents GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    },
    **{
        f"Sysmon.{name}": {
            "host_name": "SELECT split_part(Computer, '.', 1) FROM SysmonEvent WHERE EventID = 1 "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        }
        for name in ("list_host_processes", "summarize_host_events")
    },
}
"""Values for queries whose rows are not where the shared LIVE values find them (a Linux host, a URL, ...)."""


def _run_both(spark, qp, name, values, language):
    query = CATALOG[name]
    given = {p.name: values[p.name] for p in query.parameters if p.required}
    given |= {param: busiest(qp, sql) for param, sql in LIVE_FOR_QUERY.get(name, {}).items()}
    bound = query.bind(given, time_range=qp.time_range)
    remote = spark.exec_query(query.text(language), params=bound, language=language)
    local = qp.exec_query(query.text("kql"), params=bound, language="kql")
    return local, remote


@pytest.mark.parametrize("name", KQL_QUERIES)
def test_kql_translates_to_spark_query_by_query(spark, qp, values, name):
    if name in TRANSLATED:
        local, remote = _run_both(spark, qp, name, values, "kql")
        assert list(remote.columns) == list(local.columns)
        assert canonical(remote) == canonical(local)
    else:
        missing = (UnknownTableError,) if name.startswith("Sysmon.") else ()  # the demo has no SysmonEvent
        with pytest.raises((TranslationError, SparkQueryError, *missing)):
            _run_both(spark, qp, name, values, "kql")


@pytest.mark.parametrize("name", SQL_QUERIES)
def test_sql_bodies_match_kql_on_the_local_lake(spark, qp, values, name, request):
    if name in OWN_LAKE:  # no rows in the demo lake: run both on a lake with some
        lake = OWN_LAKE[name](request)
        session = request.getfixturevalue("spark_session").newSession()
        session.conf.set("spark.sql.session.timeZone", "UTC")
        spark, qp = QueryProvider("Spark", session=session, lake=lake), QueryProvider("Local", lake=lake)
        request.addfinalizer(spark.close)
        request.addfinalizer(qp.close)
    local, remote = _run_both(spark, qp, name, values, "sql")
    assert len(local) > 0, "the demo lake should have rows for these values"
    assert list(remote.columns) == list(local.columns)
    assert canonical(remote) == canonical(local)


def _lake_with_a_looked_up_domain_indicator(request):
    """The demo lake's DNS lookups and indicators, and an indicator for a looked-up name."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from huntbook.data.lake.lake import Lake

    demo_lake, tmp_path = request.getfixturevalue("demo_lake"), request.getfixturevalue("tmp_path")

    lake = Lake(tmp_path / "lake")
    for table in ("DnsEvents", "ThreatIntelligenceIndicator"):
        lake.ingest(demo_lake.files(table), table)
    name = pq.read_table(demo_lake.files("DnsEvents")[0], columns=["Name"])["Name"][0].as_py()
    indicators = pq.read_table(demo_lake.files("ThreatIntelligenceIndicator"))
    newest = indicators.filter(pc.invert(pc.is_null(indicators["DomainName"]))).slice(0, 1)
    newest = newest.set_column(
        newest.schema.get_field_index("DomainName"), "DomainName", [[name.upper()]]
    ).set_column(newest.schema.get_field_index("Active"), "Active", [[True]])
    pq.write_table(newest, tmp_path / "indicator.parquet")
    lake.ingest(tmp_path / "indicator.parquet", "ThreatIntelligenceIndicator")
    return lake


def _evtx_lake(request):
    """The lake made from ../shared/data/evtx (the demo lake has no SysmonEvent)."""
    return request.getfixturevalue("evtx_lake")


OWN_LAKE = {
    "ThreatIntelligence.match_domain_indicators_in_dns": _lake_with_a_looked_up_domain_indicator,
    **{name: _evtx_lake for name in SQL_QUERIES if name.startswith("Sysmon.")},
    "Sysmon.list_dns_queries": lambda request: request.getfixturevalue("sysmon_dns_lake"),  # none in the EVTX
}
"""SQL bodies shown equal to the KQL on a lake of their own (the demo lake has no rows for them)."""


HUNTING_FAMILIES = {
    "process": {
        "WindowsSecurity.list_host_processes",
        "WindowsSecurity.list_processes_by_commandline",
        "MDE.list_host_processes",
        "MDE.list_processes_by_hash",
    },
    "logon": {
        "WindowsSecurity.list_host_logons",
        "WindowsSecurity.list_account_logons",
        "MDE.list_host_logons",
    },
    "network": {
        "Network.list_connections_for_ip",
        "Network.summarize_destinations_for_host",
        "MDE.list_host_connections",
    },
    "dns": {"DNS.list_queries_for_client", "DNS.list_lookups_for_domain"},
    "alerts": {
        "SecurityAlert.list_alerts",
        "SecurityAlert.list_alerts_for_host",
        "SecurityAlert.summarize_alerts",
    },
}


def test_core_hunting_families_run_on_spark(spark):
    runnable = TRANSLATED | set(SQL_QUERIES)
    for family, names in HUNTING_FAMILIES.items():
        assert names <= runnable, f"{family}: {sorted(names - runnable)} cannot run on Spark"
    assert set(spark.list_queries()) == set(KQL_QUERIES) | set(SQL_QUERIES)
    assert set(KQL_QUERIES) - TRANSLATED - set(SQL_QUERIES) == NOT_ON_SPARK


def test_sql_parameters_are_bound_not_written(spark):
    hostile = "x' OR '1'='1"
    sql, args = spark.driver.translate(
        "SELECT count(*) AS n FROM SecurityEvent WHERE Computer = $h", {"h": hostile}
    )
    assert hostile not in sql and ":h" in sql and args == {"h": hostile}
    frame = spark.exec_query(
        "SELECT count(*) AS n FROM SecurityEvent WHERE Computer = $h", params={"h": hostile}
    )
    assert int(frame["n"].iloc[0]) == 0
    assert spark.WindowsSecurity.list_host_logons(host_name=hostile).empty  # SQL body
    assert spark.WindowsSecurity.list_account_logons(account_name=hostile).empty  # KQL, translated
    for pattern in (".*", "x\\E|.*", "\\E\\Q.*"):  # quoted inside the SQL bodies' regular expressions
        assert spark.ThreatIntelligence.lookup_domain(domain=pattern).empty
        assert spark.SecurityAlert.list_alerts_for_ip(ip_address=pattern).empty


def test_row_limit_is_a_clear_error(spark_session, demo_lake):
    driver = SparkDriver(session=spark_session, lake=demo_lake, max_rows=10)
    with pytest.raises(ResultTooLargeError, match="max_rows=10"):
        driver.execute("SELECT * FROM SecurityEvent")
    assert len(driver.execute("SELECT * FROM SecurityEvent LIMIT 10")) == 10


def test_errors_are_specific(spark):
    with pytest.raises(UnknownTableError, match=r"no table .*NoSuchTable"):
        spark.exec_query("SELECT * FROM NoSuchTable")
    with pytest.raises(SparkQueryError, match="not valid Spark SQL"):
        spark.exec_query("SELECT nosuchcolumn FROM SecurityEvent")
    with pytest.raises(TranslationError, match="KQL"):
        spark.exec_query("SecurityEvent | wherex", language="kql")
    with pytest.raises(QueryError, match="not 'spl'"):
        spark.exec_query("search x", language="spl")


def test_timeout_stops_the_job(spark, spark_session):
    from huntbook.data.drivers._remote import BackendTimeoutError

    with pytest.raises(BackendTimeoutError, match=r"1\.0 s timeout"):
        spark.exec_query(
            "SELECT count(*) AS n FROM SecurityEvent a CROSS JOIN SecurityEvent b "
            "WHERE a.Computer < b.Computer",
            timeout=1.0,
        )
    # Stopped, not left running: no job of the query is still active (whatever the machine's load).
    assert spark_session.sparkContext.statusTracker().getActiveJobsIds() == []
    assert len(spark.exec_query("SELECT * FROM Heartbeat LIMIT 3", timeout=30)) == 3  # the next query runs


def test_transpile_keeps_placeholders():
    assert duckdb_to_spark("SELECT * FROM t WHERE a = $x AND starts_with(b, $y)") == (
        "SELECT * FROM t WHERE a = :x AND STARTSWITH(b, :y)"
    )
    with pytest.raises(TranslationError):
        duckdb_to_spark("SELECT FROM WHERE (")


def test_times_are_utc(spark):
    frame = spark.WindowsSecurity.list_host_logons(host_name="DC01")
    assert isinstance(frame["TimeGenerated"].dtype, pd.DatetimeTZDtype)
    assert str(frame["TimeGenerated"].dt.tz) == "UTC"


def test_provider_settings_choose_master(tmp_path, monkeypatch):
    config = tmp_path / "huntbook.yaml"
    config.write_text("providers:\n  Spark:\n    master: spark://cluster.example:7077\n    max_rows: 5\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(config))
    provider = QueryProvider("Spark")
    assert provider.driver.master == "spark://cluster.example:7077"
    assert provider.driver.max_rows == 5
    assert "cluster.example" in repr(provider.driver)
