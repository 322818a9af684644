"""The demo report's process tree: ``process_name`` is the file name and ``process_path`` the full path.

The same two columns as `build_process_tree` gives in Python and as ``huntbook proctree`` draws: the
evidence table of the attack chain and the hover cards of its plot, read in headless Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("bokeh")

from html_probe import glyph_points, hover_each
from huntbook.investigation import run_investigation

STEP = "Process tree of the attack chain"
TABLE = """
const titled = (s) => [...s.querySelectorAll("h2, h3")].some((h) => h.textContent.includes(STEP));
const section = [...document.querySelectorAll("section")].find((s) => titled(s) && s.querySelector(".ev"));
const table = section.querySelector("table.ev");
const head = [...table.querySelectorAll("thead th, tr:first-child th")].map((th) => th.textContent.trim());
const cells = (tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent);
const rows = [...table.querySelectorAll("tbody tr")].map(cells);
return {head, rows};
"""


@pytest.fixture(scope="module")
def chain_and_report(qp: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    investigation = run_investigation(qp)
    (chain,) = [f for f in investigation.findings if f.step == STEP]
    return chain, investigation.write_html(tmp_path_factory.mktemp("report") / "report.html")


def test_the_attack_chain_names_processes_by_file_and_path(chain_and_report, browser_page) -> None:
    chain, page_path = chain_and_report
    tree = chain.tree
    found = tree[tree["process_name"] == "powershell.exe"]
    assert len(found) == 1
    assert found["process_path"].iloc[0].endswith("\\WindowsPowerShell\\v1.0\\powershell.exe")
    with browser_page(page_path, height=1200) as page:
        table = page.evaluate(TABLE.replace("STEP", json.dumps(STEP)))
        cards = hover_each(page, glyph_points(page, "process_path", glyph="Scatter"))
        page.screenshot("-process-tree")
        _, problems = page.console()
    assert problems == []
    head = table["head"]
    assert {"process_name", "process_path"} <= set(head), head
    cells = [dict(zip(head, row, strict=False)) for row in table["rows"]]
    shown = {(c["process_name"], c["process_path"]) for c in cells}
    assert ("powershell.exe", found["process_path"].iloc[0]) in shown
    assert all("\\" not in name for name, _ in shown)
    hovered = {(dict(card)["process_name"], dict(card).get("process_path")) for card in cards}
    assert ("powershell.exe", found["process_path"].iloc[0]) in hovered
    assert {name for name, _ in hovered} == set(tree["process_name"].dropna())
