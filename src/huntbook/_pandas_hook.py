"""Register the ``.hunt`` accessor as soon as pandas is imported, without importing pandas ourselves.

``import huntbook`` must stay fast and must not load pandas, yet ``df.hunt`` should
work on any frame once both are imported, in whichever order. `install` registers
the accessor at once when pandas is already loaded; otherwise it puts a finder on
``sys.meta_path`` that wraps pandas' loader, so the accessor module is imported
right after pandas' own ``__init__`` has run, and the finder then removes itself.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

ACCESSOR_MODULE = "huntbook.accessor"


def _register() -> None:
    importlib.import_module(ACCESSOR_MODULE)


class _AfterPandasLoader:
    """pandas' own loader, then the accessor (duck-typed: importlib.abc costs 13 ms to import)."""

    def __init__(self, loader: Any):
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        """Let pandas' loader make the module."""
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Run pandas' ``__init__``, then register the accessor."""
        self._loader.exec_module(module)
        _register()


class _PandasFinder:
    """Finds nothing itself: wraps the loader of the ``pandas`` spec the other finders give."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """Return pandas' spec with its loader wrapped (and stop watching); None for anything else."""
        if fullname != "pandas":
            return None
        _uninstall()
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _AfterPandasLoader(spec.loader)  # type: ignore[assignment]  # duck-typed loader
        return spec


_FINDER = _PandasFinder()


def _uninstall() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def install() -> None:
    """Make ``.hunt`` available on pandas objects now (pandas loaded) or when pandas is imported."""
    if "pandas" in sys.modules:
        if getattr(sys.modules["pandas"], "DataFrame", None) is not None:
            _register()
        return
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
