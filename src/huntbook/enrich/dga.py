"""How machine-generated does a domain name look? A DGA-likeness score and its parts.

The score looks at the label a registrant chose: the label directly under the
public suffix, dynamic-DNS and hosting suffixes included (``ab3x9q.ddns.net``
is scored on ``ab3x9q``). Its parts, each returned as a column:

- ``length`` and ``entropy``: Shannon entropy of the label's characters, bits/char;
- ``digit_ratio``: share of digits; ``digit_letter_switches``: letter-digit transitions;
- ``consonant_run``: the longest run of consonants (``y`` counts as a vowel);
- ``bigram_surprise``: mean -log10 probability of each letter given the previous one
  (``^``/``$`` mark word edges), from a letter-bigram table of English words
  (``data/bigrams_en.json``: Webster's Second International word list, public
  domain, as shipped in the ``english-words`` package; rebuilt with
  `bigram_table`). English-like labels score ~1.1-1.4, random letters ~1.8-2.3.

``dga_score`` (0-1) is a logistic function of those parts with fixed, documented
weights (`WEIGHTS`), tuned by hand so that dictionary words, brands and common
abbreviations stay low and random letter/digit strings go high. It is a ranking
signal for hunting, not a verdict: short labels (< 6 characters) carry little
information and are damped to half their score, and word-list DGAs (e.g. Matsnu,
Suppobox) that glue real words together are by design not caught.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import tldextract

BIGRAM_FILE = "bigrams_en.json"
ALPHABET = "^abcdefghijklmnopqrstuvwxyz$"
VOWELS = frozenset("aeiouy")

#: Logistic weights: score = 1 / (1 + exp(-(bias + sum(weight * feature)))).
WEIGHTS = {
    "bias": -13.0,
    "bigram_surprise": 7.0,
    "entropy": 0.5,
    "digit_ratio": 4.0,
    "digit_letter_switches": 0.4,
    "consonant_run": 0.3,
}
DGA_COLUMNS = ("domain", "label", "length", "entropy", "digit_ratio", "digit_letter_switches",
               "consonant_run", "bigram_surprise", "dga_score", "status")


def bigram_table(words: Iterable[str]) -> dict[str, object]:
    """Count letter bigrams (with ``^``/``$`` word edges) over lower-case a-z words.

    Returns the JSON-able table that ``data/bigrams_en.json`` holds.
    """
    counts: Counter[str] = Counter()
    n_words = 0
    for word in words:
        if word.isascii() and word.isalpha():
            n_words += 1
            text = f"^{word.lower()}$"
            counts.update(text[i:i + 2] for i in range(len(text) - 1))
    matrix = [[counts.get(a + b, 0) for b in ALPHABET] for a in ALPHABET]
    return {"alphabet": ALPHABET, "words": n_words, "counts": matrix}


@lru_cache(maxsize=1)
def _log_probs() -> dict[str, float]:
    """-log10 P(b | a) with add-one smoothing, for every bigram of the alphabet."""
    text = resources.files("huntbook.enrich").joinpath("data", BIGRAM_FILE).read_text(encoding="utf-8")
    table = json.loads(text)
    alphabet, counts = table["alphabet"], table["counts"]
    out = {}
    for i, a in enumerate(alphabet):
        total = sum(counts[i]) + len(alphabet)
        for j, b in enumerate(alphabet):
            out[a + b] = -math.log10((counts[i][j] + 1) / total)
    return out


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _bigram_surprise(label: str) -> float:
    table = _log_probs()
    costs: list[float] = []
    for run in "".join(c if "a" <= c <= "z" else " " for c in label).split():
        text = f"^{run}$"
        costs.extend(table.get(text[i:i + 2], 4.0) for i in range(len(text) - 1))
    return sum(costs) / len(costs) if costs else 0.0


def label_features(label: str) -> dict[str, float]:
    """Return the features of one lower-case label (see the module docstring)."""
    n = len(label)
    freq = Counter(label)
    entropy = abs(-sum(c / n * math.log2(c / n) for c in freq.values())) if n else 0.0
    digits = sum(ch.isdigit() for ch in label)
    switches = sum(1 for a, b in itertools.pairwise(label) if a.isdigit() != b.isdigit()
                   and a != "-" and b != "-")
    run = longest = 0
    for ch in label:
        run = run + 1 if "a" <= ch <= "z" and ch not in VOWELS else 0
        longest = max(longest, run)
    return {
        "length": float(n),
        "entropy": entropy,
        "digit_ratio": digits / n if n else 0.0,
        "digit_letter_switches": float(switches),
        "consonant_run": float(longest),
        "bigram_surprise": _bigram_surprise(label),
    }


def score_features(features: dict[str, float]) -> float:
    """Combine features into the 0-1 DGA-likeness score (`WEIGHTS`; short labels damped)."""
    z = WEIGHTS["bias"] + sum(WEIGHTS[k] * features[k] for k in WEIGHTS if k != "bias")
    score = 1.0 / (1.0 + math.exp(-z))
    if features["length"] < 6:
        score *= 0.5
    return score


def dga_score(domains: str | Iterable[object] | pd.Series) -> pd.DataFrame:
    """Score domain names for DGA-likeness, one row per input.

    Returns
    -------
    DataFrame
        `DGA_COLUMNS`: the scored ``label``, its features and ``dga_score`` (0-1,
        higher = more machine-generated looking); ``status`` is ``ok``,
        ``no public suffix`` (the whole first label is scored) or ``invalid: <why>``.
    """
    import numpy as np
    import pandas as pd

    from huntbook.enrich.domains import normalize_domain

    values = [domains] if isinstance(domains, str) else list(domains)
    rows = []
    for value in values:
        norm = normalize_domain(value)
        if norm.problem:
            rows.append((value, "", *([np.nan] * 7), norm.problem))
            continue
        parts = _extractor()(norm.ascii)
        label = parts.domain if parts.suffix else norm.ascii.split(".")[0]
        if label.startswith("xn--"):  # score what the registrant typed, not its punycode
            label = normalize_domain(label).unicode
        features = label_features(label)
        rows.append((value, label, *features.values(), score_features(features),
                     "ok" if parts.suffix else "no public suffix"))
    frame = pd.DataFrame(rows, columns=list(DGA_COLUMNS))
    return frame.astype({"domain": object, "label": object, "status": object})
