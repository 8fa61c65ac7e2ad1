"""What the Desk hands the screens about mail: frozen rows of plain values (see :mod:`tui.desk.rows`).

Every string in them came from a message (sender, subject, file name, reason) and is hostile: the
screens render it as inert ``Text`` cut to one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["MailStateRow", "FetchRow", "QuarantineRow", "AttachmentRow", "MailPart", "TicketMail", "RetryRow",
           "SavedFile"]  # fmt: skip


@dataclass(frozen=True)
class MailStateRow:
    """The desk's mail now: what waits in quarantine, what came in the last 24 hours, the newest one."""

    quarantined: int
    received_24h: int
    last_received_at: datetime | None


@dataclass(frozen=True)
class FetchRow:
    """How one fetch of every configured source went, summed; ``problems``: one line per source that failed
    (or the reason none could start), ``temporary`` when trying again later may work."""

    sources: int
    taken: int
    new: int
    duplicates: int
    quarantined: int
    automatic: int
    problems: tuple[str, ...] = ()
    temporary: bool = True

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class QuarantineRow:
    """A message that could not be processed, and why."""

    id: int
    received_at: datetime
    sender: str
    subject: str
    reason: str
    source: str
    size: int
    attempts: int


@dataclass(frozen=True)
class AttachmentRow:
    """A file that came with a message; ``kept`` is False when it was over the size limit (listed only)."""

    mail_id: int
    position: int
    filename: str
    content_type: str
    size: int
    kept: bool


@dataclass(frozen=True)
class MailPart:
    """The message behind a timeline event: its new part, the quoted history and signature (folded in the
    timeline; "" when there is none), why it joined the ticket, and its attachments."""

    mail_id: int
    event_id: int
    sender: str
    reply: str
    quoted: str
    why: str
    attachments: tuple[AttachmentRow, ...] = ()

    @property
    def quoted_lines(self) -> int:
        return self.quoted.count("\n") + 1 if self.quoted else 0


@dataclass(frozen=True)
class TicketMail:
    """What a ticket shows of mail: the message behind each of its events that came by mail (event id ->
    part), and its customer's or participants' addresses a permanent delivery failure marked
    (address, role, problem)."""

    parts: dict[int, MailPart]
    undeliverable: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class RetryRow:
    """How one quarantined message went when run again."""

    mail_id: int
    state: str
    ticket: int | None
    why: str


@dataclass(frozen=True)
class SavedFile:
    """An attachment written to disk."""

    path: str
    size: int
