"""Arrow-backed string columns (pandas 3 default) are scanned straight from Arrow, with the same result."""

from __future__ import annotations

import pandas as pd
import pytest

from huntbook.analysis.iocs import extract_iocs
from huntbook.analysis.iocs.arrow_regex import ArrowStrings

VALUES = [
    "ping 10.1.2.3 && curl hxxp://evil[.]com/x",
    "naïve café → evil.com\x00C:\\Users\\bob\\run.exe",
    None,
    "first line 203.0.113.9\nsecond line user@example.org",
    "ping 10.1.2.3 && curl hxxp://evil[.]com/x",
    "%68%74%74%70://198.51.100.7/%7Ea",
]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "str"])
def test_arrow_backed_columns_give_what_object_columns_give(dtype):
    expected = extract_iocs(pd.Series(VALUES, dtype=object))
    found = extract_iocs(pd.Series(VALUES, dtype=dtype))
    pd.testing.assert_frame_equal(found.astype(str), expected.astype(str))
    assert {"ipv4", "url", "domain", "email", "winpath"} <= set(expected["type"].astype(str))


def test_only_arrow_strings_without_nulls_are_taken_as_they_are():
    uniques = pd.Index(["a", "b"], dtype="string[pyarrow]")
    assert list(ArrowStrings.of(uniques) or []) == ["a", "b"]
    assert ArrowStrings.of(pd.Index(["a", "b"], dtype=object)) is None
    assert ArrowStrings.of(pd.array(["a", None], dtype="string[pyarrow]")) is None
    assert ArrowStrings.of(pd.array([1, 2], dtype="int64[pyarrow]")) is None


def test_contains_char_looks_for_one_character():
    texts = ArrowStrings.of(pd.array(["ab", "c\nd"], dtype="string[pyarrow]"))
    assert texts is not None and texts.contains_char("\n") and not texts.contains_char("x")
    with pytest.raises(ValueError, match="one character"):
        texts.contains_char("bc")
