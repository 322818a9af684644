"""Every problem of a huntbook.yaml, each as one line: file, key, value, expected form.

`find_problems` checks the keys and the values of the top sections (`Settings`),
then each ``providers:`` section against the model of its name
(`huntbook.config_sections`), then the section names. Values of keys that hold
secrets are shown as ``***``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, SecretStr, ValidationError

from huntbook.errors import did_you_mean

if TYPE_CHECKING:
    from huntbook.config import Settings

SECRET_WORDS = ("password", "secret", "token", "api_key", "license_key", "apikey", "credential")
"""A key whose name contains one of these holds a secret: its value is never shown."""
MASK = "***"
_MAX_SHOWN = 200


@dataclass(frozen=True)
class ConfigProblem:
    """One bad key or value of a config file.

    Attributes
    ----------
    file : str
        The config file.
    key : str
        Dotted key, e.g. ``queries.default_lookback``.
    value : str
        The value as written (``***`` for secrets), shortened.
    expected : str
        The form the value should have, in words.
    level : str
        ``error`` (huntbook refuses the file) or ``warning`` (the key is ignored).
    unknown_key : bool
        The key itself is not known (rather than its value being bad).
    """

    file: str
    key: str
    value: str
    expected: str
    level: Literal["error", "warning"] = "error"
    unknown_key: bool = False

    def __str__(self) -> str:
        if self.unknown_key:
            return f"{self.file}: unknown key '{self.key}' = {self.value}. {self.expected}"
        return f"{self.file}: key '{self.key}' = {self.value}: expected {self.expected}"


def is_secret_key(key: str) -> bool:
    """Whether the last part of dotted *key* names a secret."""
    last = key.rsplit(".", 1)[-1].lower()
    return any(word in last for word in SECRET_WORDS)


def shown_value(key: str, value: object) -> str:
    """Return *value* as shown in a problem: secrets masked (also inside mappings), at most 200 characters."""
    masked = _masked(key, value)
    text = masked if masked == MASK else repr(masked)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _masked(key: str, value: object) -> Any:
    if isinstance(value, SecretStr) or (is_secret_key(key) and value is not None):
        return MASK
    if key.startswith("providers.") and key.count(".") == 1 and isinstance(value, str | int):
        return MASK  # a section written as a bare value may be a key
    if isinstance(value, Mapping):
        return {k: _masked(f"{key}.{k}", v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(key, v) for v in value]
    return value


def find_problems(raw: Mapping[str, Any], file: str) -> tuple[Settings | None, list[ConfigProblem]]:
    """Check the settings *raw* read from *file*.

    Returns
    -------
    tuple
        The settings (``None`` when a top section is invalid) and every problem found.
    """
    from huntbook.config import Settings

    problems: list[ConfigProblem] = []
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, file, (), Settings))
    providers = raw.get("providers")
    if isinstance(providers, Mapping):
        for name, section in providers.items():
            problems.extend(_section_problems(str(name), section, file))
    return settings, problems


def _section_problems(name: str, section: object, file: str) -> list[ConfigProblem]:
    from huntbook.config_sections import known_section_names, section_schema

    prefix = ("providers", name)
    schema = section_schema(name)
    if not isinstance(section, Mapping):
        return []  # reported by Settings (a section is a mapping)
    if schema is None:
        known = known_section_names()
        hint = did_you_mean(name, known).strip()
        same_but_case = any(name.lower() == k.lower() for k in known)
        return [
            ConfigProblem(
                file,
                ".".join(prefix),
                "{…}",
                "Nothing reads this section: expected the name of a query backend or TI provider"
                + (
                    f" ({hint} Backend names are case-sensitive.)"
                    if same_but_case
                    else f" ({hint})"
                    if hint
                    else ""
                )
                + f". Known: {', '.join(known)}.",
                level="error" if same_but_case else "warning",
                unknown_key=True,
            )
        ]
    try:
        schema.model_validate(section)
    except ValidationError as exc:
        return validation_problems(exc, file, prefix, schema)
    return []


def validation_problems(
    exc: ValidationError, file: str, prefix: tuple[str, ...], model: type[BaseModel]
) -> list[ConfigProblem]:
    """Return one `ConfigProblem` per error of *exc*, raised validating *model* at *prefix* of *file*."""
    from huntbook.config_values import expected_form

    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        key = ".".join([*prefix, *loc])
        value = shown_value(key, error.get("input"))
        if error["type"] == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            hint = did_you_mean(loc[-1], known).strip()
            text = (hint + " " if hint else "") + f"Known keys here: {', '.join(known)}."
            problems.append(ConfigProblem(file, key, value, text, unknown_key=True))
        else:
            problems.append(ConfigProblem(file, _without_union_tags(key), value, expected_form(error)))
    return problems


def _without_union_tags(key: str) -> str:
    """Drop pydantic's union and function tags from a location (``path.function-after[...]``)."""
    return ".".join(p for p in key.split(".") if not (("[" in p and "]" in p) or p in ("str", "int", "list")))


def _known_keys(model: type[BaseModel], path: list[str]) -> list[str]:
    section: Any = model
    for part in path:
        field = getattr(section, "model_fields", {}).get(part)
        if field is None:
            return []
        section = field.annotation
    return list(getattr(section, "model_fields", {}))


def check_config_file(path: Path) -> list[ConfigProblem]:
    """Return every problem of config file *path* (warnings included).

    Raises
    ------
    ConfigError
        The file cannot be read, is not valid YAML, or does not hold a mapping.
    """
    from huntbook.config import read_config_file

    return find_problems(read_config_file(path), str(path))[1]
