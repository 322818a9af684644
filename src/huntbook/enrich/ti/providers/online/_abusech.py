"""What the three abuse.ch APIs (URLhaus, MalwareBazaar, ThreatFox) share.

All three answer HTTP 200 with a ``query_status`` field that says whether the
query found something (``ok``), nothing (``no_results``, ``no_result``,
``hash_not_found``, ...) or was refused (``illegal_hash``, ``invalid_url``,
``unknown_auth_key``, ...), and all three take the same free abuse.ch key in the
``Auth-Key`` header (https://auth.abuse.ch/; since 2024 every query needs one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from huntbook.enrich.ti.provider import NotFound
from huntbook.enrich.ti.providers.online._common import OnlineProvider, as_object, clip


class AbuseChProvider(OnlineProvider):
    """Base of the abuse.ch providers: ``Auth-Key`` header and ``query_status`` handling."""

    key_header = "Auth-Key"
    error_fields = ("query_status", "error", "message", "detail")
    not_found_status: ClassVar[frozenset[str]] = frozenset({"no_results", "no_result"})
    """``query_status`` values that mean "nothing known"."""

    def answer(self, payload: Any) -> Mapping[str, Any]:
        """Return the answer object when ``query_status`` is ``ok``.

        Raises
        ------
        NotFound
            The status says nothing is known.
        ValueError
            The answer is not an object, or its status is a refusal (named in the message).
        """
        answer = as_object(payload, self.name)
        status = answer.get("query_status")
        if status == "ok":
            return answer
        if status in self.not_found_status:
            raise NotFound
        if not isinstance(status, str):
            raise ValueError(f"{self.name}: the answer has no 'query_status'")
        raise ValueError(f"{self.name} refused the query: query_status {clip(status, 60)!r}")
