"""Lazy exports: a package's public names imported from their modules on first use.

This keeps ``import huntbook`` (and its subpackages) fast: pandas, Bokeh or
httpx load only when a name that needs them is first touched.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], public: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of *package*.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping of str to str
        Public name -> module holding it: a full module path (``huntbook.…``)
        or a submodule of *package* (``lookup``).
    public : list of str
        The package's ``__all__``.
    """

    def module_getattr(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        path = module if module.startswith("huntbook.") else f"{package}.{module}"
        return getattr(importlib.import_module(path), name)

    def module_dir() -> list[str]:
        return list(public)

    return module_getattr, module_dir
