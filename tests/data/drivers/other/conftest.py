"""Fixtures for the Splunk, OpenSearch and Spark driver tests: local servers over the demo lake."""

from __future__ import annotations

import pytest

SPLUNK_PASSWORD = "S3cr3t-splunk-pw!"
SPLUNK_TOKEN = "eyJraWQiOiJzcGx1bmsuc2VjcmV0IiwiYWxnIjoiSFM1MTIifQ.tok"
OPENSEARCH_PASSWORD = "0s-p4ss-w0rd#"


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: starts a local Spark session (shared by the whole test run)")


@pytest.fixture(scope="session")
def splunk_server(demo_lake):
    from splunk_rest_server import SplunkServer

    server = SplunkServer(demo_lake, password=SPLUNK_PASSWORD, token=SPLUNK_TOKEN)
    yield server
    server.stop()


@pytest.fixture
def splunk(splunk_server):
    """A QueryProvider for the local Splunk server (fresh failure mode each test)."""
    from huntbook.data.provider import QueryProvider

    splunk_server.mode = "ok"
    provider = QueryProvider(
        "Splunk", host="127.0.0.1", port=splunk_server.port, scheme="http",
        username="hunter", password=SPLUNK_PASSWORD, timeout=20,
    )  # fmt: skip
    yield provider
    splunk_server.mode = "ok"


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def opensearch_server(demo_lake):
    from opensearch_rest_server import OpenSearchServer

    server = OpenSearchServer(demo_lake, password=OPENSEARCH_PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def opensearch(opensearch_server):
    """A QueryProvider for the local OpenSearch server; small pages so paging really happens."""
    from huntbook.data.provider import QueryProvider

    opensearch_server.mode = "ok"
    provider = QueryProvider(
        "OpenSearch", hosts=opensearch_server.url, username="hunter",
        password=OPENSEARCH_PASSWORD, page_size=25, timeout=20,
    )  # fmt: skip
    yield provider
    provider.close()
    opensearch_server.mode = "ok"


def busiest(qp, sql: str) -> str:
    """The first value of a SQL query on the local lake (parameter values that have rows)."""
    return str(qp.exec_query(sql, language="sql").iloc[0, 0])


def normal_rows(frame, columns: list[str]) -> list[tuple]:
    """Rows as sorted text tuples, numbers as floats (backends differ in int/real sums)."""
    import pandas as pd

    part = frame[columns].copy()
    for column in columns:
        if pd.api.types.is_numeric_dtype(part[column]):
            part[column] = part[column].astype(float)
    return sorted(part.astype(str).itertuples(index=False, name=None))


@pytest.fixture(scope="session")
def spark_session():
    """One local[2] Spark session for the whole test run (start-up takes seconds)."""
    pytest.importorskip("pyspark")
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this venv's packages
    session = (
        SparkSession.builder.master("local[2]")
        .appName("huntbook-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark(spark_session, demo_lake):
    """A QueryProvider on Spark over the demo lake."""
    from huntbook.data.provider import QueryProvider

    provider = QueryProvider("Spark", session=spark_session, lake=demo_lake)
    provider.connect()
    yield provider
    provider.close()
