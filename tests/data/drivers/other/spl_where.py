"""The ``where`` command of the local Splunk server: SPL eval expressions, as Splunk documents them.

Splunk's rules kept here (Search Reference, ``where`` and the evaluation functions):

- double quotes make a string literal, in which ``\\`` and ``\"`` are escapes and any other
  backslash stays; single quotes name a field; a bare name is a field;
- ``=``/``==`` and ``!=`` are case-sensitive and compare as numbers when both sides are numbers;
- ``.`` concatenates; ``+`` adds numbers and concatenates text; a null operand gives null, and a
  null comparison does not keep the row;
- ``substr(X, Y, Z)`` counts from 1 (a negative Y counts from the end); ``len`` counts characters;
  ``match(X, REGEX)`` finds the regular expression anywhere in X; ``like(X, PATTERN)`` has ``%``
  and ``_`` as wildcards and no escape.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

TOKEN_RE = re.compile(
    r'\s+|(?P<str>"(?:[^"\\]|\\.)*")|(?P<field>\'(?:[^\'\\]|\\.)*\')|(?P<num>\d+(?:\.\d+)?)'
    r"|(?P<op>==|!=|<=|>=|[=<>().,+\-])|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
KEYWORDS = {"AND", "OR", "NOT"}


class WhereError(Exception):
    """The expression does not parse."""


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    while at < len(text):
        match = TOKEN_RE.match(text, at)
        if match is None:
            raise WhereError(f"Unexpected {text[at]!r} in the eval expression.")
        at = match.end()
        if match.lastgroup is not None:
            tokens.append((match.lastgroup, match.group(0)))
    return tokens


def string_literal(token: str) -> str:
    return re.sub(r'\\([\\"])', r"\1", token[1:-1])


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compare(op: str, left: Any, right: Any) -> bool | None:
    if left is None or right is None:
        return None
    a, b = _num(left), _num(right)
    if a is None or b is None:  # text on either side: compare as text
        if (a is None) != (b is None):
            other = right if a is not None else left
            if NUMBER.fullmatch(str(other)):  # a field value that is a number
                a, b = float(left), float(right)
        if a is None or b is None:
            a, b = _text(left), _text(right)  # type: ignore[assignment]
    return {
        "=": a == b, "==": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b,
    }[op]  # fmt: skip


def _substr(text: Any, start: Any, length: Any = None) -> str | None:
    if text is None or start is None:
        return None
    value, begin = _text(text), int(float(start))
    part = value[begin - 1 :] if begin > 0 else value[begin:] if begin < 0 else value
    return part if length is None else part[: max(int(float(length)), 0)]


def _pcre(pattern: str) -> re.Pattern[str]:
    """PCRE to Python ``re`` for what the catalog uses (Unicode letter/number classes)."""
    pattern = pattern.replace(r"[^\pL\pN]", r"[\W_]").replace(r"[\pL\pN]", r"[^\W_]")
    if re.search(r"(?<!\\)(?:\\\\)*\\[pP]", pattern):  # an unescaped \p
        raise WhereError(f"This server knows no other \\p classes: {pattern!r}.")
    return re.compile(pattern)


def _like(text: Any, pattern: Any) -> bool | None:
    if text is None or pattern is None:
        return None
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in _text(pattern))
    return re.fullmatch(regex, _text(text), flags=re.DOTALL) is not None


def _null(fn: Callable[..., Any]) -> Callable[..., Any]:
    return lambda *args: None if any(a is None for a in args) else fn(*args)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lower": _null(lambda x: _text(x).lower()),
    "upper": _null(lambda x: _text(x).upper()),
    "len": _null(lambda x: float(len(_text(x)))),
    "substr": _substr,
    "match": _null(lambda x, regex: _pcre(_text(regex)).search(_text(x)) is not None),
    "like": _like,
    "isnull": lambda x: x is None,
    "isnotnull": lambda x: x is not None,
}

Node = tuple[Any, ...]


class Parser:
    """``or > and > not > comparison > concatenation (.) > sum (+ -) > atom``."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.pos = 0
        self.literals: list[str] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise WhereError("The eval expression ends too soon.")
        self.pos += 1
        return token

    def is_(self, kind: str, text: str) -> bool:
        token = self.peek()
        return token is not None and token == (kind, text)

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise WhereError(f"Unexpected {self.peek()[1]!r} in the eval expression.")  # type: ignore[index]
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.is_("name", "OR"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.is_("name", "AND"):
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.is_("name", "NOT"):
            self.take()
            return ("not", self.not_())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.concat()
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in ("=", "==", "!=", "<", ">", "<=", ">="):
            self.take()
            node = ("cmp", token[1], node, self.concat())
        return node

    def concat(self) -> Node:
        node = self.sum_()
        while self.is_("op", "."):
            self.take()
            node = ("concat", node, self.sum_())
        return node

    def sum_(self) -> Node:
        node = self.atom()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = ("arith", op, node, self.atom())
        return node

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "str":
            self.literals.append(string_literal(text))
            return ("value", string_literal(text))
        if kind == "num":
            return ("value", float(text))
        if kind == "field":
            return ("field", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if (kind, text) == ("op", "("):
            node = self.or_()
            if self.take() != ("op", ")"):
                raise WhereError("Missing ) in the eval expression.")
            return node
        if (kind, text) == ("op", "-"):
            return ("arith", "-", ("value", 0.0), self.atom())
        if kind == "name" and text not in KEYWORDS:
            if self.is_("op", "("):
                self.take()
                if text not in FUNCTIONS:
                    raise WhereError(f"The '{text}' function is unsupported or undefined.")
                args: list[Node] = []
                if not self.is_("op", ")"):
                    args.append(self.or_())
                    while self.is_("op", ","):
                        self.take()
                        args.append(self.or_())
                if self.take() != ("op", ")"):
                    raise WhereError(f"Missing ) after the arguments of {text}.")
                return ("call", text, args)
            return ("field", text)
        raise WhereError(f"Unexpected {text!r} in the eval expression.")


def evaluate(node: Node, row: dict[str, Any]) -> Any:
    kind = node[0]
    if kind == "value":
        return node[1]
    if kind == "field":
        value = row.get(node[1])
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
    if kind == "call":
        return FUNCTIONS[node[1]](*(evaluate(arg, row) for arg in node[2]))
    if kind == "cmp":
        return _compare(node[1], evaluate(node[2], row), evaluate(node[3], row))
    if kind == "concat":
        left, right = evaluate(node[1], row), evaluate(node[2], row)
        return None if left is None or right is None else _text(left) + _text(right)
    if kind == "arith":
        left, right = evaluate(node[2], row), evaluate(node[3], row)
        if left is None or right is None:
            return None
        a, b = _num(left), _num(right)
        if a is None and NUMBER.fullmatch(str(left)):
            a = float(left)
        if b is None and NUMBER.fullmatch(str(right)):
            b = float(right)
        if a is None or b is None:
            if node[1] == "+":
                return _text(left) + _text(right)
            raise WhereError("- needs numbers.")
        return a + b if node[1] == "+" else a - b
    if kind == "not":
        value = evaluate(node[1], row)
        return None if value is None else not value
    left = evaluate(node[1], row)
    if kind == "and":
        return bool(left) and bool(evaluate(node[2], row))
    return bool(left) or bool(evaluate(node[2], row))


def keep(node: Node, rows: list[dict[str, Any]]) -> list[bool]:
    """Which rows the ``where`` keeps: those for which the expression is true (not null)."""
    return [evaluate(node, row) is True for row in rows]
