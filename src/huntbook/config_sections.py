"""The value types of each ``providers:`` section of huntbook.yaml.

Each known section (a query backend, a TI provider, the TI lookup's own
``ti`` options, ``maxmind``) has a pydantic model of the keys it reads and
their types. The models allow other keys (drivers and plugins take options of
their own); they check the values of the keys they know. `section_schema`
finds the model of a section name, `known_section_names` lists the names.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from huntbook.config_values import (
    CreatableFile,
    CreatableFolder,
    ExistingFile,
    ExistingFilesOrGlobs,
    ExistingFolder,
    Port,
    PositiveFloat,
    PositiveInt,
    Text,
    Url,
    Urls,
    Verify,
    checked,
    expected,
    one_of,
)
from huntbook.data.drivers.azure_auth import AUTH_METHODS

DEFENDER_APIS = ("graph", "mde", "m365d")
"""The keys of `huntbook.data.drivers.defender.HUNTING_APIS` (that module is not imported to check config)."""
VERDICTS = ("malicious", "suspicious", "benign", "unknown")
SEVERITIES = ("high", "medium", "low", "info", "none")
"""Same as `huntbook.enrich.ti.provider.VERDICTS` and ``SEVERITIES``."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class AzureSection(_Section):
    """Sign-in keys shared by Kusto, Sentinel, Defender and MSGraph."""

    auth: Annotated[str, checked(one_of(AUTH_METHODS))] = "cli"
    tenant_id: Text | None = None
    client_id: Text | None = None
    client_secret: SecretStr | None = None
    certificate_path: ExistingFile | None = None
    authority: Url | None = None
    verify: Verify = True
    base_url: Url | None = None


class KustoSection(AzureSection):
    cluster: Url | None = None
    database: Text | None = None


class SentinelSection(AzureSection):
    endpoint: Url | None = None
    workspace_id: Text | None = None
    workspace_name: Text | None = None
    default_workspace: Text | None = None
    workspaces: dict[str, Any] | None = None

    @field_validator("workspaces")
    @classmethod
    def _workspace_ids(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        for item in (value or {}).values():
            wid = item.get("workspace_id") if isinstance(item, dict) else item
            if not isinstance(wid, str | int) or isinstance(wid, bool) or not str(wid):
                raise expected("a mapping of workspace names to workspace ids (or to {workspace_id: ...})")
        return value


class DefenderSection(AzureSection):
    api: Annotated[str, checked(one_of(DEFENDER_APIS))] = "graph"


class SplunkSection(_Section):
    host: Text = "localhost"
    port: Port = 8089
    scheme: Annotated[str, checked(one_of(("https", "http")))] = "https"
    username: Text | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    verify: bool = True
    app: Text | None = None
    owner: Text | None = None
    max_rows: PositiveInt = 1_000_000
    timeout: PositiveFloat = 60


class OpenSearchSection(_Section):
    hosts: Urls = "https://localhost:9200"
    username: Text | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    verify: bool = True
    ca_certs: ExistingFile | None = None
    index_template: str = "{table}"
    max_rows: PositiveInt = 1_000_000
    page_size: PositiveInt = 5_000
    timeout: PositiveFloat = 60

    @field_validator("index_template")
    @classmethod
    def _has_table(cls, value: str) -> str:
        if "{table}" not in value:
            raise expected("an index name pattern containing {table}, e.g. 'logs-{table}'")
        return value


class SparkSection(_Section):
    master: str = "local[*]"
    lake: ExistingFolder | None = None
    max_rows: PositiveInt = 100_000
    conf: dict[str, Text] = Field(default_factory=dict)


class MaxMindSection(_Section):
    account_id: Text | None = None
    api_key: SecretStr | None = None
    license_key: SecretStr | None = None
    db_folder: CreatableFolder | None = None
    city_db: ExistingFile | None = None
    asn_db: ExistingFile | None = None


class TISection(_Section):
    """The keys every TI provider reads (`huntbook.enrich.ti.settings.ProviderOptions`)."""

    enabled: bool = True
    api_key: SecretStr | None = None
    base_url: Url | None = None
    requests_per_minute: PositiveFloat | None = None
    ttl_hours: float | None = Field(None, ge=0)


class FeedsSection(TISection):
    paths: ExistingFilesOrGlobs = None
    verdict: Annotated[str, checked(one_of(VERDICTS))] = "malicious"
    severity: Annotated[str, checked(one_of(SEVERITIES))] = "high"


class TorSection(TISection):
    path: ExistingFilesOrGlobs = None


class LakeTISection(TISection):
    min_confidence: float = Field(50, ge=0, le=100)
    chunk_size: PositiveInt = 1000
    lake: ExistingFolder | None = None
    environment: Annotated[str, checked(lambda name: _backend_name(name))] = "Local"


class TILookupSection(_Section):
    """``providers.ti``: the lookup's own options (the types of `huntbook.enrich.ti.settings.TIOptions`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: list[Annotated[str, checked(lambda name: _ti_name(name))]] | None = None
    cache: bool = True
    cache_path: CreatableFile | None = None
    concurrency: int = Field(16, gt=0, le=256)
    timeout_seconds: PositiveFloat = 20.0
    retries: int = Field(3, ge=0, le=10)
    backoff_seconds: float = Field(0.5, ge=0)
    max_backoff_seconds: float = Field(30.0, ge=0)
    max_retry_after_seconds: float = Field(120.0, ge=0)
    max_response_bytes: PositiveInt = 16 * 2**20


BACKEND_SECTIONS: dict[str, type[_Section]] = {
    "Kusto": KustoSection,
    "Sentinel": SentinelSection,
    "Defender": DefenderSection,
    "MSGraph": AzureSection,
    "Splunk": SplunkSection,
    "OpenSearch": OpenSearchSection,
    "Spark": SparkSection,
}
"""Query backends by their ``providers:`` name (case as in ``QueryProvider(...)``)."""

OTHER_SECTIONS: dict[str, type[_Section]] = {"ti": TILookupSection, "maxmind": MaxMindSection}

TI_SECTIONS: dict[str, type[_Section]] = {"feeds": FeedsSection, "tor": TorSection, "lake": LakeTISection}
"""TI providers with options of their own; the others read only `TISection`'s keys."""


def _ti_names() -> list[str]:
    from huntbook.enrich.ti.registry import provider_names

    return provider_names()


def _driver_plugins() -> list[str]:
    from importlib.metadata import entry_points

    return sorted(e.name for e in entry_points(group="huntbook.drivers"))


def _ti_name(name: str) -> str:
    known = _ti_names()
    if name.lower() not in (n.lower() for n in known):
        from huntbook.errors import did_you_mean

        hint = did_you_mean(name, known).strip()
        raise expected(f"a TI provider: {', '.join(known)}" + (f" ({hint})" if hint else ""))
    return name


def _backend_name(name: str) -> str:
    known = ["Local", *BACKEND_SECTIONS, *_driver_plugins()]
    if name not in known:
        from huntbook.errors import did_you_mean

        hint = did_you_mean(name, known).strip()
        raise expected(f"a query backend: {', '.join(known)}" + (f" ({hint})" if hint else ""))
    return name


def known_section_names() -> list[str]:
    """Return every name a ``providers:`` section may have."""
    return [*BACKEND_SECTIONS, *_ti_names(), *OTHER_SECTIONS, *_driver_plugins()]


def section_schema(name: str) -> type[BaseModel] | None:
    """Return the model of section *name*, or ``None`` when no backend or provider has that name.

    Backend names match exactly (as ``QueryProvider`` takes them); TI provider
    names, ``ti`` and ``maxmind`` regardless of case.
    """
    if name in BACKEND_SECTIONS:
        return BACKEND_SECTIONS[name]
    lowered = name.lower()
    if lowered in OTHER_SECTIONS:
        return OTHER_SECTIONS[lowered]
    if lowered in (n.lower() for n in _ti_names()):
        return TI_SECTIONS.get(lowered, TISection)
    if name in _driver_plugins():
        return _Section
    return None
