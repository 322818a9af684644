"""Domain names and URLs: normalise, split into registered domain and public suffix, take URLs apart.

Splitting uses tldextract over its bundled Public Suffix List snapshot (never
the network). Names are normalised once: trimmed, lower-cased, trailing dot
dropped, internationalised names converted to their A-label (punycode) form
with IDNA 2008 / UTS #46; every row gets a ``status`` saying what was wrong
instead of an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pandas as pd
    import tldextract

#: Longest input looked at; a DNS name is at most 253 characters, a URL is capped at 8 KiB.
MAX_NAME_CHARS = 253
MAX_URL_CHARS = 8192
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")

DOMAIN_COLUMNS = ("input", "domain", "unicode", "subdomain", "name", "suffix", "registered_domain", "status")
URL_COLUMNS = ("input", "scheme", "username", "password", "host", "port", "path", "query", "fragment",
               "registered_domain", "suffix", "status")


class NormalizedName(NamedTuple):
    """A domain name in A-label form and Unicode form, or why it is not one."""

    ascii: str
    unicode: str
    problem: str


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas.NA and NaT (the ways a table says "no value")."""
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ in (
        "NAType", "NaTType")


def _as_list(values: str | Iterable[object] | pd.Series) -> list[object]:
    return [values] if isinstance(values, str) else list(values)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def normalize_domain(value: object) -> NormalizedName:
    """Normalise one domain name (see the module docstring); never raises."""
    import idna

    if not isinstance(value, str):
        why = "empty" if is_missing(value) else f"not text ({type(value).__name__})"
        return NormalizedName("", "", f"invalid: {why}")
    text = value.strip().rstrip(".")
    if not text:
        return NormalizedName("", "", "invalid: empty")
    if len(text) > MAX_NAME_CHARS * 4:
        return NormalizedName("", "", f"invalid: too long for a domain name ({len(text)} characters)")
    lowered = text.lower()
    try:
        ascii_name = lowered if lowered.isascii() else idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        return NormalizedName("", "", f"invalid: not a valid internationalised name ({exc})")
    if len(ascii_name) > MAX_NAME_CHARS:
        return NormalizedName("", "", f"invalid: longer than {MAX_NAME_CHARS} characters")
    labels = ascii_name.split(".")
    bad = next((label for label in labels if not _LABEL.fullmatch(label)), None)
    if bad is not None:
        shown = bad if len(bad) <= 70 else bad[:67] + "..."
        why = "empty label" if not bad else f"label {shown!r} is not a valid DNS label"
        return NormalizedName("", "", f"invalid: {why}")
    try:
        unicode_name = idna.decode(ascii_name) if "xn--" in ascii_name else ascii_name
    except (idna.IDNAError, UnicodeError) as exc:
        return NormalizedName("", "", f"invalid: bad punycode label ({exc})")
    return NormalizedName(ascii_name, unicode_name, "")


def split_domain(name: str) -> tuple[str, str, str, str]:
    """Return ``(subdomain, name, suffix, registered_domain)`` of a normalised name."""
    parts = _extractor()(name)
    registered = f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else ""
    return parts.subdomain, parts.domain, parts.suffix, registered


def domain_parts(domains: str | Iterable[object] | pd.Series) -> pd.DataFrame:
    """Split domain names into their parts, one row per input.

    Returns
    -------
    DataFrame
        `DOMAIN_COLUMNS`: ``domain`` (normalised A-label form), ``unicode``,
        ``subdomain``, ``name`` (the label under the suffix), ``suffix`` (public
        suffix), ``registered_domain`` (what a registry knows: name + suffix), and
        ``status``: ``ok``, ``no public suffix`` (e.g. ``localhost``,
        ``corp.internal``) or ``invalid: <why>``.
    """
    import pandas as pd

    rows = []
    for value in _as_list(domains):
        norm = normalize_domain(value)
        if norm.problem:
            rows.append((value, "", "", "", "", "", "", norm.problem))
            continue
        sub, name, suffix, registered = split_domain(norm.ascii)
        status = "ok" if registered else "no public suffix"
        rows.append((value, norm.ascii, norm.unicode, sub, name, suffix, registered, status))
    return pd.DataFrame(rows, columns=list(DOMAIN_COLUMNS), dtype=object)


def _url_row(value: object) -> tuple[Any, ...]:
    from urllib.parse import urlsplit

    empty = ("",) * 10
    if not isinstance(value, str) or not value.strip():
        return (value, *empty, normalize_domain(value).problem or "invalid: empty")
    text = value.strip()
    if len(text) > MAX_URL_CHARS:
        return (value, *empty, f"invalid: too long for a URL ({len(text)} characters)")
    if "://" not in text[:20]:
        text = "http://" + text  # a bare "host/path" as found in logs
    try:
        parts = urlsplit(text)
        port = "" if parts.port is None else str(parts.port)
        host = parts.hostname or ""
    except ValueError as exc:
        return (value, *empty, f"invalid: not a URL ({exc})")
    password = "****" if parts.password else ""  # credentials are never echoed
    registered = suffix = ""
    status = "ok"
    if host and not host.startswith("[") and ":" not in host and not host.replace(".", "").isdigit():
        norm = normalize_domain(host)
        if norm.problem:
            status = norm.problem.replace("invalid:", "invalid host:")
        else:
            host = norm.ascii
            _, _, suffix, registered = split_domain(host)
    elif not host:
        status = "invalid: no host"
    return (value, parts.scheme, parts.username or "", password, host, port, parts.path, parts.query,
            parts.fragment, registered, suffix, status)


def url_parts(urls: str | Iterable[object] | pd.Series) -> pd.DataFrame:
    """Take URLs apart, one row per input (URL passwords are shown as ``****``).

    Returns
    -------
    DataFrame
        `URL_COLUMNS`; ``host`` is normalised (A-label), ``registered_domain``
        and ``suffix`` are empty for IP-address hosts; ``status`` is ``ok`` or
        ``invalid: <why>``.
    """
    import pandas as pd

    return pd.DataFrame([_url_row(v) for v in _as_list(urls)], columns=list(URL_COLUMNS), dtype=object)
