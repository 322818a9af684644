"""huntbook: threat hunting in notebooks.

Acquire (`QueryProvider`), enrich, analyze and visualize security data, all
of it working offline on a local lake of Sentinel-shaped Parquet tables.
Names are imported on first use, so ``import huntbook`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from huntbook.analysis.decode import unpack, unpack_frame
    from huntbook.analysis.iocs import extract_iocs, register_ioc_type
    from huntbook.config import Settings, load_settings
    from huntbook.data.catalog import Catalog, Query, load_catalog
    from huntbook.data.lake.lake import Lake
    from huntbook.data.provider import QueryProvider
    from huntbook.errors import HuntbookError

__all__ = [
    "Catalog",
    "HuntbookError",
    "Lake",
    "Query",
    "QueryProvider",
    "Settings",
    "__version__",
    "extract_iocs",
    "load_catalog",
    "load_settings",
    "register_ioc_type",
    "unpack",
    "unpack_frame",
]

_LAZY = {
    "Catalog": "huntbook.data.catalog",
    "HuntbookError": "huntbook.errors",
    "Lake": "huntbook.data.lake.lake",
    "Query": "huntbook.data.catalog",
    "QueryProvider": "huntbook.data.provider",
    "Settings": "huntbook.config",
    "extract_iocs": "huntbook.analysis.iocs",
    "load_catalog": "huntbook.data.catalog",
    "load_settings": "huntbook.config",
    "register_ioc_type": "huntbook.analysis.iocs",
    "unpack": "huntbook.analysis.decode",
    "unpack_frame": "huntbook.analysis.decode",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'huntbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
