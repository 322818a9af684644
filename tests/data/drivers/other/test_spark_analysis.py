"""huntbook.analysis.spark: extract_iocs and unpack_frame per partition equal the single-machine run."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from huntbook.analysis.decode.frame import unpack_frame
from huntbook.analysis.iocs import extract_iocs
from huntbook.analysis.spark import SparkAnalysisError, extract_iocs_spark, unpack_frame_spark

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def command_lines(qp):
    """Every distinct process command line of the demo lake (Windows 4688 and MDE), one per row."""
    frame = qp.exec_query(
        "SELECT DISTINCT CommandLine FROM SecurityEvent WHERE EventID = 4688 AND CommandLine IS NOT NULL "
        "UNION SELECT DISTINCT ProcessCommandLine FROM DeviceProcessEvents ORDER BY 1",
        language="sql",
    )
    frame = frame.reset_index(drop=True)
    frame["row_id"] = frame.index.astype("int64")
    return frame


@pytest.fixture(scope="module")
def spark_lines(spark_session, command_lines):
    """The same rows in Spark, spread over four partitions."""
    table = pa.Table.from_pandas(command_lines[["row_id", "CommandLine"]], preserve_index=False)
    return spark_session.createDataFrame(table).repartition(4)


def _collect(frame) -> pd.DataFrame:
    return frame.toArrow().to_pandas()


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in one order, values as plain objects (categories, Arrow strings and NaN/None alike)."""
    frame = frame.astype({"row": "int64"}).sort_values(keys, kind="stable").reset_index(drop=True)
    plain = frame.astype(object)
    return plain.where(frame.notna(), None)


def test_extract_iocs_per_partition_equals_one_machine(command_lines, spark_lines):
    expected = extract_iocs(command_lines, columns="CommandLine")
    found = _collect(extract_iocs_spark(spark_lines, columns="CommandLine", key="row_id"))
    assert spark_lines.rdd.getNumPartitions() == 4
    assert len(expected) > 100
    keys = ["row", "start", "type", "observable"]
    left, right = _sorted(found, keys), _sorted(expected, keys)
    assert list(left.columns) == list(right.columns)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_unpack_frame_per_partition_equals_one_machine(command_lines, spark_lines):
    expected = unpack_frame(command_lines, columns="CommandLine")
    found = _collect(unpack_frame_spark(spark_lines, columns="CommandLine", key="row_id"))
    assert len(expected) > 0, "the demo lake plants encoded PowerShell"
    keys = ["row", "path"]
    left, right = _sorted(found, keys), _sorted(expected, keys)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_options_reach_the_workers(spark_lines, command_lines):
    expected = extract_iocs(command_lines, columns="CommandLine", types="ipv4")
    found = _collect(extract_iocs_spark(spark_lines, columns="CommandLine", key="row_id", types="ipv4"))
    assert set(found["type"]) == {"ipv4"}
    assert sorted(found["observable"]) == sorted(expected["observable"])


def test_without_a_key_rows_get_unique_ids(spark_lines, command_lines):
    found = _collect(
        extract_iocs_spark(spark_lines.select("CommandLine"), columns="CommandLine", types="url")
    )
    expected = extract_iocs(command_lines, columns="CommandLine", types="url")
    assert sorted(found["observable"]) == sorted(expected["observable"])
    assert found.groupby("row")["observable"].count().sum() == len(expected)


def test_unknown_columns_are_named(spark_lines):
    with pytest.raises(SparkAnalysisError, match=r"no column Cmdline.*Its columns: row_id, CommandLine"):
        extract_iocs_spark(spark_lines, columns="Cmdline", key="row_id")
