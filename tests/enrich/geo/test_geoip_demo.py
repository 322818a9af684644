"""geo_lookup in the demo investigation: external destinations are located, planted ranges classified."""

from __future__ import annotations

from huntbook.enrich.geoip import geo_lookup


def test_demo_lake_external_addresses_are_located(qp, ground_truth):
    destinations = qp.exec_query("CommonSecurityLog | distinct DestinationIP")["DestinationIP"]
    frame = geo_lookup(destinations)
    assert len(frame) == len(destinations)
    external = frame[frame["ip_class"] == "global"]
    assert len(external) >= 5
    assert (external["status"] == "ok").all()
    assert external["country_code"].str.len().eq(2).all()
    assert external["latitude"].notna().all() and external["longitude"].notna().all()
    assert set(frame["ip_class"]) <= {"global", "private", "documentation"}
    # the planted attacker addresses are RFC 5737 documentation addresses: classified, never looked up
    planted = [i.value for i in ground_truth.indicators if i.type == "ip"]
    rows = geo_lookup(planted)
    assert (rows["ip_class"] == "documentation").all()
    assert rows["status"].eq("not looked up (documentation)").all()
