"""Attacker-controlled text cannot make extraction slow or make it fail.

Every pattern runs on RE2 (linear time), so work grows with the input's
length, never with its shape. The checks compare the CPU time (best of 3,
`work_growth`) for n and 16n characters of the same adversarial shape:
linear growth gives a ratio near 16, quadratic 256, catastrophic
backtracking thousands. The bound sits far from both, and no figure is in
seconds, so a busy machine cannot fail it; speeds are measured in bench/.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huntbook.analysis.iocs import extract_iocs
from work_growth import growth

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


@pytest.mark.parametrize("unit", list(ADVERSARIAL.values()), ids=list(ADVERSARIAL))
def test_work_is_linear_in_input(unit: str) -> None:
    small = unit * (20_000 // len(unit))
    ratio = growth(extract_iocs, small, small * 16)
    assert ratio < 64, f"{ratio:.1f}x the work for 16x the input"


def _huge_line(n: int) -> str:
    return ("1.2.3.4." * n) + " " + ("a" * 4 * n) + "@" + ("b." * n) + "com"


def test_work_on_a_huge_single_line_is_linear() -> None:
    ratio = growth(extract_iocs, _huge_line(3_125), _huge_line(50_000), repeat=2)
    assert ratio < 64, f"{ratio:.1f}x the work for 16x the line"


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
