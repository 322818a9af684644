"""Where a lake keeps its tables on disk, and how a table is written safely.

A table is a folder ``<lake>/<Table>/`` of Parquet parts (``part-*.parquet``),
or a single ``<lake>/<Table>.parquet`` file. Parts are written under a
temporary name and renamed into place, so a reader never sees half a file
and a failed write leaves the lake as it was.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from huntbook.errors import LakeError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pyarrow as pa

_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
PART_GLOB = "part-*.parquet"


def check_table_name(name: str) -> str:
    """Return *name* if it is a valid table name, else raise `LakeError`."""
    if not _TABLE_NAME.match(name):
        raise LakeError(
            f"Invalid table name {name!r}: use letters, digits and '_' "
            "(starting with a letter or '_'), e.g. 'SecurityEvent' or 'MyLogs_CL'."
        )
    return name


def table_files(lake: Path, name: str) -> list[Path]:
    """Return the Parquet files that hold table *name* (empty if it does not exist)."""
    single = lake / f"{name}.parquet"
    files = sorted((lake / name).glob(PART_GLOB)) if (lake / name).is_dir() else []
    if single.is_file():
        files.insert(0, single)
    return files


def list_tables(lake: Path) -> list[str]:
    """Return the names of the tables stored in *lake*, sorted."""
    if not lake.is_dir():
        return []
    names = {p.stem for p in lake.glob("*.parquet") if _TABLE_NAME.match(p.stem)}
    names |= {
        p.name for p in lake.iterdir() if p.is_dir() and _TABLE_NAME.match(p.name) and any(p.glob(PART_GLOB))
    }
    return sorted(names)


def write_part(lake: Path, name: str, table: pa.Table, *, row_group_size: int = 1_000_000) -> Path:
    """Write *table* as a new part of table *name*, atomically.

    Parameters
    ----------
    lake : Path
        The lake folder (created if missing).
    name : str
        Table name.
    table : pyarrow.Table
        The rows to add.
    row_group_size : int
        Rows per Parquet row group.

    Returns
    -------
    Path
        The part file written.
    """
    return write_parts(lake, {name: table}, row_group_size=row_group_size)[0]


def write_parts(lake: Path, parts: Mapping[str, pa.Table], *, row_group_size: int = 1_000_000) -> list[Path]:
    """Write one new part for each table of *parts* (name to rows), all or none.

    Every part is written under a temporary name first and renamed into
    place only when all are complete.
    """
    import pyarrow.parquet as pq

    moves: list[tuple[Path, Path]] = []
    try:
        for name, table in parts.items():
            folder = lake / check_table_name(name)
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"part-{uuid.uuid4().hex[:16]}.parquet"
            moves.append((folder / f".{final.name}.tmp", final))
            pq.write_table(table, moves[-1][0], compression=_codec(table), row_group_size=row_group_size)
        for tmp, final in moves:
            os.replace(tmp, final)
    except BaseException:
        for tmp, _ in moves:
            tmp.unlink(missing_ok=True)
        raise
    return [final for _, final in moves]


SMALL_PART_ROWS = 10_000
"""Parts with fewer rows are written with Snappy, larger ones with zstd."""


def _codec(table: pa.Table) -> str:
    """The Parquet compression for *table*: zstd (smaller files), or Snappy for a small part.

    A small part is mostly fixed cost per column, which Snappy cuts by a third; its files are about a
    quarter larger, which at that size is a few kilobytes.
    """
    return "snappy" if table.num_rows < SMALL_PART_ROWS else "zstd"


def replace_table(lake: Path, name: str, table: pa.Table) -> Path:
    """Replace every part of table *name* with *table*, atomically per file.

    The new part is in place before the old parts are removed, so a crash
    part-way leaves the old rows (and possibly the new ones), never neither.
    """
    old = table_files(lake, name)
    new = write_part(lake, name, table)
    for path in old:
        path.unlink(missing_ok=True)
    return new
