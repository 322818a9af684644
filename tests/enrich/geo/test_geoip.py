"""geo_lookup on the bundled offline data: classification, lookups, hostile input."""

from __future__ import annotations

import ipaddress

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huntbook.enrich.geoip import GEO_COLUMNS, geo_lookup


@pytest.mark.parametrize(
    ("address", "expected_class"),
    [
        ("10.1.2.3", "private"),
        ("172.31.255.255", "private"),
        ("172.32.0.1", "global"),
        ("192.168.0.1", "private"),
        ("100.64.0.1", "cgnat"),
        ("100.127.255.255", "cgnat"),
        ("127.0.0.1", "loopback"),
        ("169.254.10.10", "link_local"),
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("192.0.2.5", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.66", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "broadcast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "this_network"),
        ("192.0.0.8", "reserved"),
        ("192.0.0.9", "global"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link_local"),
        ("fe80::1%eth0", "link_local"),
        ("fd12:3456::1", "unique_local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("3fff::1", "documentation"),
        ("2001:0:4136:e378::1", "teredo"),
        ("64:ff9b::808:808", "nat64"),
        ("100::1", "discard"),
        ("4000::1", "reserved"),
        ("::ffff:10.0.0.1", "private"),
        ("2606:4700::1111", "global"),
    ],
)
def test_special_ranges_are_classified_and_not_looked_up(address, expected_class):
    row = geo_lookup(address).iloc[0]
    assert row["ip_class"] == expected_class
    if expected_class == "global":
        assert row["status"] in ("ok", "not found")
    else:
        assert row["status"] == f"not looked up ({expected_class})"
        assert row["country_code"] == "" and pd.isna(row["latitude"])


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv4_global_agrees_with_the_standard_library(number):
    address = ipaddress.IPv4Address(number)
    if address in ipaddress.IPv4Network("192.0.0.0/24"):
        return  # the stdlib's list for this block changed between Python patch releases
    stdlib_global = address.is_global and not address.is_multicast
    assert (geo_lookup(str(address)).iloc[0]["ip_class"] == "global") == stdlib_global


def test_known_addresses_are_located_offline():
    frame = geo_lookup(["8.8.8.8", "1.1.1.1", "2a00:1450:4001:830::200e", "52.97.146.162"])
    assert list(frame.columns) == list(GEO_COLUMNS)
    assert frame["status"].tolist() == ["ok"] * 4
    assert frame["country_code"].tolist() == ["US", "AU", "DE", "GB"]
    assert frame.loc[0, "as_org"] == "GOOGLE" and frame.loc[1, "as_org"] == "CLOUDFLARENET"
    assert frame.loc[0, "network"] == "8.8.0.0/15"
    assert frame.loc[2, "ip_version"] == 6
    # country centre points: Germany's is near 51N 10E
    assert frame.loc[2, "latitude"] == pytest.approx(51.17, abs=0.1)
    assert frame.loc[2, "longitude"] == pytest.approx(10.45, abs=0.1)
    assert set(frame["location_precision"]) == {"country"}
    assert frame["source"].str.startswith("geoip2fast (MAXMIND:GeoLite2").all()
    assert frame["asn"].isna().all()  # the offline data has AS names, not numbers


def test_ipv4_mapped_ipv6_is_looked_up_as_ipv4():
    frame = geo_lookup(["::ffff:8.8.8.8", "8.8.8.8"])
    assert frame.loc[0, "ip_version"] == 4
    assert frame.loc[0, "country_code"] == frame.loc[1, "country_code"] == "US"


def test_hostile_input_gives_one_row_each_in_order():
    hostile = [
        "8.8.8.8",
        "x" * 1_000_000,
        "١٢٧.٠.٠.١",  # Arabic-Indic digits
        "1.2.3.4\x00",
        "1.2.3",
        "010.1.1.1",
        "999.1.1.1",
        "",
        "   ",
        None,
        float("nan"),
        12345,
        b"1.1.1.1",
        "xn--80ak6aa92e.com",
        "2001:db8::1::1",
        " 8.8.4.4 ",
    ]
    frame = geo_lookup(hostile)
    assert len(frame) == len(hostile)
    assert frame["ip"].iloc[0] == "8.8.8.8" and frame["ip"].iloc[1] == "x" * 1_000_000
    statuses = frame["status"].tolist()
    assert statuses[0] == "ok" and statuses[-1] == "ok"
    assert statuses[1] == "invalid: too long for an IP address (1000000 characters)"
    for status in statuses[2:7] + statuses[13:15]:
        assert status == "invalid: not an IP address"
    assert statuses[7:11] == ["invalid: empty"] * 4
    assert statuses[11] == "invalid: not text (int)" and statuses[12] == "invalid: not text (bytes)"
    assert (frame["ip_class"].iloc[1:15] == "invalid").all()
    assert frame["ip_version"].iloc[1:15].isna().all()


def test_series_input_and_duplicates():
    series = pd.Series(["8.8.8.8", "10.0.0.1", "8.8.8.8"], index=[7, 8, 9], name="DestIP")
    frame = geo_lookup(series)
    assert frame.index.tolist() == [0, 1, 2]
    assert frame["ip"].tolist() == series.tolist()
    assert frame.loc[0].drop("ip").equals(frame.loc[2].drop("ip"))


def test_empty_input():
    frame = geo_lookup([])
    assert frame.empty and list(frame.columns) == list(GEO_COLUMNS)


def test_address_outside_every_range_is_not_found():
    # 2c0f:ffff::/32 sits in the African RIR block; pick an unallocated global v6 instead
    frame = geo_lookup("3ffe:ffff::1")
    assert frame.loc[0, "ip_class"] == "global"
    assert frame.loc[0, "status"] == "not found"
    assert frame.loc[0, "source"] == ""


def test_pandas_string_and_categorical_series():
    strings = geo_lookup(pd.Series(["8.8.8.8", None, pd.NA], dtype="string"))
    assert strings["status"].tolist() == ["ok", "invalid: empty", "invalid: empty"]
    category = geo_lookup(pd.Series(["1.1.1.1", "10.0.0.1", "1.1.1.1"], dtype="category"))
    assert category["status"].tolist() == ["ok", "not looked up (private)", "ok"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="0123456789. x:", max_size=18), min_size=1, max_size=20))
def test_vectorized_ipv4_parsing_agrees_with_inet_pton(texts):
    import socket

    from huntbook.enrich.geoip._addresses import parse_addresses

    parsed = parse_addresses(texts)
    for i, text in enumerate(texts):
        try:
            expected = int.from_bytes(socket.inet_pton(socket.AF_INET, text.strip()), "big")
        except OSError:
            expected = None
        if expected is None:
            assert parsed.version[i] != 4 or text.strip().startswith("::ffff:")
        else:
            assert (parsed.version[i], int(parsed.lo[i])) == (4, expected)
