"""Score extractors on the labelled IoC corpus as its README says (standard library only).

Per type: a found indicator is a true positive if expected, ignored if
optional, a false positive otherwise; an expected indicator not found is a
false negative. Values are compared normalised: domains, emails and hashes in
lower case; URLs with their scheme and host in lower case (user, path, query
and fragment as they are). Nothing else is changed but surrounding white space.

One departure from the README: a hash labelled *expected* that no hash
function could have produced -- one digit repeated, as the ``aaaa…``
placeholders of ioc-finder's ``all_ioc_text`` (case c071) -- is scored as
optional: finding it is no credit and leaving it out is no miss, for every
tool alike (`is_placeholder_hash`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any


def normal(kind: str, value: str) -> str:
    """*value* as it is compared."""
    value = value.strip()
    if kind in ("domain", "email", "md5", "sha1", "sha256"):
        return value.lower()
    if kind == "url" and "://" in value:
        scheme, rest = value.split("://", 1)
        cut = min([i for i in (rest.find(c) for c in "/?#") if i >= 0] or [len(rest)])
        user, at, host = rest[:cut].rpartition("@")  # the user part keeps its case
        return f"{scheme.lower()}://{user}{at}{host.lower()}{rest[cut:]}"
    return value


@dataclass
class Score:
    """True positives, false positives and false negatives per type."""

    tp: Counter[str]
    fp: Counter[str]
    fn: Counter[str]

    def f1(self, kinds: list[str]) -> tuple[float, float, float]:
        """Precision, recall and F1 over *kinds* (micro-averaged)."""
        tp = sum(self.tp[k] for k in kinds)
        fp = sum(self.fp[k] for k in kinds)
        fn = sum(self.fn[k] for k in kinds)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


HASH_KINDS = ("md5", "sha1", "sha256")


def is_placeholder_hash(kind: str, value: str) -> bool:
    """Whether *value*, labelled a hash, is one digit repeated: a placeholder, not a digest."""
    return kind in HASH_KINDS and len(set(value.lower())) == 1


NESTABLE = ("domain", "ipv4", "ipv6", "email")
"""Types that can sit inside an indicator of another type (the host of a URL, the domain of an email)."""


def _labelled(case: dict[str, Any]) -> list[tuple[str, str]]:
    """Every expected and optional indicator of *case* (alternatives included), lower-cased, with its type."""
    out = []
    for group in ("expected", "optional"):
        for kind, values in case[group].items():
            for value in values:
                out += [(kind, v.lower()) for v in (value if isinstance(value, list) else [value])]
    return out


def _inside(value: str, outer: str) -> bool:
    """Whether *value* is a whole part of *outer* (not of a longer name or number in it)."""
    pattern = r"(?<![\w.-])" + re.escape(value.lower()) + r"(?![\w-]|\.\w)"
    return re.search(pattern, outer) is not None


def score(
    cases: list[dict[str, Any]],
    found: dict[str, dict[str, list[str]]],
    kinds: list[str],
    *,
    nested_optional: bool = False,
) -> tuple[Score, list[str]]:
    """Score the indicators *found* per case id; also return a line per miss and false alarm.

    With *nested_optional*, a domain, IP address or email found inside a
    labelled indicator of another type of the same case (``evil.com`` of
    ``http://evil.com/x``) is optional even where the case does not list it:
    the corpus README names "a domain inside a URL" as optional, but most
    cases with a URL do not list its host.
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    notes = []
    for case in cases:
        got = found.get(case["id"], {})
        labelled = _labelled(case) if nested_optional else []
        for kind in kinds:
            values = {normal(kind, v) for v in got.get(kind, [])}
            allowed = {normal(kind, v) for v in case["optional"].get(kind, [])}
            if kind in NESTABLE:
                allowed |= {v for v in values for k, outer in labelled if k != kind and _inside(v, outer)}
            for expected in case["expected"].get(kind, []):
                choices = {normal(kind, v) for v in (expected if isinstance(expected, list) else [expected])}
                allowed |= choices
                if all(is_placeholder_hash(kind, v) for v in choices):
                    continue  # optional: see the module's docstring
                if values & choices:
                    tp[kind] += 1
                else:
                    fn[kind] += 1
                    notes.append(f"FN {case['id']} {kind} {sorted(choices)[0]!r}")
            for extra in sorted(values - allowed):
                fp[kind] += 1
                notes.append(f"FP {case['id']} {kind} {extra!r}")
    return Score(tp, fp, fn), notes
