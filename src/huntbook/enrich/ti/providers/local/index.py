"""An in-memory index of indicators read from local files, rebuilt when the files change."""

from __future__ import annotations

import glob
import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huntbook.enrich.ti.local import LocalResult
from huntbook.enrich.ti.provider import Assessment, Severity, Verdict
from huntbook.errors import HuntbookError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_RANK: dict[str, int] = {"malicious": 3, "suspicious": 2, "benign": 1, "unknown": 0}
_SEVERITY_RANK: dict[str, int] = {"high": 4, "medium": 3, "low": 2, "info": 1, "none": 0}


class FeedError(HuntbookError):
    """A feed file cannot be read (names the file and, where known, the line)."""

    def __init__(self, message: str, *, path: str, line: int | None = None):
        self.path = path
        self.line = line
        where = path if line is None else f"{path}, line {line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Entry:
    """One indicator of a feed."""

    value: str
    type: str
    source: str
    verdict: Verdict
    severity: Severity
    summary: str
    reference: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def index_key(kind: str, value: str) -> tuple[str, str]:
    """Return the key an indicator is filed under: IPs by address, other types case-folded except URLs."""
    if kind in ("ipv4", "ipv6"):
        try:
            return "ip", str(ipaddress.ip_address(value.strip()))
        except ValueError:
            return "ip", value.strip()
    return kind, value.strip() if kind == "url" else value.strip().lower()


def severity_of_confidence(confidence: float | None, default: Severity = "medium") -> Severity:
    """Map a 0-100 confidence to a severity (``default`` when there is none)."""
    if confidence is None:
        return default
    if confidence >= 75:
        return "high"
    if confidence >= 50:
        return "medium"
    return "low"


class Index:
    """Entries by `index_key`, plus IP networks (CIDR entries) for address look-ups."""

    def __init__(self, entries: Iterable[Entry] = ()):
        self.exact: dict[tuple[str, str], list[Entry]] = {}
        self.networks: list[tuple[IPNetwork, Entry]] = []
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return sum(len(v) for v in self.exact.values()) + len(self.networks)

    def add(self, entry: Entry) -> None:
        if entry.type in ("ipv4", "ipv6") and "/" in entry.value:
            network = ipaddress.ip_network(entry.value.strip(), strict=False)
            if network.num_addresses > 1:
                self.networks.append((network, entry))
                return
            entry = Entry(**{**entry.__dict__, "value": str(network.network_address)})
        self.exact.setdefault(index_key(entry.type, entry.value), []).append(entry)

    def find(self, observable: str, kind: str) -> list[Entry]:
        found = list(self.exact.get(index_key(kind, observable), []))
        if kind in ("ipv4", "ipv6") and self.networks:
            try:
                address: IPAddress = ipaddress.ip_address(observable.strip())
            except ValueError:
                return found
            found += [e for net, e in self.networks if net.version == address.version and address in net]
        return found

    def answer(self, observable: str, kind: str) -> LocalResult:
        """Combine the entries matching *observable* into one `LocalResult` (the worst verdict wins)."""
        matches = self.find(observable, kind)
        if not matches:
            return LocalResult(None)
        best = max(matches, key=lambda e: (_RANK[e.verdict], _SEVERITY_RANK[e.severity]))
        sources = sorted({e.source for e in matches})
        summary = best.summary + (f" (+{len(matches) - 1} more)" if len(matches) > 1 else "")
        details = {**best.details, "sources": sources, "matches": len(matches)}
        raw = [{"value": e.value, "source": e.source, **e.details} for e in matches]
        return LocalResult(Assessment(best.verdict, best.severity, summary, best.reference, details), raw)


class WatchedIndex:
    """An `Index` built from files by *build*, rebuilt when a file appears, changes or goes."""

    def __init__(self, patterns: Sequence[str | Path], build: Callable[[list[Path]], Index], what: str):
        self.patterns = [str(p) for p in patterns]
        self.build = build
        self.what = what
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._index = Index()

    def files(self) -> list[Path]:
        """Return the files the patterns name now (a pattern matching nothing is an error)."""
        found: list[Path] = []
        for pattern in self.patterns:
            expanded = str(Path(pattern).expanduser())
            matches = sorted(glob.glob(expanded)) if glob.has_magic(expanded) else [expanded]
            if not matches or not all(Path(m).is_file() for m in matches):
                missing = next((m for m in matches if not Path(m).is_file()), expanded)
                raise FeedError(f"no such {self.what} file; fix the path in huntbook.yaml", path=missing)
            found += [Path(m) for m in matches]
        return found

    def current(self) -> Index:
        """Return the index, rebuilt first if the files changed since the last call."""
        files = self.files()
        signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        if signature != self._signature:
            self._index = self.build(files)
            self._signature = signature
        return self._index
