"""Accept, trim and normalise IoC candidates; reject the classic false positives.

A validator takes the scanned buffer and a candidate's byte span and returns
``(start, end, observable)`` -- the span trimmed to the indicator -- or None.
Everything it decides from the token alone is cached, so a token seen a
million times is judged once.
"""

from __future__ import annotations

import functools
import ipaddress
import math
from collections.abc import Callable

from huntbook.analysis.iocs.code_names import is_code_name
from huntbook.analysis.iocs.patterns import suffix_extractor

Verdict = tuple[int, int, str] | None
Validator = Callable[[bytes, int, int], Verdict]

_ALNUM = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_WORD = _ALNUM | {ord("_")}
_SPACE = frozenset(b" \t\r\n(<[,;")

FILE_LIKE_TLDS = frozenset(
    {"zip", "mov", "py", "sh", "pl", "pm", "rs", "md", "so", "cc", "ps", "sc", "one", "app", "mk"}
)
"""Top-level domains that are more often file extensions (``invoice.zip``, ``run.sh``, ``abc.py``)."""

_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}
_TRAILING = ".,:;!?'\"*[({<"


def _after(buf: bytes, end: int) -> int:
    return buf[end] if end < len(buf) else 10


def _before(buf: bytes, start: int) -> int:
    return buf[start - 1] if start > 0 else 10


def ipv4(buf: bytes, start: int, end: int) -> Verdict:
    """Four decimal octets, no leading zeros, not glued to letters."""
    if _after(buf, end) in _WORD:
        return None
    token = buf[start:end].decode()
    return (start, end, token) if _is_ipv4(token) else None


@functools.lru_cache(maxsize=65536)
def _is_ipv4(token: str) -> bool:
    parts = token.split(".")
    return len(parts) == 4 and all(len(p) == 1 or (p[0] != "0" and int(p) <= 255) for p in parts)


def ipv6(buf: bytes, start: int, end: int) -> Verdict:
    """A valid IPv6 address (ipaddress decides), not glued to letters or colons."""
    if buf[start] == ord(":") and buf[start + 1 : start + 2] != b":":
        start += 1  # the colon of IPv6:2001:db8::1 comes before the address
    if _after(buf, end) in _WORD:
        return None
    token = buf[start:end].decode()
    normal = _ipv6_text(token)
    return (start, end, normal) if normal else None


@functools.lru_cache(maxsize=65536)
def _ipv6_text(token: str) -> str | None:
    if (token.startswith(":") and not token.startswith("::")) or (
        token.endswith(":") and not token.endswith("::")
    ):
        return None
    if token in ("::", "::0"):
        return None
    try:
        ipaddress.IPv6Address(token)
    except ValueError:
        return None
    return token.lower()


MIN_HASH_ENTROPY = {32: 2.5, 40: 2.7, 64: 3.0}
"""The least Shannon entropy (bits per digit) of a hex run taken for a digest, by length.

A digest's digits are uniform: over 2,000,000 random digests of each length
the lowest entropy seen was 2.77 (32 digits), 2.98 (40) and 3.26 (64) bits,
the mean 3.61, 3.70 and 3.82 (standard deviation 0.13, 0.11 and 0.07), and
the real hashes of the labelled corpus have 3.54 to 3.93. Runs of one digit
(``AAAA…`` base64 padding, ``0000…`` placeholders: 0 bits), repeated words
(``deadbeef…``: 2.2) and mostly-zero hex dumps lie far below.
"""


def hex_hash(digits: int) -> Validator:
    """A whole hex run of exactly *digits* digits (32: md5, 40: sha1, 64: sha256), lower-cased.

    A run whose digits are too uniform to come from a hash function (see
    `MIN_HASH_ENTROPY`) is rejected.
    """
    least = MIN_HASH_ENTROPY.get(digits, 0.0)

    def validate(buf: bytes, start: int, end: int) -> Verdict:
        if end - start != digits or _after(buf, end) in _WORD:
            return None
        token = buf[start:end].decode().lower()
        return (start, end, token) if hex_entropy(token) >= least else None

    return validate


@functools.lru_cache(maxsize=65536)
def hex_entropy(token: str) -> float:
    """The Shannon entropy of *token*'s characters, in bits per character (0 for one repeated digit)."""
    size = len(token)
    if not size:
        return 0.0
    counts = [token.count(ch) for ch in set(token)]
    return -sum(n / size * math.log2(n / size) for n in counts)


def email(buf: bytes, start: int, end: int) -> Verdict:
    """``local@domain`` where the domain ends in a public suffix."""
    if _after(buf, end) in _WORD or _after(buf, end) == ord("-"):
        return None
    token = buf[start:end].decode()
    local, _, host = token.rpartition("@")
    if local.startswith(".") or ".." in local or not _registered(host.lower()):
        return None
    return start, end, f"{local}@{host.lower()}"


def domain(allow_filenames: bool, nested: bool, allow_code_names: bool = False) -> Validator:
    """Host names under a public suffix; file names (``abc.py``) only if *allow_filenames*.

    The part after ``@`` of something that is no valid email is a host only if *nested*;
    dotted names of code (``wscript.shell``, ``.plt.got``, ``system.io``: see `code_names`)
    only if *allow_code_names*.
    """

    def validate(buf: bytes, start: int, end: int) -> Verdict:
        before = _before(buf, start)
        if before == ord("$") or (before == ord("%") and buf[start] in _HEX and _at(buf, start + 1) in _HEX):
            return None  # a PowerShell variable's property, or the tail of a %XX escape
        if before == ord("@") and not nested and _before(buf, start - 1) not in _SPACE:
            return None  # the domain of an address that is no valid email ("john..doe"@example.com)
        if _after(buf, end) == ord("("):
            return None  # a method call: Foo.Run(
        token = buf[start:end].decode()
        if "__" in token:
            return None  # http__example.com: a mangled URL, not a host
        tld = token.rsplit(".", 1)[-1]
        if not (tld.islower() or tld.isupper()):
            return None  # Process.Name, Host.Info: code, not a host
        name = token.lower()
        if not _registered(name):
            return None
        if not allow_filenames and name.rsplit(".", 1)[-1] in FILE_LIKE_TLDS and name.count(".") == 1:
            return None
        if not allow_code_names and is_code_name(buf, start, end, name):
            return None
        return start, end, name

    return validate


def _at(buf: bytes, index: int) -> int:
    return buf[index] if index < len(buf) else 10


@functools.lru_cache(maxsize=65536)
def _registered(host: str) -> bool:
    """True if *host* is a registrable name under a public suffix (``co.uk`` alone is not)."""
    parts = suffix_extractor()(host)
    return bool(parts.suffix and parts.domain)


def url(buf: bytes, start: int, end: int) -> Verdict:
    """A URL whose host is an address, a name under a public suffix, or a single intranet label."""
    token = _trim_url(buf[start:end].decode("utf-8", "replace"))
    tail = buf[start + len(token.encode()) : start + len(token.encode()) + 2]
    if tail[:1] == b":" and tail[1:2] and tail[1] in _HEX:
        return None  # an IPv6 address without brackets, not a host and port
    host = _url_host(token)
    if host is None:
        return None
    if _after(buf, end) in b"[,]" and "." not in host and token.count("/") == 2:
        return None  # http://example[.com, http://example,com: a broken host, not a short one
    scheme, rest = token.split("://", 1)
    raw_host_at = rest.find(host) if host else -1
    normal = f"{scheme.lower()}://{rest[:raw_host_at]}{host.lower()}{rest[raw_host_at + len(host) :]}"
    return start, start + len(token.encode()), normal


def _trim_url(token: str) -> str:
    for i, ch in enumerate(token):
        if not ch.isascii() and not ch.isalnum():
            token = token[:i]
            break
    while token:
        last = token[-1]
        if last in _TRAILING or (last in _CLOSERS and token.count(last) > token.count(_CLOSERS[last])):
            token = token[:-1]
        else:
            break
    return token


@functools.lru_cache(maxsize=65536)
def _url_host(token: str) -> str | None:
    """The host of *token* if it is a believable URL host, else None."""
    rest = token.split("://", 1)[1]
    authority = rest
    for sep in "/?#":
        authority = authority.split(sep, 1)[0]
    authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        host = authority[1 : authority.find("]")] if "]" in authority else ""
        return host if _ipv6_text(host) else None
    host = authority.split(":", 1)[0]
    if not host or host.startswith(".") or host.endswith("-"):
        return None
    if all(c.isdigit() or c == "." for c in host):
        return host if _is_ipv4(host) else None
    if "." not in host:
        return host if host.replace("-", "").replace("_", "").isalnum() else None
    return host if _registered(host.lower()) else None


def winpath(buf: bytes, start: int, end: int) -> Verdict:
    r"""A Windows path: prefixes (``\??\``) and quotes trimmed, doubled backslashes made single."""
    token = buf[start:end].decode("utf-8", "replace")
    for prefix in ("\\??\\", "\\\\?\\"):
        if token.startswith(prefix):
            start += len(prefix)
            token = token[len(prefix) :]
    if token.startswith('"'):
        token = token[1:-1]
        start += 1
        end = start + len(token.encode())
    elif _after(buf, end) == ord("<"):
        return None  # cut short by a placeholder such as C:\Users\<username>\...
    elif token[1:2] == ":" and _before(buf, start) in _WORD:
        return None  # http:\\example.com: a letter glued to the drive is no drive
    trimmed = token.rstrip(".:")
    while trimmed.endswith(")") and trimmed.count(")") > trimmed.count("("):
        trimmed = trimmed[:-1]
    end -= len(token.encode()) - len(trimmed.encode())
    normal = _single_backslashes(trimmed)
    if len(normal.rstrip("\\")) <= 3 or normal.strip(".\\") == "":
        return None
    return start, end, normal


@functools.lru_cache(maxsize=65536)
def _single_backslashes(path: str) -> str:
    head = "\\\\" if path.startswith("\\\\") and not path.startswith("\\\\\\") else ""
    body = path[len(head) :]
    while "\\\\" in body:
        body = body.replace("\\\\", "\\")
    if body.endswith("\\") and len(body) > 3:
        body = body[:-1]
    return head + body


def linpath(buf: bytes, start: int, end: int) -> Verdict:
    """A Linux path, trimmed of trailing punctuation."""
    token = buf[start:end].decode("utf-8", "replace")
    trimmed = token.rstrip(".,:;")
    while trimmed.endswith(")") and trimmed.count(")") > trimmed.count("("):
        trimmed = trimmed[:-1]
    if trimmed.count("/") < 1 or trimmed in ("./", "../", "~/"):
        return None
    return start, end - len(token[len(trimmed) :].encode()), trimmed


def cve(buf: bytes, start: int, end: int) -> Verdict:
    """A CVE identifier, upper-cased."""
    return start, end, buf[start:end].decode().upper()


def mac(buf: bytes, start: int, end: int) -> Verdict:
    """A MAC address, normalised to lower-case colon form (``aa:bb:cc:dd:ee:ff``)."""
    digits = buf[start:end].decode().replace(":", "").replace("-", "").replace(".", "").lower()
    if digits in ("000000000000", "ffffffffffff"):
        return None
    return start, end, ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def regkey(buf: bytes, start: int, end: int) -> Verdict:
    """A registry key; quotes and the ``<HKCU>`` angle brackets trimmed."""
    token = buf[start:end].decode("utf-8", "replace")
    if token.startswith('"'):
        token, start, end = token[1:-1], start + 1, end - 1
    normal = token.replace("<", "").replace(">", "").rstrip("\\.,")
    return start, end, normal
