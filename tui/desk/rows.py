"""What the Desk hands the screens: frozen rows of plain values, and the builders that read them off the models.

A widget gets these, never a model object, so painting can never start a lazy ORM query. The
builders (:func:`queue_row`, :func:`event_row`) run in the Desk's worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models.enums import Visibility
from models.store.tables import Ticket, TicketEvent
from models.tickets import timeline
from models.tickets.drafts import DraftRow

__all__ = [
    "QueueRow",
    "EventRow",
    "TicketView",
    "Outcome",
    "SyncRunRow",
    "SyncConflictRow",
    "SyncStatus",
    "DraftRow",
    "FirstPage",
    "queue_row",
    "event_row",
]


@dataclass(frozen=True)
class QueueRow:
    """One ticket as a queue line shows it."""

    number: int
    version: int
    subject: str
    customer: str
    organization: str
    status: str
    priority: str
    assignee: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = None  # the nearest SLA deadline still running
    contract_until: date | None = None  # the organization's support contract end: flagged once past, never demoted


@dataclass(frozen=True)
class EventRow:
    """One timeline event, already described in words."""

    id: int
    version: int
    at: datetime
    who: str
    kind: str
    internal: bool
    by_customer: bool
    summary: str
    body: str


@dataclass(frozen=True)
class TicketView:
    """A ticket's header fields and its timeline (all of it, or what the customer may see)."""

    number: int
    version: int
    subject: str
    status: str
    priority: str
    customer: str
    organization: str
    tier: str
    assignee: str
    queue: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    merged_into: int | None
    next_statuses: tuple[str, ...]
    events: tuple[EventRow, ...]
    customer_view: bool
    faqs: tuple[tuple[int, str], ...] = ()  # (id, title) of the linked FAQ articles, in link order
    contract_until: date | None = None  # the organization's support contract end, if any
    sla: str = ""  # the policy in words, or "" when none applies
    due_at: datetime | None = None  # the nearest deadline still running
    next_step: str = ""  # (customer view) what happens next and by when, as the customer reads it
    due_what: str = ""  # which deadline ``due_at`` is: "first response", "next response", "resolution", "set by hand"
    zone: str = "UTC"  # the zone times are shown in: the customer page's in the customer view, else UTC


@dataclass(frozen=True)
class Outcome:
    """How one ticket of a bulk action went: ``error`` is None when the change was made."""

    number: int
    error: str | None = None
    conflict: bool = False


@dataclass(frozen=True)
class SyncRunRow:
    """One sync run; ``report`` holds its items as (what, where, problem), text from the remote included."""

    id: int
    remote: str
    started_at: datetime
    finished_at: datetime | None
    mode: str
    pulled: int
    pushed: int
    conflicts: int
    errors: int
    report: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class SyncConflictRow:
    """A field both sides changed, still waiting for an agent."""

    id: int
    remote: str
    ticket: int
    field: str
    local_value: str
    remote_value: str
    kept: str
    created_at: datetime


@dataclass(frozen=True)
class SyncStatus:
    """What the header says about sync: each remote the desk has synced with, and the open conflicts."""

    remotes: tuple  # models.exchange.sync_state.RemoteOverview (frozen, plain values)
    conflicts: int


@dataclass(frozen=True)
class FirstPage:
    """The first rows and the count of a query, fetched before the app starts (see ``run_app``)."""

    query: str
    rows: tuple[QueueRow, ...]
    next_cursor: str | None
    total: int


def _customer_label(ticket: Ticket) -> str:
    customer = ticket.customer
    if customer is None:
        return ""
    return customer.name or customer.email


def queue_row(ticket: Ticket) -> QueueRow:
    """A ticket as a queue line shows it (its customer, organization and assignee read now)."""
    return QueueRow(
        number=ticket.number,
        version=ticket.version,
        subject=ticket.subject,
        customer=_customer_label(ticket),
        organization=ticket.organization.name if ticket.organization else "",
        status=ticket.status,
        priority=ticket.priority,
        assignee=ticket.assignee.login if ticket.assignee else "",
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        due_at=ticket.due_at,
        contract_until=ticket.organization.contract_valid_until if ticket.organization else None,
    )


def event_row(event: TicketEvent) -> EventRow:
    """A timeline event described in words."""
    return EventRow(
        id=event.id,
        version=event.version,
        at=event.at,
        who=timeline.who(event),
        kind=event.kind,
        internal=event.visibility != Visibility.PUBLIC,
        by_customer=event.customer_id is not None,
        summary=timeline.describe(event),
        body=event.body or "",
    )
