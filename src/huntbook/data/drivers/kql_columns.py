"""Check a KQL query's column names against the lake's schema, as Sentinel would.

KQL names are case-sensitive; DuckDB, which runs KQL for the local lake, folds
case, so ``EventId`` finds ``EventID`` locally and fails in Sentinel. This
module follows a query step by step with the columns each step produces (the
rules come from `duckdb_kql`) and reports the first name that is not among its
step's input columns. Where a step's columns cannot be known (a plugin, a graph
operator) it stops checking rather than guess.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Schema = Mapping[str, Sequence[str]]

_NAME = re.compile(r"[A-Za-z_]\w*\Z")


@dataclasses.dataclass(frozen=True)
class ColumnProblem:
    """A name that is not a column of its step's input.

    Attributes
    ----------
    name : str
        The name as written in the query.
    where : str
        What the step reads: a table name or ``"the output of 'summarize'"``.
    columns : tuple of str
        The columns that are there.
    kind : str
        ``"column"`` or ``"table"``.
    """

    name: str
    where: str
    columns: tuple[str, ...]
    kind: str = "column"

    @property
    def case_only(self) -> bool:
        """True when the name differs from an existing one only in letter case."""
        folded = self.name.casefold()
        return any(c.casefold() == folded for c in self.columns)

    def suggestions(self) -> list[str]:
        """The existing names closest to `name` (an exact case-insensitive match first)."""
        folded = self.name.casefold()
        same = [c for c in self.columns if c.casefold() == folded]
        if same:
            return same
        lowered = {c.casefold(): c for c in self.columns}
        close = difflib.get_close_matches(folded, list(lowered), n=3, cutoff=0.6)
        return [lowered[c] for c in close]

    def message(self) -> str:
        """The sentence shown to the user (no excerpt of the query)."""
        text = f"{self.kind} '{self.name}' is not in {self.where}"
        close = self.suggestions()
        if close:
            text += "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        elif self.columns:
            shown = ", ".join(self.columns[:12])
            more = f", … ({len(self.columns)} in all)" if len(self.columns) > 12 else ""
            text += f". Its {self.kind}s: {shown}{more}."
        else:
            text += "."
        if self.case_only:
            text += f" KQL names are case-sensitive: Sentinel rejects '{self.name}' too."
        return text


def column_problem(query: str, schema: Schema) -> ColumnProblem | None:
    """Return the first column (or table) name in *query* that its input does not have.

    Parameters
    ----------
    query : str
        KQL text.
    schema : Mapping
        Table name -> column names (exact case).

    Returns
    -------
    ColumnProblem or None
        None when every name checked is there, and when the query cannot be
        followed (it does not parse, or uses a step whose columns are unknown).
    """
    try:
        from duckdb_kql.lower import lower

        tree = lower(query)
    except Exception:
        return None
    try:
        return _check_query(tree, {table: list(columns) for table, columns in schema.items()})
    except Exception:
        return None


def _check_query(query: Any, schema: dict[str, list[str]]) -> ColumnProblem | None:
    from duckdb_kql import ir
    from duckdb_kql.schema import output_columns

    for name, bound in query.lets:
        if isinstance(bound, ir.Query):
            problem = _check_query(bound, schema)
            if problem:
                return problem
            schema = {**schema, name: output_columns(bound, schema)}
    source = query.source
    if isinstance(source, ir.TableRef):
        if source.database or source.cluster:
            return None
        if source.name not in schema:
            folded = {t.casefold(): t for t in schema if "." not in t}
            if source.name.casefold() in folded:
                return ColumnProblem(source.name, "the lake", tuple(sorted(folded.values())), kind="table")
            return None  # a missing table is reported by the engine, with ingest hints
        cols, where = list(schema[source.name]), source.name
    elif isinstance(source, ir.DataTable | ir.PrintSource | ir.RangeSource):
        from duckdb_kql.schema import source_columns_or_none

        known = source_columns_or_none(source, schema)
        if known is None:
            return None
        cols, where = known, f"the {type(source).__name__.removesuffix('Source').lower()} columns"
    else:
        return None
    return _check_operators(query.operators, cols, where, schema)


def _check_operators(
    operators: Sequence[Any], cols: list[str], where: str, schema: dict[str, list[str]]
) -> ColumnProblem | None:
    from duckdb_kql.schema import _operator_columns, _operator_name, resolve_let_refs

    for op in operators:
        if not _followed(op):
            return None
        op = resolve_let_refs(op, cols)
        for sub in _nested_queries(op):
            problem = _check_query(sub, schema)
            if problem:
                return problem
        for name in _input_names(op):
            if name not in cols:
                return ColumnProblem(name, where, tuple(cols))
        right = _right_names(op, schema)
        if right is not None:
            right_cols, right_where, names = right
            for name in names:
                if name not in right_cols:
                    return ColumnProblem(name, right_where, tuple(right_cols))
        produced = list(_operator_columns(op, cols, schema))
        if not set(cols) <= set(produced):
            where = f"the output of '{_operator_name(op)}'"
        cols = produced
    return None


def _followed(op: Any) -> bool:
    """Whether this checker knows which names *op* reads."""
    from duckdb_kql import ir

    return isinstance(
        op,
        ir.Where
        | ir.Project
        | ir.Extend
        | ir.Summarize
        | ir.Distinct
        | ir.Sort
        | ir.Top
        | ir.Take
        | ir.Count
        | ir.ProjectAway
        | ir.ProjectRename
        | ir.MvExpand
        | ir.Parse
        | ir.Join
        | ir.Lookup,
    )


def _input_names(op: Any) -> list[str]:
    """The input column names *op* reads, in the order written."""
    from duckdb_kql import ir

    if isinstance(op, ir.ProjectAway):
        return [c for c in op.columns if "*" not in c]
    if isinstance(op, ir.ProjectRename):
        return [old for old, _new in op.renames]
    if isinstance(op, ir.MvExpand):
        return [t.column for t in op.targets]
    if isinstance(op, ir.Join | ir.Lookup):
        return [key.left for key in op.keys]
    return list(_column_refs(op))


def _right_names(op: Any, schema: dict[str, list[str]]) -> tuple[list[str], str, list[str]] | None:
    """For a join or lookup: the right side's columns, its label and the key names read from it."""
    from duckdb_kql import ir
    from duckdb_kql.schema import output_columns

    if not isinstance(op, ir.Join | ir.Lookup):
        return None
    right = op.right
    label = (
        right.source.name
        if isinstance(right.source, ir.TableRef) and not right.operators
        else "the joined query"
    )
    return list(output_columns(right, schema)), label, [key.right for key in op.keys]


def _column_refs(node: Any) -> Iterator[str]:
    """Column names read by *node*, depth first in field order, not entering nested queries."""
    from duckdb_kql import ir

    stack: list[Any] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if isinstance(current, ir.ColumnRef):
            yield current.name
            continue
        if isinstance(current, ir.Query):
            continue
        if isinstance(current, list | tuple):
            stack.extend(reversed(current))
            continue
        if not dataclasses.is_dataclass(current) or isinstance(current, type) or id(current) in seen:
            continue
        seen.add(id(current))
        stack.extend(reversed([getattr(current, f.name) for f in dataclasses.fields(current)]))


def _nested_queries(node: Any) -> Iterator[Any]:
    """The queries nested in *node* (join sides, ``in (...)`` subqueries), outermost only."""
    from duckdb_kql import ir

    stack: list[Any] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if isinstance(current, ir.Query):
            yield current
            continue
        if isinstance(current, list | tuple):
            stack.extend(current)
            continue
        if not dataclasses.is_dataclass(current) or isinstance(current, type) or id(current) in seen:
            continue
        seen.add(id(current))
        stack.extend(getattr(current, f.name) for f in dataclasses.fields(current))


def case_suspects(query: str, schema: Schema) -> list[str]:
    """Names in *query* that match a column or table of *schema* only when letter case is ignored.

    A quick look at the words of the query (no parsing), so that the full check,
    `column_problem`, runs only on the few queries that may need it. Names the
    query defines itself (``Name = ...``) and property names (``x.Name``) are
    left out.
    """
    from huntbook.data.drivers.kql_errors import query_tokens

    words = [t.text for t in query_tokens(query)]
    tables = {w for w in words if w in schema}
    known: set[str] = set(tables)
    for table in tables:
        known.update(schema[table])
    folded = {name.casefold() for name in known} | {t.casefold() for t in schema if "." not in t}
    defined = {w for i, w in enumerate(words[:-1]) if words[i + 1] in ("=", ":")}
    suspects: list[str] = []
    for i, word in enumerate(words):
        if word in known or word in defined or word.casefold() not in folded or not _NAME.match(word):
            continue
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        side = words[i - 2] if i > 1 else ""
        if (
            (before != "." or side in ("$left", "$right", "left", "right"))
            and after != "("
            and word not in suspects
        ):
            suspects.append(word)
    return suspects
