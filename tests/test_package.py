import subprocess
import sys

import pytest

import huntbook


def test_all_lists_exactly_the_public_names():
    public = {n for n in dir(huntbook) if not n.startswith("_")} | {"__version__"}
    assert set(huntbook.__all__) == public
    assert huntbook.__all__ == sorted(huntbook.__all__)


def test_every_public_name_resolves():
    for name in huntbook.__all__:
        assert getattr(huntbook, name) is not None


def test_import_is_light():
    code = (
        "import sys, huntbook; "
        "heavy = [m for m in ('pandas', 'duckdb', 'pyarrow', 'numpy', 'yaml', 'pydantic', 'rich') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchThing"):
        huntbook.NoSuchThing  # noqa: B018
