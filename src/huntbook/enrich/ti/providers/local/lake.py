"""The ``lake`` TI provider: the ``ThreatIntelligenceIndicator`` table, through `QueryProvider`.

It runs one KQL catalog query per batch (observables bound as list
parameters, never pasted into the text), so the same provider answers from the
local lake and from a Microsoft Sentinel workspace::

    providers:
      lake:
        environment: Local        # or any QueryProvider environment that runs KQL
        lake: ~/my-lake           # optional, for Local
        min_confidence: 50        # ConfidenceScore at which an active indicator is malicious
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.enrich.ti.local import LocalProvider, LocalResult
from huntbook.enrich.ti.provider import Assessment, ProviderError, Severity, Verdict

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.data.catalog import Query
    from huntbook.data.provider import QueryProvider

QUERY_FILE = Path(__file__).resolve().parents[2] / "queries" / "ti_lookup.yaml"

PARAMETER_OF_TYPE = {
    "ipv4": "ips",
    "ipv6": "ips",
    "domain": "domains",
    "url": "urls",
    "md5": "hashes",
    "sha1": "hashes",
    "sha256": "hashes",
    "email": "emails",
}
"""Which list parameter of the catalog query carries each IoC type."""

_CASE_FOLDED = frozenset({"domains", "hashes", "emails"})
_MATCH_COLUMNS = {
    "ips": ("NetworkIP", "NetworkSourceIP", "NetworkDestinationIP"),
    "domains": ("DomainName",),
    "urls": ("Url",),
    "hashes": ("FileHashValue",),
    "emails": ("EmailSenderAddress",),
}
_DETAIL_COLUMNS = (
    "ThreatType",
    "ConfidenceScore",
    "ThreatSeverity",
    "Description",
    "SourceSystem",
    "IndicatorId",
    "Tags",
    "TrafficLightProtocolLevel",
    "Active",
    "ExpirationDateTime",
    "TimeGenerated",
)


@cache
def lookup_query() -> Query:
    """Return the ``TILookup.lookup_indicators`` catalog query."""
    from huntbook.data.catalog import load_file

    return load_file(QUERY_FILE)[0]


class LakeTI(LocalProvider):
    """Indicators in the ``ThreatIntelligenceIndicator`` table of a `QueryProvider`.

    Options: ``query_provider`` (a `QueryProvider` to use), or ``environment``
    (default ``"Local"``) and ``lake`` to open one; ``min_confidence`` (50);
    ``chunk_size`` (observables per query, 1000).
    """

    name: ClassVar[str] = "lake"
    types: ClassVar[frozenset[str]] = frozenset(PARAMETER_OF_TYPE)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._qp: QueryProvider | None = self.options.pop("query_provider", None)
        self._owned = self._qp is None
        self.min_confidence = float(self.options.get("min_confidence", 50))
        self.chunk_size = int(self.options.get("chunk_size", 1000))
        if self.chunk_size <= 0:
            raise ProviderError("lake: chunk_size must be a positive integer", provider=self.name)

    def __repr__(self) -> str:
        where = self._qp.environment if self._qp is not None else self.options.get("environment", "Local")
        return f"LakeTI({where!r})"

    def query_provider(self) -> QueryProvider:
        """Return the `QueryProvider` asked (opened on first use)."""
        if self._qp is None:
            from huntbook.data.provider import QueryProvider

            args = {"lake": self.options["lake"]} if self.options.get("lake") else {}
            self._qp = QueryProvider(self.options.get("environment", "Local"), settings=self.settings, **args)
        return self._qp

    def close(self) -> None:
        if self._owned and self._qp is not None:
            self._qp.close()
            self._qp = None

    def lookup_batch(self, items: Sequence[tuple[str, str]]) -> list[LocalResult]:
        """Answer a batch with one query per `chunk_size` observables."""
        qp = self.query_provider()
        if "kql" not in qp.driver.languages:
            raise ProviderError(
                f"lake: the {qp.environment} backend does not run KQL; use a KQL backend (Local, Sentinel)",
                provider=self.name,
            )
        as_of = qp.time_range[1]
        rows: list[dict[str, Any]] = []
        for start in range(0, len(items), self.chunk_size):
            rows += _records(self._query(qp, items[start : start + self.chunk_size]))
        index: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in rows:
            for parameter, columns in _MATCH_COLUMNS.items():
                for column in columns:
                    value = row.get(column)
                    if isinstance(value, str) and value:
                        key = value.lower() if parameter in _CASE_FOLDED else value
                        index.setdefault((parameter, key), []).append(row)
        results = []
        for observable, kind in items:
            parameter = PARAMETER_OF_TYPE[kind]
            key = observable.lower() if parameter in _CASE_FOLDED else observable
            matches = _unique(index.get((parameter, key), []))
            results.append(self._judge(matches, as_of))
        return results

    def _query(self, qp: QueryProvider, items: Sequence[tuple[str, str]]) -> pd.DataFrame:
        values: dict[str, list[str]] = {p: [] for p in _MATCH_COLUMNS}
        for observable, kind in items:
            parameter = PARAMETER_OF_TYPE[kind]
            values[parameter].append(observable.lower() if parameter in _CASE_FOLDED else observable)
        query = lookup_query()
        bound = query.bind(values, time_range=qp.time_range)
        return qp.exec_query(query.text("kql"), params=bound, language="kql")

    def _judge(self, matches: list[dict[str, Any]], as_of: dt.datetime) -> LocalResult:
        if not matches:
            return LocalResult(None)

        def live(row: dict[str, Any]) -> bool:
            expires = row.get("ExpirationDateTime")
            return bool(row.get("Active")) and (expires is None or _aware(expires) > as_of)

        best = max(
            matches, key=lambda r: (live(r), r.get("ConfidenceScore") or 0, _aware(r.get("TimeGenerated")))
        )
        confidence = best.get("ConfidenceScore") or 0
        threat = best.get("ThreatType") or "indicator"
        verdict: Verdict
        severity: Severity
        if not live(best):
            verdict, severity, state = "suspicious", "info", "inactive or expired"
        elif confidence >= self.min_confidence:
            verdict, state = "malicious", "active"
            severity = "high" if confidence >= 75 else "medium"
        else:
            verdict, severity, state = "suspicious", "low", "active, low confidence"
        summary = f"{threat} ({state}, confidence {confidence}) from {best.get('SourceSystem') or 'TI table'}"
        details = {c: _plain(best.get(c)) for c in _DETAIL_COLUMNS}
        details["Matches"] = len(matches)
        raw = [{k: _plain(v) for k, v in row.items() if v is not None} for row in matches]
        return LocalResult(Assessment(verdict, severity, summary, None, details), raw)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    import pandas as pd

    out = []
    for record in frame.to_dict("records"):
        out.append({str(k): (None if _is_missing(v, pd) else v) for k, v in record.items()})
    return out


def _is_missing(value: Any, pd: Any) -> bool:
    return value is None or (not isinstance(value, list | dict | str) and bool(pd.isna(value)))


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {id(r): r for r in rows}
    return list(seen.values())


def _aware(value: Any) -> dt.datetime:
    if value is None:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    stamp: dt.datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime) or hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value
