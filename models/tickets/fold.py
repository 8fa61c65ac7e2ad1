"""A ticket's state as the fold of its events.

``apply`` is the one place that says how an event changes a ticket. The service layer uses it to
compute the row it writes, and ``replay`` uses it to rebuild a ticket from its timeline alone;
the property tests prove the two agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from models.enums import EventKind, Status, Visibility

__all__ = ["TicketState", "EventLike", "apply", "replay", "created_payload"]


@dataclass(frozen=True)
class TicketState:
    """Everything about a ticket that its events determine."""

    number: int
    subject: str = ""
    status: str = Status.NEW.value
    priority: str = "normal"
    channel: str = "email"
    ticket_type: str = "question"
    customer_id: int | None = None
    organization_id: int | None = None
    queue_id: int | None = None
    assignee: str | None = None  # agent login
    tags: tuple[str, ...] = ()
    faqs: tuple[int, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    merged_into: int | None = None
    version: int = 0
    extra: dict = field(default_factory=dict, compare=False, repr=False)


class EventLike(Protocol):
    kind: str
    at: datetime
    version: int
    visibility: str
    field: str | None
    old_value: str | None
    new_value: str | None
    actor_id: int | None
    customer_id: int | None


def created_payload(
    *,
    subject: str,
    status: str,
    priority: str,
    channel: str,
    customer_id: int | None,
    organization_id: int | None,
    queue_id: int | None,
    assignee: str | None,
    tags: tuple[str, ...],
    ticket_type: str = "question",
) -> str:
    """The ``new_value`` of a ``created`` event: the ticket's first state as JSON."""
    return json.dumps(
        {
            "subject": subject,
            "status": status,
            "priority": priority,
            "channel": channel,
            "customer": customer_id,
            "organization": organization_id,
            "queue": queue_id,
            "assignee": assignee,
            "tags": list(tags),
            **({"type": ticket_type} if ticket_type != "question" else {}),  # older events have no type
        },
        sort_keys=True,
    )


def split_tags(value: str | None) -> tuple[str, ...]:
    return tuple(sorted(set((value or "").split())))


def apply(state: TicketState, event: EventLike) -> TicketState:
    """The state after ``event``. Pure: replaying the same events always gives the same state."""
    kind = event.kind
    if kind in (
        EventKind.SLA,
        EventKind.SYNC_CONFLICT,
        EventKind.MAIL,
    ):  # on the timeline, but nobody updated the ticket
        return replace(state, version=event.version)
    changes: dict = {"updated_at": event.at, "version": event.version}
    if kind == EventKind.CREATED:
        first = json.loads(event.new_value or "{}")
        changes.update(
            subject=first["subject"],
            status=first["status"],
            priority=first["priority"],
            channel=first["channel"],
            customer_id=first["customer"],
            organization_id=first["organization"],
            queue_id=first["queue"],
            assignee=first["assignee"],
            tags=tuple(sorted(first["tags"])),
            ticket_type=first.get("type", "question"),
            created_at=event.at,
        )
    elif kind == EventKind.STATUS:
        new = event.new_value
        changes["status"] = new
        if new == Status.RESOLVED:
            changes["resolved_at"] = event.at
        elif new == Status.CLOSED:
            changes["closed_at"] = event.at
        elif state.status == Status.RESOLVED:
            changes["resolved_at"] = None  # reopened
    elif kind == EventKind.PRIORITY:
        changes["priority"] = event.new_value
    elif kind == EventKind.TYPE:
        changes["ticket_type"] = event.new_value
    elif kind == EventKind.ASSIGNEE:
        changes["assignee"] = event.new_value
    elif kind == EventKind.TAGS:
        changes["tags"] = split_tags(event.new_value)
    elif kind == EventKind.REPLY:
        by_agent = event.customer_id is None
        if by_agent and event.visibility == Visibility.PUBLIC and state.first_response_at is None:
            changes["first_response_at"] = event.at
    elif kind == EventKind.FAQ_LINKED:
        changes["faqs"] = tuple(sorted({*state.faqs, int(event.new_value)}))
    elif kind == EventKind.MERGED_INTO:
        changes["merged_into"] = int(event.new_value)
    return replace(state, **changes)


def replay(number: int, events) -> TicketState:
    """Rebuild a ticket's state from its events, oldest first."""
    state = TicketState(number=number)
    for event in events:
        state = apply(state, event)
    return state
