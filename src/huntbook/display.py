"""How values read in tables meant for people (terminal tables, HTML reports).

Values from logs are attacker-written. :func:`visible` is the one rule for showing
them: every character that a terminal or a browser would obey rather than show
(C0/C1 controls such as ESC, ``\\r``, backspace and NUL; bidi overrides and other
invisible format characters; line and paragraph separators; lone surrogates)
is written as a visible Python-style escape (``\\x1b``, ``\\r``, ``\\u202e``).
Everything else is kept exactly, so ``[char]73`` or ``<script>`` read as written.
Terminal output must also never pass a value through Rich markup: build
``rich.text.Text`` from it (:func:`literal_text`) or print with ``markup=False``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

CELL_CHARS = 160
"""Longest text shown in one table cell."""

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPE_STYLE = "bold magenta"


_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
"""Every code point shown as an escape: Unicode categories Cc, Cf (but the soft hyphen), Zl, Zp and Cs
(Unicode 14; ``tests/test_display.py`` checks the class against the running Python's ``unicodedata``)."""


def _escape_char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    cp = ord(ch)
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Return *text* with every control or invisible format character as a visible escape.

    Parameters
    ----------
    text
        Text as recorded (a log value, a file name, a host name).
    keep_newlines
        Keep ``\\n`` as a line break (for multi-line text such as a decoded
        script); ``\\r`` and every other control character are still escaped.

    Returns
    -------
    str
        The same text where ESC, ``\\r``, backspace, NUL, bidi overrides and
        their like read as ``\\x1b``, ``\\r``, ``\\x08``, ``\\x00``, ``\\u202e``.
    """
    pattern = _HIDDEN
    if keep_newlines:
        return pattern.sub(lambda m: m[0] if m[0] == "\n" else _escape_char(m[0]), text)
    return pattern.sub(lambda m: _escape_char(m[0]), text)


def literal_text(text: str, *, style: str = "", keep_newlines: bool = False) -> Text:
    """Return *text* as a Rich ``Text`` shown literally: no markup, escapes highlighted.

    Parameters
    ----------
    text
        Text as recorded.
    style
        Rich style for the whole text (the escapes keep their own highlight).
    keep_newlines
        As for :func:`visible`.
    """
    from rich.text import Text

    out = Text(style=style, no_wrap=False)
    pattern = _HIDDEN
    pos = 0
    for match in pattern.finditer(text):
        if keep_newlines and match[0] == "\n":
            continue
        out.append(text[pos : match.start()])
        out.append(_escape_char(match[0]), style=_ESCAPE_STYLE)
        pos = match.end()
    out.append(text[pos:])
    return out


def short_value(value: object, *, max_chars: int = CELL_CHARS) -> object:
    """Return *value* as a table shows it: times to the second, long text cut with "…", controls escaped."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return visible(value[: max_chars - 1] + "…" if len(value) > max_chars else value)
    return value


def json_visible(text: str) -> str:
    """Return JSON *text* with every hidden character but its line breaks as a JSON escape (``\\u202e``).

    The result is valid JSON with the same meaning: such characters can only
    stand inside strings (``json.dumps`` already escapes ESC and the other C0
    controls; this adds DEL, C1, bidi overrides and the rest of `visible`'s class).
    """

    def escape(match: re.Match[str]) -> str:
        cp = ord(match[0])
        if match[0] == "\n":
            return "\n"
        if cp > 0xFFFF:
            cp -= 0x10000
            return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"
        return f"\\u{cp:04x}"

    return _HIDDEN.sub(escape, text)


def cell_text(value: object, *, max_chars: int = CELL_CHARS, style: str = "") -> Text:
    """Return *value* as a terminal table cell: cut as by `short_value`, as a `literal_text`.

    Parameters
    ----------
    value
        A cell value (text, number, time); ``None`` gives an empty cell.
    max_chars
        Longer text is cut with '…' (before escaping, so no escape is split).
    style
        Rich style for the whole cell.
    """
    if value is None:
        value = ""
    elif isinstance(value, dt.datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return literal_text(text[: max_chars - 1] + "…" if len(text) > max_chars else text, style=style)


def html_text(value: object) -> str:
    """Return *value* as HTML text a browser shows literally: `visible` escapes, then HTML-escaped.

    Safe inside an element and inside a quoted attribute value.
    """
    from html import escape

    return escape(visible(str(value)), quote=True)
