"""`ProcessTreeSummary`: a process tree (from `build_process_tree`) summarised for a notebook.

The analysis layer returns plain DataFrames and never imports the notebook
layer; wrap a tree in this class (or let ``df.hunt`` do it) to see one row
per tree in a notebook or a terminal.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huntbook.display import html_text, short_value

if TYPE_CHECKING:
    import pandas as pd

MAX_TREES_SHOWN = 50
"""Trees listed in the HTML; the rest are counted."""


@dataclass(frozen=True)
class ProcessTreeSummary:
    """One line per process tree: host, top process, size, depth and time span.

    A part of a tree (`descendants_of`, `ancestors_of`) is summarised from
    the process it starts at.

    Parameters
    ----------
    tree : pandas.DataFrame
        The result of `huntbook.analysis.proctree.build_process_tree`.
    """

    tree: pd.DataFrame

    @property
    def frame(self) -> pd.DataFrame:
        """The summary table (`huntbook.analysis.proctree.tree_summary`), largest trees first."""
        from huntbook.analysis.proctree import tree_summary

        summary = tree_summary(self.tree)
        return summary.sort_values(["processes", "tree_id"], ascending=[False, True], ignore_index=True)

    def headline(self) -> str:
        """Processes, trees, hosts, inferred parents and time span, in one sentence."""
        tree = self.tree
        processes, trees = len(tree), int(tree["tree_id"].nunique()) if len(tree) else 0
        hosts = int(tree["host"].nunique()) if len(tree) else 0
        inferred = int(tree["inferred"].fillna(False).astype(bool).sum()) if len(tree) else 0
        text = (
            f"{processes:,} process{'es' if processes != 1 else ''}"
            f" in {trees:,} tree{'s' if trees != 1 else ''} on {hosts:,} host{'s' if hosts != 1 else ''}"
        )
        if inferred:
            text += f" ({inferred:,} parents inferred from their children's events)"
        if processes:
            first, last = tree["start"].min(), tree["start"].max()
            text += f", {short_value(_plain(first))} to {short_value(_plain(last))} UTC"
        return text

    def __repr__(self) -> str:
        rows = self.frame.head(MAX_TREES_SHOWN)
        lines = [self.headline()]
        lines += [
            f"  tree {r.tree_id}: {r.host}  {short_value(r.root_name, max_chars=40)}  "
            f"{r.processes} processes, depth {r.depth}"
            for r in rows.itertuples()
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return process_tree_summary_html(self.tree)


def process_tree_summary_html(tree: pd.DataFrame) -> str:
    """Return an HTML summary of *tree*: a headline and one row per tree (largest first, escaped)."""
    view = ProcessTreeSummary(tree)
    summary = view.frame
    shown = summary.head(MAX_TREES_SHOWN)
    columns = ("tree_id", "host", "root_name", "processes", "depth", "first", "last")
    head = "".join(f"<th style='text-align:left'>{c.replace('_', ' ')}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='text-align:left'>{html.escape(str(short_value(_plain(row[c]), max_chars=60)))}</td>"
            for c in columns
        )
        + "</tr>"
        for _, row in shown.iterrows()
    )
    more = len(summary) - len(shown)
    tail = f"<p>… and {more:,} smaller trees.</p>" if more > 0 else ""
    return (
        f"<div><b>{html_text(view.headline())}</b>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{tail}</div>"
    )


def _plain(value: object) -> object:
    to_py = getattr(value, "to_pydatetime", None)
    return to_py() if callable(to_py) else value
