"""DNS resolution and reverse lookups with dnspython: timeouts, bounded concurrency, one row per name.

Each query has a per-server ``timeout`` and an overall ``lifetime``; a name that
does not exist, has no record of the type, or whose servers do not answer gets a
row with that status rather than an exception. Pass ``nameservers`` (and
``port``) to ask specific servers instead of the system's resolv.conf.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from huntbook.errors import MissingExtraError

if TYPE_CHECKING:
    import dns.resolver
    import pandas as pd

RESOLVE_COLUMNS = ("name", "query", "record_type", "answers", "ttl", "nameserver", "status")
REVERSE_COLUMNS = ("ip", "query", "hostnames", "ttl", "nameserver", "status")


def _resolver(
    nameservers: Sequence[str] | None, port: int, timeout: float, lifetime: float
) -> dns.resolver.Resolver:
    try:
        import dns.resolver
    except ImportError:
        raise MissingExtraError("dnspython", "ti", feature="DNS lookups") from None
    resolver = dns.resolver.Resolver(configure=nameservers is None)
    if nameservers is not None:
        resolver.nameservers = list(nameservers)
    resolver.port = port
    resolver.timeout = timeout
    resolver.lifetime = lifetime
    resolver.cache = None
    return resolver


def _query(
    resolver: dns.resolver.Resolver, qname: str, rdtype: str
) -> tuple[list[str], int | None, str, str]:
    """Return ``(answers, ttl, nameserver, status)``."""
    import dns.exception
    import dns.name
    import dns.resolver

    try:
        answer = resolver.resolve(qname, rdtype, search=False, raise_on_no_answer=True)
    except dns.resolver.NXDOMAIN:
        return [], None, "", "not found (NXDOMAIN)"
    except dns.resolver.NoAnswer:
        return [], None, "", f"no {rdtype} record"
    except dns.resolver.NoNameservers as exc:
        return [], None, "", f"error: no server answered ({exc.msg.split(';')[0] if exc.msg else 'SERVFAIL'})"
    except dns.resolver.LifetimeTimeout:
        return [], None, "", f"timed out after {resolver.lifetime:g} s"
    except (dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel) as exc:
        return [], None, "", f"invalid: {exc}"
    except dns.exception.DNSException as exc:
        return [], None, "", f"error: {type(exc).__name__}: {exc}"
    texts = [r.to_text().rstrip(".") if rdtype in ("PTR", "CNAME", "NS") else r.to_text() for r in answer]
    return texts, answer.rrset.ttl if answer.rrset is not None else None, str(answer.nameserver or ""), "ok"


def _run(tasks: list[Any], worker: Any, concurrency: int) -> list[Any]:
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(tasks) or 1))) as pool:
        return list(pool.map(worker, tasks))


def resolve(
    names: str | Iterable[object] | pd.Series,
    *,
    record_type: str = "A",
    nameservers: Sequence[str] | None = None,
    port: int = 53,
    timeout: float = 2.0,
    lifetime: float = 5.0,
    concurrency: int = 8,
) -> pd.DataFrame:
    """Resolve domain names, one row per input.

    Parameters
    ----------
    names : str, list or Series
        Domain names (Unicode names are sent in their A-label form).
    record_type : str
        ``A``, ``AAAA``, ``MX``, ``TXT``, ``NS``, ``CNAME``, ...
    nameservers, port : optional
        Servers to ask; default the system's.
    timeout, lifetime : float
        Seconds per server try, and in total per name.
    concurrency : int
        Names resolved at once.

    Returns
    -------
    DataFrame
        `RESOLVE_COLUMNS`; ``answers`` is a list of record texts; ``status`` is
        ``ok``, ``not found (NXDOMAIN)``, ``no <type> record``, ``timed out ...``,
        ``invalid: ...`` or ``error: ...``.
    """
    import pandas as pd

    from huntbook.enrich.domains import normalize_domain

    values = [names] if isinstance(names, str) else list(names)
    resolver = _resolver(nameservers, port, timeout, lifetime)
    normalized = [normalize_domain(v) for v in values]
    todo = sorted({n.ascii for n in normalized if not n.problem})
    answers = _run(todo, lambda q: _query(resolver, q, record_type), concurrency)
    results = dict(zip(todo, answers, strict=True))
    rows: list[tuple[Any, ...]] = []
    for value, norm in zip(values, normalized, strict=True):
        if norm.problem:
            rows.append((value, "", record_type, [], None, "", norm.problem))
        else:
            answers, ttl, server, status = results[norm.ascii]
            rows.append((value, norm.ascii, record_type, answers, ttl, server, status))
    frame = pd.DataFrame(rows, columns=list(RESOLVE_COLUMNS), dtype=object)
    frame["ttl"] = pd.array(frame["ttl"].tolist(), dtype="Int64")
    return frame


def reverse_lookup(
    ips: str | Iterable[object] | pd.Series,
    *,
    nameservers: Sequence[str] | None = None,
    port: int = 53,
    timeout: float = 2.0,
    lifetime: float = 5.0,
    concurrency: int = 8,
) -> pd.DataFrame:
    """Reverse-resolve IP addresses (PTR records), one row per input.

    Returns
    -------
    DataFrame
        `REVERSE_COLUMNS`; ``query`` is the ``in-addr.arpa``/``ip6.arpa`` name,
        ``hostnames`` a list; ``status`` as for `resolve`, or
        ``invalid: not an IP address``.
    """
    import ipaddress

    import dns.reversename
    import pandas as pd

    values = [ips] if isinstance(ips, str) else list(ips)
    resolver = _resolver(nameservers, port, timeout, lifetime)
    queries: list[str] = []
    for value in values:
        try:
            address = ipaddress.ip_address(value.strip() if isinstance(value, str) else str(value))
            queries.append(dns.reversename.from_address(str(address)).to_text().rstrip("."))
        except ValueError:
            queries.append("")
    todo = sorted({q for q in queries if q})
    results = dict(zip(todo, _run(todo, lambda q: _query(resolver, q, "PTR"), concurrency), strict=True))
    rows: list[tuple[Any, ...]] = []
    for value, query in zip(values, queries, strict=True):
        if not query:
            rows.append((value, "", [], None, "", "invalid: not an IP address"))
            continue
        answers, ttl, server, status = results[query]
        rows.append((value, query, answers, ttl, server, status))
    frame = pd.DataFrame(rows, columns=list(REVERSE_COLUMNS), dtype=object)
    frame["ttl"] = pd.array(frame["ttl"].tolist(), dtype="Int64")
    return frame
