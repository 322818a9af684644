"""init_notebook: names, display options, accessors and findings; in a script and in a real kernel."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from huntbook.notebook import init_notebook
from huntbook.notebook.init import DISPLAY_OPTIONS, NOTEBOOK_NAMES


@pytest.fixture
def restore_pandas_options():
    saved = {option: pd.get_option(option) for option in DISPLAY_OPTIONS}
    yield
    for option, value in saved.items():
        pd.set_option(option, value)


def test_names_options_and_report(restore_pandas_options, capsys):
    import numpy as np

    from huntbook.data.provider import QueryProvider

    namespace = {}
    result = init_notebook(namespace)
    assert namespace["pd"] is pd and namespace["np"] is np and namespace["QueryProvider"] is QueryProvider
    assert set(result.imported) == set(namespace)
    assert set(result.imported) | set(result.unavailable) == {name for name, _, _ in NOTEBOOK_NAMES}
    assert {"pd", "np", "huntbook", "QueryProvider", "extract_iocs", "unpack"} <= set(result.imported)
    assert all(pd.get_option(option) == value for option, value in DISPLAY_OPTIONS.items())
    assert result.accessors == ["huntbook.accessor"] and hasattr(pd.DataFrame(), "hunt")
    out = capsys.readouterr().out
    assert out.startswith("huntbook notebook ready. Imported: pd, np, huntbook, QueryProvider")
    assert result.report is not None and result.report.summary() in out
    assert f"{len(result.imported)} names imported" in repr(result)


def test_the_notebook_own_names_are_kept(restore_pandas_options, capsys):
    namespace = {"pd": "my own pd", "unpack": None}
    result = init_notebook(namespace, check=False)
    assert namespace["pd"] == "my own pd" and namespace["unpack"] is None
    assert sorted(result.kept) == ["pd", "unpack"]
    assert "Kept your own: pd, unpack." in capsys.readouterr().out


def test_quiet_shows_only_problems(restore_pandas_options, capsys, tmp_path, monkeypatch):
    init_notebook({}, quiet=True)
    assert capsys.readouterr().out == ""
    config = tmp_path / "huntbook.yaml"
    config.write_text(f"lake:\n  path: {tmp_path / 'gone'}\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(config))
    init_notebook({}, quiet=True)
    out = capsys.readouterr().out
    assert out.startswith("✘ lake: lake.path") and "ready" not in out


def test_by_default_names_go_to_the_caller_module():
    code = (
        "from huntbook.notebook import init_notebook\n"
        "init_notebook(quiet=True, check=False)\n"
        "print(pd.__name__, np.__name__, QueryProvider.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "pandas numpy QueryProvider"


def test_in_a_real_kernel_it_shows_html_and_fills_the_notebook(demo_lake):  # the kernel reuses it
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("from huntbook.notebook import init_notebook\nresult = init_notebook()"),
        nbformat.v4.new_code_cell("print(pd.__name__, QueryProvider.__name__, type(get_ipython()).__name__)"),
        nbformat.v4.new_code_cell(
            "from huntbook.notebook import widgets as w\n"
            "qp = QueryProvider('Local')\n"
            "alerts = qp.exec_query('SecurityAlert | take 5')\n"
            "for shown in (w.QueryTimeRange(provider=qp, lookback='1d'), w.ItemPicker(['a', 'b']),\n"
            "              w.SubsetPicker(['a', 'b']), w.AlertPicker(alerts),\n"
            "              w.OptionButtons(['yes', 'no']), w.TextPrompt('name'), w.DataViewer(alerts)):\n"
            "    display(shown)"
        ),
    ]
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    first, second, third = (cell.outputs for cell in notebook.cells)
    html = "".join(o["data"].get("text/html", "") for o in first if o["output_type"] == "display_data")
    assert "huntbook notebook ready" in html and "<b>lake</b>" in html
    assert second[0]["text"].strip() == "pandas QueryProvider ZMQInteractiveShell"
    assert len(third) == 7
    assert all("application/vnd.jupyter.widget-view+json" in output["data"] for output in third)


def test_a_new_user_sees_no_fix_under_nothing_to_fix(tmp_path):
    """A fresh process with no config file: what init_notebook prints agrees with itself."""
    env = {k: v for k, v in os.environ.items() if k != "HUNTBOOK_CONFIG"}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")}
    code = "from huntbook.notebook import init_notebook\ninit_notebook()\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path, env=env
    ).stdout
    lines = out.splitlines()
    assert lines[1].startswith("huntbook is ready:") and "nothing to fix" in lines[1]
    assert not [line for line in lines if line.strip().startswith("fix:")]
    assert any(line.strip().startswith("tip: To configure huntbook") for line in lines)
