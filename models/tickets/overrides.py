"""Manual favours: a deadline set by hand (jump the queue, extend it), and the override report —
every favour, a priority change included, with who asked, who did it and why, over a period,
counted by requester and by organization, so that a lead can see who gets favours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from models import validate
from models.enums import OPEN_STATUSES, EventKind
from models.errors import InvalidInput, RuleViolation
from models.store.tables import Agent, Organization, Ticket, TicketEvent
from models.tickets import changes as tickets

__all__ = ["override_due", "Override", "OverrideReport", "override_report"]


def override_due(
    actor: Agent,
    number: int,
    due: datetime | None,
    *,
    reason: str,
    requested_by: str,
    expect_version: int | None = None,
) -> Ticket:
    """Set the ticket's deadline by hand — earlier to jump the queue, later to extend it — or back
    to the policy's with ``None``. A reason and who asked are required; both go on the event, and
    the override report lists them. The SLA targets are still measured against the policy. The
    ticket returned carries the override event in ``written`` (none when the deadline is already that)."""
    why = validate.reason(reason, "overriding a deadline")
    asked = tickets.requester(requested_by)
    if asked is None:
        raise InvalidInput("overriding a deadline needs the name of who asked (e.g. 'sales: Rossi')")

    def build(ticket: Ticket, state) -> list[TicketEvent]:
        if ticket.status not in OPEN_STATUSES:
            raise RuleViolation(f"ticket #{number} is {ticket.status}; only an open ticket has a deadline")
        old = ticket.due_at.isoformat() if ticket.due_at else None
        new = due.replace(microsecond=0).isoformat() if due else None
        if old == new:
            return []
        return [TicketEvent(kind=EventKind.OVERRIDE.value, field="due_at", old_value=old, new_value=new,
                            reason=why, requested_by=asked)]  # fmt: skip

    return tickets.change(actor, number, expect_version, build)


@dataclass(frozen=True)
class Override:
    at: datetime
    ticket: int
    what: str  # "priority" or "deadline"
    old: str | None
    new: str | None
    reason: str
    requested_by: str  # "" when the agent decided alone
    agent: str | None
    organization: str | None


@dataclass(frozen=True)
class OverrideReport:
    start: datetime
    end: datetime
    items: list[Override]  # newest first
    by_requester: list[tuple[str, int]]  # most first
    by_organization: list[tuple[str, int]]


def override_report(start: datetime, end: datetime, *, limit: int = 500) -> OverrideReport:
    """Manual priority changes and deadline overrides with ``start <= at < end``."""
    kinds = [EventKind.PRIORITY.value, EventKind.OVERRIDE.value]
    within = (TicketEvent.kind.in_(kinds)) & (TicketEvent.at >= start) & (TicketEvent.at < end)
    org_name = pw.fn.COALESCE(Organization.name, "(private persons)")
    requester = pw.fn.COALESCE(TicketEvent.requested_by, "(nobody named)")
    base = (
        TicketEvent.select()
        .join(Ticket, on=(TicketEvent.ticket == Ticket.number))
        .join(Organization, pw.JOIN.LEFT_OUTER, on=(Ticket.organization == Organization.id))
        .where(within)
    )
    by_requester = [
        (name, count)
        for name, count in base.select(requester, pw.fn.COUNT(TicketEvent.id))
        .group_by(requester)
        .order_by(pw.fn.COUNT(TicketEvent.id).desc(), requester)
        .tuples()
    ]
    by_organization = [
        (name, count)
        for name, count in base.select(org_name, pw.fn.COUNT(TicketEvent.id))
        .group_by(org_name)
        .order_by(pw.fn.COUNT(TicketEvent.id).desc(), org_name)
        .tuples()
    ]
    rows = (
        base.select(TicketEvent.at, TicketEvent.ticket, TicketEvent.kind, TicketEvent.old_value, TicketEvent.new_value,
                    TicketEvent.reason, TicketEvent.requested_by, Agent.login, Organization.name)
        .join_from(TicketEvent, Agent, pw.JOIN.LEFT_OUTER, on=(TicketEvent.actor == Agent.id))
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(limit)
        .tuples()
    )  # fmt: skip
    items = [
        Override(at, ticket, "priority" if kind == EventKind.PRIORITY else "deadline", old, new, reason or "",
                 asked or "", agent, org)
        for at, ticket, kind, old, new, reason, asked, agent, org in rows
    ]  # fmt: skip
    return OverrideReport(start, end, items, by_requester, by_organization)
