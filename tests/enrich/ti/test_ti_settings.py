"""TI settings from huntbook.yaml, and API keys from config, environment and the OS keyring."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import SecretStr

from huntbook.config import Settings, load_settings
from huntbook.enrich.ti import Assessment, Endpoint, ProviderError, TILookup, TIProvider
from huntbook.enrich.ti.settings import lookup_options, provider_options, resolve_key
from huntbook.errors import ConfigError

SECRET = "cfg-Key-1234567"


def settings_from(tmp_path, text):
    path = tmp_path / "huntbook.yaml"
    path.write_text(text)
    return load_settings(path)


def test_lookup_options_and_provider_options_come_from_the_providers_section(tmp_path):
    settings = settings_from(
        tmp_path,
        f"""
providers:
  ti:
    providers: [lake, virustotal]
    concurrency: 4
    cache_path: {tmp_path}/c.sqlite
  virustotal:
    api_key: {SECRET}
    requests_per_minute: 4
    ttl_hours: 2
    base_url: http://127.0.0.1:9
""",
    )
    options = lookup_options(settings)
    assert options.providers == ["lake", "virustotal"] and options.concurrency == 4
    vt = provider_options(settings, "virustotal")
    assert vt.api_key.get_secret_value() == SECRET
    assert vt.extras() == {"base_url": "http://127.0.0.1:9", "requests_per_minute": 4.0, "ttl_hours": 2.0}
    assert SECRET not in repr(vt) and SECRET not in repr(settings)


def test_a_bad_value_names_the_key(tmp_path):
    bad_concurrency = r"key 'providers\.ti\.concurrency' = -1: expected a number greater than 0"
    with pytest.raises(ConfigError, match=bad_concurrency):
        settings_from(tmp_path, "providers:\n  ti:\n    concurrency: -1\n")
    with pytest.raises(ConfigError, match=r"unknown key 'providers\.ti\.concurency' = 3\. Did you mean"):
        settings_from(tmp_path, "providers:\n  ti:\n    concurency: 3\n")
    # settings made in Python are checked when the lookup reads them
    settings = Settings.model_validate({"providers": {"ti": {"concurrency": -1}}})
    with pytest.raises(ConfigError, match=bad_concurrency):
        lookup_options(settings)


def test_the_environment_overrides_the_config(monkeypatch):
    assert resolve_key("acme", SecretStr("from-config")).get_secret_value() == "from-config"
    monkeypatch.setenv("HUNTBOOK_ACME_API_KEY", "from-env")
    assert resolve_key("acme", SecretStr("from-config")).get_secret_value() == "from-env"
    assert resolve_key("acme", None).get_secret_value() == "from-env"


def test_an_env_reference(monkeypatch):
    monkeypatch.setenv("MY_ACME_KEY", "abc123")
    assert resolve_key("acme", SecretStr("env:MY_ACME_KEY")).get_secret_value() == "abc123"
    with pytest.raises(ProviderError, match="environment variable NOPE_NOT_SET, which is not set"):
        resolve_key("acme", SecretStr("env:NOPE_NOT_SET"))


def test_a_keyring_reference():
    # The OS keyring is out of reach in tests: an in-memory backend stands in for it,
    # behind the real keyring API.
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1
        store: ClassVar = {("huntbook", "acme"): "from-keyring", ("vault", "me"): "mine"}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username))

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        assert resolve_key("acme", SecretStr("keyring:huntbook")).get_secret_value() == "from-keyring"
        assert resolve_key("acme", SecretStr("keyring:vault/me")).get_secret_value() == "mine"
        with pytest.raises(ProviderError, match="no entry 'keyring:vault/nobody'; add it with: keyring set"):
            resolve_key("acme", SecretStr("keyring:vault/nobody"))
    finally:
        keyring.set_keyring(previous)


class Acme(TIProvider):
    name = "acme"
    base_url = "http://unused.invalid"
    endpoints: ClassVar = {"ipv4": Endpoint("/ip/{observable}")}
    key_header = "X-Key"

    def parse(self, observable, ioc_type, payload, response):
        return Assessment("benign", "none", "fine")


def test_a_configured_provider_is_used_by_default_with_its_key(tmp_path, monkeypatch, http_server):
    from huntbook.enrich.ti import registry

    monkeypatch.setitem(registry.BUILTIN, "acme", f"{__name__}:Acme")
    http_server.fallback = http_server.Reply(json={})
    settings = settings_from(
        tmp_path,
        f"providers:\n  ti:\n    providers: [acme]\n  acme:\n    api_key: {SECRET}\n"
        f"    base_url: {http_server.url}\n    requests_per_minute: 6000\n",
    )
    ti = TILookup(settings=settings, cache=False, progress=False)
    assert ti.provider_order == ["acme"]
    assert ti.lookup("1.2.3.4").loc[0, "verdict"] == "benign"
    assert http_server.requests[0].headers["x-key"] == SECRET
    assert SECRET not in repr(ti) and SECRET not in repr(ti.providers["acme"])


def test_default_providers_without_config_are_offline(monkeypatch):
    for name in ("VIRUSTOTAL", "OTX", "ABUSEIPDB", "GREYNOISE", "XFORCE"):
        monkeypatch.delenv(f"HUNTBOOK_{name}_API_KEY", raising=False)
    ti = TILookup(settings=Settings(), cache=False)
    assert ti.default_providers() == ["lake"]
    monkeypatch.setenv("HUNTBOOK_OTX_API_KEY", "k-from-env")
    assert ti.default_providers() == ["lake", "otx"]
