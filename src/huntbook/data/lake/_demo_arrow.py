"""Vectorised building blocks for the demo-data generator.

Times are ``int64`` microseconds since the Unix epoch (UTC) until a table is
built; strings are assembled with Arrow compute kernels, never row by row.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from huntbook.data.lake.schemas import TABLES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
BOOL = npt.NDArray[np.bool_]

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 24 * HOUR_US
TS = pa.timestamp("us", tz="UTC")

# Relative activity per hour of day (UTC = office time; the office is in London).
_OFFICE = np.array(
    [
        0.02,
        0.01,
        0.01,
        0.01,
        0.01,
        0.02,
        0.05,
        0.25,
        0.80,
        1.00,
        1.00,
        0.95,
        0.65,
        0.90,
        1.00,
        0.95,
        0.85,
        0.60,
        0.30,
        0.15,
        0.10,
        0.07,
        0.05,
        0.03,
    ]
)
_WEEKEND = np.array(
    [
        0.02,
        0.01,
        0.01,
        0.01,
        0.01,
        0.01,
        0.02,
        0.03,
        0.05,
        0.08,
        0.10,
        0.10,
        0.10,
        0.10,
        0.10,
        0.09,
        0.08,
        0.08,
        0.08,
        0.07,
        0.06,
        0.05,
        0.04,
        0.03,
    ]
)
WEEKEND_FACTOR = float(_WEEKEND.sum() / _OFFICE.sum())
"""How much busier a weekday is than a weekend day for office-hours activity."""


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """Return an independent random stream for ``(seed, *keys)``."""
    return np.random.default_rng([seed, *keys])


def office_profile(weekend: bool) -> F64:
    """Return the 24 hourly weights of office-driven activity (sum 1)."""
    w = _WEEKEND if weekend else _OFFICE
    return np.asarray(w / w.sum(), dtype=np.float64)


def flat_profile() -> F64:
    """Return 24 equal hourly weights (machine-driven activity)."""
    return np.full(24, 1 / 24)


def sample_times(rng: np.random.Generator, day_start: int, n: int, hourly: F64) -> I64:
    """Return *n* microsecond timestamps in the day from *day_start*, by hourly weights."""
    hours = rng.choice(24, size=n, p=hourly).astype(np.int64)
    return day_start + hours * HOUR_US + rng.integers(0, HOUR_US, size=n, dtype=np.int64)


def count(rng: np.random.Generator, mean: float) -> int:
    """Return a Poisson count with *mean* (0 for a non-positive mean)."""
    return int(rng.poisson(mean)) if mean > 0 else 0


def pick(rng: np.random.Generator, weights: F64, n: int) -> I64:
    """Return *n* indexes drawn by *weights* (need not sum to 1)."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def ports(rng: np.random.Generator, n: int) -> I64:
    """Return *n* ephemeral client ports."""
    return rng.integers(49152, 65535, size=n, dtype=np.int64)


def pids(rng: np.random.Generator, n: int) -> I64:
    """Return *n* Windows-like process ids (multiples of 4)."""
    return rng.integers(0x40, 0x3000, size=n, dtype=np.int64) * 4


def lognormal_bytes(rng: np.random.Generator, n: int, median: float, sigma: float) -> I64:
    """Return *n* byte counts around *median*."""
    return np.maximum(40, rng.lognormal(np.log(median), sigma, size=n)).astype(np.int64)


# --- strings ---------------------------------------------------------------------------


def join(*parts: Any) -> pa.Array:
    """Concatenate arrays and scalars element-wise."""
    return pc.binary_join_element_wise(*parts, "")


def to_str(values: npt.NDArray[Any]) -> pa.Array:
    """Return integers as decimal strings."""
    return pa.array(values).cast(pa.string())


@cache
def _hex_table() -> pa.Array:
    return pa.array([f"0x{i:x}" for i in range(1 << 16)])


@cache
def _hex_pad4() -> pa.Array:
    return pa.array([f"{i:04x}" for i in range(1 << 16)])


def hex_str(values: I64) -> pa.Array:
    """Return non-negative integers (< 2**32) as Sentinel-style hex ids (``0x1a2c``)."""
    v = np.asarray(values, dtype=np.int64)
    hi, lo = v >> 16, v & 0xFFFF
    small = _hex_table().take(lo)
    if not (hi > 0).any():
        return small
    large = join(_hex_table().take(hi), _hex_pad4().take(lo))
    return pc.if_else(pa.array(hi > 0), large, small)


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def fixed_width_strings(chars: npt.NDArray[np.uint8]) -> pa.Array:
    """Return an Arrow string array from an ``(n, width)`` array of ASCII codes."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def random_hex(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """Return *n* random lowercase hex strings of *width* digits."""
    nibbles = rng.integers(0, 16, size=(n, width), dtype=np.uint8)
    return fixed_width_strings(_HEX_DIGITS[nibbles])


def uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """Return *n* random version-4 UUID strings."""
    nib = rng.integers(0, 16, size=(n, 32), dtype=np.uint8)
    nib[:, 12] = 4
    nib[:, 16] = 8 + (nib[:, 16] & 3)
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    cols = [i for i in range(36) if i not in (8, 13, 18, 23)]
    out[:, cols] = _HEX_DIGITS[nib]
    return fixed_width_strings(out)


def digests(text: str) -> tuple[str, str, str]:
    """Return genuine ``(md5, sha1, sha256)`` hex digests of *text*'s UTF-8 bytes."""
    data = text.encode()
    return (
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )


def stable_uuid(text: str) -> str:
    """Return a UUID-shaped string derived from *text* (stable across runs)."""
    h = hashlib.md5(text.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


class Combos:
    """Weighted combinations of column values that background rows are drawn from.

    Built once per generation from a few thousand row dicts; each day draws
    indexes by weight and takes whole rows at once.
    """

    def __init__(self, rows: Sequence[Mapping[str, Any]], weights: Sequence[float]) -> None:
        if not rows:
            raise ValueError("no combinations")
        self.table = pa.Table.from_pylist(list(rows))
        w = np.asarray(weights, dtype=np.float64)
        self.p = w / w.sum()

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def draw(self, rng: np.random.Generator, n: int) -> pa.Table:
        """Return *n* rows drawn by weight."""
        idx = rng.choice(len(self.p), size=n, p=self.p)
        return self.table.take(pa.array(idx, type=pa.int64()))


def concat(tables: Sequence[pa.Table]) -> pa.Table:
    """Concatenate tables whose columns may be all-null in some of them."""
    return pa.concat_tables(tables, promote_options="default")


def ints(table: pa.Table, column: str) -> I64:
    """Return an integer column of *table* as an ``int64`` numpy array."""
    return np.asarray(table[column].to_numpy(), dtype=np.int64)


def flags(table: pa.Table, column: str) -> BOOL:
    """Return a boolean column of *table* as a numpy array."""
    return np.asarray(table[column].to_numpy(), dtype=np.bool_)


# --- tables ----------------------------------------------------------------------------


def build_table(name: str, n: int, columns: Mapping[str, Any]) -> pa.Table:
    """Build *n* rows of table *name* with exactly its declared schema.

    *columns* maps column names to Arrow arrays, numpy arrays (``int64``
    microseconds for ``datetime`` columns) or scalars (repeated); columns not
    given are null. An unknown column name is an error, to catch typos.
    """
    schema = TABLES[name].arrow_schema()
    unknown = set(columns) - set(schema.names)
    if unknown:
        raise ValueError(f"{name}: unknown columns {sorted(unknown)}")
    arrays = []
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            arrays.append(pa.nulls(n, field.type))
        elif isinstance(value, pa.Array | pa.ChunkedArray):
            arrays.append(value if value.type == field.type else value.cast(field.type))
        elif isinstance(value, np.ndarray):
            arrays.append(pa.array(value, type=field.type))
        else:
            arrays.append(pa.repeat(pa.scalar(value, type=field.type), n))
    return pa.Table.from_arrays(arrays, schema=schema)


def rows_table(name: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Build table *name* from row dicts (missing keys are null)."""
    schema = TABLES[name].arrow_schema()
    for row in rows:
        unknown = set(row) - set(schema.names)
        if unknown:
            raise ValueError(f"{name}: unknown columns {sorted(unknown)}")
    return pa.Table.from_pylist(list(rows), schema=schema)


def sort_by_time(table: pa.Table, column: str) -> pa.Table:
    """Return *table* sorted by its time *column* (stable)."""
    if table.num_rows < 2:
        return table
    return table.take(pc.sort_indices(table, sort_keys=[(column, "ascending")]))
