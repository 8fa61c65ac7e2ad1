"""What the app and the CLI show of mail: the message behind a timeline event (its new part, the
quoted history folded away, its attachments), the desk's mail state, undeliverable addresses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from models.mail.content import Unparseable, parse
from models.mail.tables import InState, MailAddress, MailAttachment, MailMessage
from models.store.tables import utcnow

__all__ = ["MailOnEvent", "Attachment", "mail_on_events", "MailState", "mail_state", "undeliverable"]


@dataclass(frozen=True)
class Attachment:
    mail_id: int
    position: int
    filename: str  # inert, but still the customer's text: render it escaped
    content_type: str
    size: int
    kept: bool


@dataclass(frozen=True)
class MailOnEvent:
    mail_id: int
    event_id: int
    sender: str
    reply: str  # the new part of the message
    quoted: str  # the quoted history and signature below it ("" when there is none), folded in the app
    why: str  # why it joined the ticket
    attachments: tuple[Attachment, ...]


def _split(text: str, reply: str) -> tuple[str, str]:
    text, reply = text.strip("\n"), reply.strip("\n")
    if reply and text.startswith(reply) and len(text) > len(reply):
        return reply, text[len(reply) :].strip("\n")
    return text, ""


def mail_on_events(event_ids: Iterable[int]) -> dict[int, MailOnEvent]:
    """The message behind each of ``event_ids`` that came by mail (the others are left out)."""
    ids = list(dict.fromkeys(int(i) for i in event_ids))
    if not ids:
        return {}
    rows = list(MailMessage.select(MailMessage.id, MailMessage.event, MailMessage.sender, MailMessage.reason,
                                   MailMessage.raw).where(MailMessage.event.in_(ids) & (MailMessage.direction == "in")))  # fmt: skip
    files: dict[int, list[Attachment]] = {}
    for a in (
        MailAttachment.select()
        .where(MailAttachment.message.in_([r.id for r in rows]))
        .order_by(MailAttachment.message, MailAttachment.position)
    ):
        files.setdefault(a.message_id, []).append(
            Attachment(a.message_id, a.position, a.filename, a.content_type, a.size, a.kept)
        )
    found = {}
    for row in rows:
        try:
            parsed = parse(bytes(row.raw))
            reply, quoted = _split(parsed.text, parsed.reply)
        except Unparseable:
            reply, quoted = "", ""
        found[row.event_id] = MailOnEvent(row.id, row.event_id, row.sender, reply, quoted, row.reason,
                                          tuple(files.get(row.id, ())))  # fmt: skip
    return found


@dataclass(frozen=True)
class MailState:
    quarantined: int
    received_today: int
    last_received_at: datetime | None


def mail_state(now: datetime | None = None) -> MailState:
    """For the app's header: what waits in quarantine, what came in the last 24 hours."""
    now = now or utcnow()
    inbound = MailMessage.direction == "in"
    quarantined = MailMessage.select().where(inbound & (MailMessage.state == InState.QUARANTINED)).count()
    recent = MailMessage.select().where(inbound & (MailMessage.received_at >= now - timedelta(days=1))).count()
    last = MailMessage.select(fn.MAX(MailMessage.received_at)).where(inbound).scalar()
    return MailState(quarantined, recent, last)


def undeliverable(emails: Iterable[str]) -> dict[str, str]:
    """The addresses among ``emails`` a permanent delivery failure marked, with the problem."""
    wanted = [e.lower() for e in emails if e]
    if not wanted:
        return {}
    query = MailAddress.select(MailAddress.email, MailAddress.problem).where(
        MailAddress.email.in_(wanted) & MailAddress.undeliverable_at.is_null(False)
    )
    return {email: problem for email, problem in query.tuples()}
