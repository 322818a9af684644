"""Analysis: pure functions from text and DataFrames to DataFrames (IoCs, decoding, ...).

Importing this package adds the ``.hunt`` (and ``.huntbook``) accessor to pandas DataFrames
and Series. The accessor lives in `huntbook.accessor`; it imports only pandas, and each of its
methods imports the analysis or plot it calls when it is called.
"""

from huntbook import accessor as _accessor  # noqa: F401  (registers the accessor)
