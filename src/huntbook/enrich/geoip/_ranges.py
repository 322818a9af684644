"""A sorted table of address ranges with a vectorized "which range holds this address?".

IPv4 ranges are searched as unsigned 64-bit numbers, IPv6 ranges as 16-byte
big-endian keys (NumPy compares fixed-width bytes lexicographically, which is
numeric order for equal-length big-endian numbers). One `numpy.searchsorted`
per family answers a whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from huntbook.enrich.geoip._addresses import ParsedAddresses


def v6_keys(hi: npt.NDArray[np.uint64], lo: npt.NDArray[np.uint64]) -> npt.NDArray[np.bytes_]:
    """Return 16-byte big-endian sort keys for IPv6 halves."""
    import numpy as np

    pair = np.empty((len(hi), 2), dtype=">u8")
    pair[:, 0] = hi
    pair[:, 1] = lo
    return pair.view("S16").ravel()


def int_keys(values: Sequence[int]) -> npt.NDArray[np.bytes_]:
    """Return 16-byte big-endian sort keys for IPv6 addresses given as ints."""
    import numpy as np

    return np.frombuffer(b"".join(v.to_bytes(16, "big") for v in values), dtype="S16")


@dataclass(frozen=True)
class RangeTable:
    """Non-overlapping ranges ``[start, end]``, IPv4 rows first, then IPv6 rows.

    `find` returns the row of the range holding each address, or -1. Callers
    keep their per-row values (country, network, ...) in arrays of the same order.
    """

    v4_start: npt.NDArray[np.uint64]
    v4_end: npt.NDArray[np.uint64]
    v6_start: npt.NDArray[np.bytes_]
    v6_end: npt.NDArray[np.bytes_]

    @classmethod
    def from_ranges(cls, v4: Iterable[tuple[int, int]], v6: Iterable[tuple[int, int]]) -> RangeTable:
        """Build from sorted, non-overlapping ``(start, end)`` integer pairs per family."""
        import numpy as np

        v4_rows = list(v4)
        v6_rows = list(v6)
        return cls(
            v4_start=np.array([s for s, _ in v4_rows], dtype=np.uint64),
            v4_end=np.array([e for _, e in v4_rows], dtype=np.uint64),
            v6_start=int_keys([s for s, _ in v6_rows]),
            v6_end=int_keys([e for _, e in v6_rows]),
        )

    @property
    def n_v4(self) -> int:
        """Number of IPv4 rows (IPv6 rows follow them)."""
        return len(self.v4_start)

    def find(self, addresses: ParsedAddresses, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """Return the row holding each address where *mask* is set, else -1."""
        import numpy as np

        rows = np.full(len(addresses.version), -1, dtype=np.int64)
        is4 = mask & (addresses.version == 4)
        if is4.any() and self.n_v4:
            key = addresses.lo[is4]
            pos = np.searchsorted(self.v4_start, key, side="right") - 1
            ok = (pos >= 0) & (key <= self.v4_end[np.maximum(pos, 0)])
            rows[is4] = np.where(ok, pos, -1)
        is6 = mask & (addresses.version == 6)
        if is6.any() and len(self.v6_start):
            key6 = v6_keys(addresses.hi[is6], addresses.lo[is6])
            pos = np.searchsorted(self.v6_start, key6, side="right") - 1
            ok = (pos >= 0) & (key6 <= self.v6_end[np.maximum(pos, 0)])
            rows[is6] = np.where(ok, pos + self.n_v4, -1)
        return rows

    def start_text(self, row: int) -> str:
        """Return the first address of *row* as text."""
        import ipaddress

        if row < self.n_v4:
            return str(ipaddress.IPv4Address(int(self.v4_start[row])))
        return str(ipaddress.IPv6Address(bytes(self.v6_start[row - self.n_v4]).ljust(16, b"\0")))
