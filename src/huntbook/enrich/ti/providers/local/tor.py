"""The ``tor`` TI provider: is an address a Tor exit node, by a local list file.

Reads the Tor Project's ``exit-addresses`` format (``ExitNode`` /
``Published`` / ``LastStatus`` / ``ExitAddress`` lines, from
https://check.torproject.org/exit-addresses) or its bulk list (one address per
line, https://check.torproject.org/torbulkexitlist)::

    providers:
      tor:
        path: ~/intel/exit-addresses.txt
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from huntbook.enrich.ti.local import LocalProvider, LocalResult
from huntbook.enrich.ti.provider import ProviderError
from huntbook.enrich.ti.providers.local.index import Entry, FeedError, Index, WatchedIndex

METRICS_URL = "https://metrics.torproject.org/rs.html#search/{address}"


def read_exit_list(path: Path) -> list[Entry]:
    """Read a Tor exit list file (either format) into entries."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedError(f"cannot be read: {exc}", path=str(path)) from None
    entries: list[Entry] = []
    node: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        keyword = words[0]
        if keyword == "ExitNode":
            node = {"fingerprint": words[1] if len(words) > 1 else ""}
        elif keyword in ("Published", "LastStatus"):
            node[keyword.lower() if keyword == "Published" else "last_status"] = " ".join(words[1:])
        elif keyword == "ExitAddress":
            if len(words) < 2:
                raise FeedError("ExitAddress without an address", path=str(path), line=number)
            entries.append(_entry(words[1], path, number, {**node, "exit_seen": " ".join(words[2:]) or None}))
        elif len(words) == 1:
            entries.append(_entry(keyword, path, number, {}))
        else:
            raise FeedError(
                f"unexpected line {line[:60]!r}: not the exit-addresses format nor a plain address list",
                path=str(path),
                line=number,
            )
    return entries


def _entry(text: str, path: Path, line: int, details: dict[str, Any]) -> Entry:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise FeedError(f"{text[:60]!r} is not an IP address", path=str(path), line=line) from None
    kind = f"ipv{address.version}"
    fingerprint = details.get("fingerprint")
    summary = "Tor exit node" + (f" {fingerprint[:8]}" if fingerprint else "") + f" ({path.name})"
    return Entry(
        str(address),
        kind,
        path.name,
        "suspicious",
        "low",
        summary,
        METRICS_URL.format(address=address),
        {"tor_exit": True, **{k: v for k, v in details.items() if v}, "file": path.name},
    )


class TorExitNodes(LocalProvider):
    """Tor exit node addresses from a local list (option ``path``)."""

    name: ClassVar[str] = "tor"
    types: ClassVar[frozenset[str]] = frozenset({"ipv4", "ipv6"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        path = self.options.get("path")
        if not isinstance(path, str | Path) or not str(path):
            raise ProviderError(
                "tor: set providers.tor.path in huntbook.yaml to a Tor exit list file "
                "(https://check.torproject.org/exit-addresses)",
                provider=self.name,
            )
        self._index = WatchedIndex([path], self._build, "Tor exit list")

    def __repr__(self) -> str:
        return f"TorExitNodes({self._index.patterns[0]!r})"

    @staticmethod
    def _build(files: list[Path]) -> Index:
        return Index(e for path in files for e in read_exit_list(path))

    def lookup_batch(self, items: Sequence[tuple[str, str]]) -> list[LocalResult]:
        index = self._index.current()
        return [index.answer(observable, kind) for observable, kind in items]
