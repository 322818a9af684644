"""Each Azure driver names the extra to install when its SDK is missing, and `import huntbook` loads none."""

from __future__ import annotations

import subprocess
import sys

import pytest

from huntbook.config import Settings
from huntbook.errors import MissingExtraError


def _hide(monkeypatch, *modules):
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import name` raise ImportError


def test_kusto_names_its_extra(monkeypatch):
    from huntbook.data.drivers.kusto import KustoDriver

    _hide(monkeypatch, "azure.kusto.data")
    with pytest.raises(MissingExtraError, match=r"huntbook\[kusto\]"):
        KustoDriver("http://127.0.0.1:1", "db", auth="none", settings=Settings()).connect()


def test_sentinel_names_its_extra(monkeypatch):
    from huntbook.data.drivers.sentinel import SentinelDriver

    _hide(monkeypatch, "azure.monitor.query")
    with pytest.raises(MissingExtraError, match=r"huntbook\[sentinel\]"):
        SentinelDriver(workspace_id="w", settings=Settings()).connect()


def test_identity_names_the_extra(monkeypatch):
    from huntbook.data.drivers.azure_auth import AzureAuth, credential

    _hide(monkeypatch, "azure.identity")
    with pytest.raises(MissingExtraError, match=r"huntbook\[sentinel\]"):
        credential(AzureAuth("cli"), extra="sentinel")


def test_defender_names_its_extra(monkeypatch):
    from huntbook.data.drivers.defender import DefenderDriver

    _hide(monkeypatch, "msal")
    driver = DefenderDriver(tenant_id="t", client_id="c", client_secret="s", settings=Settings())
    with pytest.raises(MissingExtraError, match=r"huntbook\[azure\]"):
        driver.connect()


def test_import_huntbook_loads_no_cloud_sdk():
    code = (
        "import sys, huntbook, huntbook.data.provider; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('azure', 'msal', 'httpx')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
