"""The override report: every manual favour — a priority change, a deadline set by hand — with who
asked, who did it and why, over a period, and counted by requester and by organization, so that
a lead can see who gets favours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from .enums import EventKind
from .tables import Agent, Organization, Ticket, TicketEvent

__all__ = ["Override", "OverrideReport", "override_report"]


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
