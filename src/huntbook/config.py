"""Settings: ``huntbook.yaml`` plus environment variables.

The file is looked for, in order, at the path in ``$HUNTBOOK_CONFIG``, as
``huntbook.yaml`` in the working directory, and in the user config folder
(``~/.config/huntbook/huntbook.yaml`` on Linux). Every key is optional.

Secrets (API keys, client secrets) are `pydantic.SecretStr`: they print as
``'**********'`` in reprs, logs and errors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from huntbook.errors import ConfigError, did_you_mean

ENV_CONFIG = "HUNTBOOK_CONFIG"
FILE_NAME = "huntbook.yaml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LakeSettings(_Section):
    """The local lake."""

    path: Path | None = Field(None, description="Lake folder; empty means the bundled demo lake.")
    demo_scale: float = Field(1.0, gt=0, description="Size of the generated demo lake.")


class QuerySettings(_Section):
    """Query catalogs and defaults."""

    catalog_paths: list[Path] = Field(default_factory=list, description="Extra folders of query YAML files.")
    default_lookback: str = Field("1d", description="Default start = end - lookback (remote).")
    timeout_seconds: float = Field(300, gt=0)


class ProviderSettings(_Section):
    """Connection settings of one data provider or TI source."""

    model_config = ConfigDict(extra="allow", frozen=True)
    api_key: SecretStr | None = None
    client_secret: SecretStr | None = None


class Settings(_Section):
    """The whole configuration."""

    lake: LakeSettings = LakeSettings()
    queries: QuerySettings = QuerySettings()
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)


def config_search_paths() -> list[Path]:
    """Return the places a config file is looked for, in order."""
    from platformdirs import user_config_dir

    paths = []
    if env := os.environ.get(ENV_CONFIG):
        paths.append(Path(env).expanduser())
    paths.append(Path.cwd() / FILE_NAME)
    paths.append(Path(user_config_dir("huntbook")) / FILE_NAME)
    return paths


def find_config_file() -> Path | None:
    """Return the config file in use, or ``None`` when there is none."""
    env = os.environ.get(ENV_CONFIG)
    if env and not Path(env).expanduser().is_file():
        raise ConfigError(
            f"${ENV_CONFIG} points to {env}, which is not a file. Fix the path or unset {ENV_CONFIG}.",
            path=env,
        )
    return next((p for p in config_search_paths() if p.is_file()), None)


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate the configuration.

    Parameters
    ----------
    path : Path, optional
        A config file; by default the first found by `find_config_file`.

    Returns
    -------
    Settings
        Defaults for everything the file does not set.

    Raises
    ------
    ConfigError
        The file is not valid YAML, or a key is unknown or has a bad value
        (the message names the key).
    """
    import yaml

    path = path or find_config_file()
    if path is None:
        return Settings()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}", path=str(path)) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top", path=str(path))
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc, path) from None


def _config_error(exc: ValidationError, path: Path) -> ConfigError:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        section: Any = Settings
        for part in first["loc"][:-1]:
            section = section.model_fields[str(part)].annotation
        known = getattr(section, "model_fields", {})
        hint = did_you_mean(str(first["loc"][-1]), known)
        message = f"{path}: unknown key '{key}'.{hint}"
    else:
        message = f"{path}: key '{key}': {first['msg']}"
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ConfigError(message, key=key, path=str(path))
