"""Defanged indicators are re-fanged, URL escapes decoded once; offsets point into the original text."""

from __future__ import annotations

import pytest

from huntbook.analysis.iocs import extract_iocs


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("hxxp://evil[.]com/a", "url", "http://evil.com/a"),
        ("hXXps://sub.example[dot]com/x", "url", "https://sub.example.com/x"),
        ("fxp://files[.]example.com/", "url", "ftp://files.example.com/"),
        ("hxxp[:]//evil[.]com", "url", "http://evil.com"),
        ("beacon 1.2.3[.]4 now", "ipv4", "1.2.3.4"),
        ("1(.)1(.)1(.)1", "ipv4", "1.1.1.1"),
        ("evil[.]com", "domain", "evil.com"),
        ("user[@]evil[.]com", "email", "user@evil.com"),
        ("user [at] example.com", "email", "user@example.com"),
        ("myuser at example[dot]com", "email", "myuser@example.com"),
        ("%2Ffreasdfuewriter.com", "domain", "freasdfuewriter.com"),
    ],
)
def test_refang(text: str, kind: str, expected: str) -> None:
    frame = extract_iocs(text, types=[kind])
    assert frame["observable"].tolist() == [expected]
    row = frame.iloc[0]
    assert text[row["start"] : row["end"]] == row["original"]


def test_plain_at_is_no_email() -> None:
    assert extract_iocs("meet me at example.com", types=["email"]).empty


def test_url_encoded_text_is_searched_once_decoded() -> None:
    text = "GET /redirect?to=http%3A%2F%2Fevil.example.com%2Fpayload HTTP/1.1"
    frame = extract_iocs(text, types=["url"])
    assert frame["observable"].tolist() == ["http://evil.example.com/payload"]
    assert frame.iloc[0]["original"] == "http%3A%2F%2Fevil.example.com%2Fpayload"


def test_encoded_url_keeps_its_escapes() -> None:
    text = "https://example.com/test%20page/foo.com/bingo.php?q=bar.com"
    frame = extract_iocs(text)
    assert frame["observable"].tolist() == [text]


def test_offsets_in_non_ascii_text() -> None:
    text = "Zählung für 10.0.0.1 — ünd evil[.]com ✓"
    frame = extract_iocs(text)
    for row in frame.itertuples():
        assert text[row.start : row.end] == row.original
    assert frame["observable"].tolist() == ["10.0.0.1", "evil.com"]


def test_refang_off_keeps_text_as_is() -> None:
    assert extract_iocs("evil[.]com", refang=False).empty
