"""The story's time: its year up to the moment it ends, timestamps built by indexing in the hot loop,
when tickets arrive, and tables of delays to draw from."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from itertools import accumulate

from models.sla.business_time import Calendar

__all__ = ["ANCHOR", "DAYS", "START", "SPAN", "Span", "day_texts", "timestamp", "created_quantiles", "day_in_progress",
           "gaps"]  # fmt: skip

#: The reference end of the story, which the test suite and the screenshots build on (``at=ANCHOR``).
ANCHOR = datetime(2026, 11, 1)
DAYS = 365
START = ANCHOR - timedelta(days=DAYS)
SPAN = DAYS * 86_400  # seconds; every event happens at START + offset, offset < SPAN


@dataclass(frozen=True)
class Span:
    """The story's year: from the midnight ``DAYS`` days before ``end`` up to ``end`` (naive UTC).

    Every event happens at ``start + offset`` seconds with ``0 <= offset < seconds``.
    """

    start: datetime
    seconds: int

    @classmethod
    def ending(cls, end: datetime) -> Span:
        end = end.replace(microsecond=0)
        start = datetime.combine((end - timedelta(days=DAYS)).date(), time())
        return cls(start, int((end - start).total_seconds()))

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)


@cache
def _seconds() -> list[str]:
    return [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


@cache
def _days(start: datetime) -> list[str]:
    return [(start + timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(DAYS + 2)]


def day_texts(start: datetime = START) -> tuple[list[str], list[str]]:
    """Day and time-of-day texts, to build a timestamp by indexing in the hot loop."""
    return _days(start), _seconds()


def timestamp(offset: int, start: datetime = START) -> str:
    """``start + offset`` seconds (``start`` at midnight) as the text SQLite stores for a naive datetime."""
    days, seconds = day_texts(start)
    return days[offset // 86_400] + seconds[offset % 86_400]


def created_quantiles(span: Span) -> list[float]:
    """Cumulative share of tickets per hour of the year: busy weekday office hours, a growing desk."""
    weights = []
    hours = -(-span.seconds // 3_600)
    for hour in range(hours):
        day = span.start + timedelta(hours=hour)
        office = 9 <= day.hour < 18
        if day.weekday() >= 5:
            weight = 0.25 if office else 0.05
        else:
            weight = 1.0 if office else (0.3 if 7 <= day.hour < 22 else 0.04)
        width = min(3_600, span.seconds - hour * 3_600) / 3_600  # the last hour may have begun only
        weights.append(weight * width * (0.7 + 0.6 * hour / hours))
    total = sum(weights)
    return [w / total for w in accumulate(weights)]


def day_in_progress(calendar: Calendar, end: datetime) -> bool:
    """Whether ``end`` falls between the first opening and the last closing of a working day."""
    today = [(a, b) for a, b in calendar.spans(end - timedelta(hours=16), end + timedelta(hours=16))
             if a.replace(tzinfo=UTC).astimezone(calendar.zone).date() == _local_date(calendar, end)]  # fmt: skip
    return bool(today) and today[0][0] <= end < today[-1][1]


def _local_date(calendar: Calendar, moment: datetime):
    return moment.replace(tzinfo=UTC).astimezone(calendar.zone).date()


def gaps(rng: random.Random, median: float, low: int, high: int, size: int = 2048) -> list[int]:
    """A table of log-normal delays (seconds), to draw from by index in the hot loop."""
    return [min(high, max(low, int(rng.lognormvariate(0, 1.1) * median))) for _ in range(size)]
