"""Threat-intel lookups: one API over offline sources (the lake, feed files) and online services.

::

    from huntbook.enrich.ti import TILookup

    ti = TILookup()                       # the lake's TI table by default; more from huntbook.yaml
    results = ti.lookup(["203.0.113.66", "http://evil.example/x"])

Names load on first use, so importing this package costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huntbook._lazy import lazy_exports as _lazy_exports

if TYPE_CHECKING:
    from huntbook.enrich.ti.cache import CacheError, TICache
    from huntbook.enrich.ti.local import LocalProvider, LocalResult
    from huntbook.enrich.ti.lookup import LookupInputError, TILookup
    from huntbook.enrich.ti.provider import Assessment, Endpoint, NotFound, ProviderError, TIProvider
    from huntbook.enrich.ti.registry import ProviderLoadError, UnknownProviderError, provider_names
    from huntbook.enrich.ti.settings import TIOptions

_EXPORTS = {
    "Assessment": "provider",
    "CacheError": "cache",
    "Endpoint": "provider",
    "LocalProvider": "local",
    "LocalResult": "local",
    "LookupInputError": "lookup",
    "NotFound": "provider",
    "ProviderError": "provider",
    "ProviderLoadError": "registry",
    "TICache": "cache",
    "TILookup": "lookup",
    "TIOptions": "settings",
    "TIProvider": "provider",
    "UnknownProviderError": "registry",
    "provider_names": "registry",
}

__all__ = [
    "Assessment",
    "CacheError",
    "Endpoint",
    "LocalProvider",
    "LocalResult",
    "LookupInputError",
    "NotFound",
    "ProviderError",
    "ProviderLoadError",
    "TICache",
    "TILookup",
    "TIOptions",
    "TIProvider",
    "UnknownProviderError",
    "provider_names",
]

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS, __all__)
