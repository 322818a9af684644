"""A persistent cache of TI answers: one SQLite file, one row per (provider, type, observable).

Each answer is committed as soon as it arrives, so an interrupted batch keeps
what it fetched. Only definite answers (``ok``, ``not_found``) are cached;
errors are asked again next time. Entries expire after their provider's TTL.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from huntbook.enrich.ti.result import LookupResult
from huntbook.errors import HuntbookError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    provider TEXT NOT NULL,
    type TEXT NOT NULL,
    observable TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT,
    severity TEXT,
    summary TEXT,
    reference TEXT,
    details TEXT,
    raw TEXT,
    lookup_time REAL NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (provider, type, observable)
) WITHOUT ROWID
"""

_COLUMNS = "status, verdict, severity, summary, reference, details, raw, lookup_time"


class CacheError(HuntbookError):
    """The TI cache file cannot be opened or written (names the file)."""

    def __init__(self, message: str, *, path: str):
        self.path = path
        super().__init__(message)


def default_cache_path() -> Path:
    """Return the cache file in the user cache folder."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("huntbook")) / "ti-cache.sqlite"


class TICache:
    """The cache file (thread-safe; one connection guarded by a lock).

    Parameters
    ----------
    path : Path, optional
        The SQLite file; `default_cache_path` by default. ``":memory:"`` keeps
        the cache in memory only.
    """

    def __init__(self, path: Path | str | None = None):
        self.path = str(path) if path is not None else str(default_cache_path())
        self._lock = threading.Lock()
        try:
            if self.path != ":memory:":
                Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
                self.path = str(Path(self.path).expanduser())
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(
                f"TI cache {self.path} cannot be opened ({exc}); set providers.ti.cache_path to a "
                "writable file, or providers.ti.cache to false",
                path=self.path,
            ) from None

    def __repr__(self) -> str:
        return f"TICache({self.path!r})"

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def get_many(
        self, provider: str, keys: Iterable[tuple[str, str]], *, now: dt.datetime | None = None
    ) -> dict[tuple[str, str], LookupResult]:
        """Return the unexpired answers of *provider* for ``(observable, type)`` *keys*."""
        stamp = (now or dt.datetime.now(dt.UTC)).timestamp()
        found: dict[tuple[str, str], LookupResult] = {}
        wanted = list(keys)
        with self._lock:
            for start in range(0, len(wanted), 400):
                chunk = wanted[start : start + 400]
                marks = ",".join("(?, ?)" for _ in chunk)
                args: list[Any] = [provider, stamp]
                for observable, kind in chunk:
                    args += [observable, kind]
                rows = self._db.execute(
                    f"SELECT observable, type, {_COLUMNS} FROM answers "
                    f"WHERE provider = ? AND expires > ? AND (observable, type) IN (VALUES {marks})",
                    args,
                ).fetchall()
                for row in rows:
                    found[(row[0], row[1])] = _result(provider, row)
        return found

    def put(self, result: LookupResult, ttl: dt.timedelta) -> None:
        """Store one answer (only ``ok`` and ``not_found`` ones, and only with a TTL above zero)."""
        if result.status not in ("ok", "not_found") or ttl <= dt.timedelta(0):
            return
        stamp = result.lookup_time.timestamp()
        row = (
            result.provider,
            result.type,
            result.observable,
            result.status,
            result.verdict,
            result.severity,
            result.summary,
            result.reference,
            _dumps(result.details),
            _dumps(result.raw),
            stamp,
            stamp + ttl.total_seconds(),
        )
        with self._lock:
            try:
                self._db.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
            except sqlite3.Error as exc:
                raise CacheError(f"TI cache {self.path} cannot be written: {exc}", path=self.path) from None

    def clear(self, provider: str | None = None) -> int:
        """Forget every answer (of one provider); return how many were dropped."""
        with self._lock:
            if provider is None:
                return self._db.execute("DELETE FROM answers").rowcount
            return self._db.execute("DELETE FROM answers WHERE provider = ?", (provider,)).rowcount

    def __len__(self) -> int:
        with self._lock:
            count: int = self._db.execute("SELECT count(*) FROM answers").fetchone()[0]
            return count


def _dumps(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=str, ensure_ascii=False)


def _result(provider: str, row: tuple[Any, ...]) -> LookupResult:
    observable, kind, status, verdict, severity, summary, reference, details, raw, stamp = row
    return LookupResult(
        observable=observable,
        type=kind,
        provider=provider,
        status=status,
        verdict=verdict,
        severity=severity,
        summary=summary,
        reference=reference,
        details=json.loads(details) if details else {},
        raw=json.loads(raw) if raw else None,
        lookup_time=dt.datetime.fromtimestamp(stamp, dt.UTC),
        cached=True,
    )
