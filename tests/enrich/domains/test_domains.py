"""domain_parts / url_parts: offline public-suffix splitting, IDN, hostile input."""

from __future__ import annotations

import socket

import pytest

from huntbook.enrich.domains import DOMAIN_COLUMNS, URL_COLUMNS, domain_parts, normalize_domain, url_parts


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any connection attempt: the suffix list must come from the bundled snapshot."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_registered_domain_and_suffix_offline(no_network):
    frame = domain_parts(
        [
            "www.Example.co.uk.",
            "a.b.c.example.com",
            "foo.github.io",
            "example.com.au",
            "localhost",
            "corp.internal",
        ]
    )
    assert list(frame.columns) == list(DOMAIN_COLUMNS)
    assert frame["registered_domain"].tolist() == [
        "example.co.uk",
        "example.com",
        "github.io",
        "example.com.au",
        "",
        "",
    ]
    assert frame["suffix"].tolist()[:4] == ["co.uk", "com", "io", "com.au"]
    assert frame["subdomain"].tolist()[:2] == ["www", "a.b.c"]
    assert frame["status"].tolist() == ["ok"] * 4 + ["no public suffix"] * 2


def test_idn_and_punycode():
    frame = domain_parts(["BÜCHER.de", "xn--bcher-kva.de", "пример.рф", "xn--zz.com", "☃.net"])
    assert frame["domain"].tolist()[:3] == ["xn--bcher-kva.de", "xn--bcher-kva.de", "xn--e1afmkfd.xn--p1ai"]
    assert frame["unicode"].tolist()[:3] == ["bücher.de", "bücher.de", "пример.рф"]
    assert frame["registered_domain"][2] == "xn--e1afmkfd.xn--p1ai"
    assert frame["status"][3].startswith("invalid: bad punycode label")
    assert frame["status"][4].startswith("invalid: not a valid internationalised name")


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, "invalid: empty"),
        ("", "invalid: empty"),
        ("a..b", "invalid: empty label"),
        ("-bad-.com", "invalid: label '-bad-' is not a valid DNS label"),
        ("a" * 64 + ".com", "invalid: label '" + "a" * 64 + "' is not a valid DNS label"),
        ("b" * 80 + ".com", "invalid: label '" + "b" * 67 + "...' is not a valid DNS label"),
        ("x." * 130 + "com", "invalid: longer than 253 characters"),
        ("y" * 1_000_000, "invalid: too long for a domain name (1000000 characters)"),
        ("exa\u0000mple.com", "invalid: label 'exa\\x00mple' is not a valid DNS label"),
        (b"example.com", "invalid: not text (bytes)"),
    ],
)
def test_bad_names_get_a_status(value, status):
    assert normalize_domain(value).problem == status
    assert domain_parts([value])["status"][0] == status


def test_url_parts():
    frame = url_parts(
        [
            "https://user:hunter2@www.Example.com:8443/a/b?x=1#frag",
            "example.org/path",
            "http://[2001:db8::1]:8080/x",
            "http://203.0.113.66/s/upd.ps1",
            "http://bücher.de/",
            "http://host:99999/",
            "http://exa mple.com/",
            "",
            "h" * 10_000,
        ]
    )
    assert list(frame.columns) == list(URL_COLUMNS)
    first = frame.iloc[0]
    assert (
        first["scheme"],
        first["username"],
        first["host"],
        first["port"],
        first["path"],
        first["query"],
        first["fragment"],
        first["registered_domain"],
    ) == ("https", "user", "www.example.com", "8443", "/a/b", "x=1", "frag", "example.com")
    assert first["password"] == "****"
    assert "hunter2" not in frame.drop(columns=["input"]).to_string()
    assert (frame.loc[1, "scheme"], frame.loc[1, "host"], frame.loc[1, "path"]) == (
        "http",
        "example.org",
        "/path",
    )
    assert (frame.loc[2, "host"], frame.loc[2, "port"], frame.loc[2, "registered_domain"]) == (
        "2001:db8::1",
        "8080",
        "",
    )
    assert frame.loc[3, "host"] == "203.0.113.66"
    assert (frame.loc[4, "host"], frame.loc[4, "registered_domain"]) == (
        "xn--bcher-kva.de",
        "xn--bcher-kva.de",
    )
    assert frame.loc[5, "status"].startswith("invalid: not a URL")
    assert frame.loc[6, "status"] == "invalid host: label 'exa mple' is not a valid DNS label"
    assert frame.loc[7, "status"] == "invalid: empty"
    assert frame.loc[8, "status"] == "invalid: too long for a URL (10000 characters)"


def test_pandas_missing_values_and_string_dtypes():
    import pandas as pd

    series = pd.Series(["Example.com", None, pd.NA], dtype="string")
    assert domain_parts(series)["status"].tolist() == ["ok", "invalid: empty", "invalid: empty"]
    assert (
        url_parts(pd.Series([pd.NaT, float("nan")], dtype=object))["status"].tolist()
        == ["invalid: empty"] * 2
    )
