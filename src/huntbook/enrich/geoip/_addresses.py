"""Turn loose IP-address input into numbers, one batch at a time.

Addresses are parsed with the C ``inet_pton`` (strict dotted-quad for IPv4, so
``"1.2"`` or ``"010.1.1.1"`` are rejected instead of silently meaning something
else) and held as two unsigned 64-bit halves, so IPv4 and IPv6 share one sorted
key space: an IPv4 address ``a`` is ``(0, a)``, an IPv6 address ``(hi, lo)``.
IPv4-mapped IPv6 addresses (``::ffff:1.2.3.4``) are looked up as the IPv4
address they carry.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Longer strings are not parsed at all (the longest IPv6 text with a zone is < 64).
MAX_ADDRESS_CHARS = 64

_V4_MAPPED_HI = 0
_V4_MAPPED_LO_PREFIX = 0xFFFF_0000_0000


@dataclass(frozen=True)
class ParsedAddresses:
    """A batch of parsed addresses.

    Attributes
    ----------
    version : ndarray of int8
        4, 6, or 0 where the input was not an address.
    hi, lo : ndarray of uint64
        The address as two 64-bit halves (IPv4: ``hi == 0``, ``lo`` the address).
    problem : list of str
        Why an input is not an address ("" where it is one).
    """

    version: npt.NDArray[np.int8]
    hi: npt.NDArray[np.uint64]
    lo: npt.NDArray[np.uint64]
    problem: list[str]


def _parse_one(value: object) -> tuple[int, int, int, str]:
    if not isinstance(value, str):
        if value is None or (isinstance(value, float) and value != value) or type(value).__name__ in (
                "NAType", "NaTType"):
            return 0, 0, 0, "invalid: empty"
        return 0, 0, 0, f"invalid: not text ({type(value).__name__})"
    text = value.strip()
    if not text:
        return 0, 0, 0, "invalid: empty"
    if len(text) > MAX_ADDRESS_CHARS:
        return 0, 0, 0, f"invalid: too long for an IP address ({len(text)} characters)"
    try:
        return 4, 0, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big"), ""
    except OSError:
        pass
    except ValueError:  # embedded NUL
        return 0, 0, 0, "invalid: not an IP address"
    if "%" in text:  # zone id of a link-local address: fe80::1%eth0
        text = text.split("%", 1)[0]
    try:
        packed = socket.inet_pton(socket.AF_INET6, text)
    except (OSError, ValueError):
        return 0, 0, 0, "invalid: not an IP address"
    hi = int.from_bytes(packed[:8], "big")
    lo = int.from_bytes(packed[8:], "big")
    if hi == _V4_MAPPED_HI and lo >> 32 == 0xFFFF:
        return 4, 0, lo & 0xFFFF_FFFF, ""
    return 6, hi, lo, ""


#: A dotted quad with octets 0-255 and no leading zeros (what ``inet_pton`` accepts); RE2, linear time.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = rf"^(?:{_OCTET}\.){{3}}{_OCTET}$"


def _dotted_quads(values: list[object]) -> npt.NDArray[np.int64]:
    """IPv4 dotted quads as ints, -1 elsewhere: the common case, parsed column-wise by Arrow."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    strings = pa.array([v if type(v) is str else None for v in values], type=pa.string())
    texts = pc.utf8_trim_whitespace(strings)
    match = pc.match_substring_regex(texts, _DOTTED_QUAD).fill_null(False)
    octets = pc.cast(pc.list_flatten(pc.split_pattern(pc.filter(texts, match), ".")), pa.int64())
    quads = octets.to_numpy().reshape(-1, 4)
    out = np.full(len(values), -1, dtype=np.int64)
    numbers = (quads[:, 0] << 24) | (quads[:, 1] << 16) | (quads[:, 2] << 8) | quads[:, 3]
    out[match.to_numpy(zero_copy_only=False)] = numbers
    return out


def parse_addresses(values: list[object]) -> ParsedAddresses:
    """Parse every value; never raises for bad input (see `ParsedAddresses.problem`)."""
    import numpy as np

    n = len(values)
    v4 = _dotted_quads(values)
    version = np.where(v4 >= 0, 4, 0).astype(np.int8)
    hi = np.zeros(n, dtype=np.uint64)
    lo = np.where(v4 >= 0, v4, 0).astype(np.uint64)
    problem = [""] * n
    for i in np.flatnonzero(v4 < 0).tolist():
        ver, h, lw, why = _parse_one(values[i])
        version[i], hi[i], lo[i], problem[i] = ver, h, lw, why
    return ParsedAddresses(version=version, hi=hi, lo=lo, problem=problem)


def format_address(version: int, hi: int, lo: int) -> str:
    """Return the canonical text of an address held as two halves."""
    if version == 4:
        return socket.inet_ntop(socket.AF_INET, int(lo).to_bytes(4, "big"))
    return socket.inet_ntop(socket.AF_INET6, int(hi).to_bytes(8, "big") + int(lo).to_bytes(8, "big"))
