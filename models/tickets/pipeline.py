"""The write pipeline every ticket change goes through, in one transaction.

:func:`change` locks the ticket row, refuses a change made on a version someone has changed since
(:func:`is_stale`, :func:`version_conflict`), lets the caller build the events from the locked state, folds
them into the new state (``models.tickets.fold.apply``), writes the row and appends the events,
then runs the write's named effects (``models.tickets.effects``: full text, tags, FAQ links,
surveys, SLA deadlines). :func:`insert_ticket` does the same for a new ticket's ``created`` event. The
pipeline stamps every event with its ticket, time, version, actor and origin; its clock is this
module's ``utcnow`` (tests set it here).

Every service function returns the fresh ``Ticket`` carrying ``written``: the events that call
appended, oldest first, saved and with their ids; ``()`` when the call changed nothing. A caller
that needs the event it just wrote (sync links it to the remote message it came from) takes it
from there instead of reading the timeline back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

from models.enums import EventKind
from models.errors import Conflict, NotFound
from models.store.db import is_postgres, write_transaction
from models.store.tables import Agent, Tag, Ticket, TicketEvent, TicketFAQ, TicketTag, utcnow
from models.tickets import effects, origin
from models.tickets.fold import TicketState, apply
from models.tickets.timeline import describe, events_of, who

__all__ = ["get_ticket", "state_of", "change", "Build"]  # the rest serves the modules of this room only

#: Makes a change's events from the locked ticket and its state (none: nothing to change).
Build = Callable[[Ticket, TicketState], list[TicketEvent]]


def get_ticket(number: int) -> Ticket:
    ticket = Ticket.get_or_none(Ticket.number == number)
    if ticket is None:
        raise NotFound(f"no ticket #{number}")
    return ticket


def lock_ticket(number: int) -> Ticket:
    """Read a ticket for changing it. On PostgreSQL the row stays locked until commit, so concurrent
    writers queue instead of racing; SQLite's ``BEGIN IMMEDIATE`` already serialises writers."""
    query = Ticket.select().where(Ticket.number == number)
    if is_postgres():
        query = query.for_update()
    ticket = query.get_or_none()
    if ticket is None:
        raise NotFound(f"no ticket #{number}")
    return ticket


def state_of(ticket: Ticket) -> TicketState:
    """The ticket row (with its tags and linked FAQs) as a ``TicketState``."""
    tags = sorted(
        name for (name,) in Tag.select(Tag.name).join(TicketTag).where(TicketTag.ticket == ticket.number).tuples()
    )
    faqs = TicketFAQ.select(TicketFAQ.article).where(TicketFAQ.ticket == ticket.number).tuples()
    assignee = Agent.get_by_id(ticket.assignee_id).login if ticket.assignee_id else None
    return TicketState(
        number=ticket.number,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        channel=ticket.channel,
        ticket_type=ticket.ticket_type,
        customer_id=ticket.customer_id,
        organization_id=ticket.organization_id,
        queue_id=ticket.queue_id,
        assignee=assignee,
        tags=tuple(tags),
        faqs=tuple(sorted(article for (article,) in faqs)),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        merged_into=ticket.merged_into_id,
        version=ticket.version,
    )


def _row(state: TicketState, assignee_id: int | None) -> dict:
    return {
        Ticket.subject: state.subject,
        Ticket.status: state.status,
        Ticket.priority: state.priority,
        Ticket.channel: state.channel,
        Ticket.ticket_type: state.ticket_type,
        Ticket.customer: state.customer_id,
        Ticket.organization: state.organization_id,
        Ticket.queue: state.queue_id,
        Ticket.assignee: assignee_id,
        Ticket.created_at: state.created_at,
        Ticket.updated_at: state.updated_at,
        Ticket.first_response_at: state.first_response_at,
        Ticket.resolved_at: state.resolved_at,
        Ticket.closed_at: state.closed_at,
        Ticket.merged_into: state.merged_into,
        Ticket.version: state.version,
    }


def version_conflict(ticket: Ticket, seen: int) -> Conflict:
    """The ``Conflict`` for a change made on version ``seen``: who changed what since."""
    number, current = ticket.number, ticket.version
    if seen > current:
        return Conflict(
            f"ticket #{number} is at version {current}; version {seen} does not exist yet",
            current_version=current,
        )
    events = events_of(number, since_version=seen)
    lines = [f"{who(e)} {describe(e)} at {e.at:%Y-%m-%d %H:%M} UTC" for e in events]
    shown = "; ".join(lines[:4]) + (f"; and {len(lines) - 4} more" if len(lines) > 4 else "")
    return Conflict(
        f"ticket #{number} changed since you saw it (version {seen}, now {current}): {shown}",
        changes=lines,
        current_version=current,
    )


def is_stale(ticket: Ticket, seen: int | None) -> bool:
    """Whether a change made on version ``seen`` must be refused: someone changed the ticket since.

    The system's SLA alerts (warning, breached) move the version but are not updates, and neither
    are the desk's records of mail (an auto-reply received, a delivery): a change made on the version
    before them still goes through."""
    if seen is None or ticket.version == seen:
        return False
    if seen > ticket.version:
        return True
    alert = (TicketEvent.kind == EventKind.SLA.value) & TicketEvent.actor.is_null() & TicketEvent.origin.is_null()
    alert |= (TicketEvent.kind == EventKind.MAIL.value) & TicketEvent.field.in_(("automatic", "delivery"))
    return (
        TicketEvent.select()
        .where((TicketEvent.ticket == ticket.number) & (TicketEvent.version > seen) & ~alert)
        .exists()
    )


def _written(number: int, events: list[TicketEvent]) -> Ticket:
    ticket = Ticket.get_by_id(number)
    ticket.written = tuple(events)
    return ticket


def write_events(actor: Agent | None, ticket: Ticket, before: TicketState, changes: list[TicketEvent]) -> Ticket:
    """Append ``changes`` to the locked ``ticket``, write the state they fold to and run the effects.

    Call inside the transaction that locked it (:func:`change` does); returns the fresh row with
    ``written``."""
    at = max(utcnow(), ticket.updated_at)  # a timeline never runs backwards, whatever the clocks say
    for event in changes:
        event.ticket = ticket.number
        event.at = at
        event.version = ticket.version + 1
        event.actor = actor.id if actor is not None else None
        origin.stamp(event)
    after = reduce(apply, changes, before)
    assignee_id = ticket.assignee_id
    if after.assignee != before.assignee:
        assignee_id = Agent.get(Agent.login == after.assignee).id if after.assignee else None
    # The row is locked (FOR UPDATE / BEGIN IMMEDIATE); the version test is a second line of defence.
    updated = (
        Ticket.update(_row(after, assignee_id))
        .where((Ticket.number == ticket.number) & (Ticket.version == ticket.version))
        .execute()
    )
    if updated != 1:
        raise version_conflict(get_ticket(ticket.number), ticket.version)
    for event in changes:
        event.save(force_insert=True)
    effects.run_effects(effects.TicketWrite(ticket.number, before, after, tuple(changes), at, actor))
    return _written(ticket.number, changes)


def change(actor: Agent | None, number: int, expect_version: int | None, build: Build) -> Ticket:
    """The one way to change a ticket: lock it, check the version, build the events and write them,
    in one transaction. ``build`` makes the events from the locked ticket and its state; when it
    makes none, the ticket is returned as it is (``written`` empty)."""
    with write_transaction():
        ticket = lock_ticket(number)
        if is_stale(ticket, expect_version):
            raise version_conflict(ticket, expect_version)
        state = state_of(ticket)
        changes = build(ticket, state)
        if not changes:
            return ticket
        return write_events(actor, ticket, state, changes)


def insert_ticket(actor: Agent | None, row: dict, created: TicketEvent) -> Ticket:
    """Write a new ticket: its row (``row``: the ``Ticket`` fields but the times and version) and its
    ``created`` event, whose payload the row must equal; then run the effects. Call inside a
    transaction; returns the fresh row with ``written``."""
    now = utcnow()
    ticket = Ticket.create(**row, created_at=now, updated_at=now, version=1)
    created.ticket, created.at, created.version = ticket.number, now, 1
    created.actor = actor.id if actor is not None else None
    origin.stamp(created).save(force_insert=True)
    after = apply(TicketState(number=ticket.number), created)
    effects.run_effects(
        effects.TicketWrite(ticket.number, TicketState(number=ticket.number), after, (created,), now, actor)
    )
    return _written(ticket.number, [created])
