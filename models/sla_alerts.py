"""SLA alerts on the timeline: a warning when a deadline comes within ``DUE_SOON``, and a breach
when it passes — each once per deadline (a deadline moved by a pause is a new one).

Time passing is not a change anyone makes, so something must look: ``sportello sla check``
(from cron) and the full-screen app (every half minute) call :func:`sweep`. Several sweepers at
once are harmless: each alert is written under the ticket's lock, after checking it is not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import sla, tickets
from .db import write_transaction
from .enums import OPEN_STATUSES, EventKind
from .tables import Ticket, TicketEvent, utcnow

__all__ = ["Alert", "sweep"]


@dataclass(frozen=True)
class Alert:
    number: int
    target: str  # first_response | next_response | resolution
    state: str  # warning | breached
    due: datetime


def sweep(*, now: datetime | None = None, limit: int = 500) -> list[Alert]:
    """Write the alerts that are due as of ``now``; returns them (at most ``limit`` per call)."""
    at = now or utcnow()
    among = sla.policies()
    if not among:
        return []
    candidates = (
        Ticket.select(Ticket.number)
        .where(Ticket.due_at.is_null(False) & (Ticket.due_at <= at + sla.DUE_SOON)
               & Ticket.status.in_(list(OPEN_STATUSES)))
        .order_by(Ticket.due_at)
        .tuples()
    )  # fmt: skip
    written: list[Alert] = []
    for (number,) in candidates:
        found = sla.deadlines(number, now=at, among=among)
        for target, clock in found.open_clocks().items():
            if clock.due is None or clock.due > at + sla.DUE_SOON:
                continue
            state = "breached" if clock.due <= at else "warning"
            alert = Alert(number, target, state, clock.due)
            if _record(alert, found.policy.describe() if found.policy else ""):
                written.append(alert)
                if len(written) >= limit:
                    return written
    return written


def _record(alert: Alert, policy: str) -> bool:
    with write_transaction():  # the check and the write under one lock: two sweepers write it once
        seen = (
            TicketEvent.select()
            .where((TicketEvent.ticket == alert.number) & (TicketEvent.kind == EventKind.SLA.value)
                   & (TicketEvent.field == alert.target) & (TicketEvent.new_value == alert.state)
                   & (TicketEvent.old_value == alert.due.isoformat()))
            .exists()
        )  # fmt: skip
        if seen:
            return False
        event = TicketEvent(kind=EventKind.SLA.value, field=alert.target, old_value=alert.due.isoformat(),
                            new_value=alert.state, reason=policy)  # fmt: skip
        tickets.change(None, alert.number, None, lambda ticket, state: [event])  # by the system, no actor
        return True
