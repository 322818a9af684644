"""`init_notebook`: one call at the top of a hunting notebook.

It puts the usual names into the notebook, checks the setup and says in plain
words what is missing and how to fix it, sets pandas display options and
registers huntbook's DataFrame accessors. It imports nothing heavy that the
notebook does not use at once (no Bokeh, no ipywidgets, no cloud SDKs), so it
returns in a fraction of a second.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from huntbook.notebook.query_browser import in_notebook
from huntbook.notebook.setup_checks import SetupReport, check_setup

NOTEBOOK_NAMES: tuple[tuple[str, str, str | None], ...] = (
    ("pd", "pandas", None),
    ("np", "numpy", None),
    ("huntbook", "huntbook", None),
    ("QueryProvider", "huntbook.data.provider", "QueryProvider"),
    ("extract_iocs", "huntbook.analysis.iocs", "extract_iocs"),
    ("unpack", "huntbook.analysis.decode", "unpack"),
    ("unpack_frame", "huntbook.analysis.decode", "unpack_frame"),
    ("build_process_tree", "huntbook.analysis.proctree", "build_process_tree"),
    ("TILookup", "huntbook.enrich.ti", "TILookup"),
    ("check_versions", "huntbook.notebook.versions", "check_versions"),
    ("nbwidgets", "huntbook.notebook.widgets", None),
    ("vis", "huntbook.vis", None),
)
"""``(name in the notebook, module, attribute or None for the module itself)``.

Entries whose module is not part of this installation are skipped.
"""

ACCESSOR_MODULES = ("huntbook.accessor",)
"""Modules that register DataFrame accessors (``df.hunt``, ``df.huntbook``) when imported."""

DISPLAY_OPTIONS: dict[str, object] = {
    "display.max_columns": 50,
    "display.max_colwidth": 120,
    "display.max_rows": 100,
    "display.min_rows": 20,
    "display.width": 200,
}
"""pandas display options for reading security events: more columns, longer cells."""


@dataclass
class NotebookInit:
    """What `init_notebook` did."""

    imported: list[str] = field(default_factory=list)
    """Names put into the notebook."""
    kept: list[str] = field(default_factory=list)
    """Names left alone because the notebook already uses them for something else."""
    unavailable: dict[str, str] = field(default_factory=dict)
    """Names not imported, with the reason."""
    accessors: list[str] = field(default_factory=list)
    """Accessor modules registered."""
    report: SetupReport | None = None
    seconds: float = 0.0

    def __repr__(self) -> str:
        problems = len(self.report.problems) if self.report else 0
        return (
            f"<huntbook notebook ready in {self.seconds:.2f} s: {len(self.imported)} names imported"
            f"{f', {len(self.kept)} kept' if self.kept else ''}, {problems} setup problem(s)>"
        )


def init_notebook(
    namespace: MutableMapping[str, Any] | None = None,
    *,
    quiet: bool = False,
    check: bool = True,
) -> NotebookInit:
    """Prepare a notebook for hunting.

    Parameters
    ----------
    namespace : mutable mapping, optional
        Where to put the names (`NOTEBOOK_NAMES`): the notebook's namespace
        in Jupyter, else the caller's module globals.
    quiet : bool
        Show only what needs fixing (nothing when all is well).
    check : bool
        Check the setup (config file, lake, TI keys, extras) and show the findings.

    Returns
    -------
    NotebookInit
        The names imported, those kept because the notebook already used them,
        the setup findings and the time taken.

    Notes
    -----
    A name the notebook already binds to a different object is not replaced.
    In Jupyter the findings show as HTML; elsewhere they print as text.
    """
    started = time.perf_counter()
    notebook = in_notebook()
    if namespace is None:
        namespace = _caller_namespace(notebook)
    result = NotebookInit()
    _import_names(namespace, result)
    _set_display_options()
    for module in ACCESSOR_MODULES:
        if _module_exists(module):
            importlib.import_module(module)
            result.accessors.append(module)
    if check:
        result.report = check_setup(in_notebook=notebook)
    result.seconds = time.perf_counter() - started
    _show(result, notebook=notebook, quiet=quiet)
    return result


def _caller_namespace(notebook: bool) -> MutableMapping[str, Any]:
    if notebook:
        shell = sys.modules["IPython"].get_ipython()
        namespace: MutableMapping[str, Any] = shell.user_ns
        return namespace
    return sys._getframe(2).f_globals


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _import_names(namespace: MutableMapping[str, Any], result: NotebookInit) -> None:
    for name, module, attribute in NOTEBOOK_NAMES:
        if not _module_exists(module):
            result.unavailable[name] = f"{module} is not part of this installation"
            continue
        try:
            value = importlib.import_module(module)
            if attribute is not None:
                value = getattr(value, attribute)
        except (ImportError, AttributeError) as exc:
            result.unavailable[name] = f"{type(exc).__name__}: {exc}"
            continue
        if name in namespace and namespace[name] is not value:
            result.kept.append(name)
            continue
        namespace[name] = value
        result.imported.append(name)


def _set_display_options() -> None:
    import pandas as pd

    for option, value in DISPLAY_OPTIONS.items():
        pd.set_option(option, value)


def _show(result: NotebookInit, *, notebook: bool, quiet: bool) -> None:
    report = result.report
    if quiet and (report is None or not report.problems):
        return
    names = ", ".join(result.imported) or "none"
    kept = f" Kept your own: {', '.join(result.kept)}." if result.kept else ""
    if notebook:
        from IPython.display import HTML, display

        from huntbook.display import html_text

        intro = f"huntbook notebook ready. Imported: <code>{html_text(names)}</code>.{html_text(kept)}"
        parts = [] if quiet else [f"<p>{intro}</p>"]
        if report is not None:
            parts.append(report._repr_html_())
        display(HTML("".join(parts)))  # type: ignore[no-untyped-call]
        return
    lines = [] if quiet else [f"huntbook notebook ready. Imported: {names}.{kept}"]
    if report is not None:
        lines.append(str(report) if not quiet else "\n".join(str(f) for f in report.problems))
    print("\n".join(lines))
