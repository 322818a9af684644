import pytest

from huntbook.errors import (
    CatalogError,
    HuntbookError,
    IngestError,
    MissingExtraError,
    did_you_mean,
)


def test_did_you_mean_suggests_close_names():
    assert did_you_mean("SecurityEvents", ["SecurityEvent", "Syslog"]) == " Did you mean 'SecurityEvent'?"
    assert did_you_mean("securityevent", ["SecurityEvent"]) == " Did you mean 'SecurityEvent'?"
    assert did_you_mean("zzz", ["SecurityEvent"]) == ""


def test_missing_extra_names_the_extra_and_is_an_import_error():
    exc = MissingExtraError("pyspark", "spark", feature="The Spark driver")
    assert isinstance(exc, ImportError)
    assert isinstance(exc, HuntbookError)
    assert "pip install 'huntbook[spark]'" in str(exc)


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (
            CatalogError("bad", path="q.yaml", line=3, query="F.q", field="kql"),
            "q.yaml:3, query 'F.q', field 'kql': bad",
        ),
        (IngestError("bad", path="a.csv", line=7, column="EventID"), "a.csv, line 7, column 'EventID': bad"),
        (IngestError("bad", path="a.parquet"), "a.parquet: bad"),
    ],
)
def test_errors_say_where(exc, text):
    assert str(exc) == text
