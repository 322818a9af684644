import datetime as dt
import textwrap

import pytest

from huntbook.data.catalog import Catalog, load_catalog, load_file
from huntbook.errors import CatalogError, ParameterError

GOOD = """\
family: WindowsSecurity
description: Test family.
defaults:
  parameters:
    start: {type: datetime, description: Start}
    end: {type: datetime, description: End}
queries:
  list_host_processes:
    description: Processes on a host.
    entities: {host: host_name}
    parameters:
      host_name: {type: str, description: Host name}
      event_ids: {type: list, description: IDs, default: [4688]}
      window: {type: timedelta, description: Bin, default: 1h}
    kql: |
      SecurityEvent
      | where TimeGenerated between (start .. end) and Computer =~ host_name
"""


def load(tmp_path, text, name="q.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load_file(path)


def test_yaml_in_exact_query_text_out(tmp_path):
    (query,) = load(tmp_path, GOOD)
    assert query.full_name == "WindowsSecurity.list_host_processes"
    assert query.entities == {"host": "host_name"}
    assert [p.name for p in query.parameters] == ["start", "end", "host_name", "event_ids", "window"]
    assert query.line == 8
    assert query.text() == (
        "declare query_parameters(start:datetime, end:datetime, host_name:string, "
        "event_ids:dynamic, window:timespan);\n"
        "SecurityEvent\n| where TimeGenerated between (start .. end) and Computer =~ host_name"
    )


def test_render_shows_values_as_kql_literals(tmp_path):
    (query,) = load(tmp_path, GOOD)
    span = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    bound = query.bind({"host_name": 'WS "1"'}, time_range=span)
    assert query.render(bound) == (
        "declare query_parameters(start:datetime = datetime(2026-01-01T00:00:00.000000Z),\n"
        "    end:datetime = datetime(2026-01-02T00:00:00.000000Z),\n"
        '    host_name:string = "WS \\"1\\"",\n'
        "    event_ids:dynamic = dynamic([4688]),\n"
        "    window:timespan = time(3600s));\n"
        "SecurityEvent\n| where TimeGenerated between (start .. end) and Computer =~ host_name"
    )


def test_bind_types_values_and_fills_defaults(tmp_path):
    (query,) = load(tmp_path, GOOD)
    span = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    bound = query.bind({"host_name": "WS-1", "start": "2026-01-01 06:00"}, time_range=span)
    assert bound == {
        "start": dt.datetime(2026, 1, 1, 6, tzinfo=dt.UTC),
        "end": span[1],
        "host_name": "WS-1",
        "event_ids": [4688],
        "window": dt.timedelta(hours=1),
    }


def test_bind_reports_missing_and_unknown_parameters(tmp_path):
    (query,) = load(tmp_path, GOOD)
    with pytest.raises(ParameterError, match=r"needs a value for 'host_name'.*Missing: host_name\."):
        query.bind({}, time_range=(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)))
    with pytest.raises(ParameterError, match="Missing: start, end, host_name"):
        query.bind({})
    with pytest.raises(ParameterError, match=r"no parameter 'hostname'\. Did you mean 'host_name'\?"):
        query.bind({"hostname": "x"})


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            GOOD.replace("    description: Processes on a host.\n", "    descripton: x\n"),
            9,
            "descripton",
            "Did you mean 'description'?",
        ),
        (GOOD.replace("type: str", "type: string"), 12, "parameters.host_name.type", "Did you mean 'str'?"),
        (GOOD.replace("default: 1h", "default: soon"), 14, "parameters.window.default", "bad default"),
        (
            GOOD.replace("{host: host_name}", "{host: hostname}"),
            10,
            "entities.host",
            "unknown parameter 'hostname'",
        ),
        (GOOD.replace("{host: host_name}", "{hots: host_name}"), 10, "entities.hots", "Did you mean 'host'?"),
        (
            GOOD.replace("host_name: {type", "Computer: {type"),
            12,
            "parameters.Computer",
            "name of a table column",
        ),
        (GOOD.replace("    kql: |", "    sql2: |"), 15, "sql2", "unknown key 'sql2'"),
        (
            GOOD.replace(
                "      host_name: {type: str, description: Host name}\n", "      host_name: {type: str}\n"
            ),
            12,
            "parameters.host_name",
            "missing 'description'",
        ),
    ],
)
def test_broken_files_name_file_line_query_and_field(tmp_path, text, line, field, message):
    with pytest.raises(CatalogError) as info:
        load(tmp_path, text)
    err = info.value
    assert (err.line, err.field) == (line, field)
    assert err.query == "WindowsSecurity.list_host_processes"
    assert err.path.endswith("q.yaml")
    assert message in str(err)


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(CatalogError) as info:
        load(tmp_path, "family: X\nqueries:\n\tq: 1\n")
    assert info.value.line == 3


def test_reserved_parameter_name_is_refused(tmp_path):
    with pytest.raises(CatalogError, match="reserved"):
        load(tmp_path, GOOD.replace("window: {type", "timeout: {type"))


def test_duplicate_query_across_files_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(CatalogError, match="duplicate query name"):
        Catalog().load_folder(tmp_path)


def test_missing_user_folder_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog([tmp_path / "nope"], builtin=False)


def test_builtin_catalog_is_large_and_spans_the_families():
    catalog = load_catalog()
    assert len(catalog) >= 40
    assert {
        "WindowsSecurity",
        "AzureAD",
        "LinuxSyslog",
        "Network",
        "DNS",
        "SecurityAlert",
        "ThreatIntelligence",
        "MDE",
        "Heartbeat",
    } <= set(catalog.families)
    for query in catalog.values():
        assert query.description and "kql" in query.bodies


def test_builtin_kql_parses():
    import duckdb_kql

    for name, query in load_catalog().items():
        assert duckdb_kql.validate(query.text()) == [], name
