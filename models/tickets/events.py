"""The events a ticket change appends, as the change functions build them, and the checks they share.

An event built here carries what it says (kind, field, values, reason, body); the pipeline
(``models.tickets.pipeline``) stamps its ticket, time, version, actor and origin when it writes it.
"""

from __future__ import annotations

from models import validate
from models.enums import EventKind, Status, Visibility
from models.errors import NotFound, RuleViolation
from models.store.tables import Agent, Ticket, TicketEvent
from models.tickets.fold import TicketState

__all__ = ["requester"]  # the rest serves the modules of this room only


def new_event(kind: str, **fields) -> TicketEvent:
    """An event of ``kind``; internal unless ``visibility`` says otherwise."""
    fields.setdefault("visibility", Visibility.INTERNAL.value)
    return TicketEvent(kind=kind, **fields)


def status_event(old: Status, new: Status, reason: str, customer_id: int | None) -> TicketEvent:
    return new_event(
        EventKind.STATUS.value,
        visibility=Visibility.PUBLIC.value,
        field="status",
        old_value=old.value,
        new_value=new.value,
        reason=reason,
        customer=customer_id,
    )


def optional_reason(reason: str | None) -> str | None:
    """An optional reason: cleaned and limited like a required one, or None when blank."""
    return validate.reason(reason, "") if reason and reason.strip() else None


def requester(value: str | None) -> str | None:
    """Who asked for a manual change, e.g. "sales: Rossi" (one line, at most 200 characters)."""
    return validate.line(value, "name of who asked", 200) or None


def refuse_if_closed(ticket: Ticket | TicketState, what: str) -> None:
    if ticket.status == Status.CLOSED:
        raise RuleViolation(f"ticket #{ticket.number} is closed; {what} is not possible (open a new ticket instead)")


def active_agent(login: str) -> Agent:
    agent = Agent.get_or_none(Agent.login == login)
    if agent is None:
        raise NotFound(f"no agent {login[:64]!r}")
    if not agent.active:
        raise RuleViolation(f"agent {login!r} is deactivated")
    return agent
