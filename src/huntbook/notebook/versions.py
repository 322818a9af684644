"""`check_versions`: Python, huntbook and the versions of what it depends on."""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huntbook.notebook.requirements import (
    PackageStatus,
    installed_version,
    package_statuses,
    python_requirement,
)

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console, ConsoleOptions, RenderResult

_COLUMNS = ("package", "needed by", "required", "installed", "status", "note")


@dataclass(frozen=True)
class VersionReport:
    """The versions in use; shows as a table in a notebook or a terminal.

    Attributes
    ----------
    python : str
        The running Python version.
    python_required : str
        huntbook's ``Requires-Python``.
    python_ok : bool
        Whether the running Python meets it.
    huntbook : str
        The installed huntbook version (``"not installed"`` when running from a bare checkout).
    packages : tuple of PackageStatus
        One entry per required package, core first.
    """

    python: str
    python_required: str
    python_ok: bool
    huntbook: str
    packages: tuple[PackageStatus, ...]

    @property
    def problems(self) -> list[str]:
        """What needs fixing: a too old Python, missing core packages, versions out of range."""
        found = []
        if not self.python_ok:
            found.append(f"Python {self.python} is too old: huntbook needs Python {self.python_required}.")
        found += [
            f"{p.package}: {p.note}" for p in self.packages if p.status in ("too old", "too new", "missing")
        ]
        return found

    @property
    def frame(self) -> pd.DataFrame:
        """The table: package, needed by, required, installed, status, note."""
        import pandas as pd

        return pd.DataFrame([_row(p) for p in self.packages], columns=list(_COLUMNS))

    def _header(self) -> str:
        state = "ok" if self.python_ok else f"too old, needs {self.python_required}"
        return f"huntbook {self.huntbook} on Python {self.python} ({state}), {platform.platform(terse=True)}"

    def __str__(self) -> str:
        rows = [_row(p) for p in self.packages]
        widths = [max(len(c), *(len(r[c]) for r in rows)) if rows else len(c) for c in _COLUMNS[:-1]]
        lines = [self._header(), ""]
        lines.append("  ".join(c.ljust(w) for c, w in zip(_COLUMNS, widths, strict=False)))
        for r in rows:
            cells = [r[c].ljust(w) for c, w in zip(_COLUMNS[:-1], widths, strict=True)]
            lines.append("  ".join([*cells, r["note"]]).rstrip())
        lines += ["", *(f"! {p}" for p in self.problems)] if self.problems else ["", "Nothing too old."]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<VersionReport huntbook {self.huntbook}, Python {self.python}, {len(self.problems)} problem(s)>"
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table

        table = Table(title=self._header())
        for column in _COLUMNS:
            table.add_column(column, overflow="fold")
        for p in self.packages:
            style = {"too old": "bold red", "too new": "bold red", "missing": "bold red"}.get(p.status, "")
            style = style or ("dim" if p.status == "not installed" else "")
            table.add_row(*_row(p).values(), style=style)
        yield table
        for problem in self.problems:
            yield f"[bold red]![/] {problem}"

    def _repr_html_(self) -> str:
        colour = {"too old": "#c62828", "too new": "#c62828", "missing": "#c62828", "not installed": "#777"}
        head = "".join(f"<th style='text-align:left'>{c}</th>" for c in _COLUMNS)
        body = "".join(
            f"<tr style='color:{colour.get(p.status, 'inherit')}'>"
            + "".join(f"<td style='text-align:left'>{html.escape(v)}</td>" for v in _row(p).values())
            + "</tr>"
            for p in self.packages
        )
        problems = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        summary = f"<ul style='color:#c62828'>{problems}</ul>" if problems else "<p>Nothing too old.</p>"
        return (
            f"<div><b>{html.escape(self._header())}</b>{summary}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )


def _row(p: PackageStatus) -> dict[str, str]:
    return {
        "package": p.package,
        "needed by": ", ".join(p.extras) or "core",
        "required": p.required or "any",
        "installed": p.installed or "-",
        "status": p.status,
        "note": p.note,
    }


def check_versions() -> VersionReport:
    """Return Python, huntbook and dependency versions, flagging anything too old.

    Every package huntbook requires is listed, core and optional (by extra),
    with the minimum declared in huntbook's installed metadata and the
    installed version. A `VersionReport` shows as a table in a notebook
    (HTML) and in a terminal (``print`` or ``rich.print``); ``.frame`` is the
    table as a DataFrame and ``.problems`` lists what needs fixing.
    """
    running, required, ok = python_requirement()
    return VersionReport(
        python=running,
        python_required=required,
        python_ok=ok,
        huntbook=installed_version("huntbook") or "not installed",
        packages=tuple(package_statuses()),
    )
