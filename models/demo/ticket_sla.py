"""The SLA columns of a generated ticket row, derived by ``models.sla`` from its events exactly as the
service derives them after the ticket's last change."""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime

from models.demo.rows import CLOSED, NEW, NULL, PRIORITIES, RESOLVED, DemoDesk
from models.sla.business_time import ALWAYS
from models.sla.clock import measure
from models.sla.deadline import breached, evaluate
from models.sla.policy import policy_for

__all__ = ["sla_columns"]

_Reply = namedtuple("_Reply", "kind at customer_id visibility")  # what models.sla.deadline reads of a reply


def sla_columns(
    desk: DemoDesk,
    events: list[tuple],
    created: str,
    responded: str | None,
    done: str | None,
    status: str,
    prio: int,
    org: int | None,
    now: str,
) -> tuple:
    """The SLA columns of a ticket row, from its events, derived by ``models.sla.deadline`` as the service
    derives them after the ticket's last change (at ``now``)."""
    when = datetime.fromisoformat
    statuses, replies, override = [(when(created), NEW)], [], None
    for e in events:
        if e[5] == "status":
            statuses.append((when(e[1]), e[9]))
        elif e[5] == "reply":
            replies.append(_Reply("reply", when(e[1]), None if e[4] == NULL else e[4], e[6]))
        elif e[5] == "override":
            override = when(e[9])
    tier = desk.org_tiers.get(org) if org is not None else None
    policy = policy_for(tier, PRIORITIES[prio], None, desk.policies) if desk.policies else None
    first_response = when(responded) if responded else None
    finished = when(done) if done and status in (RESOLVED, CLOSED) else None
    found = evaluate(policy, statuses, replies, statuses[0][0], first_response, status, when(now), override)
    measured = measure(policy.hours if policy else ALWAYS, statuses, statuses[0][0], first_response, finished)
    due = lambda clock: NULL if clock is None or clock.due is None else str(clock.due)  # noqa: E731
    missed = breached(found, first_response, finished)
    running = status not in (RESOLVED, CLOSED)
    return (
        NULL if policy is None else policy.id,
        due(found.first_response),
        due(found.next_response) if "next_response" not in found.done else NULL,
        due(found.resolution),
        str(found.due_at) if running and found.due_at is not None else NULL,
        NULL if measured.first_response_minutes is None else measured.first_response_minutes,
        NULL if measured.resolution_minutes is None else measured.resolution_minutes,
        measured.reopen_count,
        NULL if missed is None else missed,
    )
