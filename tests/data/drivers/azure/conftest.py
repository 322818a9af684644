"""Fixtures of the Azure driver tests: a TLS certificate and a stand-in token credential."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    """(cert, key) of a self-signed certificate for 127.0.0.1, made by this test run."""
    from azure_https_servers import tls_files

    return tls_files(tmp_path_factory.mktemp("tls"))


class FixedTokenCredential:
    """Stands in for an Entra ID sign-in, which tests cannot reach: always the same token.

    It implements the azure-core ``TokenCredential`` protocol, so the real
    client libraries send its token as they would a real one.
    """

    def __init__(self, token: str):
        self._token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken(self._token, int(time.time()) + 3600)

    def __repr__(self):
        return "FixedTokenCredential()"
