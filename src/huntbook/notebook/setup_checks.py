"""`check_setup`: is huntbook configured for what the analyst wants to do, and if not, how to fix it.

Each check gives `Finding` objects in plain words, each with the fix. Nothing
here connects to a network or prints a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from huntbook.display import html_text
from huntbook.errors import ConfigError, HuntbookError, MissingExtraError, did_you_mean
from huntbook.notebook.requirements import (
    PackageStatus,
    missing_extras,
    package_statuses,
    python_requirement,
)

if TYPE_CHECKING:
    from huntbook.config import Settings

Level = Literal["ok", "info", "warning", "error"]

DRIVER_EXTRAS = {
    "Kusto": "kusto",
    "Sentinel": "sentinel",
    "Defender": "azure",
    "MSGraph": "azure",
    "Splunk": "splunk",
    "OpenSearch": "opensearch",
    "Spark": "spark",
}
"""``providers:`` sections named after a query backend, and the extra that backend needs."""

OTHER_SECTIONS = ("ti", "maxmind")
"""``providers:`` sections that are neither a backend nor a TI provider."""

_MARK = {"ok": "✔", "info": "·", "warning": "!", "error": "✘"}
_COLOUR = {"ok": "#2e7d32", "info": "#555", "warning": "#b26a00", "error": "#c62828"}


@dataclass(frozen=True)
class Finding:
    """One thing `check_setup` found: what, how bad, and how to fix it."""

    topic: str
    level: Level
    message: str
    fix: str = ""

    @property
    def needs_action(self) -> bool:
        """Whether this finding is a problem to fix (a warning or an error)."""
        return self.level in ("warning", "error")

    @property
    def fix_label(self) -> str:
        """``fix`` for a problem's remedy, ``tip`` for an optional step (ok and info findings)."""
        return "fix" if self.needs_action else "tip"

    def __str__(self) -> str:
        text = f"{_MARK[self.level]} {self.topic}: {self.message}"
        return f"{text}\n    {self.fix_label}: {self.fix}" if self.fix else text


@dataclass(frozen=True)
class SetupReport:
    """The findings of `check_setup`; shows as a list in a notebook or a terminal."""

    findings: tuple[Finding, ...]
    settings: Settings

    @property
    def problems(self) -> list[Finding]:
        """Findings that need action (warnings and errors)."""
        return [f for f in self.findings if f.needs_action]

    @property
    def ok(self) -> bool:
        """Whether nothing is an error."""
        return all(f.level != "error" for f in self.findings)

    def summary(self) -> str:
        """One line: how many checks passed and how many need attention."""
        if not self.problems:
            tips = sum(bool(f.fix) for f in self.findings)
            optional = f"; {tips} optional tip(s) below" if tips else ""
            return f"huntbook is ready: {len(self.findings)} checks, nothing to fix{optional}."
        errors = sum(f.level == "error" for f in self.findings)
        warnings = len(self.problems) - errors
        return f"huntbook setup: {errors} error(s), {warnings} warning(s) to fix."

    def __str__(self) -> str:
        return "\n".join([self.summary(), *(str(f) for f in self.findings)])

    def __repr__(self) -> str:
        return f"<SetupReport {self.summary()}>"

    def _repr_html_(self) -> str:
        items = []
        for f in self.findings:
            fix = (
                f"<br><span style='margin-left:1.4em'>{f.fix_label}: {html_text(f.fix)}</span>"
                if f.fix
                else ""
            )
            items.append(
                f"<li style='list-style:none;color:{_COLOUR[f.level]}'>{_MARK[f.level]} "
                f"<b>{html_text(f.topic)}</b>: {html_text(f.message)}{fix}</li>"
            )
        listed = "".join(items)
        return f"<div><b>{html_text(self.summary())}</b><ul style='padding-left:0.5em'>{listed}</ul></div>"


def check_setup(*, in_notebook: bool = False) -> SetupReport:
    """Check the configuration and the environment, and say what is missing.

    Looks at: the config file (found, valid), the local lake folder, extra
    query-catalog folders, the threat-intel providers the configuration names
    (known, enabled, API key present, package installed), backend sections
    (their extra installed), and which optional extras are installed.

    Parameters
    ----------
    in_notebook : bool
        Whether the caller runs in Jupyter (then a missing ``notebook`` extra is a warning).
    """
    from huntbook.config import Settings

    findings: list[Finding] = []
    settings = _config(findings) or Settings()
    statuses = package_statuses()
    gaps = missing_extras(statuses)
    for topic, check in (("lake", _lake), ("queries", _catalogs), ("threat intel", _threat_intel)):
        findings.extend(_guarded(topic, check, settings))
    findings.extend(_guarded("providers", lambda s: _backends(s, gaps), settings))
    findings.extend(_extras(statuses, in_notebook=in_notebook))
    return SetupReport(tuple(findings), settings)


def _guarded(topic: str, check: Callable[[Settings], Iterator[Finding]], settings: Settings) -> list[Finding]:
    """Run one check; an unexpected huntbook error becomes a finding, not a crash of the whole report."""
    try:
        return list(check(settings))
    except HuntbookError as exc:
        return [Finding(topic, "error", str(exc))]


def _config(findings: list[Finding]) -> Settings | None:
    from platformdirs import user_config_dir

    from huntbook.config import ENV_CONFIG, FILE_NAME, find_config_file, load_settings

    try:
        path = find_config_file()
        settings = load_settings(path)
    except HuntbookError as exc:
        # Bad values (not keys): check the rest of the setup with what the file sets.
        kept = _unchecked_settings(path) if isinstance(exc, ConfigError) and exc.problems else None
        findings.append(
            Finding(
                "config",
                "error",
                f"{exc} Carrying on with {'its other settings' if kept else 'the defaults'}.",
                "Correct the file ('huntbook config check' lists every problem), "
                "or move it away to use the defaults.",
            )
        )
        return kept
    if path is None:
        where = Path(user_config_dir("huntbook")) / FILE_NAME
        findings.append(
            Finding(
                "config",
                "info",
                "No huntbook.yaml found: using the defaults (the bundled demo lake, offline threat intel).",
                f"To configure huntbook, create {FILE_NAME} here or at {where}, "
                f"or point ${ENV_CONFIG} at a file.",
            )
        )
    else:
        findings.append(Finding("config", "ok", f"{path} (valid)"))
    return settings


def _unchecked_settings(path: Path | None) -> Settings | None:
    from huntbook.config import load_settings

    try:
        return load_settings(path, check_values=False)
    except HuntbookError:
        return None


def _lake(settings: Settings) -> Iterator[Finding]:
    from huntbook.data.lake import storage

    path = settings.lake.path
    if path is None:
        yield Finding("lake", "ok", "the bundled demo lake (generated on first use)")
        return
    folder = path.expanduser()
    if not folder.is_dir():
        yield Finding(
            "lake",
            "error",
            f"lake.path {path} is not a folder.",
            f"Generate demo data there with 'huntbook lake generate {path}', add your own with "
            f"'huntbook lake ingest FILES --table TABLE --lake {path}', "
            "or correct lake.path in huntbook.yaml.",
        )
        return
    tables = storage.list_tables(folder)
    if not tables:
        yield Finding(
            "lake",
            "warning",
            f"lake.path {path} has no tables yet.",
            f"Add data with 'huntbook lake ingest FILES --table SecurityEvent --lake {path}'.",
        )
        return
    yield Finding("lake", "ok", f"{path} ({len(tables)} tables)")


def _catalogs(settings: Settings) -> Iterator[Finding]:
    for folder in settings.queries.catalog_paths:
        if not folder.expanduser().is_dir():
            yield Finding(
                "queries",
                "warning",
                f"queries.catalog_paths: {folder} is not a folder, so its queries are not loaded.",
                "Create the folder or remove it from queries.catalog_paths in huntbook.yaml.",
            )


def _threat_intel(settings: Settings) -> Iterator[Finding]:
    try:
        from huntbook.enrich.ti.registry import provider_names
        from huntbook.enrich.ti.settings import lookup_options
    except ImportError:
        yield Finding("threat intel", "info", "the TI lookup is not part of this installation.")
        return
    known = provider_names()
    options = lookup_options(settings)
    chosen = list(options.providers or [])
    configured = [n for n in settings.providers if n in known]
    for name in chosen:
        if name not in known:
            yield Finding(
                "threat intel",
                "error",
                f"providers.ti.providers names '{name}', which is not a TI provider."
                f"{did_you_mean(name, known)}",
                f"Use one of: {', '.join(known)}.",
            )
    names = [n for n in dict.fromkeys([*chosen, *configured]) if n in known]
    if not names:
        yield Finding("threat intel", "ok", "offline providers only (indicators in the lake); no keys needed")
        return
    for name in names:
        yield _ti_provider(name, settings)


def _ti_provider(name: str, settings: Settings) -> Finding:
    from huntbook.enrich.ti.registry import load_provider_class
    from huntbook.enrich.ti.settings import env_key_name, provider_options, resolve_key

    topic = f"threat intel: {name}"
    try:
        cls = load_provider_class(name)
    except MissingExtraError as exc:
        return Finding(
            topic, "error", str(exc).split(" Install it")[0], f"pip install 'huntbook[{exc.extra}]'"
        )
    except HuntbookError as exc:
        return Finding(topic, "error", str(exc))
    options = provider_options(settings, name)
    if not options.enabled:
        return Finding(topic, "info", f"disabled (providers.{name}.enabled is false)")
    if not getattr(cls, "key_required", False):
        return Finding(topic, "ok", "ready (no API key needed)")
    try:
        key = resolve_key(name, options.api_key)
    except HuntbookError as exc:
        fix = "Set the variable or keyring entry it names, or change the key."
        return Finding(topic, "error", str(exc), fix)
    if key is None:
        return Finding(
            topic,
            "error",
            "needs an API key and none is set, so lookups with it will fail.",
            f"Set providers.{name}.api_key in huntbook.yaml (the key, env:VARIABLE or "
            f"keyring:service/user), or the environment variable {env_key_name(name)}.",
        )
    return Finding(topic, "ok", "API key set")


def _backends(settings: Settings, gaps: dict[str, list[str]]) -> Iterator[Finding]:
    try:
        from huntbook.enrich.ti.registry import provider_names

        ti_names = provider_names()
    except ImportError:
        ti_names = []
    for name in settings.providers:
        if name in DRIVER_EXTRAS:
            extra = DRIVER_EXTRAS[name]
            if extra in gaps:
                yield Finding(
                    f"backend: {name}",
                    "error",
                    f"providers.{name} is configured but the '{extra}' extra is not installed "
                    f"({', '.join(gaps[extra])} missing).",
                    f"pip install 'huntbook[{extra}]'",
                )
            else:
                yield Finding(f"backend: {name}", "ok", f"configured; QueryProvider('{name}') can connect")
        elif name not in ti_names and name not in OTHER_SECTIONS:
            known = [*DRIVER_EXTRAS, *ti_names, *OTHER_SECTIONS]
            yield Finding(
                "providers",
                "warning",
                f"providers.{name} is neither a query backend nor a TI provider, so nothing reads it."
                f"{did_you_mean(name, known)}",
                f"Rename the section to one of: {', '.join(known)} (names are case-sensitive).",
            )


def _extras(statuses: list[PackageStatus], *, in_notebook: bool) -> Iterator[Finding]:
    running, required, python_ok = python_requirement()
    if not python_ok:
        yield Finding(
            "python",
            "error",
            f"Python {running} is too old; huntbook needs {required}.",
            f"Use a Python {required} environment.",
        )
    for row in statuses:
        if row.status in ("too old", "too new", "missing"):
            yield Finding(
                f"package: {row.package}", "error", row.note.split(";")[0], row.note.split("; ")[-1]
            )
    gaps = missing_extras(statuses)
    if "notebook" in gaps and in_notebook:
        yield Finding(
            "extras",
            "warning",
            "the notebook widgets (time-range picker, browsers) need ipywidgets, which is not installed.",
            "pip install 'huntbook[notebook]' and restart the kernel.",
        )
    others = {extra: pkgs for extra, pkgs in gaps.items() if not (extra == "notebook" and in_notebook)}
    if others:
        listed = "; ".join(f"{extra} ({', '.join(pkgs)})" for extra, pkgs in sorted(others.items()))
        yield Finding(
            "extras",
            "info",
            f"optional features not installed: {listed}.",
            f"pip install 'huntbook[{','.join(sorted(others))}]' if you need them.",
        )
    else:
        yield Finding("extras", "ok", "every optional extra is installed")
