"""What the story needs and what it makes: the desk it draws on (``DemoDesk``) and a chunk of ticket rows
ready for ``bulk.write_rows`` (``TicketChunk``), column by column, with statuses and kinds as plain
strings (the hot loop compares and stores them) and ``NULL`` for SQL NULL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.demo.span import ANCHOR
from models.sla.policy import Policy
from models.store import bulk

__all__ = ["TICKET_COLUMNS", "EVENT_COLUMNS", "SURVEY_COLUMNS", "LOW_TAG", "NULL", "PRIORITIES", "DemoDesk",
           "TicketChunk"]  # fmt: skip

TICKET_COLUMNS = (
    "number", "subject", "status", "priority", "channel", "customer", "organization", "queue", "assignee",
    "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at", "version", "ticket_type",
    # derived by models.sla.deadline as the service would store it after the ticket's last change
    "sla_policy", "first_response_due", "next_response_due", "resolution_due", "due_at",
    "first_response_minutes", "resolution_minutes", "reopen_count", "sla_breached",
)  # fmt: skip
EVENT_COLUMNS = (
    "ticket", "at", "version", "actor", "customer", "kind", "visibility", "field",
    "old_value", "new_value", "body", "reason", "requested_by",
)  # fmt: skip
SURVEY_COLUMNS = ("ticket", "opened_at", "score", "comment", "answered_at", "recorded_by", "assignee", "queue",
                  "organization")  # fmt: skip
LOW_TAG = "csat-low"  # models.tickets.csat.LOW_TAG (not imported: csat builds on the ticket service)

PRIORITIES = ("low", "normal", "high", "urgent")

# Statuses and kinds as plain strings (the hot loop compares and stores them).
NEW, OPEN, PENDING, ON_HOLD, RESOLVED, CLOSED = "new", "open", "pending", "on_hold", "resolved", "closed"
PUBLIC, INTERNAL = "public", "internal"
NULL = bulk.NULL_MARKER


@dataclass
class DemoDesk:
    """The desk's people, queues, tags and FAQ, as the ticket generator needs them."""

    agent_ids: list[int]
    agent_logins: list[str]
    signatures: list[str]
    workers: list[int]  # indexes into agent_ids of everyone who handles tickets
    leads: list[int]
    departed: int | None  # index of the agent who left on day 150
    queue_ids: list[int]  # one per topic
    customers: list[tuple[int, int | None, bool]]  # (id, organization id, premium)
    tag_ids: dict[str, int]
    faqs: dict[str, list[int]]  # topic -> ids of published articles
    policies: list[Policy] = field(default_factory=list)  # the SLA rules, in order
    org_tiers: dict[int, str] = field(default_factory=dict)
    souring: frozenset[int] = frozenset()  # organizations whose last months went badly (churn risk)
    end: datetime = ANCHOR  # the story's "now": its year ends here


@dataclass
class TicketChunk:
    """The rows of a run of consecutive tickets, ready for ``bulk.write_rows``."""

    tickets: list[tuple]  # TICKET_COLUMNS
    events: list[tuple]  # EVENT_COLUMNS
    tags: list[tuple]  # (ticket, tag id)
    faqs: list[tuple]  # (ticket, article, linked_at, linked_by)
    surveys: list[tuple] = field(default_factory=list)  # SURVEY_COLUMNS
