"""What huntbook's installed distribution requires, and what this environment has.

Read from the installed metadata (``importlib.metadata``), so the minimums are
the ones ``pyproject.toml`` declared when huntbook was installed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata

DISTRIBUTION = "huntbook"
AGGREGATE_EXTRAS = frozenset({"all", "dev"})
"""Extras that only gather others (or developer tools); left out of reports."""

STATUSES = ("ok", "too old", "too new", "missing", "not installed")
"""``missing``: a core dependency is absent; ``not installed``: an optional one is."""


@dataclass(frozen=True)
class PackageStatus:
    """One required package: where it is needed, what is asked for and what is installed."""

    package: str
    extras: tuple[str, ...]
    """``()`` for a core dependency, else the extras that bring it."""
    required: str
    installed: str | None
    status: str

    @property
    def core(self) -> bool:
        """Whether every installation needs the package."""
        return not self.extras

    @property
    def note(self) -> str:
        """What is wrong and the command that fixes it ("" when nothing is)."""
        spec = f"{self.package}{self.required}"
        if self.status in ("too old", "too new"):
            return f"{self.status}: {self.installed} installed, {spec} required; pip install -U '{spec}'"
        if self.status == "missing":
            return f"core dependency missing; pip install '{spec}'"
        if self.status == "not installed":
            extra = self.extras[0]
            return f"optional; pip install 'huntbook[{extra}]' to use the {', '.join(self.extras)} features"
        return ""


def installed_version(package: str) -> str | None:
    """Return the installed version of distribution *package*, or ``None``.

    Reads the ``Version`` header of the distribution's metadata file without
    parsing the whole file as e-mail (``metadata.version`` does, at a few ms
    per package); falls back to ``metadata.version``'s way when the header is not found.
    """
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line:  # the end of the headers
            break
        key, sep, value = line.partition(":")
        if sep and not line[0].isspace() and key.lower() == "version":  # not a continuation line
            return value.strip()
    return dist.version


def python_requirement() -> tuple[str, str, bool]:
    """Return the running Python version, huntbook's ``Requires-Python`` and whether it is met."""
    from packaging.specifiers import SpecifierSet

    running = ".".join(str(part) for part in sys.version_info[:3])
    try:
        required = metadata.metadata(DISTRIBUTION)["Requires-Python"] or ""
    except metadata.PackageNotFoundError:
        required = ""
    return running, required, SpecifierSet(required).contains(running, prereleases=True)


@cache
def _declared() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """``(package, extras, specifier)`` for each requirement huntbook's metadata declares."""
    from packaging.requirements import Requirement

    try:
        meta = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return ()
    extras = [e for e in meta.get_all("Provides-Extra") or [] if e not in AGGREGATE_EXTRAS]
    found: dict[str, tuple[list[str], str]] = {}
    for text in metadata.requires(DISTRIBUTION) or []:
        req = Requirement(text)
        if req.name.lower() == DISTRIBUTION:
            continue
        if req.marker is None:
            needed_by: list[str] = []
        else:
            needed_by = [e for e in extras if req.marker.evaluate({"extra": e})]
            if not needed_by:
                continue
        key = req.name.lower()
        previous = found.get(key)
        if previous is None:
            found[key] = (needed_by, str(req.specifier))
        elif previous[0]:  # a core entry wins; otherwise collect every extra
            previous[0].extend(e for e in needed_by if e not in previous[0])
            if not needed_by:
                found[key] = ([], str(req.specifier))
    return tuple((name, tuple(ex), spec) for name, (ex, spec) in found.items())


def version_status(installed: str | None, required: str, *, optional: bool) -> str:
    """Return how *installed* meets the specifier *required* (one of `STATUSES`)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    if installed is None:
        return "not installed" if optional else "missing"
    try:
        version = Version(installed)
    except InvalidVersion:
        return "ok"  # a local build with a free-form version: nothing to compare
    specifiers = SpecifierSet(required)
    if specifiers.contains(version, prereleases=True):
        return "ok"
    for specifier in specifiers:
        if not specifier.contains(version, prereleases=True):
            try:
                bound = Version(specifier.version.removesuffix(".*"))
            except InvalidVersion:
                continue
            return "too old" if version < bound else "too new"
    return "too new"


def package_statuses() -> list[PackageStatus]:
    """Return the status of every package huntbook requires: core first, then by extra."""
    rows = []
    for package, extras, spec in _declared():
        installed = installed_version(package)
        status = version_status(installed, spec, optional=bool(extras))
        rows.append(PackageStatus(package, extras, spec, installed, status))
    return sorted(rows, key=lambda r: (not r.core, r.extras[:1], r.package))


def missing_extras(statuses: Iterable[PackageStatus] | None = None) -> dict[str, list[str]]:
    """Return each extra with packages not installed, mapped to those packages.

    *statuses* are those of `package_statuses` (read afresh when omitted).
    """
    gaps: dict[str, list[str]] = {}
    for row in package_statuses() if statuses is None else statuses:
        if row.status == "not installed":
            for extra in row.extras:
                gaps.setdefault(extra, []).append(row.package)
    return gaps
