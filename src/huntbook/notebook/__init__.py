"""The notebook layer: `init_notebook`, `check_versions`, setup checks, widgets and browsers.

Names load on first use, so importing this package loads neither pandas nor ipywidgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huntbook._lazy import lazy_exports as _lazy_exports

if TYPE_CHECKING:
    from huntbook.notebook.init import NotebookInit, init_notebook
    from huntbook.notebook.proctree_view import ProcessTreeSummary
    from huntbook.notebook.setup_checks import Finding, SetupReport, check_setup
    from huntbook.notebook.versions import VersionReport, check_versions

_EXPORTS = {
    "Finding": "setup_checks",
    "NotebookInit": "init",
    "ProcessTreeSummary": "proctree_view",
    "SetupReport": "setup_checks",
    "VersionReport": "versions",
    "check_setup": "setup_checks",
    "check_versions": "versions",
    "init_notebook": "init",
}

__all__ = [
    "Finding",
    "NotebookInit",
    "ProcessTreeSummary",
    "SetupReport",
    "VersionReport",
    "check_setup",
    "check_versions",
    "init_notebook",
]

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS, __all__)
