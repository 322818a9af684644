"""An opt-in cache of query results: one Parquet file per (backend, query text, parameters).

::

    qp = QueryProvider("Sentinel", cache=True)          # or cache="path/to/folder"
    qp.WindowsSecurity.list_host_logons(host_name="WS-017")   # runs, then saved
    qp.WindowsSecurity.list_host_logons(host_name="WS-017")   # read back, no query
    qp.WindowsSecurity.list_host_logons(host_name="WS-017", refresh=True)  # runs again

The key is a SHA-256 of the backend's identity (environment and connection
settings that are not secret: cluster, database, workspace, host, lake
folder...), the query text, its language and the parameter values. File names
are that hash; the only metadata written beside the rows is the environment
name, the language and when the file was made, so neither secrets nor query
values appear in the cache folder's names or metadata.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.data.drivers.base import Driver

IDENTITY_ATTRIBUTES = (
    "cluster",
    "database",
    "workspaces",
    "endpoint",
    "api_name",
    "host",
    "port",
    "scheme",
    "app",
    "owner",
    "username",
    "hosts",
    "index_template",
    "master",
)
"""Driver attributes that tell one connection from another and are never secret."""


class ResultCacheWarning(UserWarning):
    """A result could not be saved to or read from the cache; the query's rows are unaffected."""


def default_cache_dir() -> Path:
    """The user's cache folder for query results (``platformdirs``)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("huntbook")) / "query-results"


def backend_identity(environment: str, driver: Driver) -> dict[str, Any]:
    """Return what identifies *driver*'s connection: the environment and non-secret settings.

    Only the attributes named in `IDENTITY_ATTRIBUTES` (plus the lake folder
    and the HTTP base URL of REST drivers) are read, so a secret can never
    slip in through a new attribute.
    """
    identity: dict[str, Any] = {"environment": environment}
    for name in IDENTITY_ATTRIBUTES:
        value = getattr(driver, name, None)
        if isinstance(value, str | int | float):
            identity[name] = value
        elif isinstance(value, Mapping):
            identity[name] = {str(k): str(v) for k, v in value.items()}
        elif isinstance(value, list | tuple):
            identity[name] = [str(v) for v in value]
    lake = (
        getattr(driver, "_lake", None)
        or getattr(driver, "_lake_arg", None)
        or getattr(driver, "_lake_path", None)
    )
    lake_path = getattr(lake, "path", lake)
    if isinstance(lake_path, str | Path):
        identity["lake"] = str(Path(lake_path).resolve())
    base_url = getattr(getattr(driver, "_http", None), "base_url", None)
    if isinstance(base_url, str):
        identity["base_url"] = base_url
    return identity


def _jsonable(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"timedelta:{value.total_seconds()!r}"
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


class ResultCache:
    """Query results saved as Parquet files in *folder*.

    Parameters
    ----------
    folder : Path or str, optional
        Where the files go; `default_cache_dir` by default.
    """

    def __init__(self, folder: Path | str | None = None):
        self.folder = Path(folder).expanduser() if folder is not None else default_cache_dir()

    def __repr__(self) -> str:
        return f"ResultCache({str(self.folder)!r})"

    @staticmethod
    def key(identity: Mapping[str, Any], query: str, language: str, params: Mapping[str, Any] | None) -> str:
        """Return the cache key (a hex SHA-256) of one run."""
        document = json.dumps(
            {
                "backend": _jsonable(identity),
                "query": query,
                "language": language,
                "params": _jsonable(params or {}),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(document.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        """The file of *key*."""
        return self.folder / f"{key}.parquet"

    def get(self, key: str) -> pd.DataFrame | None:
        """Return the rows saved under *key*, or ``None`` when there are none (or they are unreadable)."""
        import pandas as pd

        path = self.path(key)
        if not path.is_file():
            return None
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # a damaged file is a miss, never a failed hunt
            warnings.warn(
                ResultCacheWarning(
                    f"Cached result {path.name} is unreadable ({type(exc).__name__}); running the query."
                ),
                stacklevel=3,
            )
            return None
        frame.attrs = {}
        return frame

    def put(self, key: str, frame: pd.DataFrame, *, environment: str, language: str) -> Path | None:
        """Save *frame* under *key*; return the file, or ``None`` (with a warning) if it cannot be."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            bare = frame.copy(deep=False)
            bare.attrs = {}  # the query text and values stay out of the file's metadata
            table = pa.Table.from_pandas(bare, preserve_index=False)
            meta = {
                b"huntbook.environment": environment.encode(),
                b"huntbook.language": language.encode(),
                b"huntbook.saved": dt.datetime.now(dt.UTC).isoformat().encode(),
            }
            schema_meta = {k: v for k, v in (table.schema.metadata or {}).items() if k == b"pandas"}
            table = table.replace_schema_metadata({**schema_meta, **meta})
            handle, partial = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".partial", dir=self.folder)
            os.close(handle)
            try:
                pq.write_table(table, partial)
                os.replace(partial, path)
            finally:
                Path(partial).unlink(missing_ok=True)
        except (OSError, pa.ArrowException) as exc:
            warnings.warn(
                ResultCacheWarning(
                    f"The result was not cached ({type(exc).__name__}: {exc}); the rows are returned anyway."
                ),
                stacklevel=3,
            )
            return None
        return path

    def clear(self) -> int:
        """Delete every cached result; return how many files went."""
        if not self.folder.is_dir():
            return 0
        files = list(self.folder.glob("*.parquet"))
        for path in files:
            path.unlink(missing_ok=True)
        return len(files)
