"""What an SLA refresh reads, on the hot path of every ticket change: the ticket's facts (with its
tier and queue) and its status and reply history, each in one query compiled once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from models.enums import EventKind
from models.store.db import Compiled
from models.store.tables import Organization, Queue, Ticket, TicketEvent

__all__ = ["STORED", "Event", "Facts", "facts", "history"]


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    new_value: str | None
    customer_id: int | None
    visibility: str


_HISTORY_QUERY = Compiled(
    lambda number: TicketEvent.select(
        TicketEvent.at, TicketEvent.kind, TicketEvent.new_value, TicketEvent.customer, TicketEvent.visibility
    )
    .where((TicketEvent.ticket == number) & TicketEvent.kind.in_([
        EventKind.CREATED.value, EventKind.STATUS.value, EventKind.REPLY.value, EventKind.OVERRIDE.value]))
    .order_by(TicketEvent.id)
)  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """What the deadlines are derived from, and what was stored last time (one read)."""

    number: int
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    status: str
    priority: str
    tier: str | None
    queue: str | None
    stored: tuple


STORED = ("sla_policy_id", "first_response_due", "next_response_due", "resolution_due", "due_at",
           "first_response_minutes", "resolution_minutes", "reopen_count", "sla_breached")  # fmt: skip
_FACTS_QUERY = Compiled(
    lambda number: (
        Ticket.select(
            Ticket.number,
            Ticket.created_at,
            Ticket.first_response_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.status,
            Ticket.priority,
            Organization.tier,
            Queue.name,
            *(getattr(Ticket, name.removesuffix("_id")) for name in STORED),
        )
        .join(Organization, pw.JOIN.LEFT_OUTER, on=(Ticket.organization == Organization.id))
        .join_from(Ticket, Queue, pw.JOIN.LEFT_OUTER, on=(Ticket.queue == Queue.id))
        .where(Ticket.number == number)
    )
)


def facts(number: int) -> Facts | None:
    rows = _FACTS_QUERY.rows(number)
    if not rows:
        return None
    row = rows[0]
    return Facts(*row[:9], stored=tuple(row[9:]))


def history(number: int) -> tuple[list[tuple[datetime, str]], list[Event]]:
    events = [Event(*row) for row in _HISTORY_QUERY.rows(number)]
    statuses = []
    for event in events:
        if event.kind == EventKind.CREATED:
            statuses.append((event.at, json.loads(event.new_value or "{}").get("status", "new")))
        elif event.kind == EventKind.STATUS:
            statuses.append((event.at, event.new_value))
    return statuses, events
