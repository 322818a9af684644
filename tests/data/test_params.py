import datetime as dt

import pandas as pd
import pytest

from huntbook.data.params import coerce, kql_literal, parse_datetime, parse_timedelta
from huntbook.errors import ParameterError

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d", dt.timedelta(days=1)),
        ("90m", dt.timedelta(minutes=90)),
        ("1.5h", dt.timedelta(hours=1, minutes=30)),
        ("250ms", dt.timedelta(milliseconds=250)),
        ("2w", dt.timedelta(weeks=2)),
        (dt.timedelta(seconds=5), dt.timedelta(seconds=5)),
        (pd.Timedelta("3h"), dt.timedelta(hours=3)),
    ],
)
def test_timedelta_forms(text, expected):
    assert parse_timedelta(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("now", NOW),
        ("-7d", NOW - dt.timedelta(days=7)),
        ("now-2h", NOW - dt.timedelta(hours=2)),
        ("now + 1h", NOW + dt.timedelta(hours=1)),
        ("ago(30m)", NOW - dt.timedelta(minutes=30)),
        ("2026-11-03 14:00", dt.datetime(2026, 11, 3, 14, tzinfo=dt.UTC)),
        ("2026-11-03T14:00:00Z", dt.datetime(2026, 11, 3, 14, tzinfo=dt.UTC)),
        ("2026-11-03T15:00:00+01:00", dt.datetime(2026, 11, 3, 14, tzinfo=dt.UTC)),
        (dt.date(2026, 11, 3), dt.datetime(2026, 11, 3, tzinfo=dt.UTC)),
        (dt.datetime(2026, 11, 3, 14), dt.datetime(2026, 11, 3, 14, tzinfo=dt.UTC)),
        (pd.Timestamp("2026-11-03 14:00", tz="UTC"), dt.datetime(2026, 11, 3, 14, tzinfo=dt.UTC)),
    ],
)
def test_datetime_forms(value, expected):
    assert parse_datetime(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["yesterday", "7d ago", "", "2026-13-45", 12])
def test_bad_datetimes_are_refused(value):
    with pytest.raises(ValueError, match="datetime"):
        parse_datetime(value, now=NOW)


@pytest.mark.parametrize(
    ("value", "ptype", "expected"),
    [
        ("WS-017", "str", "WS-017"),
        (17, "str", "17"),
        ("42", "int", 42),
        (42.0, "int", 42),
        ("0.5", "float", 0.5),
        ("yes", "bool", True),
        (False, "bool", False),
        ("a", "list", ["a"]),
        (("a", "b"), "list", ["a", "b"]),
        (pd.Series([1, 2]), "list", [1, 2]),
    ],
)
def test_coerce(value, ptype, expected):
    assert coerce(value, ptype, name="p") == expected


@pytest.mark.parametrize(
    ("value", "ptype"),
    [
        (True, "int"),
        (1.5, "int"),
        ("x", "int"),
        (None, "str"),
        ("maybe", "bool"),
        ([{}], "list"),
        ({"a": 1}, "list"),
    ],
)
def test_coerce_refuses_with_the_parameter_named(value, ptype):
    with pytest.raises(ParameterError) as info:
        coerce(value, ptype, name="limit", query="F.q")
    assert info.value.parameter == "limit"
    assert "'limit' of query 'F.q' expects " + ptype in str(info.value)


def test_kql_literals():
    assert kql_literal('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert kql_literal(["a", 1]) == 'dynamic(["a", 1])'
    assert (
        kql_literal(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
        == "datetime(2026-01-02T03:04:05.000000Z)"
    )
    assert kql_literal(dt.timedelta(hours=1)) == "time(3600s)"
    assert kql_literal(True) == "true"
