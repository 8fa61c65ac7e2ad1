"""SLA clocks: when a target falls due, counting business time only while the ticket is running.

A ticket's clock runs while it is new or open; it pauses while it is pending (waiting on the
customer) or on hold, and stops when it is resolved or closed. A target of, say, eight business
hours falls due when eight hours of the calendar's working time have passed *while running*:
a pause moves the due time later by exactly the business time it lasted. This module is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.enums import Status
from models.sla.business_time import Calendar

__all__ = ["PAUSING", "STOPPING", "Clock", "Measures", "running_spans", "due_time", "elapsed", "measure", "reopens"]

PAUSING = frozenset({Status.PENDING.value, Status.ON_HOLD.value})
STOPPING = frozenset({Status.RESOLVED.value, Status.CLOSED.value})


@dataclass(frozen=True)
class Clock:
    """Where one target stands at a moment."""

    due: datetime | None  # when it falls due (None while paused: not known until it runs again)
    used: timedelta  # business time counted so far
    target: timedelta
    paused: bool

    @property
    def left(self) -> timedelta:
        return self.target - self.used

    @property
    def breached(self) -> bool:
        return self.used >= self.target


def running_spans(
    statuses: Sequence[tuple[datetime, str]], start: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """The spans within ``[start, until)`` during which the ticket was running.

    ``statuses`` is the status history, oldest first, as (when it became this status, status);
    the first entry is the status the ticket was created with.
    """
    spans: list[tuple[datetime, datetime]] = []
    for index, (at, status) in enumerate(statuses):
        end = statuses[index + 1][0] if index + 1 < len(statuses) else until
        a, b = max(at, start), min(end, until)
        if a < b and status not in PAUSING and status not in STOPPING:
            if spans and spans[-1][1] == a:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
    return spans


def elapsed(calendar: Calendar, spans: Iterable[tuple[datetime, datetime]]) -> timedelta:
    return sum((calendar.between(a, b) for a, b in spans), timedelta(0))


def due_time(
    calendar: Calendar,
    statuses: Sequence[tuple[datetime, str]],
    start: datetime,
    target: timedelta,
    now: datetime,
) -> Clock:
    """The clock of a target that started counting at ``start``, as of ``now``."""
    spans = running_spans(statuses, start, now)
    used = timedelta(0)
    for a, b in spans:
        here = calendar.between(a, b)
        if used + here >= target:
            return Clock(calendar.add(a, target - used), target if b <= now else used + here, target, False)
        used += here
    current = statuses[-1][1] if statuses else Status.NEW.value
    if current in PAUSING or current in STOPPING or now < start:
        return Clock(None, used, target, current in PAUSING)
    return Clock(calendar.add(now, target - used), used, target, False)


@dataclass(frozen=True)
class Measures:
    """How long a ticket ran before its first response and its resolution, in the calendar's
    business minutes (pauses excluded, as the SLA clock counts them), and how often it reopened."""

    first_response_minutes: int | None
    resolution_minutes: int | None
    reopen_count: int


def _minutes(amount: timedelta) -> int:
    return int((amount.total_seconds() + 30) // 60)


def reopens(statuses: Sequence[tuple[datetime, str]]) -> int:
    """How many times the ticket went from resolved or closed back to work."""
    return sum(
        1 for (_, before), (_, after) in zip(statuses, statuses[1:]) if before in STOPPING and after not in STOPPING
    )


def measure(
    calendar: Calendar,
    statuses: Sequence[tuple[datetime, str]],
    created_at: datetime,
    first_response_at: datetime | None,
    resolved_at: datetime | None,
) -> Measures:
    """The ticket's response and resolution times (None until it happened) and reopen count."""
    first = resolution = None
    if first_response_at is not None:
        first = _minutes(elapsed(calendar, running_spans(statuses, created_at, first_response_at)))
    if resolved_at is not None:
        resolution = _minutes(elapsed(calendar, running_spans(statuses, created_at, resolved_at)))
    return Measures(first, resolution, reopens(statuses))
