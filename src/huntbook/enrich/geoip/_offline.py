"""Country and AS organisation from the data file the ``geoip2fast`` package ships.

geoip2fast bundles ``geoip2fast-asn-ipv6.dat.gz``, built from MaxMind's GeoLite2
Country and ASN CSVs (CC BY-SA 4.0: "This product includes GeoLite2 data created
by MaxMind, available from https://www.maxmind.com"). It is a gzip'd pickle of
plain lists; it is read with an unpickler that refuses every class, then turned
into NumPy range tables so a batch is answered by two ``searchsorted`` calls
instead of one Python call per address. The file carries AS *organisation names*
and networks, not AS numbers, so ``asn`` stays empty on this source.
"""

from __future__ import annotations

import bisect
import gzip
import io
import pickle
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import TYPE_CHECKING, Any

from huntbook.enrich.geoip._ranges import RangeTable, int_keys
from huntbook.errors import HuntbookError, MissingExtraError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DATA_FILE = "geoip2fast-asn-ipv6.dat.gz"
_V4_TOP = 2**32 - 1
#: geoip2fast's first 16 country entries label reserved blocks, and "99" is "not found".
_FIRST_REAL_COUNTRY = 16
#: Upper bound on the decompressed data file (the shipped one is ~60 MB).
_MAX_DATA_BYTES = 512 * 1024 * 1024


class GeoDataError(HuntbookError):
    """A geo-IP data file could not be read."""


class _ListsOnly(pickle.Unpickler):
    """Unpickle plain lists/dicts/str/int only: any class reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a geo-IP data file")


@dataclass(frozen=True)
class NetworkTable:
    """Range rows with one value index and one prefix length per row (plus a last "none" row)."""

    ranges: RangeTable
    #: Per row: the AS organisation (str) or the country index (int, -1 for none).
    value: npt.NDArray[Any]
    prefixlen: npt.NDArray[np.int16]

    def networks(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
        """Return the CIDR text of each row ("" for -1), formatting each distinct row once."""
        import numpy as np

        out = np.full(len(rows), "", dtype=object)
        hit = rows >= 0
        if not hit.any():
            return out
        unique, inverse = np.unique(rows[hit], return_inverse=True)
        v4 = unique[unique < self.ranges.n_v4]
        texts = _v4_cidrs(self.ranges.v4_start[v4], self.prefixlen[v4])
        lens = self.prefixlen[unique].tolist()
        texts += [f"{self.ranges.start_text(int(r))}/{lens[len(v4) + k]}"
                  for k, r in enumerate(unique[len(v4):].tolist())]
        out[hit] = np.array(texts, dtype=object)[inverse]
        return out


def _v4_cidrs(starts: npt.NDArray[np.uint64], prefixlen: npt.NDArray[np.int16]) -> list[str]:
    """``a.b.c.d/len`` texts, formatted column-wise by Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [pc.cast(pa.array((starts >> shift) & 255), pa.string()) for shift in (24, 16, 8, 0)]
    address = pc.binary_join_element_wise(*parts, ".")
    lengths = pc.cast(pa.array(prefixlen), pa.string())
    cidrs: list[str] = pc.binary_join_element_wise(address, lengths, "/").to_pylist()
    return cidrs


@dataclass(frozen=True)
class OfflineGeoData:
    """Country and AS network tables from geoip2fast's data."""

    source: str
    countries: NetworkTable
    asns: NetworkTable
    #: Per country index (``countries.value``), with a last "none" entry for index -1.
    country_code: npt.NDArray[np.object_]
    country_name: npt.NDArray[np.object_]
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]


def _read_pickle(path: Any) -> Any:
    with path.open("rb") as raw, gzip.GzipFile(fileobj=raw) as unzipped:
        data = unzipped.read(_MAX_DATA_BYTES + 1)
    if len(data) > _MAX_DATA_BYTES:
        raise GeoDataError(f"{path}: larger than {_MAX_DATA_BYTES} bytes once decompressed; not loaded")
    return _ListsOnly(io.BytesIO(data)).load()


def _network_table(chunks_start: list[list[int]], chunks_len: list[list[int]],
                   values: npt.NDArray[Any]) -> NetworkTable:
    import numpy as np

    starts = list(chain.from_iterable(chunks_start))
    lens = np.fromiter(chain.from_iterable(chunks_len), dtype=np.int16, count=len(starts))
    k = bisect.bisect_right(starts, _V4_TOP)
    v4_start = np.array(starts[:k], dtype=np.uint64)
    v4_end = v4_start + (np.uint64(1) << (32 - lens[:k]).astype(np.uint64)) - np.uint64(1)
    v6 = starts[k:]
    v6_end = [s + (1 << (128 - int(n))) - 1 for s, n in zip(v6, lens[k:].tolist(), strict=True)]
    ranges = RangeTable(v4_start=v4_start, v4_end=v4_end, v6_start=int_keys(v6), v6_end=int_keys(v6_end))
    none = np.array([-1 if values.dtype.kind == "i" else ""], dtype=values.dtype)
    return NetworkTable(ranges=ranges, value=np.concatenate([values, none]), prefixlen=np.append(lens, 0))


@lru_cache(maxsize=1)
def load_offline_data() -> OfflineGeoData:
    """Load (once per process) the country/ASN tables from geoip2fast's data file.

    Raises
    ------
    MissingExtraError
        geoip2fast is not installed.
    GeoDataError
        Its data file is missing or not in the expected layout.
    """
    import numpy as np

    try:
        path = resources.files("geoip2fast").joinpath(DATA_FILE)
    except ModuleNotFoundError:
        raise MissingExtraError("geoip2fast", "geo", feature="Offline geo-IP") from None
    try:
        version, info, _total, database = _read_pickle(path)
        (_, _, names_country, names_asn, first_ip, first_ip_asn,
         id_country, id_asn, netlen, netlen_asn) = database
    except (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError) as exc:
        raise GeoDataError(f"geoip2fast data file {path} could not be read: {exc}") from None
    if version not in (120, 121) or not info.get("asn") or not info.get("ipv6"):
        raise GeoDataError(f"geoip2fast data file {path} has an unexpected layout ({version}, {info})")

    from huntbook.enrich.geoip._centroids import country_centroids

    codes = [n.split(":", 1)[0] for n in names_country]
    real = np.array([i >= _FIRST_REAL_COUNTRY and c != "99" for i, c in enumerate(codes)])
    ids = np.fromiter(chain.from_iterable(id_country), dtype=np.int64)
    ids = np.where(real[ids], ids, -1)
    centres = country_centroids()
    none = (np.nan, np.nan)
    orgs = np.array(["", *names_asn[1:]], dtype=object)  # entry 0 is "<unknown>"
    asn_ids = np.fromiter(chain.from_iterable(id_asn), dtype=np.int64)
    return OfflineGeoData(
        source=f"geoip2fast ({info.get('info', 'GeoLite2')})",
        countries=_network_table(first_ip, netlen, ids),
        asns=_network_table(first_ip_asn, netlen_asn, orgs[asn_ids]),
        country_code=np.array([*codes, ""], dtype=object),
        country_name=np.array([*(n.split(":", 1)[1] for n in names_country), ""], dtype=object),
        latitude=np.array([*(centres.get(c, none)[0] for c in codes), np.nan]),
        longitude=np.array([*(centres.get(c, none)[1] for c in codes), np.nan]),
    )
