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
        "import sys\n"
        "before = set(sys.modules); import huntbook; loaded = len(set(sys.modules) - before)\n"
        "heavy = [m for m in ('pandas', 'ipywidgets', 'IPython', 'numpy') if m in sys.modules]\n"
        "print(heavy, loaded)"
    )
    heavy, loaded = _run(code).rsplit(" ", 1)
    assert heavy == "[]"
    # The work of the import, counted as modules loaded (33, mostly the standard library's; ~12 ms
    # on the reference machine), not timed: a busy runner cannot fail it.
    assert int(loaded) < 80


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
