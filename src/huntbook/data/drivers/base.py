"""The driver contract: one small class per backend.

A driver connects to one backend, runs query text with bound parameter
values, and returns a pandas DataFrame. Everything else (catalogs, parameter
checking, defaults, help) lives in `QueryProvider`, so a driver states only
what is particular to its backend.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

if TYPE_CHECKING:
    from types import TracebackType

    import pandas as pd


class Driver(ABC):
    """Base class of every backend driver."""

    languages: ClassVar[tuple[str, ...]] = ("kql",)
    """Query languages this backend runs, the preferred one first."""

    def __init__(self) -> None:
        self.connected = False

    @abstractmethod
    def connect(self) -> None:
        """Open the connection (idempotent)."""

    @abstractmethod
    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "kql",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """Run *query* with *params* bound as values and return the rows."""

    def close(self) -> None:
        """Release the connection."""
        self.connected = False

    def tables(self) -> list[str]:
        """Return the names of the tables the backend has (when it can tell)."""
        return []

    def schema(self) -> dict[str, dict[str, str]]:
        """Return each table's columns and their types (when the backend can tell)."""
        return {}

    def default_time_range(self, lookback: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
        """Return the ``start``/``end`` used when a query is not given them.

        Remote backends use the last *lookback* before now; a local lake
        uses the span of its data.
        """
        end = dt.datetime.now(dt.UTC)
        return end - lookback, end

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
