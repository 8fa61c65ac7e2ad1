"""SLA alerts on the timeline: a warning when a deadline comes within ``DUE_SOON``, and a breach
when it passes — each once per deadline (a deadline moved by a pause is a new one).

Time passing is not a change anyone makes, so something must look: ``sportello sla check``
(from cron) and the full-screen app (every half minute) call :func:`sweep`. Several sweepers at
once are harmless: each alert is written under the ticket's lock, after checking it is not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.enums import OPEN_STATUSES, EventKind
from models.sla import rules as sla
from models.store.db import write_transaction
from models.store.tables import Ticket, TicketEvent, utcnow
from models.tickets import changes as tickets

__all__ = ["Alert", "Sweeper", "sweep"]


@dataclass(frozen=True)
class Alert:
    number: int
    target: str  # first_response | next_response | resolution
    state: str  # warning | breached
    due: datetime


def sweep(*, now: datetime | None = None, limit: int = 500, since: datetime | None = None) -> list[Alert]:
    """Write the alerts that are due as of ``now``; returns them (at most ``limit`` per call).

    With ``since`` (the time of an earlier complete sweep, under the same policies) only tickets
    whose deadline came after it, or that changed after it, are looked at."""
    written, _ = _sweep(now or utcnow(), sla.policies(), limit, since)
    return written


class Sweeper:
    """Sweeps again and again (the app's timer), looking only at what may have changed since its
    last complete sweep: on a large desk, every overdue ticket would otherwise be re-examined
    every time. A change of policies or calendars makes the next sweep a full one."""

    MARGIN = timedelta(minutes=2)  # other writers' clocks may run a little behind this one
    FULL_EVERY = timedelta(minutes=10)  # deadlines can also move without a change (a tier upgrade)

    def __init__(self) -> None:
        self._since: datetime | None = None
        self._full: datetime | None = None
        self._rules: tuple | None = None

    def __call__(self, *, now: datetime | None = None, limit: int = 500) -> list[Alert]:
        at = now or utcnow()
        among = sla.policies()
        rules = tuple((policy, policy.hours) for policy in among)
        full = self._since is None or rules != self._rules or at - self._full >= self.FULL_EVERY
        written, complete = _sweep(at, among, limit, None if full else self._since - self.MARGIN)
        if complete:
            self._since, self._rules = at, rules
            if full:
                self._full = at
        return written


def _sweep(at: datetime, among: list, limit: int, since: datetime | None) -> tuple[list[Alert], bool]:
    if not among:
        return [], True
    query = (
        Ticket.select(Ticket.number)
        .where(Ticket.due_at.is_null(False) & (Ticket.due_at <= at + sla.DUE_SOON)
               & Ticket.status.in_(list(OPEN_STATUSES)))
        .order_by(Ticket.due_at)
    )  # fmt: skip
    if since is not None:
        query = query.where((Ticket.due_at > since) | (Ticket.updated_at >= since))
    written: list[Alert] = []
    for (number,) in query.tuples():
        found = sla.deadlines(number, now=at, among=among)
        for target, clock in found.open_clocks().items():
            if clock.due is None or clock.due > at + sla.DUE_SOON:
                continue
            state = "breached" if clock.due <= at else "warning"
            alert = Alert(number, target, state, clock.due)
            if _record(alert, found.policy.describe() if found.policy else ""):
                written.append(alert)
                if len(written) >= limit:
                    return written, False
    return written, True


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
