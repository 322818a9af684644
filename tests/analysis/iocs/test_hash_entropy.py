"""Hex runs too uniform to be digests (base64 padding, placeholders, hex dumps) are no hashes."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from huntbook.analysis.iocs import extract_iocs
from huntbook.analysis.iocs.validators import MIN_HASH_ENTROPY, hex_entropy

HASHES = ["md5", "sha1", "sha256"]
HASH_SHAPED = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})(?![0-9A-Za-z_])"
)


def test_base64_of_a_real_evtx_file_yields_no_hashes(shared_data: Path) -> None:
    data = (shared_data / "evtx" / "Discovery" / "discovery_bloodhound.evtx").read_bytes()
    text = base64.encodebytes(data).decode()  # 76 columns, as base64(1) writes it
    shaped = HASH_SHAPED.findall(text)
    assert len(shaped) >= 10  # runs of A (zero bytes) between '/' and '+' look like whole hashes
    assert extract_iocs(text, types=HASHES).empty


@pytest.mark.parametrize(
    "junk",
    [
        "A" * 32,
        "a" * 40,
        "0" * 64,
        "F" * 64,
        "deadbeef" * 4,
        "0100000000000000e8030000000000000000000000000000ff00000000000000",  # a hex dump of a struct
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_low_entropy_runs_are_no_hashes(junk: str) -> None:
    assert extract_iocs(f"Hashes=MD5={junk} x/{junk}+y", types=HASHES).empty


def test_every_real_digest_is_kept() -> None:
    digests = [
        getattr(hashlib, kind)(str(i).encode()).hexdigest() for i in range(3000) for kind in HASHES
    ]
    frame = extract_iocs(" ".join(digests), types=HASHES)
    assert frame["observable"].tolist() == digests
    lowest = {n: min(hex_entropy(d) for d in digests if len(d) == n) for n in (32, 40, 64)}
    assert all(lowest[n] > MIN_HASH_ENTROPY[n] + 0.2 for n in lowest), lowest  # a wide margin


def test_sysmon_hashes_field() -> None:
    text = (
        "Hashes: MD5=00000000000000000000000000000000,SHA256=0000000000000000000000000000000000000000"
        "000000000000000000000000,IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744"
    )
    assert extract_iocs(text, types=HASHES)["observable"].tolist() == ["f34d5f2d4577ed6d9ceec516c1f5a744"]


def test_entropy_of_runs() -> None:
    assert hex_entropy("a" * 32) == 0
    assert hex_entropy("01" * 16) == 1
    assert hex_entropy("0123456789abcdef" * 2) == 4
