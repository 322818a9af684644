"""Say in Sentinel words why the local KQL engine (`duckdb_kql`) refused a query.

The engine reports grammar rule names and token lists; an analyst needs the
line of the query with a caret under the problem, the operator they probably
meant, and for what runs in Sentinel but not on the local lake, the nearest
form that does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from huntbook.data.drivers.kql_columns import ColumnProblem, column_problem
from huntbook.display import visible
from huntbook.errors import (
    ParameterError,
    QueryError,
    QuerySyntaxError,
    UnknownColumnError,
    UnsupportedQueryError,
)

#: Kusto's tabular operators, the words that may follow ``|``.
KQL_OPERATORS = (
    "as",
    "consume",
    "count",
    "distinct",
    "evaluate",
    "extend",
    "facet",
    "filter",
    "find",
    "fork",
    "getschema",
    "graph-match",
    "graph-to-table",
    "invoke",
    "join",
    "limit",
    "lookup",
    "macro-expand",
    "make-graph",
    "make-series",
    "mv-apply",
    "mv-expand",
    "order",
    "parse",
    "parse-kv",
    "parse-where",
    "partition",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "reduce",
    "render",
    "sample",
    "sample-distinct",
    "scan",
    "search",
    "serialize",
    "sort",
    "summarize",
    "take",
    "top",
    "top-hitters",
    "top-nested",
    "union",
    "where",
)

#: How a step of each common operator is written, shown when that step does not parse.
USAGE = {
    "where": 'where EventID == 4624 and Account has "admin"',
    "filter": "filter EventID == 4624",
    "project": "project TimeGenerated, Computer, Account",
    "extend": "extend Hour = bin(TimeGenerated, 1h)",
    "summarize": "summarize Logons = count() by Computer, bin(TimeGenerated, 1h)",
    "take": "take 10",
    "limit": "limit 10",
    "top": "top 10 by TimeGenerated desc",
    "sort": "sort by TimeGenerated desc",
    "order": "order by TimeGenerated desc",
    "join": "join kind=inner (SigninLogs) on $left.Account == $right.UserPrincipalName",
    "lookup": "lookup (Heartbeat | distinct Computer, OSType) on Computer",
    "distinct": "distinct Computer, Account",
    "count": "count",
    "union": "union SecurityEvent, Syslog",
    "mv-expand": "mv-expand Entity = Entities",
    "parse": 'parse CommandLine with * "-enc " Payload',
    "project-away": "project-away Channel",
    "project-rename": "project-rename Host = Computer",
}

#: Rule of the engine's grammar -> (what the user wrote, the nearest form that runs locally).
_UNSUPPORTED = {
    "MakeSeries": (
        "make-series",
        "summarize count() by bin(TimeGenerated, 1h)",
        "buckets without rows are left out instead of set to 0",
    ),
    "Search": (
        "search",
        'where CommandLine has "mimikatz" or Account has "mimikatz"',
        "name the columns to look in",
    ),
    "Find": ("find", 'where CommandLine has "mimikatz"', "query each table and name the columns to look in"),
    "StringStarOperator": (
        "searching every column with '*'",
        'where CommandLine has "mimikatz"',
        "name the columns to look in",
    ),
    "Mvapply": ("mv-apply", 'mv-expand Entity = Entities | where tostring(Entity.Type) == "account"', None),
    "ProjectKeep": ("project-keep", "project TimeGenerated, Computer, Account", "list the columns to keep"),
    "ProjectReorder": (
        "project-reorder",
        "project Computer, Account, TimeGenerated",
        "list every column to keep, in the order wanted",
    ),
    "Sample": ("sample", "take 10", "take returns the first rows, not a random sample"),
    "SampleDistinct": ("sample-distinct", "distinct Computer | take 10", None),
    "TopHitters": ("top-hitters", "summarize count() by Computer | top 10 by count_", None),
    "TopNested": ("top-nested", "summarize count() by Computer | top 10 by count_", None),
    "TopNestedOperatorPart": ("top-nested", "summarize count() by Computer | top 10 by count_", None),
    "ReduceBy": ("reduce", "summarize count() by CommandLine | sort by count_ desc", None),
    "FacetBy": ("facet", "summarize count() by Computer", "one summarize per column"),
    "Fork": ("fork", None, "run each branch as a query of its own"),
    "Partition": (
        "partition",
        "summarize arg_max(TimeGenerated, *) by Computer",
        "for the latest row of each group",
    ),
    "Scan": ("scan", None, "express the sequence with join, or write it in SQL"),
    "As": (
        "as",
        "let Logons = SecurityEvent | where EventID == 4624; Logons | count",
        "name a result with let",
    ),
    "Consume": ("consume", "count", None),
    "Serialize": (
        "serialize",
        "sort by TimeGenerated asc",
        "row_number(), prev() and next() are not available locally either",
    ),
    "ExternalData": (
        "externaldata",
        None,
        "ingest the file into the lake ('huntbook lake ingest PATH' or Lake.ingest(path)) "
        "and query its table",
    ),
    "Evaluate": ("evaluate (plugins)", None, None),
}

#: Plugins of ``evaluate`` -> the nearest form that runs locally.
_PLUGINS = {
    "bag_unpack": (
        'extend Status = tostring(todynamic(ExtendedProperties)["Alert generation status"])',
        "read each key with extend, as here from SecurityAlert",
    ),
    "pivot": ("summarize count() by Computer, Account", None),
    "autocluster": ("summarize count() by Computer, Account | sort by count_ desc", None),
    "basket": ("summarize count() by Computer, Account | sort by count_ desc", None),
    "ipv4_lookup": (
        "join kind=leftouter (ThreatIntelligenceIndicator) on $left.IpAddress == $right.NetworkIP",
        "exact addresses only",
    ),
}

_SQL = "or write this part in SQL (language='sql' in Python, --sql on the command line)"

_WORD = re.compile(r"[A-Za-z_][\w]*(?:-[A-Za-z_]\w*)*")


def syntax_error(query: str, exc: Any) -> QuerySyntaxError:
    """Explain a `duckdb_kql.KqlSyntaxError` with the line, a caret and what would fit there."""
    misspelt = _misspelt_operator(query)
    if misspelt is not None:
        start, word = misspelt
        close = difflib.get_close_matches(word.lower(), KQL_OPERATORS, n=2, cutoff=0.6)
        what = f"'{word}' is not a KQL operator"
        hint = (
            ("did you mean " + " or ".join(f"'{c}'" for c in close) + "?")
            if close
            else ("after '|' comes an operator such as where, project, extend, summarize, join or take.")
        )
        return _syntax(query, start, len(word), f"{what}; {hint}", hint)
    diagnostics = list(getattr(exc, "diagnostics", None) or [])
    if not diagnostics:
        return QuerySyntaxError(f"The KQL does not parse: {exc}", query=query)
    first = diagnostics[0]
    start = _offset(query, first.span.line, first.span.column)
    return _explain_diagnostic(query, start, first.message)


def unsupported_error(query: str, exc: Any) -> UnsupportedQueryError:
    """Explain a `duckdb_kql.KqlUnsupportedError`: what is not supported and the nearest form that is."""
    construct = str(getattr(exc, "construct", "") or "")
    span = getattr(exc, "span", None)
    start = _offset(query, span.line, span.column) if span is not None else None
    kind, _, name = construct.partition(":")
    what: str
    example: str | None
    note: str | None
    if kind == "function" and name:
        start = _find_call(query, name)
        what, example, note = f"the function {name}()", None, _function_note(name)
    elif kind in ("invoke", "take", "statement") or (kind and name and kind not in ("source", "expression")):
        what, example, note = f"this use of '{kind}'", USAGE.get(kind), _plain(getattr(exc, "hint", None))
    else:
        rule = re.sub(r"(Operator|Expression)$", "", name or kind)
        known = _UNSUPPORTED.get(rule)
        written = _word_at(query, start) if start is not None else None
        if known is None:
            what, example, note = f"'{written or _words(rule)}'", None, None
        else:
            what, example, note = (
                (f"'{known[0]}'" if rule != "StringStarOperator" else known[0]),
                known[1],
                known[2],
            )
        if rule == "Evaluate":
            plugin = re.match(r"evaluate\s+(\w+)", query[start:] if start is not None else "")
            name = plugin.group(1) if plugin else "?"
            what = f"the plugin 'evaluate {name}'"
            example, note = _PLUGINS.get(name, (None, None))
    message = f"The local lake's KQL engine does not support {what} (Sentinel does)."
    if example:
        message += f" The nearest form that works here: {example}"
        if note:
            message += f" ({note})"
        message += "."
    elif note:
        message += f" {note[0].upper()}{note[1:]}."
    else:
        message += f" Rewrite that part with where, extend, summarize or join, {_SQL}."
    if start is not None:
        message += "\n" + excerpt(query, start, len(_word_at(query, start) or "x"))
    return UnsupportedQueryError(message, query=query, hint=example)


def column_error(query: str, problem: ColumnProblem) -> UnknownColumnError:
    """Word a `ColumnProblem`, with a caret under the name where the query first reads it."""
    message = problem.message()
    start = _find_name(query, problem.name)
    if start is not None:
        message += "\n" + excerpt(query, start, len(problem.name))
    return UnknownColumnError(
        message, column=problem.name, where=problem.where, suggestions=problem.suggestions(), query=query
    )


def explain_engine_message(
    query: str, message: str, columns_of: Callable[[str], list[str] | None] | None = None
) -> QueryError | None:
    """Explain a refusal that `duckdb-kql serve` sent as text (a Kusto emulator on the same engine).

    Parameters
    ----------
    query : str
        The KQL that was sent.
    message : str
        The server's message.
    columns_of : callable, optional
        Table name -> its columns (asked only when a name was not found).

    Returns
    -------
    QueryError or None
        None when the message is not one of the engine's (e.g. a real cluster's own words).
    """
    import duckdb_kql
    from duckdb_kql.errors import SourceSpan

    if message.startswith("could not parse KQL at"):
        diagnostics = duckdb_kql.validate(query)
        if not diagnostics:
            return None
        return syntax_error(query, duckdb_kql.KqlSyntaxError(message, diagnostics))
    unsupported = re.match(r"unsupported KQL construct '([^']+)'(?: at (\d+):(\d+))?(?: \((.*)\))?$", message)
    if unsupported:
        construct, line, column, hint = unsupported.groups()
        span = SourceSpan(int(line), int(column)) if line else None
        return unsupported_error(query, duckdb_kql.KqlUnsupportedError(construct, span, hint))
    missing = re.match(r'Binder Error: .*?[Cc]olumn "([^"]+)"', message)
    if missing:
        schema = {t: c for t in _table_names(query) if (c := columns_of(t) if columns_of else None)}
        problem = column_problem(query, schema) if schema else None
        if problem is None:
            candidates = re.findall(r'"([^"]+)"', message.partition("Candidate bindings:")[2])
            problem = ColumnProblem(missing.group(1), "the input of that step", tuple(candidates))
        return column_error(query, problem)
    return None


def _table_names(query: str) -> list[str]:
    """The tables *query* reads (from its parsed form), or [] when it cannot be parsed."""
    import dataclasses

    try:
        from duckdb_kql import ir
        from duckdb_kql.lower import lower

        stack: list[Any] = [lower(query)]
    except Exception:
        return []
    names: list[str] = []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, ir.TableRef) and node.database is None and node.name not in names:
            names.append(node.name)
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return names


def schema_error(query: str, exc: Any) -> QueryError:
    """Explain a `duckdb_kql.KqlSchemaError` (parameters, or names that clash)."""
    name = str(getattr(exc, "name", "") or "")
    hint = _plain(getattr(exc, "hint", None)) or ""
    if "parameter" in hint or "declared" in hint:
        return ParameterError(f"Parameter {name}: {hint}.", query=query, parameter=name or None)
    clash = re.search(r"columns '([^']+)' and '([^']+)' differ only in case", hint)
    if clash:
        return QueryError(
            f"The '{name}' step makes columns '{clash.group(1)}' and '{clash.group(2)}', which differ only "
            "in "
            "letter case: Sentinel keeps them apart, the local lake cannot. Give one another name.",
            query=query,
        )
    return QueryError(f"The query cannot run on the local lake: '{name}': {hint}.", query=query)


def excerpt(query: str, start: int, length: int = 1) -> str:
    """Return the query line holding character *start*, and a caret line under it (both indented)."""
    line_start = query.rfind("\n", 0, start) + 1
    line_end = query.find("\n", start)
    line = query[line_start : line_end if line_end >= 0 else len(query)]
    column = start - line_start
    number = query.count("\n", 0, line_start) + 1
    prefix = f"  line {number}: " if "\n" in query.strip() else "  "
    shown = visible(line)
    pad = len(visible(line[:column]))
    width = max(1, min(length, len(line) - column) if column < len(line) else 1)
    return f"{prefix}{shown}\n{' ' * (len(prefix) + pad)}{'^' * width}"


def _syntax(query: str, start: int, length: int, what: str, hint: str | None) -> QuerySyntaxError:
    line = query.count("\n", 0, start) + 1
    column = start - (query.rfind("\n", 0, start) + 1) + 1
    message = (
        f"The KQL does not parse at line {line}, column {column}: {what}\n{excerpt(query, start, length)}"
    )
    return QuerySyntaxError(message, query=query, line=line, column=column, hint=hint)


def _explain_diagnostic(query: str, start: int, message: str) -> QuerySyntaxError:
    """Turn one parser message into words, with the caret at its token."""
    if message.startswith("token recognition error"):
        quote = query[start] if start < len(query) else ""
        what = (
            "this string is not closed: add the closing quote"
            if quote in "'\"`"
            else (f"'{visible(query[start : start + 1])}' cannot start a word here")
        )
        return _syntax(query, start, 1, what, None)
    match = re.match(r"(mismatched|extraneous) input '(.*)' expecting (.*)$", message, re.S)
    token = match.group(2) if match else None
    expected = _expected_words(match.group(3)) if match else []
    if token == "|" and expected == ["the end of the query"]:
        # The parser gave up on the step after this pipe; point at that step.
        step = _word_at(query, _skip_space(query, start + 1))
        step_start = _skip_space(query, start + 1)
        if step:
            example = USAGE.get(step.lower())
            what = f"the '{step}' step is not complete or not written as KQL expects"
            if _unbalanced(query[step_start:]):
                what = f"a '(' in the '{step}' step is not closed"
            elif example:
                what += f"; it reads like: {example}"
            elif step.lower() == "serialize":
                example = _UNSUPPORTED["Serialize"][1]
                what = f"the local engine cannot run '{step}' without a column; write '{example}' instead"
            elif step.lower() == "parse-kv":
                example = 'extend Value = extract(@"key=(\\S+)", 1, Text)'
                what = f"the local engine cannot run '{step}'; extract each key instead: {example}"
            return _syntax(query, step_start, len(step), what, example)
    if match is None:
        return _syntax(
            query, start, 1, message.replace("no viable alternative at input", "cannot read"), None
        )
    shown = "the end of the query" if token == "<EOF>" else f"'{token}'"
    what = f"{shown} is not expected here"
    if expected:
        what += "; expected " + " or ".join(expected)
    length = 1 if token == "<EOF>" else len(token or "x")
    return _syntax(query, start, length, what, None)


def _expected_words(spec: str) -> list[str]:
    """A few words for an ANTLR expected-token set such as ``{<EOF>, ';'}``."""
    items = [i.strip() for i in spec.strip().strip("{}").split(",") if i.strip()]
    words: list[str] = []
    if any(i.isupper() and i.endswith(("LITERAL", "IDENTIFIER")) for i in items):
        words.append("a value, a column name or a function call")
    if "<EOF>" in items:
        words.append("the end of the query")
    marks = [i for i in items if i.startswith("'") and not re.match(r"'[A-Za-z_]", i) and i != "';'"]
    if len(items) <= 6:
        words.extend(i for i in items if i.startswith("'") and i != "';'" and i not in marks)
    if not words:
        words.extend(marks[:3])
    return words[:4]


def _misspelt_operator(query: str) -> tuple[int, str] | None:
    """The first word after a ``|`` that is not a KQL operator, with its offset."""
    for token in query_tokens(query):
        if token.text != "|":
            continue
        start = _skip_space(query, token.stop + 1)
        word = _word_at(query, start)
        if word and word.lower() not in KQL_OPERATORS:
            return start, word
    return None


def query_tokens(query: str) -> Iterable[Any]:
    """The query's tokens on the default channel (comments and spaces left out)."""
    try:
        from antlr4 import InputStream  # type: ignore[import-untyped]
        from duckdb_kql._antlr.KqlLexer import KqlLexer
    except ImportError:  # pragma: no cover - the engine's lexer moved; fall back to the plain message
        return []
    lexer = KqlLexer(InputStream(query))
    lexer.removeErrorListeners()
    return [t for t in lexer.getAllTokens() if t.channel == 0]


def _word_at(query: str, start: int | None) -> str | None:
    if start is None:
        return None
    match = _WORD.match(query, start)
    return match.group(0) if match else None


def _skip_space(query: str, start: int) -> int:
    while start < len(query) and query[start].isspace():
        start += 1
    return start


def _offset(query: str, line: int, column: int) -> int:
    """Character offset of a 1-based line and 0-based column."""
    offset = 0
    for _ in range(line - 1):
        nxt = query.find("\n", offset)
        if nxt < 0:
            break
        offset = nxt + 1
    return min(offset + column, len(query))


def _find_name(query: str, name: str) -> int | None:
    tokens = list(query_tokens(query))
    for i, token in enumerate(tokens):
        after_dot = i > 0 and tokens[i - 1].text == "."
        if token.text == name and (not after_dot or (i > 1 and tokens[i - 2].text in ("$left", "$right"))):
            return int(token.start)
    return None


def _find_call(query: str, name: str) -> int | None:
    for token in query_tokens(query):
        if token.text == name:
            following = _skip_space(query, token.stop + 1)
            if query[following : following + 1] == "(":
                return int(token.start)
    return None


def _unbalanced(text: str) -> bool:
    step = text.split("|", 1)[0]
    return step.count("(") > step.count(")")


def _function_note(name: str) -> str:
    notes = {
        "row_number": "number rows in SQL with row_number() over (order by ...)",
        "prev": "compare with the previous row in SQL with lag(...) over (order by ...)",
        "next": "compare with the next row in SQL with lead(...) over (order by ...)",
        "column_ifexists": "name the column directly (the lake's tables have every column of their schema)",
        "rand": "take returns the first rows; sort by a column to choose which",
    }
    return notes.get(name, f"use another function, {_SQL}")


def _plain(hint: object) -> str | None:
    """The engine's hint without its internal references (waves, source files, rule numbers)."""
    if not hint:
        return None
    text = str(hint)
    if "wave" in text or ".py" in text:
        return None
    return re.sub(r"\s*\((?:R|SEM)\d+\)", "", text).rstrip(".")


def _words(rule: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", rule).lower()
