"""What every online provider shares: typed reads of a JSON answer, safe text, error reasons.

A service's answer is hostile data like any other: fields are read with their
expected type (a wrong type is a `ValueError` that names the field), and every
string that goes into a summary or an error reason is cut short and stripped of
control characters, so a crafted answer cannot flood a notebook or forge lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.enrich.ti.provider import Severity, TIProvider, Verdict

if TYPE_CHECKING:
    import httpx

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_ERROR_BODY_LIMIT = 64 * 1024
HASH_TYPES = ("md5", "sha1", "sha256")


def clip(value: object, limit: int = 100) -> str:
    """Return *value* as one line of at most *limit* characters (control characters removed)."""
    text = _CONTROL.sub(" ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names(items: Iterable[object], *, limit: int = 5) -> str:
    """Return up to *limit* clipped names joined by commas, with ``+N`` for the rest."""
    values = [clip(item, 40) for item in items if item not in (None, "")]
    shown = ", ".join(values[:limit])
    return shown + (f" +{len(values) - limit}" if len(values) > limit else "")


def by_score(
    score: float, thresholds: tuple[float, float], *, low_above: float, below: tuple[Verdict, Severity]
) -> tuple[Verdict, Severity]:
    """Grade a score: ``malicious``/high from ``thresholds[1]``, ``suspicious``/medium from
    ``thresholds[0]``, ``suspicious``/low above *low_above*, else *below*."""
    suspicious, malicious = thresholds
    if score >= malicious:
        return "malicious", "high"
    if score >= suspicious:
        return "suspicious", "medium"
    return ("suspicious", "low") if score > low_above else below


def as_object(payload: Any, provider: str, what: str = "the answer") -> Mapping[str, Any]:
    """Return *payload* when it is a JSON object, else raise `ValueError` naming the provider."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"{provider}: {what} is not a JSON object but {_kind(payload)}")
    return payload


def get(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], provider: str) -> Any:
    """Return ``obj[key]`` (``None`` when absent or null); a value of another type is a `ValueError`.

    ``bool`` is never accepted where a number is expected.
    """
    value = obj.get(key)
    if value is None:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise ValueError(f"{provider}: field '{key}' should be {_names(kinds)}, not a boolean")
    if not isinstance(value, kinds):
        raise ValueError(f"{provider}: field '{key}' should be {_names(kinds)}, not {_kind(value)}")
    return value


def need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], provider: str) -> Any:
    """Like `get`, but a missing or null field is a `ValueError` too."""
    value = get(obj, key, kind, provider)
    if value is None:
        raise ValueError(f"{provider}: the answer has no '{key}' field")
    return value


def number(value: Any, key: str, provider: str) -> float | None:
    """Return *value* as a number; numeric strings (abuse.ch sends counts as text) are accepted."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise ValueError(f"{provider}: field '{key}' should be a number, not {clip(repr(value), 40)}")


def objects(value: Any, key: str, provider: str) -> list[Mapping[str, Any]]:
    """Return a list field whose items must be JSON objects (``None`` gives ``[]``)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ValueError(f"{provider}: field '{key}' should be a list of objects")
    return value


def strings(value: Any, key: str, provider: str) -> list[str]:
    """Return a list field whose items must be strings (``None`` gives ``[]``)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{provider}: field '{key}' should be a list of strings")
    return value


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__


def _names(kinds: tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in kinds)


class OnlineProvider(TIProvider):
    """A `TIProvider` whose error reasons quote the service's own message (clipped, key removed)."""

    error_fields: ClassVar[tuple[str, ...]] = ("message", "detail", "error", "query_status")
    """Top-level fields that may carry the service's error message, in order of preference."""

    def describe_error(self, response: httpx.Response) -> str:
        """Return the HTTP status and the service's message, e.g. ``HTTP 401 Unauthorized: ...``."""
        reason = super().describe_error(response)
        message = self.service_message(response)
        return f"{reason} ({message})" if message else reason

    def service_message(self, response: httpx.Response) -> str | None:
        """Return the error message in a JSON error body, or ``None`` when there is none."""
        body = response.content[:_ERROR_BODY_LIMIT] if len(response.content) <= _ERROR_BODY_LIMIT else b""
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return None
        message = _find_message(payload, self.error_fields)
        return self.scrub(clip(message, 160)) if message else None

    def scrub(self, text: str) -> str:
        """Return *text* with the API key (or any part of it before ``:``) replaced by ``***``."""
        if self.api_key is None:
            return text
        secret = self.api_key.get_secret_value()
        for part in {secret, *secret.split(":")}:
            if len(part) >= 4:
                text = text.replace(part, "***")
        return text


def _find_message(payload: Any, fields: tuple[str, ...]) -> str | None:
    if isinstance(payload, list) and payload:
        return _find_message(payload[0], fields)
    if not isinstance(payload, Mapping):
        return None
    if "errors" in payload:  # JSON:API style, e.g. AbuseIPDB {"errors": [{"detail": ...}]}
        found = _find_message(payload["errors"], fields)
        if found:
            return found
    for key in fields:
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, Mapping):  # VirusTotal {"error": {"code": ..., "message": ...}}
            code, message = value.get("code"), value.get("message")
            parts = [str(p) for p in (code, message) if isinstance(p, str) and p]
            if parts:
                return ": ".join(parts)
    return None
