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

from huntbook.config_values import LENIENT, CreatableFolder, ExistingFolder, Timespan
from huntbook.errors import ConfigError

ENV_CONFIG = "HUNTBOOK_CONFIG"
FILE_NAME = "huntbook.yaml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LakeSettings(_Section):
    """The local lake."""

    path: CreatableFolder | None = Field(None, description="Lake folder; empty means the bundled demo lake.")
    demo_scale: float = Field(1.0, gt=0, description="Size of the generated demo lake.")


class QuerySettings(_Section):
    """Query catalogs and defaults."""

    catalog_paths: list[ExistingFolder] = Field(
        default_factory=list, description="Extra folders of query YAML files."
    )
    default_lookback: Timespan = Field("1d", description="Default start = end - lookback (remote).")
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


def load_settings(path: Path | None = None, *, check_values: bool = True) -> Settings:
    """Read and validate the configuration.

    Parameters
    ----------
    path : Path, optional
        A config file; by default the first found by `find_config_file`.
    check_values : bool
        Check every value (timespans, paths that must exist, URLs, choices,
        the ``providers`` sections); ``False`` checks only keys and types.

    Returns
    -------
    Settings
        Defaults for everything the file does not set.

    Raises
    ------
    ConfigError
        The file is not valid YAML, or a key is unknown or has a bad value:
        one line naming the file, the key, the value (``***`` for a secret)
        and the expected form; ``problems`` holds every problem found.
    """
    from huntbook.config_check import find_problems, validation_problems

    path = path or find_config_file()
    if path is None:
        return Settings()
    raw = read_config_file(path)
    if check_values:
        settings, problems = find_problems(raw, str(path))
    else:
        try:
            return Settings.model_validate(raw, context=LENIENT)
        except ValidationError as exc:
            settings, problems = None, validation_problems(exc, str(path), (), Settings)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        first = errors[0]
        more = len(errors) - 1
        suffix = f" (and {more} more: run 'huntbook config check' to list them)" if more else ""
        raise ConfigError(f"{first}{suffix}", key=first.key, path=str(path), problems=problems)
    assert settings is not None  # a top-section error is an error problem
    return settings


def read_config_file(path: Path) -> dict[str, Any]:
    """Return the mapping in config file *path*.

    Raises
    ------
    ConfigError
        The file cannot be read, is not valid YAML, or does not hold a mapping.
    """
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        reason = getattr(exc, "problem", None) or (first[0] if first else "")
        raise ConfigError(f"{path}: not valid YAML{line}: {reason}", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})", path=str(path)) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top", path=str(path))
    return raw
