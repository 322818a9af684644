"""Analysis: pure functions from text and DataFrames to DataFrames (IoCs, decoding, ...).

Importing this package adds the ``.huntbook`` accessor to pandas DataFrames and Series.
"""

from huntbook.analysis import accessor as _accessor  # noqa: F401  (registers the accessor)
