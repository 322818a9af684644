"""The errors `unpack` and `unpack_frame` raise for arguments they cannot use.

::

    HuntbookError
    └── UnpackError
        ├── UnpackInputError   the text, data or columns are of a kind unpack cannot read
        └── UnpackLimitError   a limit is not a positive integer

Hostile or undecodable input is never an error: it yields fewer layers.
"""

from __future__ import annotations

from huntbook.errors import HuntbookError


class UnpackError(HuntbookError):
    """An argument of `unpack` or `unpack_frame` cannot be used."""

    def __init__(self, message: str, *, argument: str, value: object = None):
        self.argument = argument
        self.value = value
        super().__init__(message)


class UnpackInputError(UnpackError, TypeError):
    """The input is not text, bytes, a Series or a DataFrame, or names columns it does not have."""


class UnpackLimitError(UnpackError, ValueError):
    """A limit is not a positive integer."""
