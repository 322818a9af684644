"""The companion notebook runs end to end in a real Jupyter kernel, finds the planted intrusion,
and its exported HTML opens offline in headless Chromium without console errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "huntbook-overview.ipynb"
CELL_TIMEOUT = 180
"""Seconds one cell may take (the kernel imports pandas, Bokeh and folium on the way)."""

OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""
"""nbconvert's lab page without what it would fetch from CDNs (require.js, MathJax, mermaid and the
widget manager): the notebook has no maths, diagrams or saved widget state, and its plots carry their
own JavaScript inline."""


@pytest.fixture(scope="module")
def executed(demo_lake):
    """The notebook after a run in a fresh kernel (on the demo lake of tests/conftest.py)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    return notebook


def outputs(notebook, kind):
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs if kind(o)]


def test_the_committed_notebook_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) >= 15
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_every_cell_runs_without_errors_or_warnings(executed):
    assert outputs(executed, lambda o: o.output_type == "error") == []
    assert [o.text for o in outputs(executed, lambda o: o.get("name") == "stderr")] == []


def test_the_notebook_finds_the_planted_intrusion(executed, ground_truth):
    intrusion, spray = ground_truth.intrusion, ground_truth.password_spray
    (summary,) = [o.text for o in executed.cells[-1].outputs if o.get("name") == "stdout"]
    for fact in (
        intrusion.host,
        intrusion.account,
        intrusion.c2_domain,
        intrusion.c2_ip,
        intrusion.stolen_account,
        spray.source_ip,
        spray.compromised_account,
    ):
        assert fact in summary
    assert f"anomalous hours: {spray.start:%b %d %H}:00" in summary  # the spray's hour, and only it


def test_the_notebook_draws_its_pictures(executed):
    shown = outputs(executed, lambda o: "text/plain" in o.get("data", {}))
    reprs = " ".join(o.data["text/plain"] for o in shown)
    pictures = ("MapPlot(", "BokehPlot(title='From the Word document", "BokehPlot(title='The intrusion on")
    for picture in pictures:
        assert picture in reprs
    assert "BokehPlot(title='Failed sign-ins per hour'" in reprs


def export_html(notebook, folder: Path) -> Path:
    """*notebook* as one HTML page that needs no network."""
    jinja2 = pytest.importorskip("jinja2")
    nbconvert = pytest.importorskip("nbconvert")

    notebook = nbformat.from_dict(notebook)
    notebook.metadata.pop("widgets", None)  # saved widget state would load the widget manager from a CDN
    exporter = nbconvert.HTMLExporter(
        template_file="offline.html.j2",
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
    )
    body, _ = exporter.from_notebook_node(notebook)
    path = folder / "huntbook-overview.html"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_executed_notebook_opens_offline_in_a_browser(executed, tmp_path, render_html):
    path = export_html(executed, tmp_path)
    page = path.read_text(encoding="utf-8")
    assert re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", page) == []
    # tall enough that every plot's frame is on screen, so none is left unloaded (they load lazily)
    shown = render_html(path, height=9000)
    assert shown.console_problems == [], shown.console
    assert shown.drawn_fraction() > 0.05
    # the beacon lane (orange), the anomaly marker (red) and the map's country outlines
    assert shown.colours_seen(["#ff7f0e", "#d62728"]) == ["#ff7f0e", "#d62728"]
    assert shown.colours_seen(["#f4f1ea"], min_pixels=20_000)
