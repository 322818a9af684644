"""One row of a TI lookup, and the DataFrame of many."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from huntbook.enrich.ti.provider import Assessment

if TYPE_CHECKING:
    import pandas as pd

Status = Literal["ok", "not_found", "error"]

COLUMNS: tuple[str, ...] = (
    "observable",
    "type",
    "provider",
    "verdict",
    "severity",
    "summary",
    "reference",
    "details",
    "raw",
    "status",
    "reason",
    "lookup_time",
    "cached",
)
"""The columns of `TILookup.lookup`'s DataFrame, in order."""


@dataclass(frozen=True)
class LookupResult:
    """What one provider said about one observable (or why it could not say)."""

    observable: str
    type: str
    provider: str
    status: Status
    verdict: str | None = None
    severity: str | None = None
    summary: str | None = None
    reference: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    raw: Any = None
    reason: str | None = None
    lookup_time: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    cached: bool = False

    @classmethod
    def answered(
        cls, observable: str, kind: str, provider: str, assessment: Assessment | None, raw: Any = None
    ) -> LookupResult:
        """Return an ``ok`` row for *assessment*, or a ``not_found`` row for ``None``."""
        if assessment is None:
            return cls(observable, kind, provider, "not_found", verdict="unknown", severity="none", raw=raw)
        return cls(
            observable,
            kind,
            provider,
            "ok",
            verdict=assessment.verdict,
            severity=assessment.severity,
            summary=assessment.summary,
            reference=assessment.reference,
            details=dict(assessment.details),
            raw=raw,
        )

    @classmethod
    def failed(cls, observable: str, kind: str, provider: str, reason: str) -> LookupResult:
        """Return an ``error`` row that says why."""
        return cls(observable, kind, provider, "error", reason=reason)


def to_frame(results: Sequence[LookupResult]) -> pd.DataFrame:
    """Return *results* as a DataFrame with `COLUMNS`."""
    import pandas as pd

    frame = pd.DataFrame(
        [[getattr(r, c) for c in COLUMNS] for r in results],
        columns=list(COLUMNS),
    )
    frame["lookup_time"] = pd.to_datetime(frame["lookup_time"], utc=True)
    frame["cached"] = frame["cached"].astype(bool)
    return frame
