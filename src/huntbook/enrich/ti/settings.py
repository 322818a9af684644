"""TI settings read from huntbook.yaml, and API keys from config, environment or keyring.

Everything lives under ``providers:`` (whose entries allow extra keys)::

    providers:
      ti:                        # the lookup itself (reserved name)
        providers: [lake, feeds, virustotal]
        cache_path: ~/ti-cache.sqlite
        concurrency: 16
      virustotal:
        api_key: keyring:huntbook/virustotal    # or the key, or env:VT_KEY
        requests_per_minute: 4
      feeds:
        paths: [~/feeds/*.json, ~/feeds/bad-ips.txt]

``HUNTBOOK_<NAME>_API_KEY`` in the environment overrides a configured key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from huntbook.enrich.ti.provider import ProviderError
from huntbook.errors import ConfigError, MissingExtraError

if TYPE_CHECKING:
    from huntbook.config import ProviderSettings, Settings

LOOKUP_SECTION = "ti"
"""The ``providers:`` entry that holds the lookup's own options (not a provider)."""


class TIOptions(BaseModel):
    """Options of `TILookup` itself (``providers.ti`` in huntbook.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: list[str] | None = Field(None, description="Providers used when a lookup names none.")
    cache: bool = Field(True, description="Keep answers in a persistent cache.")
    cache_path: Path | None = Field(None, description="Cache file; the user cache folder by default.")
    concurrency: int = Field(16, gt=0, le=256, description="Requests in flight at once, per provider.")
    timeout_seconds: float = Field(20.0, gt=0, description="Timeout of one request.")
    retries: int = Field(
        3, ge=0, le=10, description="Retries after a 429, a 5xx, a timeout or a lost connection."
    )
    backoff_seconds: float = Field(0.5, ge=0, description="First wait before a retry; doubles each time.")
    max_backoff_seconds: float = Field(30.0, ge=0, description="Longest wait between two tries.")
    max_retry_after_seconds: float = Field(
        120.0, ge=0, description="Longest Retry-After honoured; a longer one ends the tries with an error."
    )
    max_response_bytes: int = Field(16 * 2**20, gt=0, description="Larger answers are refused.")


class ProviderOptions(BaseModel):
    """The keys every TI provider understands (``providers.<name>``); others go to the provider."""

    model_config = ConfigDict(extra="allow", frozen=True)

    enabled: bool = True
    api_key: SecretStr | None = None
    base_url: str | None = None
    requests_per_minute: float | None = Field(None, gt=0)
    ttl_hours: float | None = Field(None, ge=0)

    def extras(self) -> dict[str, Any]:
        """Return the provider-specific keys (everything but ``enabled`` and ``api_key``)."""
        known = self.model_dump(exclude={"enabled", "api_key"}, exclude_none=True)
        return {**known, **(self.model_extra or {})}


def lookup_options(settings: Settings) -> TIOptions:
    """Return the lookup options configured in *settings* (defaults when there are none)."""
    section = settings.providers.get(LOOKUP_SECTION)
    raw = section.model_dump(exclude_none=True) if section is not None else {}
    raw.pop("api_key", None)
    raw.pop("client_secret", None)
    try:
        return TIOptions.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc, LOOKUP_SECTION) from None


def provider_options(settings: Settings, name: str) -> ProviderOptions:
    """Return the configured options of provider *name* (defaults when it is not configured)."""
    section: ProviderSettings | None = settings.providers.get(name)
    if section is None:
        return ProviderOptions()
    raw = {**(section.model_extra or {}), "api_key": section.api_key}
    try:
        return ProviderOptions.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc, name) from None


def _config_error(exc: ValidationError, section: str) -> ConfigError:
    from huntbook.config_check import ConfigProblem, shown_value
    from huntbook.config_values import expected_form

    first = exc.errors()[0]
    key = ".".join(["providers", section, *(str(p) for p in first["loc"])])
    unknown = first["type"] == "extra_forbidden"
    form = "Remove it or correct its name." if unknown else expected_form(first)
    shown = shown_value(key, first.get("input"))
    problem = ConfigProblem("huntbook settings", key, shown, form, unknown_key=unknown)
    return ConfigError(str(problem), key=key, problems=[problem])


def env_key_name(provider: str) -> str:
    """Return the environment variable that holds *provider*'s API key."""
    return f"HUNTBOOK_{provider.upper()}_API_KEY"


def resolve_key(provider: str, configured: SecretStr | None) -> SecretStr | None:
    """Return *provider*'s API key: the environment first, then the configured value.

    A configured value may be the key itself, ``env:VARIABLE`` or
    ``keyring:<service>/<user>`` (``keyring:<service>`` uses the provider name as user).

    Raises
    ------
    ProviderError
        A reference points at nothing (the message names the reference, never a key).
    MissingExtraError
        A ``keyring:`` reference, and the ``keyring`` package is not installed.
    """
    env = os.environ.get(env_key_name(provider))
    if env:
        return SecretStr(env)
    if configured is None:
        return None
    value = configured.get_secret_value()
    if value.startswith("env:"):
        variable = value[4:]
        found = os.environ.get(variable)
        if not found:
            raise ProviderError(
                f"{provider}: api_key refers to environment variable {variable}, which is not set",
                provider=provider,
            )
        return SecretStr(found)
    if value.startswith("keyring:"):
        return _from_keyring(provider, value[len("keyring:") :])
    return configured


def _from_keyring(provider: str, reference: str) -> SecretStr:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise MissingExtraError("keyring", "ti", feature="Reading API keys from the OS keyring") from None
    service, _, user = reference.partition("/")
    user = user or provider
    try:
        secret = keyring.get_password(service, user)
    except KeyringError as exc:
        raise ProviderError(
            f"{provider}: the OS keyring could not be read for 'keyring:{service}/{user}' "
            f"({type(exc).__name__})",
            provider=provider,
        ) from None
    if not secret:
        raise ProviderError(
            f"{provider}: the OS keyring has no entry 'keyring:{service}/{user}'; "
            f"add it with: keyring set {service} {user}",
            provider=provider,
        )
    return SecretStr(secret)
