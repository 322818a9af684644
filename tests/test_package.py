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


@pytest.mark.parametrize(
    "code",
    [
        "import huntbook, pandas as pd; import sys",
        "import pandas as pd, huntbook; import sys",
        "import huntbook; from pandas import DataFrame; import pandas as pd, sys",
    ],
    ids=["huntbook first", "pandas first", "from pandas import"],
)
def test_hunt_accessor_is_there_once_pandas_is_imported_in_either_order(code):
    check = (
        f"{code}; assert hasattr(pd.DataFrame({{'a': [1]}}), 'hunt') and hasattr(pd.Series([1]), 'hunt'); "
        "assert not [f for f in sys.meta_path if type(f).__module__.startswith('huntbook')]; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_frames_huntbook_returns_have_the_accessor_without_init_notebook(demo_lake):
    code = (
        "import huntbook; "
        f"qp = huntbook.QueryProvider('Local', lake={str(demo_lake.path)!r}); "
        "frame = qp.exec_query('SecurityEvent | take 3'); "
        "print(type(frame.hunt).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "HuntAccessor"
