"""Accuracy on the labelled corpus in ../shared/data/ioc (the bench reports it against other extractors).

Scored as the corpus README says: per type, a found indicator is a true
positive if expected, ignored if optional, a false positive otherwise; an
expected indicator not found is a false negative.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from huntbook.analysis.iocs import extract_iocs

TYPES = ["ipv4", "ipv6", "domain", "url", "email", "md5", "sha1", "sha256", "winpath", "linpath"]


def normal(kind: str, value: str) -> str:
    if kind in ("domain", "email", "md5", "sha1", "sha256"):
        return value.lower()
    if kind == "url" and "://" in value:
        scheme, rest = value.split("://", 1)
        cut = min([i for i in (rest.find(c) for c in "/?#") if i >= 0] or [len(rest)])
        return f"{scheme.lower()}://{rest[:cut].lower()}{rest[cut:]}"
    return value


def score(cases: list[dict]) -> tuple[Counter[str], Counter[str], Counter[str]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for case in cases:
        frame = extract_iocs(case["text"], types=TYPES)
        for kind in TYPES:
            found = {normal(kind, v) for v in frame.loc[frame["type"] == kind, "observable"]}
            optional = {normal(kind, v) for v in case["optional"].get(kind, [])}
            for expected in case["expected"].get(kind, []):
                choices = {normal(kind, v) for v in (expected if isinstance(expected, list) else [expected])}
                optional |= choices
                if found & choices:
                    tp[kind] += 1
                else:
                    fn[kind] += 1
            fp[kind] += len(found - optional)
    return tp, fp, fn


@pytest.fixture(scope="module")
def corpus(shared_data: Path) -> list[dict]:
    path = shared_data / "ioc" / "labelled.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_f1_above_target_overall_and_per_type(corpus: list[dict]) -> None:
    tp, fp, fn = score(corpus)
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    overall = 2 * total_tp / (2 * total_tp + total_fp + total_fn)
    assert overall > 0.95
    for kind in TYPES:
        f1 = 2 * tp[kind] / (2 * tp[kind] + fp[kind] + fn[kind])
        assert f1 > 0.9, f"{kind}: F1 {f1:.3f} (tp {tp[kind]}, fp {fp[kind]}, fn {fn[kind]})"
