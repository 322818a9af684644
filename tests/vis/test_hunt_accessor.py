"""The ``.hunt`` accessor (also ``.huntbook``): plots and analyses one attribute away."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

pytest.importorskip("bokeh")

import huntbook.accessor  # noqa: F401  (registers the accessor)
from huntbook.vis import BokehPlot, MapPlot

FRAME = pd.DataFrame(
    {
        "TimeGenerated": pd.to_datetime(["2026-11-10 01:00", "2026-11-10 02:00"], utc=True),
        "Computer": ["a", "b"],
        "RemoteIP": ["8.8.8.8", "1.1.1.1"],
        "cmd": ["ping 8.8.8.8", "curl hxxp://evil[.]com"],
    }
)


def test_plots_are_one_line() -> None:
    assert isinstance(FRAME.hunt.timeline(group_by="Computer"), BokehPlot)
    assert isinstance(FRAME.hunt.timeline_values(group_by="Computer"), BokehPlot)
    assert isinstance(FRAME.hunt.timeline_duration(group_by="Computer"), BokehPlot)
    assert isinstance(FRAME.hunt.matrix(x="Computer", y="RemoteIP"), BokehPlot)
    assert isinstance(FRAME.hunt.network(source="Computer", target="RemoteIP"), BokehPlot)
    assert isinstance(FRAME.hunt.map(ip_column="RemoteIP"), MapPlot)
    assert "<iframe srcdoc=" in FRAME.hunt.timeline()._repr_html_()


def test_analyses_under_both_names_and_plots_need_a_frame() -> None:
    assert (
        FRAME.hunt.extract_iocs(columns=["cmd"])["observable"].tolist()
        == FRAME.huntbook.extract_iocs(columns=["cmd"])["observable"].tolist()
    )
    assert "8.8.8.8" in FRAME["cmd"].hunt.extract_iocs()["observable"].tolist()
    with pytest.raises(TypeError, match="call it on the frame"):
        FRAME["cmd"].hunt.timeline()


def test_importing_the_accessor_loads_no_plotting_library() -> None:
    loaded = "[m for m in ('bokeh', 'folium', 'networkx') if m in sys.modules]"
    code = f"import sys, huntbook.analysis; print({loaded})"
    assert (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "[]"
    )
