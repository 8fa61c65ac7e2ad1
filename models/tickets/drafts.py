"""Unsent replies and notes, kept in the desk (migration 0011) so that quitting loses nothing.

One draft per agent, ticket and kind (reply or note). A draft belongs to its agent: nothing here
reads another agent's drafts. It is deleted when sent (in the same transaction as the message)
or discarded. The FAQ articles inserted into a reply are remembered with it and linked to the
ticket only when the reply is sent. Like the sync tables, drafts stay out of ``sportello export``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from models import validate
from models.errors import InvalidInput
from models.store.db import write_transaction
from models.store.tables import Agent, BaseModel, Ticket, utcnow
from models.tickets import changes as tickets

__all__ = ["Draft", "DraftRow", "KINDS", "drafts_of", "save_draft", "discard_draft", "send_draft"]

REPLY, NOTE = "reply", "note"
KINDS = (REPLY, NOTE)
_FAQ_IDS_LIMIT = 400  # characters of "12 40 7": a few dozen articles


class Draft(BaseModel):
    """An agent's unsent reply or note on a ticket."""

    agent = pw.ForeignKeyField(Agent, backref="drafts", index=False)
    ticket = pw.ForeignKeyField(Ticket, backref="drafts", index=False)
    kind = pw.CharField(max_length=8)
    body = pw.TextField()
    faq_ids = pw.CharField(max_length=_FAQ_IDS_LIMIT, default="")  # "12 40": inserted with i, linked when sent
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("agent", "ticket", "kind"), True),)


@dataclass(frozen=True)
class DraftRow:
    """A draft as plain values."""

    ticket: int
    kind: str
    body: str
    faq_ids: tuple[int, ...] = ()
    updated_at: datetime | None = None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"a draft is a reply or a note, not {kind[:20]!r}")
    return kind


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split() if part.isascii() and part.isdigit() and len(part) <= 18)


def drafts_of(agent: Agent) -> list[DraftRow]:
    """This agent's drafts, by ticket and kind."""
    query = Draft.select().where(Draft.agent == agent.id).order_by(Draft.ticket, Draft.kind)
    return [DraftRow(d.ticket_id, d.kind, d.body, _ids(d.faq_ids), d.updated_at) for d in query]


def save_draft(agent: Agent, number: int, kind: str, body: str, *, faq_ids: Iterable[int] = ()) -> None:
    """Keep the draft (replacing this agent's previous one for the ticket and kind); a blank body discards it."""
    kind = _kind(kind)
    if not body.strip():
        discard_draft(agent, number, kind)
        return
    body = validate.body(body, "draft")
    ids = " ".join(str(int(i)) for i in dict.fromkeys(faq_ids))
    if len(ids) > _FAQ_IDS_LIMIT:
        raise InvalidInput("too many FAQ articles inserted into one draft")
    with write_transaction():
        tickets.get_ticket(number)
        updated = (
            Draft.update(body=body, faq_ids=ids, updated_at=utcnow())
            .where((Draft.agent == agent.id) & (Draft.ticket == number) & (Draft.kind == kind))
            .execute()
        )
        if not updated:
            Draft.insert(
                agent=agent.id, ticket=number, kind=kind, body=body, faq_ids=ids, updated_at=utcnow()
            ).execute()


def discard_draft(agent: Agent, number: int, kind: str) -> None:
    """Forget the draft (nothing happens when there is none)."""
    Draft.delete().where((Draft.agent == agent.id) & (Draft.ticket == number) & (Draft.kind == _kind(kind))).execute()


def send_draft(
    agent: Agent,
    number: int,
    kind: str,
    body: str,
    *,
    faq_ids: Iterable[int] = (),
    expect_version: int | None = None,
) -> Ticket:
    """Send the reply (linking the FAQ articles inserted into it) or add the note, and delete the
    draft, in one transaction: a refused message keeps its draft, a sent one leaves none. The ticket
    returned carries the events the message wrote in ``written``."""
    kind = _kind(kind)
    with write_transaction():
        if kind == REPLY:
            ticket = tickets.add_reply(agent, number, body, faq_links=faq_ids, expect_version=expect_version)
        else:
            ticket = tickets.add_note(agent, number, body, expect_version=expect_version)
        discard_draft(agent, number, kind)
    return ticket
