"""Where TI providers are found: a literal table of built-ins plus an entry-point group.

Built-ins are named by ``"module:Class"`` and imported only when asked for, so
an entry whose module is missing (or whose extra is not installed) breaks only
itself. Third parties add providers with an entry point::

    [project.entry-points."huntbook.ti_providers"]
    myintel = "mypackage.intel:MyIntel"
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from huntbook.errors import HuntbookError, MissingExtraError, did_you_mean

ENTRY_POINT_GROUP = "huntbook.ti_providers"

_ONLINE = "huntbook.enrich.ti.providers.online"
_LOCAL = "huntbook.enrich.ti.providers.local"

BUILTIN: dict[str, str] = {
    # offline, no keys: the embedded default
    "lake": f"{_LOCAL}.lake:LakeTI",
    "feeds": f"{_LOCAL}.feeds:FeedFiles",
    "tor": f"{_LOCAL}.tor:TorExitNodes",
    # online, HTTP APIs
    "virustotal": f"{_ONLINE}.virustotal:VirusTotal",
    "otx": f"{_ONLINE}.otx:OTX",
    "abuseipdb": f"{_ONLINE}.abuseipdb:AbuseIPDB",
    "greynoise": f"{_ONLINE}.greynoise:GreyNoise",
    "xforce": f"{_ONLINE}.xforce:XForce",
    "urlhaus": f"{_ONLINE}.urlhaus:URLhaus",
    "malwarebazaar": f"{_ONLINE}.malwarebazaar:MalwareBazaar",
    "threatfox": f"{_ONLINE}.threatfox:ThreatFox",
    "pulsedive": f"{_ONLINE}.pulsedive:Pulsedive",
    "crowdsec": f"{_ONLINE}.crowdsec:CrowdSec",
}
"""Provider name (the ``providers:`` key in huntbook.yaml) -> ``"module:Class"``."""

DEFAULT_PROVIDERS: tuple[str, ...] = ("lake",)
"""Used when neither the call nor huntbook.yaml names providers: offline, no keys."""


class UnknownProviderError(HuntbookError, KeyError):
    """No TI provider of that name is registered (suggests close names)."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        super().__init__(
            f"unknown TI provider {name!r}.{did_you_mean(name, known)} Known: {', '.join(known)}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class ProviderLoadError(HuntbookError, ImportError):
    """A registered TI provider could not be imported (names the provider and the reason)."""

    def __init__(self, name: str, target: str, reason: str):
        self.name = name
        self.target = target
        super().__init__(f"TI provider {name!r} ({target}) could not be loaded: {reason}")


@cache
def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def provider_names() -> list[str]:
    """Return every registered provider name: built-ins first, then entry points."""
    return [*BUILTIN, *(n for n in sorted(_entry_points()) if n not in BUILTIN)]


def canonical_name(name: str) -> str:
    """Return the registered provider name *name* means, ignoring case ("VirusTotal" -> "virustotal").

    Raises
    ------
    UnknownProviderError
        No provider has that name in any case; the message suggests close names.
    """
    known = provider_names()
    if name in known:
        return name
    by_folded = {n.casefold(): n for n in known}
    if name.casefold() in by_folded:
        return by_folded[name.casefold()]
    raise UnknownProviderError(name, known)


def load_provider_class(name: str) -> type[Any]:
    """Import and return the provider class registered as *name*.

    Raises
    ------
    UnknownProviderError
        *name* is not registered.
    ProviderLoadError
        Its module or class cannot be imported.
    MissingExtraError
        Its module needs an optional package that is not installed.
    """
    from huntbook.enrich.ti.local import LocalProvider
    from huntbook.enrich.ti.provider import TIProvider

    name = canonical_name(name)
    target = BUILTIN.get(name)
    try:
        if target is not None:
            module_name, _, attr = target.partition(":")
            cls = getattr(importlib.import_module(module_name), attr)
        elif name in _entry_points():
            entry = _entry_points()[name]
            target = str(entry.value)
            cls = entry.load()
        else:
            raise UnknownProviderError(name, provider_names())
    except (UnknownProviderError, MissingExtraError):
        raise
    except (ImportError, AttributeError) as exc:
        raise ProviderLoadError(name, str(target), f"{type(exc).__name__}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, TIProvider | LocalProvider)):
        raise ProviderLoadError(name, str(target), "it is not a TIProvider or LocalProvider subclass")
    return cls
