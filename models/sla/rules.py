"""SLA policies: which one applies to a ticket, the deadlines it sets, and the alerts when they pass.

A policy is an explicit rule — tier, priority and queue, each optional — and the first policy
in order whose rule matches applies, the same way for every customer. Its targets (first
response, next response after each customer message, resolution) count business time in the
policy's calendar, only while the ticket runs (see :mod:`models.sla.clock`). The deadlines are
derived data: :func:`refresh` recomputes them from the timeline in the transaction of every
change, and stores them on the ticket row for the queue (``sort:due``, ``is:breached``).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import peewee as pw

from models import validate
from models.enums import OPEN_STATUSES, EventKind, Role, Visibility
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from models.sla.business_time import ALWAYS, Calendar
from models.sla.clock import Clock, due_time, measure
from models.sla.ticket_facts import STORED, Facts, facts
from models.sla.ticket_facts import history as read_history
from models.sla.tiers import check_tier
from models.store.db import write_transaction
from models.store.tables import Agent, Queue, SLACalendar, SLAPolicy, Ticket, TicketEvent, utcnow

__all__ = [
    "DUE_SOON",
    "TARGETS",
    "Policy",
    "Deadlines",
    "calendars",
    "get_calendar",
    "save_calendar",
    "remove_calendar",
    "policies",
    "save_policy",
    "remove_policy",
    "policy_for",
    "deadlines",
    "refresh",
    "refresh_open",
    "breached",
    "evaluate",
    "format_minutes",
]

DUE_SOON = timedelta(hours=1)  # is:due-soon, and when a warning is written
TARGETS = ("first_response", "next_response", "resolution")
_LABELS = {"first_response": "first response", "next_response": "next response", "resolution": "resolution"}
MAX_TARGET_MINUTES = 365 * 24 * 60


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


@dataclass(frozen=True)
class Deadlines:
    """A ticket's SLA as of a moment: its policy and a clock per target (None: no such target)."""

    policy: Policy | None
    first_response: Clock | None
    next_response: Clock | None
    resolution: Clock | None
    done: frozenset[str]  # targets met or no longer running (responded, resolved)
    override: datetime | None = None  # a deadline set by hand (models.tickets.overrides.override_due)

    def open_clocks(self) -> dict[str, Clock]:
        return {name: clock for name in TARGETS if (clock := getattr(self, name)) and name not in self.done}

    @property
    def due_at(self) -> datetime | None:
        if self.override is not None:
            return self.override
        dues = [clock.due for clock in self.open_clocks().values() if clock.due is not None]
        return min(dues, default=None)


# --- calendars -----------------------------------------------------------------------------------


def _lead(actor: Agent) -> None:
    if actor is None or not actor.active or actor.role not in (Role.LEAD, Role.ADMIN):
        raise PermissionDenied("only a lead or an admin may change SLA policies and calendars")


def _calendar(row: SLACalendar) -> Calendar:
    return Calendar.parse(row.timezone, json.loads(row.hours), json.loads(row.holidays))


def calendars() -> list[tuple[str, Calendar]]:
    return [(row.name, _calendar(row)) for row in SLACalendar.select().order_by(SLACalendar.name)]


def get_calendar(name: str) -> Calendar:
    row = SLACalendar.get_or_none(SLACalendar.name == name)
    if row is None:
        raise NotFound(f"no SLA calendar {name[:60]!r}")
    return _calendar(row)


def save_calendar(
    actor: Agent,
    name: str,
    *,
    timezone: str,
    hours: Mapping[str, str],
    holidays: Iterable[str] = (),
    refresh: bool = True,
) -> Calendar:
    """Create or replace a calendar; the deadlines of open tickets under it are recomputed."""
    _lead(actor)
    name = _name(name, "calendar")
    calendar = Calendar.parse(timezone, hours, holidays)
    fields = dict(
        timezone=calendar.timezone,
        hours=json.dumps(calendar.describe_hours()),
        holidays=json.dumps(sorted(d.isoformat() for d in calendar.holidays)),
    )
    with write_transaction():
        row = SLACalendar.get_or_none(SLACalendar.name == name)
        if row is None:
            SLACalendar.create(name=name, **fields)
        else:
            SLACalendar.update(**fields).where(SLACalendar.id == row.id).execute()
    if row is not None and refresh:
        refresh_open()
    return calendar


def remove_calendar(actor: Agent, name: str) -> None:
    _lead(actor)
    with write_transaction():
        row = SLACalendar.get_or_none(SLACalendar.name == name)
        if row is None:
            raise NotFound(f"no SLA calendar {name[:60]!r}")
        users = [p.name for p in SLAPolicy.select(SLAPolicy.name).where(SLAPolicy.calendar == row.id)]
        if users:
            raise Conflict(f"calendar {name!r} is used by {', '.join(users)}; change those policies first")
        row.delete_instance()


def _name(value: str, what: str) -> str:
    return validate.line(value, f"{what} name", 100, required=True)


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
    token = _reused.set(_read_policies())
    try:
        yield
    finally:
        _reused.reset(token)


def policies() -> list[Policy]:
    """Every policy, in the order rules are tried."""
    reused = _reused.get()
    return reused if reused is not None else _read_policies()


def _read_policies() -> list[Policy]:
    queues = dict(Queue.select(Queue.id, Queue.name).tuples())
    calendar_rows = {row.id: row for row in SLACalendar.select()}
    rows = SLAPolicy.select().order_by(SLAPolicy.position, SLAPolicy.id)
    return [_policy(row, queues, calendar_rows) for row in rows]


def _minutes(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 0 < value <= MAX_TARGET_MINUTES:
        raise InvalidInput(f"the {what} target must be a whole number of minutes from 1 to {MAX_TARGET_MINUTES}")
    return value


def save_policy(
    actor: Agent,
    name: str,
    *,
    tier: str | None = None,
    priority: str | None = None,
    queue: str | None = None,
    calendar: str | None = None,
    first_response: int | None = None,
    next_response: int | None = None,
    resolution: int | None = None,
    position: int | None = None,
    refresh: bool = True,
) -> Policy:
    """Create or replace a policy (targets in business minutes); open tickets are re-evaluated."""
    _lead(actor)
    name = _name(name, "policy")
    if tier:
        tier = check_tier(str(tier))
    else:
        tier = None
    priority = validate.priority(priority) if priority else None
    targets = {
        "first_response_minutes": _minutes(first_response, "first response"),
        "next_response_minutes": _minutes(next_response, "next response"),
        "resolution_minutes": _minutes(resolution, "resolution"),
    }
    if not any(v is not None for v in targets.values()):
        raise InvalidInput("a policy needs at least one target (first response, next response or resolution)")
    with write_transaction():
        queue_id = _queue_id(queue)
        calendar_id = None
        if calendar:
            row = SLACalendar.get_or_none(SLACalendar.name == calendar)
            if row is None:
                raise NotFound(f"no SLA calendar {calendar[:60]!r} (add it with `sportello sla calendar set`)")
            calendar_id = row.id
        existing = SLAPolicy.get_or_none(SLAPolicy.name == name)
        if position is None:
            position = (
                existing.position if existing else (SLAPolicy.select(pw.fn.MAX(SLAPolicy.position)).scalar() or 0) + 10
            )
        fields = dict(tier=tier, priority=priority, queue=queue_id, calendar=calendar_id, position=position, **targets)
        if existing is None:
            SLAPolicy.create(name=name, **fields)
        else:
            SLAPolicy.update(**fields).where(SLAPolicy.id == existing.id).execute()
    if refresh:
        refresh_open()
    return next(p for p in _read_policies() if p.name == name)


def _queue_id(queue: str | None) -> int | None:
    if not queue:
        return None
    row = Queue.get_or_none(Queue.name == queue)
    if row is None:
        raise NotFound(f"no queue {queue[:60]!r}")
    return row.id


def remove_policy(actor: Agent, name: str, *, refresh: bool = True) -> None:
    _lead(actor)
    with write_transaction():
        row = SLAPolicy.get_or_none(SLAPolicy.name == name)
        if row is None:
            raise NotFound(f"no SLA policy {name[:60]!r}")
        Ticket.update(sla_policy=None).where(Ticket.sla_policy == row.id).execute()
        row.delete_instance()
    if refresh:
        refresh_open()


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


# --- deadlines ------------------------------------------------------------------------------------


def deadlines(number: int, *, now: datetime | None = None, among: list[Policy] | None = None) -> Deadlines:
    """The ticket's SLA as of ``now``."""
    ticket = facts(number)
    if ticket is None:
        raise NotFound(f"no ticket #{number}")
    return _deadlines(ticket, now or utcnow(), among)


def _deadlines(ticket: Facts, now: datetime, among: list[Policy] | None, history=None) -> Deadlines:
    among = policies() if among is None else among
    if (
        not among
        and history is None
        and not TicketEvent.select()
        .where((TicketEvent.ticket == ticket.number) & (TicketEvent.kind == EventKind.OVERRIDE.value))
        .exists()
    ):
        return Deadlines(None, None, None, None, frozenset())
    policy = policy_for(ticket.tier, ticket.priority, ticket.queue, among)
    statuses, events = history or read_history(ticket.number)
    overrides = [e for e in events if e.kind == EventKind.OVERRIDE]
    override = datetime.fromisoformat(overrides[-1].new_value) if overrides and overrides[-1].new_value else None
    return evaluate(policy, statuses, events, ticket.created_at, ticket.first_response_at, ticket.status, now, override)


def evaluate(
    policy: Policy | None,
    statuses: list[tuple[datetime, str]],
    events: Iterable,
    created_at: datetime,
    first_response_at: datetime | None,
    status: str,
    now: datetime,
    override: datetime | None = None,
) -> Deadlines:
    """A ticket's deadlines from its history (pure). ``events`` are its replies, oldest first, each
    with ``kind``, ``at``, ``customer_id`` and ``visibility`` (for the next-response clock)."""
    if policy is None:
        return Deadlines(None, None, None, None, frozenset(), override)
    calendar = policy.hours
    done = set()
    first = resolution = following = None
    if policy.first_response is not None:
        end = first_response_at or now
        first = due_time(calendar, statuses, created_at, policy.first_response, end)
        if first_response_at is not None:
            done.add("first_response")
    if policy.resolution is not None:
        resolution = due_time(calendar, statuses, created_at, policy.resolution, now)
        if status not in OPEN_STATUSES:
            done.add("resolution")
    if policy.next_response is not None and first_response_at is not None:
        waiting_since = _waiting_since(events)
        if waiting_since is not None:
            following = due_time(calendar, statuses, waiting_since, policy.next_response, now)
        else:
            done.add("next_response")
    return Deadlines(policy, first, following, resolution, frozenset(done), override)


def _waiting_since(events: Iterable) -> datetime | None:
    """When the customer's latest message still without an agent's public reply was written."""
    since = None
    for event in events:
        if event.kind != EventKind.REPLY:
            continue
        if event.customer_id is not None:
            since = since or event.at
        elif event.visibility == Visibility.PUBLIC:
            since = None
    return since


def breached(found: Deadlines, responded: datetime | None, done: datetime | None) -> bool | None:
    """Whether the first-response or resolution target was missed (None: no policy applies).

    A target met exactly at its due time is met. This is what SLA compliance counts; a late next
    response is alerted but not counted here."""
    if found.policy is None:
        return None

    def missed(clock: Clock | None, at: datetime | None) -> bool:
        if clock is None:
            return False
        if at is not None:  # stopped: late only if it happened after the due time
            return clock.due is not None and at > clock.due
        return clock.breached

    return missed(found.first_response, responded) or missed(found.resolution, done)


def refresh(number: int, *, now: datetime | None = None, among: list[Policy] | None = None) -> Deadlines:
    """Recompute and store a ticket's deadlines and measures (call inside the transaction that changed it)."""
    ticket = facts(number)
    history = read_history(number)
    found = _deadlines(ticket, now or utcnow(), among, history)
    calendar = found.policy.hours if found.policy else ALWAYS
    done_at = ticket.resolved_at or ticket.closed_at if ticket.status not in OPEN_STATUSES else None
    measured = measure(calendar, history[0], ticket.created_at, ticket.first_response_at, done_at)
    due = lambda clock: clock.due if clock is not None else None  # noqa: E731
    values = {
        "sla_policy_id": found.policy.id if found.policy else None,
        "first_response_due": due(found.first_response),
        "next_response_due": due(found.next_response) if "next_response" not in found.done else None,
        "resolution_due": due(found.resolution),
        "due_at": found.due_at if ticket.status in OPEN_STATUSES else None,
        "first_response_minutes": measured.first_response_minutes,
        "resolution_minutes": measured.resolution_minutes,
        "reopen_count": measured.reopen_count,
        "sla_breached": breached(found, ticket.first_response_at, done_at),
    }
    if ticket.stored != tuple(values[name] for name in STORED):
        Ticket.update({getattr(Ticket, name.removesuffix("_id")): v for name, v in values.items()}).where(
            Ticket.number == number
        ).execute()
    return found


def refresh_open(*, now: datetime | None = None, batch: int = 500, organization: int | None = None) -> int:
    """Recompute the deadlines of every open ticket (after a policy or calendar changed), a batch
    per transaction so that other writers wait at most one batch. Returns how many were looked at."""
    at = now or utcnow()
    among = _read_policies()
    query = Ticket.select(Ticket.number).where(Ticket.status.in_(list(OPEN_STATUSES)))
    if organization is not None:
        query = query.where(Ticket.organization == organization)
    numbers = [n for (n,) in query.tuples()]
    for start in range(0, len(numbers), batch):
        with write_transaction():
            for number in numbers[start : start + batch]:
                refresh(number, now=at, among=among)
    return len(numbers)
