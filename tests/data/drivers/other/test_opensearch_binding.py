"""How a parameter value lands in an OpenSearch DSL body: always as a literal, never as syntax."""

from __future__ import annotations

import re

import pytest

from huntbook.data.drivers.opensearch import bind_dsl
from huntbook.errors import ParameterError, QueryError
from injection_payloads import PAYLOADS

TEXT_PAYLOADS = [p for p in PAYLOADS if "\x00" not in p]


@pytest.mark.parametrize("kind", ["query_string", "simple_query_string"])
def test_a_parameter_inside_a_query_string_is_refused(kind):
    body = {"query": {kind: {"query": "Computer:{{host_name}}"}}}
    with pytest.raises(QueryError, match=f"inside a {kind} query"):
        bind_dsl(body, {"host_name": "*"})


def test_a_query_string_without_parameters_is_kept_as_written():
    body = {"query": {"query_string": {"query": "Computer:web*"}}}
    assert bind_dsl(body, {"host_name": "x"}) == body


@pytest.mark.parametrize("value", TEXT_PAYLOADS)
def test_a_wildcard_query_matches_the_value_literally(value):
    bound = bind_dsl({"wildcard": {"Computer": "{{v}}*"}}, {"v": value})
    pattern = bound["wildcard"]["Computer"]
    # Lucene wildcard: an unescaped * or ? is an operator; everything the value brought is escaped.
    literal, operators = _split_escaped(pattern[:-1])
    assert literal == value
    assert operators == []


@pytest.mark.parametrize("value", TEXT_PAYLOADS)
def test_a_regexp_query_matches_the_value_literally(value):
    bound = bind_dsl({"regexp": {"Computer": "{{v}}.*"}}, {"v": value})
    pattern = bound["regexp"]["Computer"]
    # Every Lucene regexp operator the value holds is escaped, so Python's re (whose escapes of
    # punctuation mean the character itself) reads the pattern as the value followed by ".*".
    assert re.fullmatch(pattern, value + " and more", flags=re.DOTALL)
    assert not re.fullmatch(pattern, "\u2603" + value, flags=re.DOTALL)  # no value starts with it


def test_a_term_query_takes_the_value_as_it_is():
    assert bind_dsl({"term": {"Computer": "{{v}}"}}, {"v": "*"}) == {"term": {"Computer": "*"}}


def test_a_missing_parameter_is_named():
    with pytest.raises(ParameterError, match="no parameter 'host_name'"):
        bind_dsl({"term": {"Computer": "{{host_name}}"}}, {})


def _split_escaped(pattern: str) -> tuple[str, list[str]]:
    """The literal text of a Lucene wildcard pattern, and its unescaped operators."""
    literal, operators, i = [], [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            literal.append(pattern[i + 1])
            i += 2
            continue
        if char in "*?":
            operators.append(char)
        else:
            literal.append(char)
        i += 1
    return "".join(literal), operators
