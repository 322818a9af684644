"""huntbook.display: values from logs are shown literally, control characters as escapes."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from hostile_strings import HOSTILE, expected_visible
from huntbook.display import _HIDDEN, cell_text, json_visible, literal_text, short_value, visible


def test_the_hidden_class_covers_every_control_and_format_character_of_this_python():
    hidden = [
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp", "Cs") and cp != 0xAD
    ]
    missing = [f"U+{ord(ch):04X}" for ch in hidden if not _HIDDEN.fullmatch(ch)]
    assert missing == []
    assert not _HIDDEN.search("\u00ad abc [b] <i> ü 😈")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_visible_matches_the_independent_rule(name):
    assert visible(HOSTILE[name]) == expected_visible(HOSTILE[name])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_literal_text_is_plain_text_with_no_markup(name):
    text = literal_text(HOSTILE[name])
    assert text.plain == expected_visible(HOSTILE[name])


def test_keep_newlines_keeps_only_line_feeds():
    assert visible("a\nb\r\n\x1b", keep_newlines=True) == "a\nb\\r\n\\x1b"
    assert literal_text("a\nb\r", keep_newlines=True).plain == "a\nb\\r"


def test_short_value_cuts_then_escapes_so_no_escape_is_split():
    assert short_value("\x1b" * 200, max_chars=3) == "\\x1b\\x1b…"
    assert short_value(3) == 3


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_cell_text_is_the_cut_value_as_plain_text(name):
    value = HOSTILE[name]
    expected = value if len(value) <= 160 else value[:159] + "…"
    assert cell_text(value).plain == expected_visible(expected)
    assert cell_text(value).spans == literal_text(expected).spans  # escapes highlighted, nothing else styled


def test_cell_text_of_other_values():
    import datetime as dt

    assert cell_text(None).plain == ""
    assert cell_text(3.5).plain == "3.5"
    assert cell_text(dt.datetime(2026, 1, 2, 3, 4, 5, 678)).plain == "2026-01-02 03:04:05"


def test_json_visible_is_the_same_json_with_nothing_hidden():
    import json

    data = {"k\u202e": list(HOSTILE.values()), "tag": "\U000e0041\x9b\x7f"}
    text = json_visible(json.dumps(data, indent=2, ensure_ascii=False))
    assert json.loads(text) == data
    assert not _HIDDEN.search(text.replace("\n", ""))
