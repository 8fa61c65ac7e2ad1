"""The deadlines an SLA policy sets a ticket, and keeping them stored on its row.

The targets count only while the ticket runs (see :mod:`models.sla.clock`). The deadlines are
derived data: :func:`refresh` recomputes them from the timeline in the transaction of every
change (the ticket pipeline's ``refresh_deadlines`` effect), and stores them on the ticket row
for the queue (``sort:due``, ``is:breached``); :func:`refresh_open` does it for every open ticket
after a policy or calendar changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.enums import OPEN_STATUSES, EventKind, Visibility
from models.errors import NotFound
from models.sla.business_time import ALWAYS
from models.sla.clock import Clock, due_time, measure
from models.sla.policy import TARGETS, Policy, policies, policy_for, read_policies
from models.sla.ticket_facts import STORED, Facts, facts
from models.sla.ticket_facts import history as read_history
from models.store.db import write_transaction
from models.store.tables import Ticket, TicketEvent, utcnow

__all__ = ["DUE_SOON", "Deadlines", "deadlines", "evaluate", "breached", "refresh", "refresh_open"]

DUE_SOON = timedelta(hours=1)  # is:due-soon, and when a warning is written


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
    among = read_policies()
    query = Ticket.select(Ticket.number).where(Ticket.status.in_(list(OPEN_STATUSES)))
    if organization is not None:
        query = query.where(Ticket.organization == organization)
    numbers = [n for (n,) in query.tuples()]
    for start in range(0, len(numbers), batch):
        with write_transaction():
            for number in numbers[start : start + batch]:
                refresh(number, now=at, among=among)
    return len(numbers)
