"""Hints in the words of the ``huntbook`` command.

Library messages say what to do in Python (``format='evtx'``, ``Lake.ingest()``,
``list_queries()``); the command says it with its flags. `cli_words` rewrites the
known phrases of those messages; every phrase here has a test that makes the
command print it (``tests/test_cli_hints.py``).
"""

from __future__ import annotations

import re

_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    # catalog.py, Query.bind: a required parameter without a value
    (re.compile(r"Call it as [\w.]+\((\w+)=\.\.\.\)\."), r"Pass it with -p \1=VALUE."),
    # provider.py, QueryProvider.query: no query of that name
    (re.compile(r"See list_queries\(\) for what is available\."), "List them with 'huntbook queries'."),
    # lake/ingest.py, detect_format: a table file of unknown suffix
    (re.compile(r"pass format= one of "), "pass --format, one of "),
    # lake/winfiles.py, event_format: an event file of unknown suffix
    (re.compile(r"pass format='evtx' or 'jsonl'"), "pass --format evtx or --format jsonl"),
    # drivers/local.py and kql_errors.py: how to fill a table
    (re.compile(r"\(Lake\.ingest\(path\) or ('huntbook lake ingest PATH')\)"), r"(\1)"),
    (
        re.compile(r"\('huntbook lake ingest PATH' or Lake\.ingest\(path\)\)"),
        "('huntbook lake ingest PATH --table NAME')",
    ),
    (
        re.compile(r"'(\w+)' is a known Sentinel table; ingest data into it with Lake\.ingest\(\)"),
        r"'\1' is a known Sentinel table; ingest data into it with 'huntbook lake ingest FILE --table \1'",
    ),
    (re.compile(r"Lake\.ingest\(\)"), "'huntbook lake ingest FILE --table NAME'"),
    # enrich/ti/lookup.py: an observable of no known type
    (re.compile(r"pass types= to say what it is"), "pass --type to say what it is"),
)


def cli_words(message: str) -> str:
    """Return *message* with its Python calls and keyword arguments said as ``huntbook`` flags.

    Parameters
    ----------
    message
        An error message or a lookup's reason, as the library wrote it.

    Returns
    -------
    str
        The same message; the phrases `_PHRASES` knows are rewritten, the rest is kept as is.
    """
    for pattern, replacement in _PHRASES:
        message = pattern.sub(replacement, message)
    return message
