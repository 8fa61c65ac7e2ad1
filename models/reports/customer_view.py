"""What the customer may know about their ticket: where it stands, what happens next and by when,
and the public part of its timeline (messages and status changes; never internal notes, never
agent-only fields such as priority, assignee, tags or queue, never another customer's words:
see ``models.tickets.timeline.customer_may_see``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.enums import EventKind, Status
from models.errors import NotFound
from models.sla import rules as sla
from models.sla.business_time import ALWAYS
from models.sla.ticket_facts import facts
from models.store.tables import utcnow
from models.tickets.changes import get_ticket
from models.tickets.timeline import customer_timeline

__all__ = [
    "PublicEntry",
    "CustomerStatus",
    "customer_status",
    "page_timezone",
    "STATUS_WORDS",
    "STATUS_NAMES",
    "DEFAULT_UPDATE_CADENCE",
]

STATUS_WORDS = {
    Status.NEW: "We have received your request.",
    Status.OPEN: "We are working on your request.",
    Status.PENDING: "We are waiting for your reply.",
    Status.ON_HOLD: "Your request is on hold while we wait for a third party.",
    Status.RESOLVED: "We believe your request is resolved. Reply if anything is still wrong.",
    Status.CLOSED: "This request is closed.",
}
STATUS_NAMES = {
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
    due: datetime | None  # by when (naive UTC); always after the moment the page was made
    timezone: str  # the one zone every time of this page is shown in (see page_timezone)
    entries: list[PublicEntry]
    late: str | None = None  # what is later than aimed for ("solve it"), when a deadline has passed
    missed: datetime | None = None  # the deadline that passed (naive UTC)

    def next_sentence(self, when: Callable[[datetime], str]) -> str:
        """What happens next, with every time written by ``when``: ``You will get our first answer
        by 23 Nov 2026 13:00 (Europe/Rome).``, or, past a deadline, ``This is taking longer than we
        aimed for: we meant to solve it by 05 Nov 2026 17:00 (UTC). We will send you an update by …``."""
        step = f"{self.next_step} by {when(self.due)}." if self.due is not None else f"{self.next_step}."
        if self.late and self.missed is not None:
            return f"This is taking longer than we aimed for: we meant to {self.late} by {when(self.missed)}. {step}"
        return step


def customer_status(number: int, *, now: datetime | None = None) -> CustomerStatus:
    ticket = get_ticket(number)
    at = now or utcnow()
    entries, last_update = [], None
    for event in customer_timeline(number):
        if event.kind in (EventKind.CREATED, EventKind.REPLY) and event.body:
            entries.append(PublicEntry(event.at, _who(event), "message", event.body))
            if event.kind == EventKind.REPLY and event.customer_id is None:
                last_update = event.at
        elif event.kind == EventKind.STATUS:
            words = f"Status: {STATUS_NAMES.get(event.old_value, event.old_value)} → " \
                    f"{STATUS_NAMES.get(event.new_value, event.new_value)}"  # fmt: skip
            entries.append(
                PublicEntry(event.at, _who(event), "status", words + (f" ({event.reason})" if event.reason else ""))
            )
    step = _next_step(number, ticket.status, at, last_update)
    return CustomerStatus(
        number=number,
        subject=ticket.subject,
        status=ticket.status,
        status_name=STATUS_NAMES.get(ticket.status, ticket.status),
        status_words=STATUS_WORDS.get(ticket.status, ""),
        next_step=step.words,
        due=step.due,
        timezone=page_timezone(number),
        entries=entries,
        late=step.late,
        missed=step.missed,
    )


def page_timezone(number: int) -> str:
    """The one time zone of ticket ``number``'s customer page (``status`` and the app's customer view).

    The desk does not record a customer's own zone, so this is the desk's: the calendar of the SLA
    policy that applies to the ticket, whatever its status; when that policy names no calendar (or
    none applies), the calendar of the first policy in order that names one, else the first
    calendar by name, else UTC.
    """
    found = facts(number)
    if found is None:
        raise NotFound(f"no ticket #{number}")
    rules = sla.policies()
    policy = sla.policy_for(found.tier, found.priority, found.queue, rules)
    if policy is not None and policy.calendar:
        return policy.hours.timezone
    named = [p.hours.timezone for p in rules if p.calendar]
    if named:
        return named[0]
    return next((calendar.timezone for _, calendar in sla.calendars()), "UTC")


def _who(event) -> str:
    if event.customer_id is not None:
        return event.customer.name or event.customer.email
    if event.actor_id is not None:
        return f"Support ({event.actor.name or event.actor.login})"
    return "Support"


@dataclass(frozen=True)
class _Step:
    words: str
    due: datetime | None = None
    late: str | None = None
    missed: datetime | None = None


_PAUSED = {
    Status.PENDING: "We will continue as soon as you reply; until then the clock is paused",
    Status.ON_HOLD: "We will continue as soon as the third party answers; until then the clock is paused",
    Status.RESOLVED: "Reply to reopen it",
    Status.CLOSED: "Write to us to open a new request",
}
# (target, what comes by its due time, what is late once it has passed), in the order they are told
_TARGETS = (
    ("next_response", "You will get our next answer", "answer your latest message"),
    ("first_response", "You will get our first answer", "send our first answer"),
    ("resolution", "We aim to solve it", "solve it"),
)
#: How often a late ticket gets an update when its policy has no response targets.
DEFAULT_UPDATE_CADENCE = timedelta(hours=8)


def _next_step(number: int, status: str, now: datetime, last_update: datetime | None) -> _Step:
    """What happens next and by when; never a time that has already passed.

    While every running deadline is ahead, the first of next answer, first answer and solution
    that runs is promised by its due time. Once one of them has passed, the page says so and names
    it, then gives the *next update*:

    * the next-response or first-response deadline, if one is running and still ahead;
    * otherwise the update cadence, counted in business time of the policy's calendar: the
      policy's next-response target (else its first-response target, else
      ``DEFAULT_UPDATE_CADENCE``) after the later of the missed deadline and the desk's latest
      public reply, stepping on by whole cadences until it is ahead of ``now`` — so the promised
      time stays put between page loads instead of sliding with the clock.
    """
    if status in _PAUSED:
        return _Step(_PAUSED[Status(status)])
    found = sla.deadlines(number, now=now)
    clocks = {name: clock for name, clock in found.open_clocks().items() if clock.due is not None}
    passed = [(clocks[name].due, late) for name, _, late in _TARGETS if name in clocks and clocks[name].due <= now]
    if not passed:
        for name, words, _ in _TARGETS:
            if name in clocks:
                return _Step(words, clocks[name].due)
        return _Step("We will answer as soon as we can")
    missed, late = min(passed)
    for name, words, _ in _TARGETS[:2]:
        if name in clocks and clocks[name].due > now:
            return _Step(words, clocks[name].due, late, missed)
    policy = found.policy
    cadence = (
        (policy.next_response or policy.first_response or DEFAULT_UPDATE_CADENCE) if policy else DEFAULT_UPDATE_CADENCE
    )
    calendar = policy.hours if policy else ALWAYS
    # counted from at most a year back: the calendar looks only three years ahead of where it starts
    anchor = max(missed, last_update or missed, now - timedelta(days=366))
    steps = calendar.between(anchor, now) // cadence + 1
    return _Step("We will send you an update", calendar.add(anchor, cadence * steps), late, missed)
