"""A small SQLite cache of RDAP answers (and bootstrap files) with a time-to-live.

Each answer is written as soon as it arrives (one short transaction), so what
was fetched before a crash or an interrupt is kept. Only answers (``ok`` and
``not found``) are cached, never errors.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from huntbook.errors import HuntbookError


class RdapCacheError(HuntbookError):
    """The RDAP cache file cannot be opened or written."""


def default_cache_path() -> Path:
    """Return ``<user cache dir>/huntbook/rdap.sqlite``."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("huntbook")) / "rdap.sqlite"


class RdapCache:
    """``key -> (status, JSON document)`` with a fetch time; entries older than the TTL are misses."""

    def __init__(self, path: str | Path | None = None, *, ttl_seconds: float = 86_400.0):
        self.path = Path(path).expanduser() if path else default_cache_path()
        self.ttl_seconds = ttl_seconds
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS rdap (key TEXT PRIMARY KEY, fetched REAL, status TEXT, body TEXT)"
            )
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise RdapCacheError(
                f"cannot use the RDAP cache file {self.path} ({exc}). Pass cache_path= a writable file, "
                "or use_cache=False."
            ) from None

    def get(self, key: str, *, ttl_seconds: float | None = None) -> tuple[str, Any] | None:
        """Return ``(status, document)`` for *key* when fresh, else ``None``."""
        row = self._db.execute("SELECT fetched, status, body FROM rdap WHERE key = ?", (key,)).fetchone()
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        if row is None or time.time() - row[0] > ttl:
            return None
        return row[1], json.loads(row[2])

    def put(self, key: str, status: str, document: Any) -> None:
        """Store an answer now."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO rdap VALUES (?, ?, ?, ?)",
                             (key, time.time(), status, json.dumps(document)))

    def close(self) -> None:
        """Close the file."""
        self._db.close()
