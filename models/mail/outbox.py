"""The outbox: what the desk owes its customers by mail, read off the timeline, sent once.

An outgoing message is owed for every event after the outbox's start (``mail_mark.outbox_from``,
set the first time a desk sends) that a customer must hear of: an agent's public reply; a new
ticket's acknowledgement; a public status change (the resolution with its survey); an answer to a
customer who asked for the status. The event is written in the transaction that makes the change,
so the outbox can never miss it; an internal note is never one of them, by construction (the query
takes public events only, and a note is internal).

Each owed message becomes a ``mail_message`` row (``direction = 'out'``) once, under a unique
(event, purpose) index, then moves through the ``OutState`` states. Before the mail server is
given a message the row is claimed as ``sending`` and committed; after, the outcome is written with
the server's answer, and on the ticket's timeline as an internal ``mail`` event. A sender stopped
between the two (kill -9, a crash) leaves ``sending``: the next run marks it ``unknown`` — it may have
gone out — says so on the timeline and in ``sportello mail outbox``, and never sends it again by
itself (``mail outbox --resend ID`` does, when an agent decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee as pw

from models.enums import EventKind, Status, Visibility
from models.errors import NotFound, RuleViolation
from models.mail.compose import compose
from models.mail.settings import MailSettings
from models.mail.store import sha256_of
from models.mail.tables import MailAddress, MailMark, MailMessage, OutState
from models.store.db import is_postgres, write_transaction
from models.store.tables import Agent, Ticket, TicketEvent, utcnow
from models.tickets import pipeline
from models.tickets.events import new_event

__all__ = [
    "outbox_start",
    "owed",
    "compose_waiting",
    "due",
    "claim",
    "record_sent",
    "record_temporary",
    "record_failed",
    "record_unknown",
    "settle_interrupted",
    "resend",
    "OutRow",
    "outbox_rows",
    "outbox_counts",
    "RETRY_DELAYS",
]

#: Waits between attempts after a temporary failure; past the last, the message has failed.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                timedelta(hours=4), timedelta(hours=12))  # fmt: skip
#: A claim older than this with no outcome was cut off (a sender never holds one message longer).
SENDING_TIMEOUT = timedelta(minutes=10)


def outbox_start() -> int:
    """The id after which events may be mailed; set on first use (the first mail taken in, the first
    look at the outbox or the first send) to the desk's newest event, so that turning mail on never
    mails a customer about the past, and the first customer who writes in is acknowledged."""
    mark = MailMark.select(MailMark.value).where(MailMark.name == "outbox_from").scalar()
    if mark is not None:
        return int(mark)
    newest = TicketEvent.select(pw.fn.MAX(TicketEvent.id)).scalar() or 0
    MailMark.insert(name="outbox_from", value=newest).on_conflict_ignore().execute()
    return int(MailMark.select(MailMark.value).where(MailMark.name == "outbox_from").scalar())


def _purpose(event: TicketEvent) -> str | None:
    if event.kind == EventKind.REPLY:
        return "reply"
    if event.kind == EventKind.CREATED:
        return "created"
    if event.kind == EventKind.STATUS:
        return "resolved" if event.new_value == Status.RESOLVED else "status"
    if event.kind == EventKind.MAIL and event.field == "status_request":
        return "status_answer"
    return None


def owed(limit: int = 500) -> list[tuple[TicketEvent, str]]:
    """Events the outbox owes a message for and has not made one of yet, oldest first."""
    start = outbox_start()
    Out = MailMessage.alias()
    Same = TicketEvent.alias()
    made = Out.select(Out.id).where((Out.direction == "out") & (Out.event == TicketEvent.id))
    # A status change written with an agent's reply (the first reply opens the ticket) is said by the reply.
    with_reply = Same.select(Same.id).where((Same.ticket == TicketEvent.ticket) & (Same.version == TicketEvent.version)
                                            & (Same.kind == EventKind.REPLY.value) & Same.customer.is_null())  # fmt: skip
    local = TicketEvent.origin.is_null() | (TicketEvent.origin == "mail")
    wanted = (
        ((TicketEvent.kind == EventKind.REPLY.value) & (TicketEvent.visibility == Visibility.PUBLIC.value)
         & TicketEvent.customer.is_null() & TicketEvent.origin.is_null())
        | ((TicketEvent.kind == EventKind.CREATED.value) & local)
        | ((TicketEvent.kind == EventKind.STATUS.value) & (TicketEvent.visibility == Visibility.PUBLIC.value)
           & TicketEvent.customer.is_null() & TicketEvent.origin.is_null() & ~pw.fn.EXISTS(with_reply))
        | ((TicketEvent.kind == EventKind.MAIL.value) & (TicketEvent.field == "status_request"))
    )  # fmt: skip
    events = (TicketEvent.select().where((TicketEvent.id > start) & wanted & ~pw.fn.EXISTS(made))
              .order_by(TicketEvent.id).limit(limit))  # fmt: skip
    return [(e, p) for e in events if (p := _purpose(e)) is not None]


def _undeliverable() -> frozenset[str]:
    return frozenset(e for (e,) in MailAddress.select(MailAddress.email)
                     .where(MailAddress.undeliverable_at.is_null(False)).tuples())  # fmt: skip


def _row(event: TicketEvent, purpose: str, state: str, *, raw: bytes = b"", recipients: str = "", subject: str = "",
         message_id: str | None = None, reason: str = "", now: datetime) -> None:  # fmt: skip
    digest = sha256_of(raw) if raw else sha256_of(f"{state}:{event.id}:{purpose}".encode())
    MailMessage.insert(sha256=digest, raw=raw, size=len(raw), direction="out", state=state, purpose=purpose,
                       ticket=event.ticket_id, event=event.id, recipients=recipients, subject=subject[:2000],
                       message_id=message_id, reason=reason, received_at=now, next_attempt_at=now,
                       source="outbox").on_conflict_ignore().execute()  # fmt: skip


def compose_waiting(settings: MailSettings, *, limit: int = 500, now: datetime | None = None) -> int:
    """Make the outgoing message of every owed event (each once); returns how many were made."""
    now = now or utcnow()
    made = 0
    skip = _undeliverable()
    for event, purpose in owed(limit):
        with write_transaction():
            if purpose in settings.notify and not settings.notify[purpose]:
                _row(
                    event, purpose, OutState.SKIPPED, reason=f"{purpose} notifications are off ([mail.notify])", now=now
                )
                continue
            ticket = Ticket.get_by_id(event.ticket_id)
            if ticket.customer_id is None and purpose != "reply":
                _row(event, purpose, OutState.SKIPPED, reason="the ticket has no customer", now=now)
                continue
            composed = compose(event, purpose, settings, skip=skip)
            if composed is None:
                why = "nobody to send it to: the ticket has no customer or every address is undeliverable"
                _row(event, purpose, OutState.HELD, reason=why, now=now)
                _note(None, event.ticket_id, "held", why, None)
                continue
            _row(event, purpose, OutState.QUEUED, raw=composed.raw, recipients=" ".join(composed.recipients),
                 subject=composed.subject, message_id=composed.message_id, now=now)  # fmt: skip
            made += 1
    return made


def due(now: datetime | None = None, limit: int = 100) -> list[MailMessage]:
    """Outgoing messages whose turn it is, oldest first."""
    now = now or utcnow()
    return list(MailMessage.select().where((MailMessage.direction == "out") & MailMessage.state.in_(OutState.WAITING)
                                           & (MailMessage.next_attempt_at <= now))
                .order_by(MailMessage.id).limit(limit))  # fmt: skip


def claim(row: MailMessage, now: datetime | None = None) -> bool:
    """Take ``row`` for sending (committed before the mail server sees it); False: another sender has it."""
    with write_transaction():
        taken = MailMessage.update(state=OutState.SENDING, processed_at=now or utcnow(),
                                   attempts=MailMessage.attempts + 1).where(
            (MailMessage.id == row.id) & MailMessage.state.in_(OutState.WAITING)).execute()  # fmt: skip
    return taken == 1


def _note(actor: Agent | None, ticket: int, state: str, text: str, mail_id: int | None) -> None:
    event = new_event(EventKind.MAIL.value, field="delivery", old_value=str(mail_id) if mail_id else None,
                      new_value=state, body=text[:4000])  # fmt: skip
    pipeline.change(actor, ticket, None, lambda _t, _s: [event])


def _outcome(row: MailMessage, state: str, answer: str, actor: Agent | None, *, next_at: datetime | None = None,
             say: bool = True) -> None:  # fmt: skip
    with write_transaction():
        MailMessage.update(state=state, answer=answer[:2000], next_attempt_at=next_at, processed_at=utcnow()).where(
            MailMessage.id == row.id).execute()  # fmt: skip
        if say:
            words = {OutState.SENT: "sent", OutState.RETRYING: "not sent yet, will retry",
                     OutState.FAILED: "could not be sent", OutState.UNKNOWN: "may have been sent"}[state]  # fmt: skip
            _note(actor, row.ticket_id, state, f"{row.purpose} mail #{row.id} to {row.recipients}: {words}"
                                               f"{f' — {answer}' if answer else ''}", row.id)  # fmt: skip


def record_sent(row: MailMessage, answer: str, actor: Agent | None = None) -> None:
    _outcome(row, OutState.SENT, answer, actor)


def record_temporary(row: MailMessage, answer: str, actor: Agent | None = None, now: datetime | None = None) -> str:
    """A temporary failure: try again later, or fail for good past the last wait. Returns the new state."""
    now = now or utcnow()
    tries, before = (
        MailMessage.select(MailMessage.attempts, MailMessage.answer).where(MailMessage.id == row.id).tuples().get()
    )
    tries = tries or 1
    if tries > len(RETRY_DELAYS):
        _outcome(row, OutState.FAILED, f"gave up after {tries} attempts: {answer}", actor)
        return OutState.FAILED
    # The timeline hears of every failure the server words differently, not of each same refusal again.
    _outcome(row, OutState.RETRYING, answer, actor, next_at=now + RETRY_DELAYS[tries - 1],
             say=tries == 1 or answer != before)  # fmt: skip
    return OutState.RETRYING


def record_failed(row: MailMessage, answer: str, actor: Agent | None = None) -> None:
    _outcome(row, OutState.FAILED, answer, actor)


def record_unknown(row: MailMessage, answer: str, actor: Agent | None = None) -> None:
    """The connection was lost after the whole message was handed over: the relay may have taken it.
    Not sent again by itself (``resend`` does, when an agent decides)."""
    _outcome(row, OutState.UNKNOWN, answer, actor)


def settle_interrupted(
    actor: Agent | None = None, now: datetime | None = None, *, older_than: timedelta = SENDING_TIMEOUT
) -> int:
    """Claims left ``sending`` by a sender that stopped: ``unknown``, said on the timeline. Returns how many."""
    now = now or utcnow()
    stale = list(MailMessage.select().where((MailMessage.direction == "out") & (MailMessage.state == OutState.SENDING)
                                            & (MailMessage.processed_at <= now - older_than)))  # fmt: skip
    for row in stale:
        _outcome(row, OutState.UNKNOWN, "the sender stopped while handing it to the mail server; "
                                        "not sent again unless you resend it", actor)  # fmt: skip
    return len(stale)


def resend(mail_id: int, actor: Agent | None = None) -> MailMessage:
    """Queue a failed, held or maybe-sent message again (an agent decided)."""
    with write_transaction():
        query = MailMessage.select().where((MailMessage.id == mail_id) & (MailMessage.direction == "out"))
        if is_postgres():
            query = query.for_update()
        row = query.get_or_none()
        if row is None:
            raise NotFound(f"no outgoing mail #{mail_id}")
        if row.state not in (OutState.FAILED, OutState.UNKNOWN, OutState.HELD):
            raise RuleViolation(f"mail #{mail_id} is {row.state}; only failed, held or unknown mail is sent again")
        if not row.raw:
            raise RuleViolation(f"mail #{mail_id} has nobody to go to; fix the customer's address first")
        MailMessage.update(state=OutState.QUEUED, next_attempt_at=utcnow(), attempts=0).where(
            MailMessage.id == mail_id).execute()  # fmt: skip
    return MailMessage.get_by_id(mail_id)


@dataclass(frozen=True)
class OutRow:
    id: int
    ticket: int | None
    purpose: str
    state: str
    recipients: str
    subject: str
    attempts: int
    next_attempt_at: datetime | None
    answer: str
    reason: str
    at: datetime


def outbox_rows(*, states: tuple[str, ...] | None = None, limit: int = 100) -> list[OutRow]:
    query = MailMessage.select(MailMessage.id, MailMessage.ticket, MailMessage.purpose, MailMessage.state,
                               MailMessage.recipients, MailMessage.subject, MailMessage.attempts,
                               MailMessage.next_attempt_at, MailMessage.answer, MailMessage.reason,
                               MailMessage.received_at).where(MailMessage.direction == "out")  # fmt: skip
    if states:
        query = query.where(MailMessage.state.in_(states))
    return [OutRow(*r) for r in query.order_by(MailMessage.id.desc()).limit(limit).tuples()]


def outbox_counts() -> dict[str, int]:
    """How many outgoing messages are in each state."""
    query = (MailMessage.select(MailMessage.state, pw.fn.COUNT(MailMessage.id)).where(MailMessage.direction == "out")
             .group_by(MailMessage.state).tuples())  # fmt: skip
    return dict(query)
