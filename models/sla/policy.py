"""SLA policies and calendars as read from the store, and which policy applies to a ticket.

A policy is an explicit rule — tier, priority and queue, each optional — and the first policy
in order whose rule matches applies, the same way for every customer. Its targets (first
response, next response after each customer message, resolution) count business time in the
policy's calendar (:mod:`models.sla.business_time`). Changing them is :mod:`models.sla.rules`;
the deadlines they set are :mod:`models.sla.deadline`.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from models.errors import NotFound
from models.sla.business_time import ALWAYS, Calendar
from models.store.tables import Queue, SLACalendar, SLAPolicy

__all__ = [
    "TARGETS",
    "Policy",
    "format_minutes",
    "calendars",
    "get_calendar",
    "policies",
    "reuse_policies",
    "policy_for",
]  # read_policies serves the modules of this room only

TARGETS = ("first_response", "next_response", "resolution")
_LABELS = {"first_response": "first response", "next_response": "next response", "resolution": "resolution"}


@dataclass(frozen=True)
class Policy:
    id: int
    name: str
    position: int
    tier: str | None
    priority: str | None
    queue: str | None
    calendar: str | None
    first_response: timedelta | None
    next_response: timedelta | None
    resolution: timedelta | None
    hours: Calendar = field(default=ALWAYS, compare=False, repr=False)  # the calendar itself

    def rule(self) -> str:
        """``Premium / high`` — what the policy matches, in words."""
        tier = (
            "no tier" if self.tier == "none" else self.tier.capitalize() if self.tier else "any tier"
        )  # never a bare "None"
        parts = [tier, self.priority or "any priority"]
        if self.queue:
            parts.append(f"queue {self.queue}")
        return " / ".join(parts)

    def describe(self) -> str:
        """``Premium / high: first response 1 h, resolution 8 business hours``."""
        unit = "business hours" if self.calendar else "hours"
        targets = [
            f"{_LABELS[name]} {format_minutes(getattr(self, name), unit)}"
            for name in TARGETS
            if getattr(self, name) is not None
        ]
        return f"{self.rule()}: {', '.join(targets) or 'no targets'}" + (f" ({self.calendar})" if self.calendar else "")


def format_minutes(amount: timedelta, unit: str = "hours") -> str:
    minutes = int(amount.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} min" if minutes < 60 else f"{minutes / 60:.1f} {unit}"
    hours = minutes // 60
    return f"1 {unit.removesuffix('s')}" if hours == 1 else f"{hours} {unit}"


# --- calendars -----------------------------------------------------------------------------------


def _calendar(row: SLACalendar) -> Calendar:
    return Calendar.parse(row.timezone, json.loads(row.hours), json.loads(row.holidays))


def calendars() -> list[tuple[str, Calendar]]:
    return [(row.name, _calendar(row)) for row in SLACalendar.select().order_by(SLACalendar.name)]


def get_calendar(name: str) -> Calendar:
    row = SLACalendar.get_or_none(SLACalendar.name == name)
    if row is None:
        raise NotFound(f"no SLA calendar {name[:60]!r}")
    return _calendar(row)


# --- policies ------------------------------------------------------------------------------------


def _policy(row: SLAPolicy, queues: dict[int, str], calendar_rows: dict[int, SLACalendar]) -> Policy:
    minutes = lambda value: timedelta(minutes=value) if value is not None else None  # noqa: E731
    return Policy(
        id=row.id,
        name=row.name,
        position=row.position,
        tier=row.tier,
        priority=row.priority,
        queue=queues.get(row.queue_id) if row.queue_id else None,
        calendar=calendar_rows[row.calendar_id].name if row.calendar_id else None,
        first_response=minutes(row.first_response_minutes),
        next_response=minutes(row.next_response_minutes),
        resolution=minutes(row.resolution_minutes),
        hours=_calendar(calendar_rows[row.calendar_id]) if row.calendar_id else ALWAYS,
    )


_reused: contextvars.ContextVar[list[Policy] | None] = contextvars.ContextVar("sla_policies", default=None)


@contextlib.contextmanager
def reuse_policies() -> Iterator[None]:
    """Within this block ``policies()`` is read once, for writers of many tickets in one go (a sync
    page): the policies are not expected to change in between."""
    token = _reused.set(read_policies())
    try:
        yield
    finally:
        _reused.reset(token)


def policies() -> list[Policy]:
    """Every policy, in the order rules are tried."""
    reused = _reused.get()
    return reused if reused is not None else read_policies()


def read_policies() -> list[Policy]:
    """Every policy, read from the store now (``policies`` may give the list of a ``reuse_policies`` block)."""
    queues = dict(Queue.select(Queue.id, Queue.name).tuples())
    calendar_rows = {row.id: row for row in SLACalendar.select()}
    rows = SLAPolicy.select().order_by(SLAPolicy.position, SLAPolicy.id)
    return [_policy(row, queues, calendar_rows) for row in rows]


def policy_for(tier: str | None, priority: str, queue: str | None, among: list[Policy] | None = None) -> Policy | None:
    """The first policy whose rule matches; None when none does."""
    for policy in among if among is not None else policies():
        if policy.tier is not None and policy.tier != (tier or "none"):
            continue
        if policy.priority is not None and policy.priority != priority:
            continue
        if policy.queue is not None and policy.queue != queue:
            continue
        return policy
    return None
