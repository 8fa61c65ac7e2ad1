"""The fixed vocabularies of a ticket: statuses and their transitions, priorities, channels, event kinds."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Status",
    "Priority",
    "Channel",
    "Visibility",
    "EventKind",
    "Role",
    "TicketType",
    "FAQStatus",
    "TRANSITIONS",
    "OPEN_STATUSES",
    "REASON_REQUIRED_STATUSES",
    "next_statuses",
]


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer
    ON_HOLD = "on_hold"  # waiting on a third party
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketType(StrEnum):
    """What the customer came with; complaints are measured on their own."""

    QUESTION = "question"
    INCIDENT = "incident"
    REQUEST = "request"
    COMPLAINT = "complaint"


class FAQStatus(StrEnum):
    DRAFT = "draft"  # being written: not suggested, not answered from
    PUBLISHED = "published"
    ARCHIVED = "archived"  # kept with its history; hidden from searches unless asked for


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return list(Priority).index(self)


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WEB = "web"
    CHAT = "chat"
    WALK_IN = "walk-in"


class Visibility(StrEnum):
    PUBLIC = "public"  # the customer may see it
    INTERNAL = "internal"


class EventKind(StrEnum):
    CREATED = "created"
    STATUS = "status"
    PRIORITY = "priority"
    ASSIGNEE = "assignee"
    TAGS = "tags"
    REPLY = "reply"
    NOTE = "note"
    FAQ_LINKED = "faq_linked"
    MERGED_INTO = "merged_into"  # this ticket was merged into another
    MERGED_FROM = "merged_from"  # another ticket was merged into this one
    TYPE = "type"  # question / incident / request / complaint
    OVERRIDE = "override"  # a manual deadline: jump the queue or extend, with a reason and who asked
    CSAT = "csat"  # the customer's satisfaction score (1-5) and comment, after resolution
    SLA = "sla"  # a deadline came near (warning) or passed (breached); written by models.tickets.alerts
    SYNC_CONFLICT = "sync_conflict"  # both sides changed a field: old_value here, new_value there
    MAIL = "mail"  # mail that changed nothing (an auto-reply, a bounce) or was moved; ``field`` says which


class Role(StrEnum):
    AGENT = "agent"
    LEAD = "lead"
    ADMIN = "admin"


OPEN_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD})

REASON_REQUIRED_STATUSES = frozenset({Status.ON_HOLD})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.RESOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),  # reopen, or close for good
    Status.CLOSED: frozenset(),
}


def next_statuses(status: str) -> list[str]:
    """Where a ticket in ``status`` may move, in the order of ``Status``."""
    allowed = TRANSITIONS[Status(status)]
    return [s.value for s in Status if s in allowed]
