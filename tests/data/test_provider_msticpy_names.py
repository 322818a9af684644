"""What a msticpy user types first on a QueryProvider works, or answers with the huntbook way."""

from __future__ import annotations

import pytest

from huntbook.data.provider import DRIVERS, QueryProvider
from huntbook.errors import ParameterError


def test_list_data_environments_names_every_driver():
    environments = QueryProvider.list_data_environments()
    assert set(DRIVERS) <= set(environments)
    assert environments == sorted(environments)


def test_schema_and_schema_tables_come_from_the_lake(qp, demo_lake):
    assert qp.schema_tables == demo_lake.tables()
    schema = qp.schema
    assert set(schema) == set(demo_lake.tables())
    assert schema["SecurityEvent"]["EventID"] == "int32"
    assert "TimeGenerated" in schema["SigninLogs"]


def test_print_shows_the_query_text_without_running_it(qp, capsys):
    fn = qp.WindowsSecurity.list_host_logons
    assert fn("print", host_name="WS-017") is None
    printed = capsys.readouterr().out
    assert printed.strip() == fn.text(host_name="WS-017").strip()
    assert 'host_name:string = "WS-017"' in printed


def test_help_prints_the_help(qp, capsys):
    fn = qp.WindowsSecurity.list_host_logons
    fn("help")
    assert capsys.readouterr().out.strip() == fn.help().strip()


def test_print_query_prints_then_runs(qp, capsys):
    fn = qp.WindowsSecurity.list_host_logons
    rows = fn(host_name="WS-017", print_query=True)
    assert capsys.readouterr().out.strip() == fn.text(host_name="WS-017").strip()
    assert len(rows) == len(fn(host_name="WS-017"))


def test_a_positional_value_is_a_clear_error(qp):
    with pytest.raises(ParameterError, match=r"takes its parameters by name \(start, end, host_name\)"):
        qp.WindowsSecurity.list_host_logons("WS-017")


def test_print_query_is_in_the_signature(qp):
    import inspect

    assert "print_query" in inspect.signature(qp.WindowsSecurity.list_host_logons).parameters


def test_browse_queries_is_browse(qp, capsys):
    assert type(qp.browse_queries()) is type(qp.browse())


def test_query_time_is_one_time_range_picker_that_sets_the_provider(demo_lake):
    provider = QueryProvider("Local", lake=demo_lake)
    picker = provider.query_time
    assert provider.query_time is picker
    assert provider.time_range == picker.time_range
