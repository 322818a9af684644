"""dga_score: real DGA samples score high, real benign domains low; features behave."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from huntbook.enrich.dga import DGA_COLUMNS, bigram_table, dga_score, label_features

sys.path.insert(0, str(Path(__file__).parent))
from dga_samples import BENIGN, DGA


def test_dga_samples_score_above_benign_domains():
    dga = dga_score(DGA)["dga_score"]
    benign = dga_score(BENIGN)["dga_score"]
    assert (dga > 0.5).mean() >= 0.95
    assert (benign < 0.5).mean() >= 0.9
    # rank separation: P(random DGA sample outscores random benign one), i.e. the ROC AUC
    pairs = [(d > b) + 0.5 * (d == b) for d in dga for b in benign]
    assert sum(pairs) / len(pairs) >= 0.97
    assert dga.median() > 0.95 and benign.median() < 0.2


def test_demo_lake_domains_are_not_flagged():
    frame = dga_score(
        ["contoso-sync.net", "contoso.com", "login.microsoftonline.com", "outlook.office365.com"]
    )
    assert (frame["dga_score"] < 0.3).all()


def test_features_and_label_choice():
    frame = dga_score(["lkhylm0mhyfuhg.ddns.net", "www.google.com", "xn--bcher-kva.de", "localhost"])
    assert list(frame.columns) == list(DGA_COLUMNS)
    # dynamic-DNS suffixes are suffixes: the random label is the one scored
    assert frame["label"].tolist() == ["lkhylm0mhyfuhg", "google", "bücher", "localhost"]
    assert frame["status"].tolist() == ["ok", "ok", "ok", "no public suffix"]
    f = label_features("ab12")
    assert f["length"] == 4 and f["digit_ratio"] == 0.5 and f["digit_letter_switches"] == 1
    assert f["entropy"] == pytest.approx(2.0)
    assert label_features("strengths")["consonant_run"] == 5  # n-g-t-h-s
    assert label_features("rhythm")["consonant_run"] == 3  # y counts as a vowel: t-h-m
    assert label_features("banana")["bigram_surprise"] < label_features("xqzvkw")["bigram_surprise"]


def test_short_labels_are_damped():
    short, long_ = dga_score(["xqzvk.com", "xqzvkwpjtr.com"])["dga_score"]
    assert short < 0.5 < long_


def test_bad_input_rows():
    frame = dga_score([None, "", "a..b", "x" * 5000, 42])
    assert frame["status"].tolist() == [
        "invalid: empty",
        "invalid: empty",
        "invalid: empty label",
        "invalid: too long for a domain name (5000 characters)",
        "invalid: not text (int)",
    ]
    assert frame["dga_score"].isna().all()


def test_bigram_table_counts_word_edges():
    table = bigram_table(["ab", "abc", "Ba", "x-y", "été"])
    alphabet = table["alphabet"]
    counts = table["counts"]
    assert table["words"] == 3  # non-alphabetic and non-ASCII words are skipped
    assert counts[alphabet.index("^")][alphabet.index("a")] == 2
    assert counts[alphabet.index("a")][alphabet.index("b")] == 2
    assert counts[alphabet.index("b")][alphabet.index("$")] == 1
    assert counts[alphabet.index("^")][alphabet.index("b")] == 1  # lower-cased
    assert math.isclose(sum(map(sum, counts)), 3 + 4 + 3)
