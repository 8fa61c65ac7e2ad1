"""What the Desk hands the screens about mail going out: frozen rows of plain values (see :mod:`tui.desk.rows`).

Recipients' names, subjects and the mail server's answers are hostile text: the screens show them inert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["OutboxStateRow", "OutboxRow", "SendRow", "DeliveryRow", "ReplyPreview", "OutgoingMessage"]


@dataclass(frozen=True)
class OutboxStateRow:
    """How many outgoing messages wait (queued, retrying or being handed over), and how many need an agent's
    look: failed, unknown (may have been sent) and held (nobody to send to)."""

    to_send: int = 0
    failed: int = 0
    unknown: int = 0
    held: int = 0
    retrying: int = 0
    next_attempt_at: datetime | None = None  # the soonest retry

    @property
    def need_a_look(self) -> int:
        return self.failed + self.unknown + self.held


@dataclass(frozen=True)
class OutboxRow:
    """One outgoing message as the outbox screen lists it."""

    id: int
    ticket: int | None
    purpose: str  # reply, created, status, resolved, status_answer
    state: str  # see models.mail.tables.OutState
    recipients: str  # addresses, space-separated
    subject: str
    attempts: int
    next_attempt_at: datetime | None
    answer: str  # what the mail server said last
    reason: str  # why it is held or skipped
    at: datetime


@dataclass(frozen=True)
class SendRow:
    """How one round of sending went; ``error``: why it stopped (the relay away, say), ``temporary`` when trying
    again later may work."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    unknown: int = 0
    waiting: int = 0
    error: str | None = None
    temporary: bool = True
    line: str = ""


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery record on a ticket's timeline (an internal ``mail`` event): the event it is about (None when
    not known), the outcome (sent, retrying, failed, unknown, held), to whom, and the server's answer."""

    event_id: int
    about: int | None
    state: str
    mail_id: int | None
    purpose: str
    recipients: str
    answer: str
    at: datetime


@dataclass(frozen=True)
class ReplyPreview:
    """What a public reply will send, composed as the outbox will compose it: the addresses it goes to (``to``,
    the customer; ``cc``, the participants: the envelope), the To and Cc headers as written (names and all);
    the addresses left out as undeliverable (address, role, problem), the subject, the desk's From, and the text
    (the agent's words and the desk's footer); ``problem`` says why no mail will go."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    left_out: tuple[tuple[str, str, str], ...] = ()
    subject: str = ""
    sender: str = ""
    text: str = ""
    problem: str | None = None
    to_header: str = ""
    cc_header: str = ""

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc


@dataclass(frozen=True)
class OutgoingMessage:
    """An outgoing message as it was composed: a heading (which message, its state) and its text (undecodable
    bytes replaced; shown inert)."""

    heading: str
    text: str
