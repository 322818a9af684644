"""KQL mistakes on the local lake answer in Sentinel words: the name that is not there and the close
ones, the query line with a caret, the operator meant, and for what the local engine cannot run,
the nearest form that it can (which these tests run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from huntbook.data.catalog import load_catalog
from huntbook.data.drivers.kql_columns import case_suspects
from huntbook.data.drivers.kql_errors import KQL_OPERATORS
from huntbook.data.lake.schemas import EVENT_TABLES, TABLES
from huntbook.errors import (
    QueryError,
    QuerySyntaxError,
    UnknownColumnError,
    UnknownTableError,
    UnsupportedQueryError,
)

#: Words of the engine's insides that no message may show.
JARGON = (
    "Binder",
    "ANTLR",
    "transpil",
    "visitor",
    "wave",
    "Operator",
    "Expression",
    "construct",
    "IDENTIFIER",
    "LITERAL",
    "<EOF>",
    ".py",
    "Candidate bindings",
    "SELECT",
)


def error_of(qp, query: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        qp.exec_query(query)
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no engine traceback below it
    text = str(info.value)
    assert not [word for word in JARGON if word in text], text
    return info.value


def caret_under(message: str, word: str) -> None:
    """The excerpt's caret line marks exactly *word* in the line above it."""
    lines = message.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"^"})
    start = lines[caret].index("^")
    assert lines[caret - 1][start : start + len(lines[caret].strip())] == word


# ---------------------------------------------------------------- unknown columns


def test_unknown_column_names_table_and_close_columns(qp):
    error = error_of(qp, "SecurityEvent | where NewProcesName has 'powershell'")
    assert isinstance(error, UnknownColumnError)
    first = str(error).splitlines()[0]
    assert first == (
        "column 'NewProcesName' is not in SecurityEvent; did you mean 'NewProcessName' or 'ProcessName' "
        "or 'LogonProcessName'?"
    )
    assert error.column == "NewProcesName" and error.where == "SecurityEvent"
    assert error.suggestions[0] == "NewProcessName"
    caret_under(str(error), "NewProcesName")


def test_unknown_column_without_close_names_lists_the_columns(qp, demo_lake):
    error = error_of(qp, "SecurityEvent | where Nonexistent == 1")
    first = str(error).splitlines()[0]
    columns = list(demo_lake.columns("SecurityEvent"))
    assert first.startswith(
        "column 'Nonexistent' is not in SecurityEvent. Its columns: " + ", ".join(columns[:12])
    )
    assert first.endswith(f"({len(columns)} in all).")
    caret_under(str(error), "Nonexistent")


def test_unknown_column_after_a_step_names_that_steps_columns(qp):
    error = error_of(qp, "SecurityEvent | summarize Logons = count() by Computer | where Account == 'x'")
    assert str(error).splitlines()[0] == (
        "column 'Account' is not in the output of 'summarize'. Its columns: Computer, Logons."
    )
    error = error_of(qp, "SecurityEvent | summarize Count = count() by Computer | where count_ > 1")
    assert (
        str(error).splitlines()[0]
        == "column 'count_' is not in the output of 'summarize'; did you mean 'Count'?"
    )


def test_unknown_column_in_project_and_join_key(qp):
    error = error_of(qp, "SecurityEvent | project Computer, Acount")
    assert (
        str(error)
        .splitlines()[0]
        .startswith("column 'Acount' is not in SecurityEvent; did you mean 'Account' or")
    )
    error = error_of(
        qp, "SecurityEvent | join kind=inner (SigninLogs) on $left.Account == $right.UserPrincipal"
    )
    assert (
        str(error)
        .splitlines()[0]
        .startswith("column 'UserPrincipal' is not in SigninLogs; did you mean 'UserPrincipalName'")
    )


# ---------------------------------------------------------------- case sensitivity


@pytest.mark.parametrize(
    ("query", "name", "where", "meant"),
    [
        ("SecurityEvent | where EventId == 4624 | take 1", "EventId", "SecurityEvent", "EventID"),
        ("DnsEvents | where EventID == 257 | take 1", "EventID", "DnsEvents", "EventId"),
        ("SecurityEvent | project computer", "computer", "SecurityEvent", "Computer"),
        ("SecurityEvent | summarize count() by account", "account", "SecurityEvent", "Account"),
        (
            "SecurityEvent | join (SigninLogs) on $left.Account == $right.userPrincipalName | take 1",
            "userPrincipalName",
            "SigninLogs",
            "UserPrincipalName",
        ),
    ],
)
def test_names_are_case_sensitive_as_in_sentinel(qp, query, name, where, meant):
    error = error_of(qp, query)
    assert isinstance(error, UnknownColumnError)
    assert str(error).splitlines()[0] == (
        f"column '{name}' is not in {where}; did you mean '{meant}'? "
        f"KQL names are case-sensitive: Sentinel rejects '{name}' too."
    )
    caret_under(str(error), name)


def test_table_names_are_case_sensitive(qp):
    error = error_of(qp, "securityevent | take 1")
    assert str(error).splitlines()[0] == (
        "table 'securityevent' is not in the lake; did you mean 'SecurityEvent'? "
        "KQL names are case-sensitive: Sentinel rejects 'securityevent' too."
    )


def test_exact_names_and_names_the_query_defines_still_run(qp):
    frame = qp.exec_query(
        "SecurityEvent | where EventID == 4624 | extend logon_host = Computer"
        " | summarize Logons = count() by logon_host | where Logons > 0 | take 3"
    )
    assert list(frame.columns) == ["logon_host", "Logons"] and len(frame) == 3
    frame = qp.exec_query("SecurityAlert | mv-expand e = Entities | extend t = tostring(e.type) | take 1")
    assert len(frame) == 1  # property names inside dynamic values are not columns


def test_no_catalog_query_relies_on_letter_case():
    schema = {t.name: list(t.columns) for t in [*TABLES.values(), *EVENT_TABLES.values()]}
    relying = {
        name: case_suspects(query.text("kql"), schema)
        for name, query in load_catalog().items()
        if "kql" in query.languages
    }
    assert len(relying) > 50
    assert {name: words for name, words in relying.items() if words} == {}


# ---------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("query", "word", "meant"),
    [
        ("SecurityEvent | summarise count() by Computer", "summarise", "'summarize'"),
        ("SecurityEvent | were EventID == 4624", "were", "'where'"),
        ("SecurityEvent | projet Computer", "projet", "'project' or 'project-keep'"),
        (
            "SecurityEvent | where EventID == 4624 | mv-expnd Entities",
            "mv-expnd",
            "'mv-expand' or 'macro-expand'",
        ),
    ],
)
def test_misspelt_operator_gets_did_you_mean_and_a_caret(qp, query, word, meant):
    error = error_of(qp, query)
    assert isinstance(error, QuerySyntaxError)
    column = query.index(word) + 1
    assert str(error).splitlines()[0] == (
        f"The KQL does not parse at line 1, column {column}: "
        f"'{word}' is not a KQL operator; did you mean {meant}?"
    )
    assert (error.line, error.column) == (1, column)
    assert str(error).splitlines()[1] == f"  {query}"
    caret_under(str(error), word)


def test_operator_list_is_kustos():
    assert {"where", "summarize", "project", "mv-expand", "make-series", "search", "top-nested"} <= set(
        KQL_OPERATORS
    )


def test_missing_value_names_a_few_expected_things_in_words(qp):
    error = error_of(qp, "SecurityEvent | where EventID == ")
    assert str(error).splitlines()[0] == (
        "The KQL does not parse at line 1, column 34: the end of the query is not expected here; "
        "expected a value, a column name or a function call"
    )
    assert str(error).splitlines()[2] == " " * 35 + "^"


def test_syntax_error_on_a_later_line_shows_that_line(qp):
    query = "SecurityEvent\n| where EventID == 4624\n| project Computer Account"
    error = error_of(qp, query)
    lines = str(error).splitlines()
    assert lines[0] == (
        "The KQL does not parse at line 3, column 20: "
        "'Account' is not expected here; expected the end of the query"
    )
    assert lines[1] == "  line 3: | project Computer Account"
    caret_under(str(error), "Account")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "SecurityEvent | where Account == 'adm",
            "column 34: this string is not closed: add the closing quote",
        ),
        ("SecurityEvent | where (EventID == 1", "column 17: a '(' in the 'where' step is not closed"),
        (
            "SecurityEvent | take",
            "column 17: the 'take' step is not complete or not written as KQL expects; "
            "it reads like: take 10",
        ),
    ],
)
def test_other_syntax_errors_say_what_to_fix(qp, query, expected):
    error = error_of(qp, query)
    assert str(error).splitlines()[0] == f"The KQL does not parse at line 1, {expected}"
    assert len(str(error).splitlines()) == 3


# ---------------------------------------------------------------- what the local engine cannot run

#: Kusto forms the local engine refuses -> (word in the message, table the nearest form runs on).
UNSUPPORTED = {
    "SecurityEvent | make-series count() on TimeGenerated step 1h": ("'make-series'", "SecurityEvent"),
    'search "mimikatz"': ("'search'", "SecurityEvent"),
    'SecurityEvent | search "mimikatz"': ("'search'", "SecurityEvent"),
    'find "mimikatz"': ("'find'", "SecurityEvent"),
    'SecurityEvent | where * has "mimikatz"': ("searching every column with '*'", "SecurityEvent"),
    "SecurityAlert | mv-apply e = Entities on (take 1)": ("'mv-apply'", "SecurityAlert"),
    "SecurityEvent | project-keep Computer": ("'project-keep'", "SecurityEvent"),
    "SecurityEvent | project-reorder Computer": ("'project-reorder'", "SecurityEvent"),
    "SecurityEvent | sample 3": ("'sample'", "SecurityEvent"),
    "SecurityEvent | sample-distinct 3 of Computer": ("'sample-distinct'", "SecurityEvent"),
    "SecurityEvent | top-hitters 3 of Computer": ("'top-hitters'", "SecurityEvent"),
    "SecurityEvent | top-nested 3 of Computer by count()": ("'top-nested'", "SecurityEvent"),
    "SecurityEvent | reduce by CommandLine": ("'reduce'", "SecurityEvent"),
    "SecurityEvent | facet by Computer": ("'facet'", "SecurityEvent"),
    "SecurityEvent | fork (take 1) (take 2)": ("'fork'", None),
    "SecurityEvent | partition by Computer (take 1)": ("'partition'", "SecurityEvent"),
    "SecurityEvent | scan with (step s: EventID == 4624;)": ("'scan'", None),
    "SecurityEvent | take 1 | as X": ("'as'", None),
    "SecurityEvent | consume": ("'consume'", "SecurityEvent"),
    "SecurityEvent | serialize rn = row_number()": ("'serialize'", "SecurityEvent"),
    'externaldata(a:string)["https://example.org/x.csv"]': ("'externaldata'", None),
    "SecurityAlert | evaluate bag_unpack(ExtendedProperties)": (
        "the plugin 'evaluate bag_unpack'",
        "SecurityAlert",
    ),
    "SecurityEvent | evaluate pivot(Computer)": ("the plugin 'evaluate pivot'", "SecurityEvent"),
    "SecurityEvent | evaluate autocluster()": ("the plugin 'evaluate autocluster'", "SecurityEvent"),
    "SecurityEvent | extend n = row_number()": ("the function row_number()", None),
    "SecurityEvent | extend p = ipv4_is_private(IpAddress)": ("the function ipv4_is_private()", None),
}


@pytest.mark.parametrize("query", list(UNSUPPORTED))
def test_unsupported_forms_say_so_and_the_nearest_form_runs(qp, query):
    what, table = UNSUPPORTED[query]
    error = error_of(qp, query)
    assert isinstance(error, UnsupportedQueryError)
    first = str(error).splitlines()[0]
    assert first.startswith(f"The local lake's KQL engine does not support {what} (Sentinel does).")
    if error.hint:
        assert "The nearest form that works here: " + error.hint in first
        nearest = error.hint if error.hint.startswith("let ") else f"{table} | {error.hint}"
        assert len(qp.exec_query(nearest).columns) > 0
    else:
        assert "SQL" in first or "query of its own" in first or "ingest" in first


def test_serialize_alone_points_at_sort(qp):
    error = error_of(qp, "SecurityEvent | serialize")
    assert str(error).splitlines()[0] == (
        "The KQL does not parse at line 1, column 17: "
        "the local engine cannot run 'serialize' without a column; "
        "write 'sort by TimeGenerated asc' instead"
    )


def test_unknown_table_in_a_join_is_an_unknown_table(qp):
    error = error_of(qp, "SecurityEvent | join (SigninLog) on Computer")
    assert isinstance(error, UnknownTableError)
    assert "has no table 'SigninLog'. Did you mean 'SigninLogs'?" in str(error)


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("query", "first_line"),
    [
        (
            "SecurityEvent | where EventId == 4624",
            "error: column 'EventId' is not in SecurityEvent; did you mean",
        ),
        (
            "SecurityEvent | summarise count()",
            "error: The KQL does not parse at line 1, column 17: 'summarise'",
        ),
        (
            "SecurityEvent | make-series count() on TimeGenerated step 1h",
            "error: The local lake's KQL engine",
        ),
    ],
)
def test_cli_prints_one_clean_error(demo_lake, query, first_line):
    huntbook = Path(sys.executable).with_name("huntbook")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(
        [str(huntbook), "query", query, "--lake", str(demo_lake.path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(first_line), done.stderr
    assert "Traceback" not in done.stderr and len(lines) <= 4
    assert lines[1] == f"  {query}" and set(lines[2].strip()) == {"^"}


def test_excerpt_shows_control_characters_as_escapes_and_keeps_the_caret_aligned(qp):
    query = 'SecurityEvent | where CommandLine == "\x1b[2J\u202e" | projet Computer'
    error = error_of(qp, query)
    lines = str(error).splitlines()
    assert lines[1] == '  SecurityEvent | where CommandLine == "\\x1b[2J\\u202e" | projet Computer'
    assert "\x1b" not in str(error) and "\u202e" not in str(error)
    caret_under(str(error), "projet")
    error = error_of(qp, 'SecurityEvent | where CommandLine == "a\rb"')  # a string cannot hold a line break
    assert str(error).splitlines()[0].endswith("this string is not closed: add the closing quote")
    assert "\r" not in str(error) and '"a\\rb"' in str(error)
