"""huntbook: threat hunting in notebooks.

Acquire (`QueryProvider`), enrich, analyze and visualize security data, all
of it working offline on a local lake of Sentinel-shaped Parquet tables.
Names are imported on first use, so ``import huntbook`` stays fast; the
``.hunt`` accessor appears on pandas objects as soon as pandas is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huntbook import _pandas_hook
from huntbook._lazy import lazy_exports as _lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from huntbook.analysis.decode import unpack, unpack_frame
    from huntbook.analysis.iocs import extract_iocs, register_ioc_type
    from huntbook.analysis.proctree import build_process_tree
    from huntbook.config import Settings, load_settings
    from huntbook.data.catalog import Catalog, Query, load_catalog
    from huntbook.data.lake.lake import Lake
    from huntbook.data.provider import QueryProvider
    from huntbook.enrich.geoip import geo_lookup
    from huntbook.enrich.ti import TILookup
    from huntbook.errors import HuntbookError
    from huntbook.notebook import check_versions, init_notebook
    from huntbook.vis import plot_map, plot_process_tree, plot_timeline

__all__ = [
    "Catalog",
    "HuntbookError",
    "Lake",
    "Query",
    "QueryProvider",
    "Settings",
    "TILookup",
    "__version__",
    "build_process_tree",
    "check_versions",
    "extract_iocs",
    "geo_lookup",
    "init_notebook",
    "load_catalog",
    "load_settings",
    "plot_map",
    "plot_process_tree",
    "plot_timeline",
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
    "TILookup": "huntbook.enrich.ti",
    "build_process_tree": "huntbook.analysis.proctree",
    "check_versions": "huntbook.notebook",
    "extract_iocs": "huntbook.analysis.iocs",
    "geo_lookup": "huntbook.enrich.geoip",
    "init_notebook": "huntbook.notebook",
    "load_catalog": "huntbook.data.catalog",
    "load_settings": "huntbook.config",
    "plot_map": "huntbook.vis",
    "plot_process_tree": "huntbook.vis",
    "plot_timeline": "huntbook.vis",
    "register_ioc_type": "huntbook.analysis.iocs",
    "unpack": "huntbook.analysis.decode",
    "unpack_frame": "huntbook.analysis.decode",
}

__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, __all__)

_pandas_hook.install()  # df.hunt once pandas is imported, before or after huntbook
