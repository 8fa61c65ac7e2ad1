"""What the customer may know about their ticket: where it stands, what happens next and by when,
and the public part of its timeline (messages and status changes; never internal notes, never
agent-only fields such as priority, assignee, tags or queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import sla
from .enums import EventKind, Status
from .tables import utcnow
from .tickets import get_ticket
from .timeline import events_of

__all__ = ["PublicEntry", "CustomerStatus", "customer_status", "STATUS_WORDS"]

STATUS_WORDS = {
    Status.NEW: "We have received your request.",
    Status.OPEN: "We are working on your request.",
    Status.PENDING: "We are waiting for your reply.",
    Status.ON_HOLD: "Your request is on hold while we wait for a third party.",
    Status.RESOLVED: "We believe your request is resolved. Reply if anything is still wrong.",
    Status.CLOSED: "This request is closed.",
}
_STATUS_NAMES = {
    Status.NEW: "received", Status.OPEN: "in progress", Status.PENDING: "waiting for you",
    Status.ON_HOLD: "on hold", Status.RESOLVED: "resolved", Status.CLOSED: "closed",
}  # fmt: skip


@dataclass(frozen=True)
class PublicEntry:
    at: datetime
    who: str  # the customer's name, or "Support (Ada Lovelace)"
    kind: str  # "message" or "status"
    text: str  # the message, or the status change in words


@dataclass(frozen=True)
class CustomerStatus:
    number: int
    subject: str
    status: str
    status_name: str  # "in progress"
    status_words: str  # a sentence
    next_step: str  # what happens next, in words, without "by when" or a full stop
    due: datetime | None  # by when (naive UTC), when a deadline runs
    timezone: str  # the desk's timezone for this ticket (its SLA calendar's), to show ``due`` in
    entries: list[PublicEntry]

    def next_step_sentence(self, due_text: str | None = None) -> str:
        """``You will get our first answer by 23 Nov 2026 13:00 (Europe/Rome).``"""
        return f"{self.next_step} by {due_text}." if self.due is not None and due_text else f"{self.next_step}."


def customer_status(number: int, *, now: datetime | None = None) -> CustomerStatus:
    ticket = get_ticket(number)
    at = now or utcnow()
    entries = []
    for event in events_of(number, public_only=True):
        if event.kind in (EventKind.CREATED, EventKind.REPLY) and event.body:
            entries.append(PublicEntry(event.at, _who(event), "message", event.body))
        elif event.kind == EventKind.STATUS:
            words = f"Status: {_STATUS_NAMES.get(event.old_value, event.old_value)} → " \
                    f"{_STATUS_NAMES.get(event.new_value, event.new_value)}"  # fmt: skip
            entries.append(PublicEntry(event.at, _who(event), "status", words + (f" ({event.reason})" if event.reason else "")))
    step, due, zone = _next_step(number, ticket.status, at)
    return CustomerStatus(
        number=number,
        subject=ticket.subject,
        status=ticket.status,
        status_name=_STATUS_NAMES.get(ticket.status, ticket.status),
        status_words=STATUS_WORDS.get(ticket.status, ""),
        next_step=step,
        due=due,
        timezone=zone,
        entries=entries,
    )


def _who(event) -> str:
    if event.customer_id is not None:
        return event.customer.name or event.customer.email
    if event.actor_id is not None:
        return f"Support ({event.actor.name or event.actor.login})"
    return "Support"


def _next_step(number: int, status: str, now: datetime) -> tuple[str, datetime | None, str]:
    if status == Status.PENDING:
        return "We will continue as soon as you reply; until then the clock is paused", None, "UTC"
    if status == Status.ON_HOLD:
        return "We will continue as soon as the third party answers; until then the clock is paused", None, "UTC"
    if status == Status.RESOLVED:
        return "Reply to reopen it", None, "UTC"
    if status == Status.CLOSED:
        return "Write to us to open a new request", None, "UTC"
    found = sla.deadlines(number, now=now)
    zone = found.policy.hours.timezone if found.policy else "UTC"
    clocks = found.open_clocks()
    for target, words in (
        ("next_response", "You will get our next answer"),
        ("first_response", "You will get our first answer"),
        ("resolution", "We aim to solve it"),
    ):
        clock = clocks.get(target)
        if clock is not None and clock.due is not None:
            return words, clock.due, zone
    return "We will answer as soon as we can", None, zone
