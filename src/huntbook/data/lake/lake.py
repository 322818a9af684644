"""`Lake`: a folder of Parquet tables named like Microsoft Sentinel's."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from huntbook.data.lake import storage
from huntbook.data.lake.schemas import schema_for
from huntbook.data.lake.winevents import UNPARSED_TABLE
from huntbook.errors import IngestError, LakeError, TableNeededError, did_you_mean

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    import pandas as pd
    import pyarrow as pa

    from huntbook.data.lake.demo import GroundTruth

MANIFEST = "_ingested.json"
_T = TypeVar("_T")
EVENTS_KEY = "*windows-events"
"""The manifest's key for Windows event files (not a table name: they fill several)."""
DEMO_SEED = 7
ENV_DEMO_DIR = "HUNTBOOK_DEMO_DIR"


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did with one file."""

    path: str
    tables: Mapping[str, int]
    """Rows added per table (none when skipped or failed)."""
    records: int = 0
    """Records read from the file; each became a row of one table."""
    skipped: bool = False
    """True when the same content was ingested before."""
    error: IngestError | None = None
    """Why the file could not be ingested (only with ``collect_errors=True``)."""

    @property
    def rows(self) -> int:
        """Rows added, over all tables."""
        return sum(self.tables.values())

    @property
    def unparsed(self) -> int:
        """Records that were not events, kept raw in ``UnparsedEvent_CL``."""
        return self.tables.get(UNPARSED_TABLE, 0)

    def __str__(self) -> str:
        if self.error is not None:
            return f"{self.path}: failed, nothing written: {self.error}"
        if self.skipped:
            return f"{self.path}: ingested before, skipped"
        added = ", ".join(f"{rows:,} rows into {table}" for table, rows in self.tables.items())
        return f"{self.path}: {added or 'no rows'}"


class Lake:
    """A folder of Parquet files, one table each, queried with DuckDB.

    Parameters
    ----------
    path : Path or str
        The lake folder. It need not exist until something is ingested.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path).expanduser()

    def __repr__(self) -> str:
        return f"Lake({str(self.path)!r})"

    @classmethod
    def demo(cls, *, scale: float = 1.0, seed: int = DEMO_SEED, progress: bool = False) -> Lake:
        """Return the demo lake, generating it on first use.

        It lives in the user cache folder (or ``$HUNTBOOK_DEMO_DIR``) and is
        written to a temporary folder and renamed into place, so an
        interrupted generation is never mistaken for a finished one.
        """
        from huntbook.data.lake.demo import generate_demo_lake

        root = Path(os.environ.get(ENV_DEMO_DIR) or _cache_dir())
        target = root / f"demo-lake-seed{seed}-scale{scale:g}-{_generator_version()}"
        if (target / "ground_truth.json").is_file():
            return cls(target)
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=root))
        try:
            generate_demo_lake(staging, seed=seed, scale=scale, progress=progress)
            try:
                os.rename(staging, target)
            except OSError:  # another process finished first
                if not (target / "ground_truth.json").is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return cls(target)

    def tables(self) -> list[str]:
        """Return the names of the tables in the lake."""
        return storage.list_tables(self.path)

    def files(self, table: str) -> list[Path]:
        """Return the Parquet files of *table*.

        Raises
        ------
        LakeError
            The lake has no such table (the message suggests close names).
        """
        files = storage.table_files(self.path, table)
        if not files:
            tables = self.tables()
            raise LakeError(
                f"The lake at {self.path} has no table '{table}'.{did_you_mean(table, tables)} "
                f"Tables: {', '.join(tables) or '(none yet; ingest some data)'}."
            )
        return files

    def columns(self, table: str) -> dict[str, str]:
        """Return *table*'s column names and Arrow types (the union over its files, first type kept).

        Raises
        ------
        LakeError
            The lake has no such table.
        """
        import pyarrow.parquet as pq

        columns: dict[str, str] = {}
        for file in self.files(table):
            for fld in pq.read_schema(file):
                columns.setdefault(fld.name, str(fld.type))
        return columns

    def time_range(self, tables: Iterable[str] | None = None) -> tuple[dt.datetime, dt.datetime] | None:
        """Return the first and last event time in *tables* (all by default).

        Read from Parquet statistics, so it costs no scan.
        """
        import pyarrow.parquet as pq

        low: dt.datetime | None = None
        high: dt.datetime | None = None
        for table in tables or self.tables():
            schema = schema_for(table)
            column = schema.time_column if schema else "TimeGenerated"
            for path in storage.table_files(self.path, table):
                meta = pq.ParquetFile(path).metadata
                names = [meta.schema.column(i).name for i in range(meta.num_columns)]
                if column not in names:
                    continue
                index = names.index(column)
                for group in range(meta.num_row_groups):
                    stats = meta.row_group(group).column(index).statistics
                    if stats is None or not stats.has_min_max:
                        continue
                    lo, hi = _utc(stats.min), _utc(stats.max)
                    low = lo if low is None else min(low, lo)
                    high = hi if high is None else max(high, hi)
        if low is None or high is None:
            return None
        return low, high

    def info(self) -> pd.DataFrame:
        """Return one row per table: rows, files, bytes on disk, first and last time."""
        import pandas as pd
        import pyarrow.parquet as pq

        rows = []
        for table in self.tables():
            files = storage.table_files(self.path, table)
            span = self.time_range([table])
            rows.append(
                {
                    "table": table,
                    "rows": sum(pq.ParquetFile(f).metadata.num_rows for f in files),
                    "files": len(files),
                    "bytes": sum(f.stat().st_size for f in files),
                    "first": span[0] if span else None,
                    "last": span[1] if span else None,
                    "sentinel_schema": schema_for(table) is not None,
                }
            )
        return pd.DataFrame(rows)

    def ground_truth(self) -> GroundTruth | None:
        """Return what was planted in a generated demo lake, or ``None``."""
        from huntbook.data.lake.demo import load_ground_truth

        if not (self.path / "ground_truth.json").is_file():
            return None
        return load_ground_truth(self.path)

    def ingest(
        self,
        sources: Path | str | Iterable[Path | str],
        table: str | None = None,
        *,
        format: str | None = None,
        replace: bool = False,
        force: bool = False,
        progress: bool = False,
        collect_errors: bool = False,
    ) -> list[IngestReport]:
        """Add the rows of files, or of every such file under folders, to the lake.

        With a *table*, the rows of CSV, JSON, JSON-lines or Parquet files go
        to that table. Without one, the files hold Windows events (``.evtx``
        logs, or Winlogbeat / OTRF JSON-lines exports), and each event goes to
        ``SecurityEvent``, ``SysmonEvent`` or ``Event`` by its channel; a
        record that is not an event is kept raw in ``UnparsedEvent_CL``.
        Every file is read and checked before anything is written.

        Parameters
        ----------
        sources : path or iterable of paths
            Files, or folders to search (recursively) for files of a known suffix.
        table : str, optional
            Target table; a Sentinel name gets its declared column types.
            Leave it out for Windows event files.
        format : str, optional
            ``csv``, ``json``, ``jsonl`` or ``parquet`` (with a table), ``evtx``
            or ``jsonl`` (without); from the suffix by default.
        replace : bool
            Replace the table's rows instead of adding to them (needs a table).
        force : bool
            Ingest a file again even if the same content was ingested before.
        progress : bool
            Show a progress bar over the files.
        collect_errors : bool
            Keep going past a file that cannot be ingested: it is reported
            with its error and nothing of it is written; the others are.

        Returns
        -------
        list of IngestReport
            One per file.

        Raises
        ------
        IngestError
            A file does not fit; the message names the file (line and column,
            or the EVTX record the parser stopped after). Unless
            *collect_errors*, nothing at all is written in that case.
        """
        from huntbook.data.lake.winfiles import EVENT_SUFFIXES

        if table is None:
            if replace:
                raise LakeError("replace=True needs a table; Windows events go to several tables.")
            _refuse_table_files(sources, format)
            paths = _expand(sources, EVENT_SUFFIXES)
            return self._ingest_events(paths, format, force=force, progress=progress, collect=collect_errors)
        from huntbook.data.lake.ingest import SUFFIXES, read_table

        storage.check_table_name(table)
        paths = _expand(sources, SUFFIXES)
        manifest = self._manifest()
        seen = set() if replace or force else set(manifest.get(table, []))
        reports: list[IngestReport] = []

        def read(path: Path) -> pa.Table:
            if format == "evtx" or path.suffix.lower() == ".evtx":
                raise IngestError(
                    "EVTX files go to tables by channel: ingest them without a table", path=str(path)
                )
            return read_table(path, table, format)

        loaded: list[tuple[Path, str, pa.Table]] = []
        types = {} if replace else self._column_types(table)
        for path, digest, part in _read_new(
            paths, seen, read, reports, collect_errors, progress, f"Reading into {table}"
        ):
            try:
                _check_types(types, part, path)
            except IngestError as exc:
                if not collect_errors:
                    raise
                reports.append(IngestReport(str(path), {}, error=exc))
                continue
            loaded.append((path, digest, part))
            reports.append(IngestReport(str(path), {table: part.num_rows}, records=part.num_rows))
        new = [t for _, _, t in loaded]
        self._write(table, new, replace=replace)
        digests = [] if replace else list(manifest.get(table, []))
        manifest[table] = digests + [d for _, d, _ in loaded]
        self._save_manifest(manifest)
        return reports

    def _ingest_events(
        self, paths: list[Path], fmt: str | None, *, force: bool, progress: bool, collect: bool
    ) -> list[IngestReport]:
        """Read Windows event files, then write one part per table for all of them."""
        from huntbook.data.lake.event_files import read_files
        from huntbook.data.lake.winevents import merge_tables

        manifest = self._manifest()
        seen = set() if force else set(manifest.get(EVENTS_KEY, []))
        with _file_progress(len(paths), progress, "Reading Windows events") as advance:
            chunks = read_files(paths, seen, fmt, advance=advance)
        reports: list[IngestReport] = []
        digests: list[str] = []
        read: list[Path] = []
        for file in (file for chunk in chunks for file in chunk.files):
            if file.error is not None and not collect:
                raise file.error
            reports.append(IngestReport(str(file.path), file.counts, file.records, file.skipped, file.error))
            if file.digest is not None and not file.skipped:
                digests.append(file.digest)
                read.append(file.path)
        parts = merge_tables([chunk.tables for chunk in chunks])
        for table, part in parts.items():  # column types do not depend on the file: check once
            _check_types(self._column_types(table), part, read[0])
        storage.write_parts(self.path, parts)
        manifest[EVENTS_KEY] = list(manifest.get(EVENTS_KEY, [])) + digests
        self._save_manifest(manifest)
        return reports

    def _write(self, table: str, parts: list[pa.Table], *, replace: bool) -> None:
        import pyarrow as pa

        if not parts:
            return
        if replace:
            storage.replace_table(self.path, table, pa.concat_tables(parts, promote_options="permissive"))
            return
        for part in parts:
            storage.write_part(self.path, table, part)

    def _column_types(self, table: str) -> dict[str, tuple[object, str]]:
        """The type of each column the table holds, and the file it was first seen in."""
        import pyarrow.parquet as pq

        types: dict[str, tuple[object, str]] = {}
        for file in storage.table_files(self.path, table):
            for fld in pq.read_schema(file):
                types.setdefault(fld.name, (fld.type, str(file)))
        return types

    def _manifest(self) -> dict[str, list[str]]:
        path = self.path / MANIFEST
        if not path.is_file():
            return {}
        data: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def _save_manifest(self, manifest: dict[str, list[str]]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(tmp, self.path / MANIFEST)


def _expand(sources: Path | str | Iterable[Path | str], suffixes: Mapping[str, str]) -> list[Path]:
    """The files of *sources*: files as given, folders searched for files of known *suffixes*."""
    given = [Path(sources)] if isinstance(sources, str | Path) else [Path(s) for s in sources]
    paths: list[Path] = []
    unknown = [str(p) for p in given if not p.exists() and p.suffix.lower() not in suffixes]
    if unknown:  # a missing file of a known kind is reported with the file, like any unreadable one
        raise LakeError(f"No such file or folder: {', '.join(unknown)}.")
    for path in given:
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
        else:
            paths.append(path)
    if not paths:
        folders = [str(p) for p in given if p.is_dir()]
        where = f" (no files ending {', '.join(suffixes)} in {', '.join(folders)})" if folders else ""
        raise LakeError(f"No files to ingest were given{where}.")
    return paths


def _refuse_table_files(sources: Path | str | Iterable[Path | str], fmt: str | None) -> None:
    """Raise `TableNeededError` for a file of table rows (CSV, Parquet) given without a table.

    A folder that holds such files but no Windows event files counts as one.
    """
    from huntbook.data.lake.ingest import SUFFIXES
    from huntbook.data.lake.winfiles import EVENT_SUFFIXES

    names = {"csv": "CSV", "parquet": "Parquet"}
    given = [Path(sources)] if isinstance(sources, str | Path) else [Path(s) for s in sources]
    for path in given:
        if path.is_dir():
            files = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES]
            if files and not any(p.suffix.lower() in EVENT_SUFFIXES for p in files):
                raise TableNeededError(names[SUFFIXES[files[0].suffix.lower()]], path=str(files[0]))
            continue
        kind = fmt or SUFFIXES.get(path.suffix.lower())
        if kind in names and (fmt is not None or path.suffix.lower() not in EVENT_SUFFIXES):
            raise TableNeededError(names[kind], path=str(path))


def _read_new(
    paths: list[Path],
    seen: set[str],
    read: Callable[..., _T],
    reports: list[IngestReport],
    collect: bool,
    progress: bool,
    description: str,
) -> Iterator[tuple[Path, str, _T]]:
    """Yield (path, digest, what *read* made of it) for each file whose content is not in *seen*.

    A file seen before is added to *reports* as skipped, and a file *read*
    rejects with its error when *collect* (else the error is raised), in
    order: the caller adds the report of each file yielded before the next.
    """
    from huntbook.data.lake.winfiles import digest_of

    with _file_progress(len(paths), progress, description) as advance:
        for path in paths:
            try:
                digest = digest_of(path)
                if digest in seen:
                    reports.append(IngestReport(str(path), {}, skipped=True))
                    continue
                result = read(path)
            except IngestError as exc:
                if not collect:
                    raise
                reports.append(IngestReport(str(path), {}, error=exc))
                continue
            finally:
                advance(1)
            seen.add(digest)
            yield path, digest, result


def _check_types(types: dict[str, tuple[object, str]], part: pa.Table, path: Path) -> None:
    """Refuse a part whose column types clash with *types*; else add its columns to *types*."""
    clash = next(
        (f for f in part.schema if f.type != "null" and types.get(f.name, (f.type,))[0] != f.type), None
    )
    if clash is not None:
        raise IngestError(
            f"values are {clash.type}, but the table already holds this column as "
            f"{types[clash.name][0]} (from {types[clash.name][1]})",
            path=str(path),
            column=clash.name,
        )
    for fld in part.schema:
        if fld.type != "null":
            types.setdefault(fld.name, (fld.type, str(path)))


@contextlib.contextmanager
def _file_progress(total: int, show: bool, description: str) -> Iterator[Callable[[int], None]]:
    """A function that advances a progress bar over *total* files by its argument.

    The bar appears at the first advance, so that no thread runs before then
    (`event_files` forks its workers only while this process has no other thread).
    """
    if not show or total < 2:
        yield lambda _: None
        return
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task(description, total=total)

    def advance(files: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.advance(task, files)

    try:
        yield advance
    finally:
        bar.stop()


def _utc(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    raise LakeError(f"time column statistics are not datetimes: {value!r}")


def _generator_version() -> str:
    """A short hash of the generator's source: a changed generator makes a new demo lake."""
    folder = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*demo*.py"), folder / "schemas.py"]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _cache_dir() -> str:
    from platformdirs import user_cache_dir

    return user_cache_dir("huntbook")
