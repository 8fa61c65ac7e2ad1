"""The named effects of a ticket write: what else changes, in the same transaction, when events are appended.

The pipeline (``models.tickets.pipeline``) runs :data:`EFFECTS` in order after it has written the
row and the events, each with the same :class:`TicketWrite`:

* :func:`index_text` — the full-text index takes the new ticket's subject and every message body;
* :func:`link_tags` — the ticket's tag links follow the tags its state now has;
* :func:`link_faqs` — the FAQ articles its state now links are linked (when, by whom);
* :func:`survey_on_resolve` — a ticket just resolved gets a satisfaction survey (``models.tickets.csat``);
* :func:`refresh_deadlines` — its SLA deadlines and measures are recomputed from the timeline.

A new effect is a function of a ``TicketWrite`` added here; the pipeline itself does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from models.enums import EventKind, Status
from models.sla import deadline
from models.store import fulltext
from models.store.tables import Agent, Survey, Tag, Ticket, TicketEvent, TicketFAQ, TicketTag
from models.tickets.fold import TicketState

__all__ = ["EFFECTS", "TicketWrite", "open_survey"]  # the rest serves the modules of this room only


@dataclass(frozen=True)
class TicketWrite:
    """One write of the pipeline: the ticket's state before and after its new events."""

    number: int
    before: TicketState
    after: TicketState
    events: tuple[TicketEvent, ...]  # saved, in order
    at: datetime
    actor: Agent | None


def index_text(write: TicketWrite) -> None:
    for event in write.events:
        if event.kind == EventKind.CREATED:
            fulltext.index_ticket(write.number, write.after.subject, event.body or "")
        elif event.body:
            fulltext.append_text(write.number, event.body)


def _tag_ids(names: Iterable[str]) -> list[int]:
    ids = []
    for name in names:
        tag, _ = Tag.get_or_create(name=name)
        ids.append(tag.id)
    return ids


def link_tags(write: TicketWrite) -> None:
    before, after = set(write.before.tags), set(write.after.tags)
    if before == after:
        return
    removed = before - after
    if removed:
        gone = Tag.select(Tag.id).where(Tag.name.in_(removed))
        TicketTag.delete().where((TicketTag.ticket == write.number) & (TicketTag.tag.in_(gone))).execute()
    added = sorted(after - before)
    TicketTag.insert_many([(write.number, tag_id) for tag_id in _tag_ids(added)]).execute()


def link_faqs(write: TicketWrite) -> None:
    linked_by = write.actor.id if write.actor is not None else None
    for article in set(write.after.faqs) - set(write.before.faqs):
        TicketFAQ.insert(ticket=write.number, article=article, linked_at=write.at, linked_by=linked_by).execute()


def survey_on_resolve(write: TicketWrite) -> None:
    if any(e.kind == EventKind.STATUS and e.new_value == Status.RESOLVED for e in write.events):
        open_survey(write.number, write.at)


def open_survey(number: int, at: datetime) -> None:
    """Open a survey for a just-resolved ticket, unless one is still waiting for its answer; it
    remembers whose ticket it was then (CSAT is credited to them)."""
    waiting = Survey.select().where((Survey.ticket == number) & Survey.answered_at.is_null()).exists()
    if not waiting:
        ticket = Ticket.select(Ticket.assignee, Ticket.queue, Ticket.organization).where(Ticket.number == number).get()
        Survey.insert(ticket=number, opened_at=at, assignee=ticket.assignee_id, queue=ticket.queue_id,
                      organization=ticket.organization_id).execute()  # fmt: skip


def refresh_deadlines(write: TicketWrite) -> None:
    deadline.refresh(write.number, now=write.at)


EFFECTS: tuple[Callable[[TicketWrite], None], ...] = (
    index_text,
    link_tags,
    link_faqs,
    survey_on_resolve,
    refresh_deadlines,
)


def run_effects(write: TicketWrite) -> None:
    for effect in EFFECTS:
        effect(write)
