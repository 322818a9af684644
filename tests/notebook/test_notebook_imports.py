"""The notebook layer loads nothing heavy until used, and `import huntbook` stays fast."""

import subprocess
import sys

import pytest

import huntbook.notebook
import huntbook.notebook.widgets


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_import_huntbook_is_fast_and_light():
    code = (
        "import sys, time\n"
        "t = time.perf_counter(); import huntbook; took = time.perf_counter() - t\n"
        "heavy = [m for m in ('pandas', 'ipywidgets', 'IPython', 'numpy') if m in sys.modules]\n"
        "print(heavy, took)"
    )
    heavy, took = _run(code).rsplit(" ", 1)
    assert heavy == "[]"
    assert float(took) < 0.25  # ~12 ms on the reference machine; generous for a busy CI runner


def test_notebook_packages_load_neither_pandas_nor_ipywidgets():
    code = (
        "import sys, huntbook.notebook, huntbook.notebook.widgets\n"
        "print([m for m in ('pandas', 'ipywidgets') if m in sys.modules])"
    )
    assert _run(code).strip() == "[]"


@pytest.mark.parametrize("package", [huntbook.notebook, huntbook.notebook.widgets])
def test_all_lists_names_that_resolve(package):
    assert package.__all__ == sorted(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError, match="Nope"):
        package.Nope  # noqa: B018
