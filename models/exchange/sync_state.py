"""What the sync engine reads and writes in the desk: remotes, links, the outbox, runs, conflicts.

The outbox of a remote is derived from the timeline: every event after the remote's
``push_from`` mark, not synced from that remote, without a finished ``SyncDelivery``. An event
made offline therefore waits there until a sync delivers it, once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from peewee import JOIN

from models.enums import EventKind
from models.errors import InvalidInput, NotFound
from models.redaction import redact
from models.store.db import write_transaction
from models.store.sync_tables import SyncConflict, SyncDelivery, SyncMessage, SyncRemote, SyncRun, SyncTicket
from models.store.tables import Agent, Ticket, TicketEvent, utcnow
from models.tickets.timeline import latest_event_id

__all__ = [
    "PUSHED_KINDS",
    "remote_state",
    "find_remote",
    "set_cursor",
    "outbox",
    "outbox_count",
    "pending_fields",
    "begin_delivery",
    "finish_delivery",
    "deliveries_sending",
    "sent_tickets",
    "has_sent_tickets",
    "sent_messages",
    "ticket_link",
    "ticket_link_by_key",
    "ticket_links_by_keys",
    "Seen",
    "seen_versions",
    "link_ticket",
    "save_link",
    "message_keys",
    "message_link",
    "link_message",
    "record_conflict",
    "open_conflicts",
    "resolve_conflict",
    "start_run",
    "finish_run",
    "redacted_item",
    "recent_runs",
    "open_conflict_count",
    "RemoteOverview",
    "overview",
]

#: The event kinds a remote is told about; the rest (tags, FAQ links, SLA alerts…) stay local.
PUSHED_KINDS = (EventKind.CREATED, EventKind.STATUS, EventKind.PRIORITY, EventKind.REPLY, EventKind.NOTE)
DONE_STATES = ("done", "skipped", "refused")  # out of the outbox; "sending" stays in


def remote_state(name: str, kind: str) -> SyncRemote:
    """The remote's row, added on first use with its outbox starting after the newest event now."""
    with write_transaction():
        remote = SyncRemote.get_or_none(SyncRemote.name == name)
        if remote is None:
            return SyncRemote.create(name=name, kind=kind, push_from=latest_event_id())
        if remote.kind != kind:
            raise InvalidInput(f"remote {name!r} was synced as {remote.kind}, now configured as {kind}")
        return remote


def find_remote(name: str) -> SyncRemote:
    remote = SyncRemote.get_or_none(SyncRemote.name == name)
    if remote is None:
        raise NotFound(f"no remote {name!r} has been synced yet")
    return remote


def set_cursor(remote: SyncRemote, cursor: str | None) -> None:
    SyncRemote.update(cursor=cursor).where(SyncRemote.id == remote.id).execute()
    remote.cursor = cursor


def _outbox_query(remote: SyncRemote):
    delivered = SyncDelivery.select(SyncDelivery.event).where(
        (SyncDelivery.remote == remote.id) & SyncDelivery.state.in_(DONE_STATES)
    )
    return TicketEvent.select().where(
        (TicketEvent.id > remote.push_from)
        & TicketEvent.kind.in_([k.value for k in PUSHED_KINDS])
        & (TicketEvent.origin.is_null() | (TicketEvent.origin != remote.name))
        & TicketEvent.id.not_in(delivered)
    )


def outbox(remote: SyncRemote, limit: int = 500) -> list[TicketEvent]:
    """The events still to deliver to ``remote``, oldest first."""
    return list(_outbox_query(remote).order_by(TicketEvent.id).limit(limit))


def outbox_count(remote: SyncRemote) -> int:
    return _outbox_query(remote).count()


def pending_fields(remote: SyncRemote, number: int) -> set[str]:
    """The fields (status, priority) changed here on ``number`` and not yet delivered to ``remote``."""
    query = _outbox_query(remote).where(
        (TicketEvent.ticket == number) & TicketEvent.kind.in_([EventKind.STATUS.value, EventKind.PRIORITY.value])
    )
    return {event.kind for event in query}


def begin_delivery(remote: SyncRemote, event: TicketEvent) -> SyncDelivery:
    """Note, before writing remotely, that ``event`` is being sent (so a crash can be recovered)."""
    with write_transaction():
        delivery = SyncDelivery.get_or_none((SyncDelivery.remote == remote.id) & (SyncDelivery.event == event.id))
        if delivery is None:
            return SyncDelivery.create(remote=remote.id, event=event.id, state="sending", started_at=utcnow())
        return delivery


def finish_delivery(remote: SyncRemote, event_id: int, state: str, note: str = "") -> None:
    """Record how a delivery ended; the note (often what the remote answered) is stored redacted."""
    SyncDelivery.update(state=state, done_at=utcnow(), note=redact(note)[:500]).where(
        (SyncDelivery.remote == remote.id) & (SyncDelivery.event == event_id)
    ).execute()


def sent_tickets(remote: SyncRemote, subject: str, since: datetime) -> list[SyncDelivery]:
    """Tickets created here with this subject whose sending to this remote began at or after
    ``since``, with their created event (to know a late-landing write of ours when it is pulled)."""
    return list(
        SyncDelivery.select(SyncDelivery, TicketEvent)
        .join(TicketEvent, on=(SyncDelivery.event == TicketEvent.id))
        .join(Ticket, on=(TicketEvent.ticket == Ticket.number))
        .where((SyncDelivery.remote == remote.id) & (TicketEvent.kind == EventKind.CREATED.value)
               & (SyncDelivery.started_at >= since) & (Ticket.subject == subject))
        .order_by(SyncDelivery.event)
    )  # fmt: skip


def sent_messages(remote: SyncRemote, number: int, since: datetime) -> list[SyncDelivery]:
    """Replies and notes of ticket ``number`` delivered to this remote, sent at or after ``since``."""
    return list(
        SyncDelivery.select(SyncDelivery, TicketEvent)
        .join(TicketEvent, on=(SyncDelivery.event == TicketEvent.id))
        .where((SyncDelivery.remote == remote.id) & (SyncDelivery.state == "done") & (TicketEvent.ticket == number)
               & TicketEvent.kind.in_([EventKind.REPLY.value, EventKind.NOTE.value]) & (SyncDelivery.started_at >= since))
        .order_by(SyncDelivery.event)
    )  # fmt: skip


def has_sent_tickets(remote: SyncRemote) -> bool:
    """Whether this desk ever began sending a ticket it created to this remote."""
    return (
        SyncDelivery.select(SyncDelivery.id)
        .join(TicketEvent, on=(SyncDelivery.event == TicketEvent.id))
        .where((SyncDelivery.remote == remote.id) & (TicketEvent.kind == EventKind.CREATED.value))
        .exists()
    )


def deliveries_sending(remote: SyncRemote) -> list[SyncDelivery]:
    """Deliveries begun but never finished: a run stopped between the remote write and its record."""
    return list(
        SyncDelivery.select(SyncDelivery, TicketEvent)
        .join(TicketEvent, on=(SyncDelivery.event == TicketEvent.id))
        .where((SyncDelivery.remote == remote.id) & (SyncDelivery.state == "sending"))
        .order_by(SyncDelivery.event)
    )


def ticket_link(remote: SyncRemote, number: int) -> SyncTicket | None:
    return SyncTicket.get_or_none((SyncTicket.remote == remote.id) & (SyncTicket.ticket == number))


def ticket_link_by_key(remote: SyncRemote, key: str) -> SyncTicket | None:
    return SyncTicket.get_or_none((SyncTicket.remote == remote.id) & (SyncTicket.remote_key == key))


def ticket_links_by_keys(remote: SyncRemote, keys: list[str]) -> dict[str, SyncTicket]:
    """The links of these remote tickets (one query for a page of them)."""
    if not keys:
        return {}
    query = SyncTicket.select().where((SyncTicket.remote == remote.id) & SyncTicket.remote_key.in_(keys))
    return {link.remote_key: link for link in query}


class Seen(NamedTuple):
    """How a remote ticket was when last pulled."""

    remote_updated: datetime | None
    etag: str | None
    seen_at: datetime | None


def seen_versions(remote: SyncRemote) -> dict[str, Seen]:
    """Remote key → how it was last pulled, for every ticket linked to this remote (one query)."""
    query = (SyncTicket.select(SyncTicket.remote_key, SyncTicket.remote_updated, SyncTicket.etag, SyncTicket.seen_at)
             .where(SyncTicket.remote == remote.id).tuples())  # fmt: skip
    return {key: Seen(updated, etag, seen_at) for key, updated, etag, seen_at in query}


def link_ticket(remote: SyncRemote, number: int, key: str, base: dict, *, etag: str | None, updated=None,
                seen_at=None) -> SyncTicket:  # fmt: skip
    return SyncTicket.create(
        remote=remote.id,
        ticket=number,
        remote_key=key,
        base=json.dumps(base, sort_keys=True),
        etag=etag,
        remote_updated=updated,
        seen_at=seen_at,
    )


def save_link(link: SyncTicket, base: dict, *, etag: str | None, updated=None, seen_at=None) -> None:
    link.base, link.etag = json.dumps(base, sort_keys=True), etag
    if updated is not None:
        link.remote_updated, link.seen_at = updated, seen_at
    link.save()


def message_keys(remote: SyncRemote, number: int) -> set[str]:
    """The remote ids of the messages on ``number`` already linked to a local event."""
    query = (
        SyncMessage.select(SyncMessage.remote_key)
        .join(TicketEvent, on=(SyncMessage.event == TicketEvent.id))
        .where((SyncMessage.remote == remote.id) & (TicketEvent.ticket == number))
    )
    return {key for (key,) in query.tuples()}


def message_link(remote: SyncRemote, event_id: int) -> SyncMessage | None:
    return SyncMessage.get_or_none((SyncMessage.remote == remote.id) & (SyncMessage.event == event_id))


def link_message(remote: SyncRemote, event_id: int, key: str) -> None:
    SyncMessage.create(remote=remote.id, event=event_id, remote_key=key)


def record_conflict(
    remote: SyncRemote, number: int, field: str, local_value: str | None, remote_value: str | None, kept: str
) -> SyncConflict:
    """Flag a conflict for an agent, unless the same one is already open."""
    open_one = SyncConflict.get_or_none(
        (SyncConflict.remote == remote.id) & (SyncConflict.ticket == number) & (SyncConflict.field == field)
        & (SyncConflict.resolved == False)  # noqa: E712
        & (SyncConflict.local_value == local_value) & (SyncConflict.remote_value == remote_value)
    )  # fmt: skip
    if open_one is not None:
        return open_one
    return SyncConflict.create(
        remote=remote.id, ticket=number, field=field, local_value=local_value, remote_value=remote_value, kept=kept
    )


def open_conflicts(limit: int = 200) -> list[SyncConflict]:
    """Conflicts still waiting for an agent, newest first, with their remote."""
    return list(
        SyncConflict.select(SyncConflict, SyncRemote)
        .join(SyncRemote, on=(SyncConflict.remote == SyncRemote.id))
        .where(SyncConflict.resolved == False)  # noqa: E712
        .order_by(SyncConflict.created_at.desc(), SyncConflict.id.desc())
        .limit(limit)
    )


def resolve_conflict(actor: Agent, conflict_id: int) -> SyncConflict:
    """Mark a conflict as seen to; the agent changes the ticket itself if the other value should win."""
    conflict = SyncConflict.get_or_none(SyncConflict.id == conflict_id)
    if conflict is None:
        raise NotFound(f"no sync conflict {conflict_id}")
    SyncConflict.update(resolved=True, resolved_at=utcnow(), resolved_by=actor.id).where(
        SyncConflict.id == conflict_id
    ).execute()
    return SyncConflict.get_by_id(conflict_id)


def start_run(remote: SyncRemote, mode: str) -> SyncRun:
    now = utcnow()
    SyncRemote.update(last_run_at=now).where(SyncRemote.id == remote.id).execute()
    return SyncRun.create(remote=remote.id, started_at=now, mode=mode)


def finish_run(run: SyncRun, *, pulled: int, pushed: int, conflicts: int, report: Iterable[dict]) -> SyncRun:
    """Record the run's counts and report, its text redacted (see :mod:`models.redaction`)."""
    items = [redacted_item(item) for item in report]
    errors = sum(1 for item in items if item.get("what") == "error")
    run.finished_at, run.pulled, run.pushed, run.conflicts, run.errors = utcnow(), pulled, pushed, conflicts, errors
    run.report = json.dumps(items[:500])
    run.save()
    if not errors:
        SyncRemote.update(last_ok_at=run.finished_at).where(SyncRemote.id == run.remote_id).execute()
    return run


def redacted_item(item: dict) -> dict:
    """A report item with its text redacted."""
    return {key: redact(value) if isinstance(value, str) else value for key, value in item.items()}


def recent_runs(limit: int = 20) -> list[SyncRun]:
    return list(
        SyncRun.select(SyncRun, SyncRemote)
        .join(SyncRemote, JOIN.INNER, on=(SyncRun.remote == SyncRemote.id))
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(limit)
    )


def open_conflict_count() -> int:
    return SyncConflict.select().where(SyncConflict.resolved == False).count()  # noqa: E712


@dataclass(frozen=True)
class RemoteOverview:
    """What the app's header and sync screen show for one remote."""

    name: str
    last_run_at: datetime | None
    last_ok_at: datetime | None
    last_errors: int
    pending: int


def overview() -> list[RemoteOverview]:
    """Every remote this desk has synced with: when, whether the last run had errors, its outbox."""
    result = []
    for remote in SyncRemote.select().order_by(SyncRemote.name):
        last = SyncRun.select().where(SyncRun.remote == remote.id).order_by(SyncRun.id.desc()).first()
        result.append(RemoteOverview(remote.name, remote.last_run_at, remote.last_ok_at,
                                     last.errors if last else 0, outbox_count(remote)))  # fmt: skip
    return result
