"""Business time: working hours per weekday in a timezone, minus holidays.

A :class:`Calendar` says when the desk works, e.g. Monday to Friday 09:00–13:00 and 14:00–18:00
in Europe/Rome, closed on 25 December. Times in and out are naive UTC datetimes, as stored
everywhere else; each working span is placed on the local calendar day and converted to UTC on
its own, so a day on which the clocks change keeps its working hours in local time (and counts
the real time that passes). This module is pure: no database code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.errors import InvalidInput

__all__ = ["Calendar", "DAYS", "ALWAYS"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})\s*$")
_HORIZON_DAYS = 3 * 366  # how far ahead a due time is looked for before giving up


@dataclass(frozen=True)
class Calendar:
    """Working spans per weekday (Monday first), as (start, end) minutes after local midnight."""

    timezone: str = "UTC"
    hours: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, timezone: str, hours: Mapping[str, str], holidays: Iterable[str] = ()) -> Calendar:
        """Build a calendar from text: ``{"mon": "09:00-13:00, 14:00-18:00", …}``, ISO holiday dates."""
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"unknown timezone {str(timezone)[:60]!r} (e.g. Europe/Rome, UTC)") from None
        unknown = [day for day in hours if day.lower()[:3] not in DAYS]
        if unknown:
            raise InvalidInput(f"unknown weekday {unknown[0][:20]!r} (use mon, tue, wed, thu, fri, sat, sun)")
        by_day = {day.lower()[:3]: text for day, text in hours.items()}
        week = tuple(_spans(day, by_day.get(day, "")) for day in DAYS)
        days = set()
        for value in holidays:
            try:
                days.add(date.fromisoformat(str(value).strip()))
            except ValueError:
                raise InvalidInput(f"bad holiday {str(value)[:30]!r} (use YYYY-MM-DD)") from None
        return cls(str(timezone), week, frozenset(days))

    def describe_hours(self) -> dict[str, str]:
        """The weekly hours as text, the inverse of :meth:`parse`."""
        return {
            day: ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in spans) for day, spans in zip(DAYS, self.hours) if spans
        }

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def spans(self, start: datetime, end: datetime | None = None) -> Iterator[tuple[datetime, datetime]]:
        """The working spans (naive UTC) from ``start`` on, cut to ``[start, end)``, in order."""
        zone = self.zone
        day = start.replace(tzinfo=UTC).astimezone(zone).date() - timedelta(days=1)
        last = end.replace(tzinfo=UTC).astimezone(zone).date() + timedelta(days=1) if end else None
        horizon = day + timedelta(days=_HORIZON_DAYS + 2)
        while (day <= last) if last is not None else (day <= horizon):
            for a, b in _working_day(self, zone, day):
                a, b = max(a, start), min(b, end) if end else b
                if a < b:
                    yield a, b
            day += timedelta(days=1)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end``; zero when ``end`` is not after ``start``."""
        if end <= start:
            return timedelta(0)
        return sum((b - a for a, b in self.spans(start, end)), timedelta(0))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which ``amount`` of business time has passed after ``start``."""
        if amount <= timedelta(0):
            return self.next_working(start)
        left = amount
        for a, b in self.spans(start):
            if b - a >= left:
                return a + left
            left -= b - a
        raise InvalidInput("the calendar has no working hours in the next three years")

    def next_working(self, moment: datetime) -> datetime:
        """``moment`` if the desk is working then, else when it next starts."""
        for a, _ in self.spans(moment):
            return a
        raise InvalidInput("the calendar has no working hours in the next three years")


#: Every minute of every day, in UTC: the calendar of a policy that names none.
ALWAYS = Calendar("UTC", (((0, 1440),),) * 7)


@lru_cache(maxsize=8192)
def _working_day(calendar: Calendar, zone: ZoneInfo, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The day's working spans in naive UTC (cached: the SLA clocks ask for the same days over and over)."""
    if day in calendar.holidays:
        return ()
    return tuple((_utc(day, s, zone), _utc(day, e, zone)) for s, e in calendar.hours[day.weekday()])


def _utc(day: date, minute: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(0)) + timedelta(minutes=minute)  # 24:00 is the next midnight
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _spans(day: str, text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        match = _SPAN.match(part)
        if not match:
            raise InvalidInput(f"bad hours {part[:30]!r} on {day} (use HH:MM-HH:MM, e.g. 09:00-13:00)")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start >= 1440 or end > 1440 or end <= start:
            raise InvalidInput(f"bad hours {part[:30]!r} on {day} (the end must follow the start, up to 24:00)")
        spans.append((start, end))
    spans.sort()
    for (s1, e1), (s2, _) in zip(spans, spans[1:]):
        if s2 < e1:
            raise InvalidInput(f"overlapping hours on {day}: {_hhmm(s1)}-{_hhmm(e1)} and one starting {_hhmm(s2)}")
    return tuple(spans)
