"""Changing the SLA rules: calendars and policies, each change followed by the deadlines of the open
tickets it moves.

Leads and admins make these changes. The rules themselves, and which applies to a ticket, are
:mod:`models.sla.policy`; the deadlines they set, :mod:`models.sla.deadline`. Both are named here
too, so that callers keep one import (``from models.sla import rules as sla``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import peewee as pw

from models import validate
from models.enums import Role
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from models.sla.business_time import Calendar
from models.sla.deadline import DUE_SOON, Deadlines, breached, deadlines, evaluate, refresh, refresh_open
from models.sla.policy import (
    TARGETS,
    Policy,
    calendars,
    format_minutes,
    get_calendar,
    policies,
    policy_for,
    read_policies,
    reuse_policies,
)
from models.sla.tiers import check_tier
from models.store.db import write_transaction
from models.store.tables import Agent, Queue, SLACalendar, SLAPolicy, Ticket

__all__ = [
    "DUE_SOON",
    "TARGETS",
    "Policy",
    "Deadlines",
    "calendars",
    "get_calendar",
    "save_calendar",
    "remove_calendar",
    "policies",
    "reuse_policies",
    "save_policy",
    "remove_policy",
    "policy_for",
    "deadlines",
    "refresh",
    "refresh_open",
    "breached",
    "evaluate",
    "format_minutes",
]

MAX_TARGET_MINUTES = 365 * 24 * 60


def _lead(actor: Agent) -> None:
    if actor is None or not actor.active or actor.role not in (Role.LEAD, Role.ADMIN):
        raise PermissionDenied("only a lead or an admin may change SLA policies and calendars")


# --- calendars -----------------------------------------------------------------------------------


def save_calendar(
    actor: Agent,
    name: str,
    *,
    timezone: str,
    hours: Mapping[str, str],
    holidays: Iterable[str] = (),
    refresh: bool = True,
) -> Calendar:
    """Create or replace a calendar; the deadlines of open tickets under it are recomputed."""
    _lead(actor)
    name = _name(name, "calendar")
    calendar = Calendar.parse(timezone, hours, holidays)
    fields = dict(
        timezone=calendar.timezone,
        hours=json.dumps(calendar.describe_hours()),
        holidays=json.dumps(sorted(d.isoformat() for d in calendar.holidays)),
    )
    with write_transaction():
        row = SLACalendar.get_or_none(SLACalendar.name == name)
        if row is None:
            SLACalendar.create(name=name, **fields)
        else:
            SLACalendar.update(**fields).where(SLACalendar.id == row.id).execute()
    if row is not None and refresh:
        refresh_open()
    return calendar


def remove_calendar(actor: Agent, name: str) -> None:
    _lead(actor)
    with write_transaction():
        row = SLACalendar.get_or_none(SLACalendar.name == name)
        if row is None:
            raise NotFound(f"no SLA calendar {name[:60]!r}")
        users = [p.name for p in SLAPolicy.select(SLAPolicy.name).where(SLAPolicy.calendar == row.id)]
        if users:
            raise Conflict(f"calendar {name!r} is used by {', '.join(users)}; change those policies first")
        row.delete_instance()


def _name(value: str, what: str) -> str:
    return validate.line(value, f"{what} name", 100, required=True)


# --- policies ------------------------------------------------------------------------------------


def _minutes(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 0 < value <= MAX_TARGET_MINUTES:
        raise InvalidInput(f"the {what} target must be a whole number of minutes from 1 to {MAX_TARGET_MINUTES}")
    return value


def save_policy(
    actor: Agent,
    name: str,
    *,
    tier: str | None = None,
    priority: str | None = None,
    queue: str | None = None,
    calendar: str | None = None,
    first_response: int | None = None,
    next_response: int | None = None,
    resolution: int | None = None,
    position: int | None = None,
    refresh: bool = True,
) -> Policy:
    """Create or replace a policy (targets in business minutes); open tickets are re-evaluated."""
    _lead(actor)
    name = _name(name, "policy")
    if tier:
        tier = check_tier(str(tier))
    else:
        tier = None
    priority = validate.priority(priority) if priority else None
    targets = {
        "first_response_minutes": _minutes(first_response, "first response"),
        "next_response_minutes": _minutes(next_response, "next response"),
        "resolution_minutes": _minutes(resolution, "resolution"),
    }
    if not any(v is not None for v in targets.values()):
        raise InvalidInput("a policy needs at least one target (first response, next response or resolution)")
    with write_transaction():
        queue_id = _queue_id(queue)
        calendar_id = None
        if calendar:
            row = SLACalendar.get_or_none(SLACalendar.name == calendar)
            if row is None:
                raise NotFound(f"no SLA calendar {calendar[:60]!r} (add it with `sportello sla calendar set`)")
            calendar_id = row.id
        existing = SLAPolicy.get_or_none(SLAPolicy.name == name)
        if position is None:
            position = (
                existing.position if existing else (SLAPolicy.select(pw.fn.MAX(SLAPolicy.position)).scalar() or 0) + 10
            )
        fields = dict(tier=tier, priority=priority, queue=queue_id, calendar=calendar_id, position=position, **targets)
        if existing is None:
            SLAPolicy.create(name=name, **fields)
        else:
            SLAPolicy.update(**fields).where(SLAPolicy.id == existing.id).execute()
    if refresh:
        refresh_open()
    return next(p for p in read_policies() if p.name == name)


def _queue_id(queue: str | None) -> int | None:
    if not queue:
        return None
    row = Queue.get_or_none(Queue.name == queue)
    if row is None:
        raise NotFound(f"no queue {queue[:60]!r}")
    return row.id


def remove_policy(actor: Agent, name: str, *, refresh: bool = True) -> None:
    _lead(actor)
    with write_transaction():
        row = SLAPolicy.get_or_none(SLAPolicy.name == name)
        if row is None:
            raise NotFound(f"no SLA policy {name[:60]!r}")
        Ticket.update(sla_policy=None).where(Ticket.sla_policy == row.id).execute()
        row.delete_instance()
    if refresh:
        refresh_open()
