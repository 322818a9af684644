"""check_versions reads huntbook's declared minimums and compares the installed versions."""

import platform
from importlib import metadata

import pandas as pd
import pytest

from huntbook.notebook import check_versions
from huntbook.notebook.requirements import installed_version, version_status


@pytest.mark.parametrize(
    ("installed", "required", "optional", "status"),
    [
        ("2.2.0", ">=2.2", False, "ok"),
        ("2.1.4", ">=2.2", False, "too old"),
        ("1.30", "<2,>=1.28", False, "ok"),
        ("2.0", "<2,>=1.28", False, "too new"),
        ("1.27", "<2,>=1.28", False, "too old"),
        ("1.0.0rc1", ">=1.0.0rc1", True, "ok"),
        (None, ">=1", False, "missing"),
        (None, ">=1", True, "not installed"),
        ("local-build", ">=1", False, "ok"),
        ("3.0", "", False, "ok"),
    ],
)
def test_version_status(installed, required, optional, status):
    assert version_status(installed, required, optional=optional) == status


def test_installed_version_agrees_with_importlib_metadata_for_every_distribution():
    names = {d.metadata["Name"] for d in metadata.distributions()}
    assert len(names) > 10
    assert {n: installed_version(n) for n in names} == {n: metadata.version(n) for n in names}
    assert installed_version("no-such-distribution-huntbook-test") is None


def test_report_lists_core_and_every_extra_with_installed_versions():
    report = check_versions()
    assert report.python == platform.python_version()
    assert report.python_ok
    assert report.huntbook == metadata.version("huntbook")
    rows = {p.package: p for p in report.packages}
    assert rows["pandas"].core and rows["pandas"].installed == pd.__version__
    assert rows["pandas"].required.startswith(">=")
    assert "notebook" in rows["ipywidgets"].extras
    declared_extras = set(metadata.metadata("huntbook").get_all("Provides-Extra")) - {"all", "dev"}
    assert {e for p in report.packages for e in p.extras} == declared_extras
    frame = report.frame
    assert list(frame.columns) == ["package", "needed by", "required", "installed", "status", "note"]
    assert len(frame) == len(report.packages)


def test_report_text_and_html_name_what_to_fix():
    report = check_versions()
    text = str(report)
    assert text.splitlines()[0].startswith(f"huntbook {report.huntbook} on Python {report.python}")
    assert "pandas" in text and report._repr_html_().count("<tr") == len(report.packages) + 1
    for row in report.packages:
        if row.status == "not installed":
            assert f"pip install 'huntbook[{row.extras[0]}]'" in row.note
    assert report.problems == [
        f"{p.package}: {p.note}" for p in report.packages if p.status in ("too old", "too new", "missing")
    ]
