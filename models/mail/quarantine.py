"""The mail that could not be processed, for an agent to look at and run again; and the mail log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.errors import NotFound
from models.mail.content import AttachmentInfo, attachment_bytes
from models.mail.ingest import Outcome, process
from models.mail.settings import MailSettings
from models.mail.tables import InState, MailAttachment, MailMessage
from models.store.tables import Agent

__all__ = ["MailRow", "mail_rows", "quarantined", "retry", "get_mail", "attachments_of", "attachment_data"]


@dataclass(frozen=True)
class MailRow:
    id: int
    received_at: datetime
    state: str
    sender: str
    subject: str
    ticket: int | None
    reason: str
    automatic: str | None
    source: str
    size: int
    attempts: int


_COLUMNS = (MailMessage.id, MailMessage.received_at, MailMessage.state, MailMessage.sender, MailMessage.subject,
            MailMessage.ticket, MailMessage.reason, MailMessage.automatic, MailMessage.source, MailMessage.size,
            MailMessage.attempts)  # fmt: skip


def mail_rows(*, state: str | None = None, ticket: int | None = None, limit: int = 50) -> list[MailRow]:
    """Incoming mail, newest first (without the raw bytes)."""
    query = MailMessage.select(*_COLUMNS).where(MailMessage.direction == "in")
    if state is not None:
        query = query.where(MailMessage.state == state)
    if ticket is not None:
        query = query.where(MailMessage.ticket == ticket)
    return [MailRow(*row) for row in query.order_by(MailMessage.id.desc()).limit(limit).tuples()]


def quarantined(limit: int = 200) -> list[MailRow]:
    return mail_rows(state=InState.QUARANTINED, limit=limit)


def get_mail(mail_id: int) -> MailMessage:
    row = MailMessage.get_or_none(MailMessage.id == mail_id)
    if row is None:
        raise NotFound(f"no mail #{mail_id}")
    return row


def retry(settings: MailSettings, mail_ids: list[int] | None = None, *, actor: Agent | None = None) -> list[Outcome]:
    """Process quarantined mail again (all of it when ``mail_ids`` is None); each ends in a state again."""
    if mail_ids is None:
        mail_ids = [r.id for r in quarantined(limit=10_000)]
    outcomes = []
    for mail_id in mail_ids:
        row = get_mail(mail_id)
        if row.state not in (InState.QUARANTINED, InState.STORED):
            raise NotFound(f"mail #{mail_id} is not in quarantine (it is {row.state})")
        outcomes.append(process(row, settings, actor=actor))
    return outcomes


def attachments_of(mail_id: int) -> list[tuple[MailAttachment, AttachmentInfo]]:
    return [(a, AttachmentInfo(a.position, a.filename, a.content_type, a.size))
            for a in MailAttachment.select().where(MailAttachment.message == mail_id).order_by(MailAttachment.position)]  # fmt: skip


def attachment_data(mail_id: int, position: int) -> tuple[MailAttachment, bytes]:
    """An attachment's row and bytes, read back from the raw message."""
    found = MailAttachment.get_or_none((MailAttachment.message == mail_id) & (MailAttachment.position == position))
    if found is None:
        raise NotFound(f"mail #{mail_id} has no attachment {position}")
    return found, attachment_bytes(bytes(get_mail(mail_id).raw), position)
