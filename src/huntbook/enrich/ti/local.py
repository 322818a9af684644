"""The base of offline TI providers: answer a whole batch at once, no HTTP.

A local provider reads something on this machine (the lake, feed files) and
answers every observable of a batch in one go::

    class MyList(LocalProvider):
        name = "mylist"
        types = frozenset({"ipv4"})

        def lookup_batch(self, items):
            return [LocalResult(Assessment(...)) if v in BAD else LocalResult(None) for v, t in items]

`huntbook.enrich.ti.TILookup` runs local providers beside the HTTP ones.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from huntbook.enrich.ti.provider import Assessment

if TYPE_CHECKING:
    from huntbook.config import Settings


@dataclass(frozen=True)
class LocalResult:
    """A local provider's answer about one observable; ``assessment=None`` means not found."""

    assessment: Assessment | None
    raw: Any = None


class LocalProvider(ABC):
    """One offline threat-intel source."""

    name: ClassVar[str]
    """Config key, e.g. ``"lake"``."""
    types: ClassVar[frozenset[str]]
    """The IoC types it answers."""
    key_required: ClassVar[bool] = False
    ttl: ClassVar[datetime.timedelta] = datetime.timedelta(0)
    """Local answers are cheap and their source may change: not cached by default."""

    def __init__(self, *, settings: Settings | None = None, **options: Any) -> None:
        self.settings = settings
        self.options = dict(options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @abstractmethod
    def lookup_batch(self, items: Sequence[tuple[str, str]]) -> list[LocalResult]:
        """Answer ``(observable, ioc_type)`` pairs, one `LocalResult` per pair, in order.

        Raise `huntbook.errors.HuntbookError` (or a subclass) when the source cannot be
        read at all; the lookup then reports an error row for each item.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Release what the provider holds open (called when the lookup is closed)."""
