"""Candidate patterns of the built-in IoC types, for RE2 (linear time, no backtracking).

Each pattern finds *candidates*; `validators` then accepts, trims or rejects
them. RE2 has no look-around, so a pattern that must see the character
before or after a token consumes it: a `Pattern` is a token with the context
matched (and given back) around it. Tokens use only non-capturing groups.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple


class Pattern(NamedTuple):
    """An RE2 token pattern with the context that must come before and after it.

    A match holds the context too; `trim` cuts it off: a leading character
    that no token starts with, and trailing ones that no token ends with.
    """

    token: str
    before: str = ""
    after: str = ""
    starts_with: frozenset[int] = frozenset()
    ends_with: frozenset[int] = frozenset()
    common: bool = False
    """Found in most texts; rarer patterns are first looked for all together, in one pass."""

    def trim(self, buf: bytes, start: int, end: int) -> tuple[int, int]:
        """The token's span inside the match ``buf[start:end]``."""
        if self.before and end > start and buf[start] not in self.starts_with:
            start += 1
            while start < end and 0x80 <= buf[start] < 0xC0:  # the rest of a multi-byte character
                start += 1
        if self.after:
            for _ in range(2):
                if end > start and buf[end - 1] not in self.ends_with:
                    end -= 1
                    while end > start and 0x80 <= buf[end] < 0xC0 and buf[end - 1] >= 0x80:
                        end -= 1
        return start, end


def _chars(text: str) -> frozenset[int]:
    return frozenset(text.encode())


_DIGITS = "0123456789"
_HEX = _DIGITS + "abcdefABCDEF"
_ALNUM = _DIGITS + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


IPV4 = Pattern(
    r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:\.[0-9]+)*",
    before=r"^|[^0-9A-Za-z.]",
    starts_with=_chars(_DIGITS),
    common=True,
)
"""Whole dotted-decimal runs; the validator wants exactly four octets (`1.2.3.4.5` is no address)."""

IPV6 = Pattern(
    r"(?i:[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,8}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3})?)",
    before=r"^|[^0-9A-Za-z.]",
    starts_with=_chars(_HEX + ":"),
)

HEX_RUN = Pattern(r"[0-9A-Fa-f]{32,}", before=r"^|[^0-9A-Za-z]", starts_with=_chars(_HEX))
"""Whole hex runs: a hash is a whole run of 32, 40 or 64 digits, never a slice of a longer one."""

EMAIL = Pattern(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*"
)

URL = Pattern(
    r"(?i:https?|ftps?|sftp|wss?)://"
    r"(?:[^\s/?#@\"'<>`\\|]+@)?"  # user info
    r"(?:\[[0-9A-Fa-f:.]+\]|[^\s/?#@\"'<>`\\|:,\[\]]+)"  # host
    r"(?::[0-9]{1,5})?"  # port
    r"(?:[/?#][^\s\"'<>`\\|^{}\x7f]*)?",  # path, query, fragment
    common=True,
)
"""A URL with a scheme; its tail is trimmed of trailing punctuation and unbalanced brackets."""

_WIN_PART = r"[^\s\"'<>|*?,;&\\]+"
WINPATH = Pattern(
    r"(?:\\\\\?\\|\\\?\?\\)?"  # \\?\ and \??\ prefixes (trimmed off)
    # quoted: may hold spaces
    r"(?:\"(?:[A-Za-z]:|\\\\[^\s\\\"]+|%[A-Za-z_][A-Za-z0-9_]*%)\\[^\"\r\n<>|*?]*\""
    r"|(?:[A-Za-z]:\\+|\\\\[A-Za-z0-9_$.{}\[\]-]+\\+|\.{1,2}\\+|%[A-Za-z_][A-Za-z0-9_]*%\\+)"
    + _WIN_PART
    + r"(?:\\+"
    + _WIN_PART
    + r")*\\?)",
    common=True,
)
"""Windows paths: drive, UNC, relative (``.\\``, ``..\\``) and ``%VAR%`` roots; quoted ones keep spaces."""

_LIN_PART = r"[A-Za-z0-9_.~+@%-]+(?: [A-Z][A-Za-z0-9_.~+@%-]*)*"
LINPATH = Pattern(
    r"(?:\.{1,2}|~)/" + _LIN_PART + r"(?:/" + _LIN_PART + r")*/?"
    r"|/" + _LIN_PART + r"(?:/" + _LIN_PART + r")+/?",
    before=r"^|[\s\"'=:,;(\[{<>|]",
    starts_with=_chars("./~"),
)
"""Linux paths: absolute with two or more parts, or relative (``./``, ``../``, ``~/``).

A part may hold a space only before a capitalised word (``/Library/Application Support``),
so command-line arguments are not glued to the path before them.
"""

CVE = Pattern(r"(?i:\bcve-[0-9]{4}-[0-9]{4,7}\b)")

MAC = Pattern(
    r"\b(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})\b"
)

_HIVES = (
    r"HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_CLASSES_ROOT|HKEY_USERS|HKEY_CURRENT_CONFIG"
    r"|HKLM|HKCU|HKCR|HKU|HKCC"
)
REGKEY = Pattern(
    r"(?i:\"<?(?:" + _HIVES + r")>?(?::)?\\[^\"\r\n]+\""
    r"|\b<?(?:" + _HIVES + r")>?(?::)?(?:\\[^\s\"'<>|,;\\]+)+)"
)
"""Registry keys under a hive (long or short names, ``HKLM:`` drives too); quoted ones keep spaces."""


@functools.cache
def domain_pattern() -> Pattern:
    """Host names ending in a real top-level domain, then a boundary.

    The TLDs come from tldextract's bundled Public Suffix List, so file names
    such as ``svchost.exe`` or ``invoke.ps1`` are never even candidates.
    """
    tlds = sorted({_ascii(s.rsplit(".", 1)[-1]) for s in suffix_extractor().tlds}, key=lambda t: (-len(t), t))
    label = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?"
    return Pattern(
        r"(?i:(?:" + label + r"\.)+(?:" + "|".join(tlds) + r"))",
        after=r"$|[^A-Za-z0-9_.-]|\.(?:$|[^A-Za-z0-9_-])",
        ends_with=_chars(_ALNUM),
        common=True,
    )


@functools.cache
def suffix_extractor() -> Any:
    """tldextract over its bundled Public Suffix List snapshot (it never goes to the network)."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _ascii(label: str) -> str:
    return label if label.isascii() else label.encode("idna").decode()
