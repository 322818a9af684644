"""The provider contract (TIProvider, Endpoint, Assessment) and the registry with its entry points."""

from __future__ import annotations

import base64
from importlib.metadata import EntryPoint
from typing import ClassVar

import pytest
from pydantic import SecretStr

from huntbook.config import Settings
from huntbook.enrich.ti import (
    Assessment,
    Endpoint,
    LocalProvider,
    ProviderError,
    ProviderLoadError,
    TILookup,
    TIProvider,
    UnknownProviderError,
    provider_names,
    registry,
)
from huntbook.enrich.ti.local import LocalResult


class Sample(TIProvider):
    name = "sample"
    base_url = "https://api.sample.test/v2/"
    endpoints: ClassVar = {
        "url": Endpoint("/urls/{observable_b64}", params={"q": "{observable}", "fields": "all"}),
        "domain": Endpoint("/domains/{observable}"),
        "sha256": Endpoint("/search", method="post", form={"query": "get_info", "hash": "{observable}"}),
        "ipv4": Endpoint(
            "/ip", method="POST", json={"ip": "{observable}", "deep": {"list": ["{observable}", 3]}}
        ),
    }
    key_header = "Authorization"
    key_prefix = "Bearer "
    extra_headers: ClassVar = {"User-Agent": "huntbook-test"}

    def parse(self, observable, ioc_type, payload, response):
        return Assessment("unknown", "none", "n/a")


KEY = SecretStr("k-123456789")


def test_requests_are_built_from_the_templates():
    provider = Sample(api_key=KEY)
    url = "http://evil.com/a b?x=1&y={observable}"
    spec = provider.request(url, "url")
    b64 = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    assert spec.method == "GET"
    assert spec.url == f"https://api.sample.test/v2/urls/{b64}"
    assert spec.params == {"q": url, "fields": "all"}
    assert spec.headers["Authorization"] == "Bearer k-123456789"
    assert spec.headers["User-Agent"] == "huntbook-test"
    assert provider.request("a/b?.com", "domain").url.endswith("/domains/a%2Fb%3F.com")


def test_form_and_json_bodies_and_hash_normalisation():
    provider = Sample(api_key=KEY, base_url="http://127.0.0.1:1")
    spec = provider.request("ABCDEF" * 10 + "ABCD", "sha256")
    assert (spec.method, spec.url) == ("POST", "http://127.0.0.1:1/search")
    assert spec.form == {"query": "get_info", "hash": "abcdef" * 10 + "abcd"}
    spec = provider.request("1.2.3.4", "ipv4")
    assert spec.json == {"ip": "1.2.3.4", "deep": {"list": ["1.2.3.4", 3]}}


def test_a_key_never_shows_in_reprs():
    provider = Sample(api_key=KEY)
    spec = provider.request("1.2.3.4", "ipv4")
    assert "k-123456789" not in repr(provider) + repr(spec)
    assert repr(provider) == "Sample(url='https://api.sample.test/v2', api_key=set)"


def test_contract_errors():
    provider = Sample(api_key=KEY)
    with pytest.raises(ProviderError, match="sample cannot look up type 'md5'; it knows"):
        provider.request("d41d8cd98f00b204e9800998ecf8427e", "md5")
    with pytest.raises(TypeError, match="SecretStr"):
        Sample(api_key="plain-text-key")
    with pytest.raises(ProviderError, match="requests_per_minute must be a positive number"):
        Sample(api_key=KEY, requests_per_minute=0)
    with pytest.raises(ValueError, match="verdict must be one of"):
        Assessment("evil", "high", "x")
    assert Sample().missing_key().startswith("sample needs an API key")
    assert Sample(api_key=KEY).types == frozenset({"url", "domain", "sha256", "ipv4"})


def test_every_builtin_provider_loads_under_its_own_name():
    for name in registry.BUILTIN:
        cls = registry.load_provider_class(name)
        assert issubclass(cls, TIProvider | LocalProvider)
        assert cls.name == name


def test_unknown_and_unloadable_providers(monkeypatch):
    with pytest.raises(UnknownProviderError, match="Did you mean 'greynoise'"):
        registry.load_provider_class("greynoiz")
    monkeypatch.setitem(registry.BUILTIN, "notaprovider", "huntbook.errors:HuntbookError")
    with pytest.raises(ProviderLoadError, match="not a TIProvider or LocalProvider subclass"):
        registry.load_provider_class("notaprovider")


class ThirdParty(LocalProvider):
    name = "thirdparty"
    types = frozenset({"domain"})

    def lookup_batch(self, items):
        return [LocalResult(Assessment("suspicious", "medium", "third party says so")) for _ in items]


def test_third_party_providers_come_from_the_entry_point_group(monkeypatch):
    entry = EntryPoint("thirdparty", f"{__name__}:ThirdParty", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "_entry_points", lambda: {"thirdparty": entry})
    assert provider_names()[-1] == "thirdparty"
    frame = TILookup(["thirdparty"], settings=Settings(), cache=False, progress=False).lookup("contoso.com")
    assert frame.loc[0, "summary"] == "third party says so"
