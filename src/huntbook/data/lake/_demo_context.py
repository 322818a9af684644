"""What every background generator of the demo lake is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from huntbook.data.lake._demo_arrow import DAY_US, US, WEEKEND_FACTOR, rng_for
from huntbook.data.lake._demo_truth import Environment


@dataclass(frozen=True)
class Context:
    """Settings and environment of one generation.

    Times are microseconds since the epoch; day ``d`` covers
    ``[start_us + d * DAY_US, start_us + (d + 1) * DAY_US)``.
    """

    seed: int
    scale: float
    days: int
    start: datetime
    env: Environment

    @property
    def start_us(self) -> int:
        """The first microsecond of the data."""
        return to_us(self.start)

    @property
    def end_us(self) -> int:
        """The microsecond after the data."""
        return self.start_us + self.days * DAY_US

    def day_start(self, day: int) -> int:
        """The first microsecond of *day*."""
        return self.start_us + day * DAY_US

    def weekend(self, day: int) -> bool:
        """Whether *day* is a Saturday or Sunday."""
        return (self.start + timedelta(days=day)).weekday() >= 5

    def rng(self, stream: int, day: int) -> np.random.Generator:
        """Return the random stream of generator *stream* for *day*."""
        return rng_for(self.seed, stream, day)

    def office_mean(self, per_weekday: float, day: int) -> float:
        """Return the expected count of office-hours events on *day*."""
        return per_weekday * self.scale * (WEEKEND_FACTOR if self.weekend(day) else 1.0)

    def flat_mean(self, per_day: float) -> float:
        """Return the expected count of round-the-clock events per day."""
        return per_day * self.scale


def to_us(t: datetime) -> int:
    """Return a timezone-aware datetime as microseconds since the epoch."""
    delta = t.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def from_us(us: int) -> datetime:
    """Return microseconds since the epoch as a UTC datetime."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))
