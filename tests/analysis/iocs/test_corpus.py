"""Accuracy on the labelled corpus in ../shared/data/ioc, scored as bench/bench_iocs.py scores it."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from huntbook.analysis.iocs import extract_iocs

TYPES = ["ipv4", "ipv6", "domain", "url", "email", "md5", "sha1", "sha256", "winpath", "linpath"]
SCORING = Path(__file__).resolve().parents[3] / "bench" / "iocs_scoring.py"


def _scoring() -> ModuleType:
    spec = importlib.util.spec_from_file_location("iocs_scoring", SCORING)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(shared_data: Path) -> list[dict]:
    path = shared_data / "ioc" / "labelled.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_f1_above_target_overall_and_per_type(corpus: list[dict]) -> None:
    found = {}
    for case in corpus:
        frame = extract_iocs(case["text"], types=TYPES)
        found[case["id"]] = frame.groupby(frame["type"].astype(str))["observable"].agg(list).to_dict()
    score, notes = _scoring().score(corpus, found, TYPES)
    assert score.f1(TYPES)[2] > 0.95, notes
    for kind in TYPES:
        assert score.f1([kind])[2] > 0.9, [n for n in notes if f" {kind} " in n]
