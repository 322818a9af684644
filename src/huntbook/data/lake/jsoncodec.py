"""JSON decoding and encoding for ingest: ``orjson`` when installed, the standard library otherwise.

Both give the same values. A document orjson refuses or would change but the standard library
accepts (numbers beyond 64 bits, ``NaN``, unpaired UTF-16 surrogates) is
decoded by the standard library, so the choice never changes what is
ingested; an unpaired surrogate, which no UTF-8 text (nor Arrow) can hold,
becomes U+FFFD either way.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # optional speed-up (the ``evtx`` extra installs it)
    orjson = None  # type: ignore[assignment]


fast_loads = orjson.loads if orjson is not None else None
"""orjson's decoder when installed: only for text whose integers fit in 64 bits (as an EVTX file's do);
fall back to `loads` for text it refuses."""


def loads(text: str | bytes, *, small_numbers: bool = False) -> Any:
    """Decode one JSON document as the standard library does (faster with orjson).

    orjson turns integers beyond 64 bits into floats, so text with a run of
    20 digits goes to the standard library, unless *small_numbers* says the
    writer's numbers fit in 64 bits (as an EVTX file's do).

    Raises
    ------
    json.JSONDecodeError
        *text* is not JSON (orjson's error is a subclass); ``UnicodeDecodeError``
        for bytes that are not UTF-8.
    """
    if orjson is not None and (small_numbers or not _has_long_digits(text)):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return _without_lone_surrogates(json.loads(text))


def _has_long_digits(text: str | bytes) -> bool:
    """Whether *text* has 20 digits in a row (every digit made a ``9``, then one substring search)."""
    if isinstance(text, bytes):
        return _NINES_BYTES in text.translate(_DIGITS_TO_NINE_BYTES)
    return _NINES_TEXT in text.translate(_DIGITS_TO_NINE_TEXT)


def _without_lone_surrogates(value: Any) -> Any:
    """*value* with each unpaired UTF-16 surrogate (``"\\ud800"`` in JSON) as U+FFFD, as Arrow needs."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


_DIGITS_TO_NINE_BYTES = bytes.maketrans(b"0123456789", b"9" * 10)
_DIGITS_TO_NINE_TEXT = str.maketrans("0123456789", "9" * 10)
_NINES_BYTES, _NINES_TEXT = b"9" * 20, "9" * 20


def dumps(value: Any) -> str:
    """Encode *value* as compact JSON text, non-ASCII characters as they are."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # integers beyond 64 bits
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
