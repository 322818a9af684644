"""The tor TI provider: Tor exit lists in the exit-addresses format and as a bulk list."""

from __future__ import annotations

import pytest

from huntbook.config import Settings
from huntbook.enrich.ti import ProviderError, TILookup
from huntbook.enrich.ti.providers.local.index import FeedError
from huntbook.enrich.ti.providers.local.tor import TorExitNodes

EXIT_ADDRESSES = """\
ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E
Published 2026-11-27 09:32:11
LastStatus 2026-11-28 11:00:00
ExitAddress 162.247.74.201 2026-11-28 11:06:21
ExitNode 0111BA9B604669E636FFD5B503F382A4B7AD6E80
Published 2026-11-27 20:01:02
LastStatus 2026-11-28 12:00:00
ExitAddress 176.10.99.200 2026-11-28 12:03:39
ExitAddress 2a0b:f4c2::21 2026-11-28 12:03:39
"""


def lookup(provider, values):
    return TILookup([provider], settings=Settings(), cache=False, progress=False).lookup(values)


def test_exit_addresses_format(tmp_path):
    path = tmp_path / "exit-addresses"
    path.write_text(EXIT_ADDRESSES)
    frame = lookup(TorExitNodes(path=path), ["176.10.99.200", "2a0b:f4c2:0::21", "8.8.8.8", "evil-site.com"])
    found = {r["observable"]: r for r in frame.to_dict("records")}
    hit = found["176.10.99.200"]
    assert (hit["verdict"], hit["severity"]) == ("suspicious", "low")
    assert hit["details"]["fingerprint"] == "0111BA9B604669E636FFD5B503F382A4B7AD6E80"
    assert hit["details"]["exit_seen"] == "2026-11-28 12:03:39"
    assert hit["reference"] == "https://metrics.torproject.org/rs.html#search/176.10.99.200"
    assert found["2a0b:f4c2:0::21"]["status"] == "ok"  # IPv6 compared as addresses
    assert found["8.8.8.8"]["status"] == "not_found"
    assert "evil-site.com" not in {
        r["observable"] for r in frame[frame["provider"] == "tor"].to_dict("records")
    }


def test_bulk_list_format(tmp_path):
    path = tmp_path / "torbulkexitlist"
    path.write_text("162.247.74.201\n176.10.99.200\n")
    assert (
        lookup(TorExitNodes(path=path), "162.247.74.201").loc[0, "summary"]
        == "Tor exit node (torbulkexitlist)"
    )


def test_a_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "exits"
    path.write_text("162.247.74.201\nExitAddress not-an-ip 2026\n")
    with pytest.raises(FeedError, match=r"exits, line 2: 'not-an-ip' is not an IP address"):
        TorExitNodes(path=path).lookup_batch([("1.2.3.4", "ipv4")])


def test_tor_needs_a_path():
    with pytest.raises(ProviderError, match=r"set providers\.tor\.path"):
        TorExitNodes()
