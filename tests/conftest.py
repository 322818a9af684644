"""Shared fixtures: an isolated config and the demo lake, generated once per machine."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# Never read the developer's own huntbook.yaml, and keep the generated demo lake
# in one place that every xdist worker (and the next run) finds.
_CONFIG = Path(tempfile.gettempdir()) / "huntbook-tests-empty-config.yaml"
_CONFIG.write_text("{}\n")
os.environ["HUNTBOOK_CONFIG"] = str(_CONFIG)
os.environ.setdefault("HUNTBOOK_DEMO_DIR", str(Path(tempfile.gettempdir()) / "huntbook-tests-demo"))


@pytest.fixture(scope="session")
def demo_lake():
    """The default demo lake (generated on first use, then reused)."""
    from huntbook.data.lake.lake import Lake

    return Lake.demo()


@pytest.fixture(scope="session")
def ground_truth(demo_lake):
    """What the generator planted in the demo lake."""
    truth = demo_lake.ground_truth()
    assert truth is not None
    return truth


@pytest.fixture(scope="session")
def qp(demo_lake):
    """A connected QueryProvider over the demo lake."""
    from huntbook.data.provider import QueryProvider

    provider = QueryProvider("Local", lake=demo_lake)
    provider.connect()
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when this checkout has none beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA
