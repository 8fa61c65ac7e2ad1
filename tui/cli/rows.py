"""Tickets, deadlines and events as the commands print them: JSON with stable keys, or safe text lines."""

from __future__ import annotations

from datetime import datetime

from models.sla.clock import Clock
from models.sla.rules import TARGETS, Deadlines
from models.store.tables import Ticket, TicketEvent
from models.tickets.timeline import describe, who
from tui.cli.common import iso, when
from tui.text.safe import one_line, safe_text

__all__ = ["ticket_json", "deadline_state", "deadlines_json", "event_json", "event_lines"]


# --- as JSON -------------------------------------------------------------------------------


def _customer(customer) -> dict | None:
    if customer is None:
        return None
    return {"id": customer.id, "name": customer.name, "email": customer.email}


def ticket_json(ticket: Ticket, *, tags: tuple[str, ...] | None = None, faqs: tuple[int, ...] | None = None) -> dict:
    """A ticket with stable keys; ``tags``/``faqs`` are included when the caller loaded them."""
    data = {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "type": ticket.ticket_type,
        "customer": _customer(ticket.customer) if ticket.customer_id else None,
        "organization": (
            {"id": ticket.organization.id, "name": ticket.organization.name} if ticket.organization_id else None
        ),
        "queue": ticket.queue.name if ticket.queue_id else None,
        "assignee": ticket.assignee.login if ticket.assignee_id else None,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "first_response_at": iso(ticket.first_response_at),
        "resolved_at": iso(ticket.resolved_at),
        "closed_at": iso(ticket.closed_at),
        "merged_into": ticket.merged_into_id,
        "version": ticket.version,
        # the deadlines as last stored (the queue's Due column is due_at: the nearest still running)
        "due_at": iso(ticket.due_at),
        "sla_due": {
            "first_response": iso(ticket.first_response_due),
            "next_response": iso(ticket.next_response_due),
            "resolution": iso(ticket.resolution_due),
        },
    }
    if tags is not None:
        data["tags"] = list(tags)
    if faqs is not None:
        data["faqs"] = list(faqs)
    return data


def deadline_state(name: str, clock: Clock, found: Deadlines, now: datetime) -> str:
    """Where one deadline stands, as ``sportello sla show`` says it: met, missed, paused, breached or running."""
    if name in found.done:
        return "missed" if clock.breached else "met"
    if clock.paused:
        return "paused"
    return "breached" if clock.due is not None and clock.due <= now else "running"


def deadlines_json(found: Deadlines, now: datetime) -> list[dict]:
    """Each deadline of a ticket: its kind, due time, state and the business minutes used of its target."""
    minutes = lambda amount: int(amount.total_seconds() // 60)  # noqa: E731
    return [
        {"kind": name, "due": iso(clock.due), "state": deadline_state(name, clock, found, now),
         "used_minutes": minutes(clock.used), "target_minutes": minutes(clock.target)}
        for name in TARGETS
        if (clock := getattr(found, name)) is not None
    ]  # fmt: skip


def event_json(event: TicketEvent) -> dict:
    return {
        "id": event.id,
        "ticket": event.ticket_id,
        "at": iso(event.at),
        "version": event.version,
        "kind": event.kind,
        "visibility": event.visibility,
        "actor": event.actor.login if event.actor_id else None,
        "customer": _customer(event.customer) if event.customer_id else None,
        "who": who(event),
        "description": describe(event),
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "reason": event.reason,
        "requested_by": event.requested_by,  # who asked for a priority change or a deadline override
        "body": event.body,
    }


# --- as text -------------------------------------------------------------------------------


def event_lines(event: TicketEvent, *, max_body_lines: int | None = None) -> list[str]:
    """An event as text: ``time  vN  who: what`` (marked when internal), then its body indented."""
    mark = "" if event.is_public else "  [internal]"
    head = f"{when(event.at)}  v{event.version}  {one_line(who(event), 60)}: {one_line(describe(event))}{mark}"
    lines = [head]
    if event.body:
        body = safe_text(event.body).expandtabs(4).splitlines() or [""]
        shown = body if max_body_lines is None else body[:max_body_lines]
        lines += ["    " + line if line else "" for line in shown]
        if len(shown) < len(body):
            lines.append(f"    … ({len(body) - len(shown)} more lines: see `sportello timeline {event.ticket_id}`)")
        lines.append("")
    return lines
