"""What every background generator of the demo lake is given."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from huntbook.data.lake._demo_arrow import (
    DAY_US,
    I64,
    US,
    WEEKEND_FACTOR,
    Combos,
    concat,
    count,
    flat_profile,
    office_profile,
    rng_for,
    sample_times,
)
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

    def draw(
        self, rng: np.random.Generator, day: int, combos: Combos, rate: float, *, office: bool
    ) -> tuple[pa.Table, I64]:
        """Return the day's rows drawn from *combos* and their times.

        *rate* is the mean count per weekday of office-hours activity
        (*office*) or per day of round-the-clock activity.
        """
        mean = self.office_mean(rate, day) if office else self.flat_mean(rate)
        n = count(rng, mean)
        rows = combos.draw(rng, n)
        hourly = office_profile(self.weekend(day)) if office else flat_profile()
        return rows, sample_times(rng, self.day_start(day), n, hourly)

    def draw_streams(
        self,
        rng: np.random.Generator,
        day: int,
        streams: Mapping[str, Combos],
        rates: Mapping[str, float],
        office: Collection[str],
    ) -> tuple[pa.Table, I64]:
        """Return the day's rows of every stream (`draw`), concatenated, and their times.

        Streams named in *office* follow office hours; the others run round the clock.
        """
        drawn = [self.draw(rng, day, c, rates[s], office=s in office) for s, c in streams.items()]
        return concat([rows for rows, _ in drawn]), np.concatenate([t for _, t in drawn])


def to_us(t: datetime) -> int:
    """Return a timezone-aware datetime as microseconds since the epoch."""
    delta = t.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def from_us(us: int) -> datetime:
    """Return microseconds since the epoch as a UTC datetime."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))
