"""What kind of indicator a whole value is, by huntbook's IoC patterns and validators."""

from __future__ import annotations

from collections.abc import Sequence

LOOKUP_TYPES: tuple[str, ...] = ("url", "email", "ipv4", "ipv6", "sha256", "sha1", "md5", "domain")
"""Types a TI lookup infers, in order of preference when a value could be more than one."""

MAX_VALUE_LENGTH = 8192
"""Longer values are not classified (no indicator is that long)."""


def classify(values: Sequence[str]) -> list[tuple[str, str] | None]:
    """Return ``(normalised value, type)`` for each value that is exactly one indicator.

    A value counts only when the indicator spans all of it (surrounding blanks
    aside); defanged values are re-fanged (``hxxp://evil[.]com`` -> a ``url``
    ``http://evil.com``). Other values give ``None``.

    Parameters
    ----------
    values : sequence of str
        The observables.

    Examples
    --------
    >>> classify(["10.0.0.1", "evil[.]com", "not an indicator"])
    [('10.0.0.1', 'ipv4'), ('evil.com', 'domain'), None]
    """
    import pandas as pd

    from huntbook.analysis.iocs import extract_iocs

    stripped = [v.strip() if isinstance(v, str) and len(v) <= MAX_VALUE_LENGTH else "" for v in values]
    result: list[tuple[str, str] | None] = [None] * len(stripped)
    if not any(stripped):
        return result
    found = extract_iocs(pd.Series(stripped, dtype=object), types=list(LOOKUP_TYPES))
    rank = {name: i for i, name in enumerate(LOOKUP_TYPES)}
    best: dict[int, tuple[int, str, str]] = {}
    for row, kind, observable, original in zip(
        found["row"], found["type"], found["observable"], found["original"], strict=True
    ):
        position = int(row)
        if original != stripped[position]:
            continue
        candidate = (rank[str(kind)], str(observable), str(kind))
        if position not in best or candidate < best[position]:
            best[position] = candidate
    for position, (_, observable, kind) in best.items():
        result[position] = (observable, kind)
    return result
