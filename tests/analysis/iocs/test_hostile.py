"""Attacker-controlled text cannot make extraction slow or make it fail.

Every pattern runs on RE2 (linear time), so time grows with the input's
length, never with its shape. The checks compare the time for n and 8n
characters of the same adversarial shape: linear growth gives a ratio near
8, catastrophic backtracking thousands. The bound is loose on purpose; this
is no benchmark (those live in bench/).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huntbook.analysis.iocs import extract_iocs

ADVERSARIAL = {
    "dots": ".",
    "digits and dots": "1.",
    "digit runs": "1234567890",
    "hex": "a1b2c3d4e5f6",
    "colons": "a:",
    "brackets": "[.](.)[",
    "defang markers": "hxxp[:]//a[.]",
    "url tail": "http://a.co/(((",
    "email-ish": "a.a@a.",
    "labels": "a-a.",
    "backslashes": "C:\\a\\\\",
    "slashes": "/a /a/",
    "escapes": "%2F%",
    "spaces in path": "/A B ",
    "at words": " at a[dot]",
}


def _seconds(text: str) -> float:
    start = time.perf_counter()
    extract_iocs(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("unit", list(ADVERSARIAL.values()), ids=list(ADVERSARIAL))
def test_time_is_linear_in_input(unit: str) -> None:
    small = unit * (20_000 // len(unit))
    large = small * 8
    _seconds(small)  # warm caches
    ratio = _seconds(large) / max(_seconds(small), 1e-3)
    assert ratio < 40, f"{ratio:.1f}x slower for 8x the input"


def test_huge_single_line_finishes() -> None:
    text = ("1.2.3.4." * 50_000) + " " + ("a" * 200_000) + "@" + ("b." * 50_000) + "com"
    assert _seconds(text) < 10


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab1.:/\\@[]()%-_ \nhxtpHX\"'<>?#=é\x00\ud800")), max_size=300))
def test_random_text_never_breaks(text: str) -> None:
    frame = extract_iocs(text, nested=True)
    for row in frame.itertuples():
        assert 0 <= row.start <= row.end <= len(text)
        assert row.original == text[row.start : row.end].replace("\x00", " ").replace("\ud800", "\ufffd")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=20))
def test_list_input_rows_are_positions(texts: list[str]) -> None:
    frame = extract_iocs(texts)
    assert set(frame["row"]) <= set(range(len(texts)))
