"""Which ticket an incoming message belongs to, and why — in a fixed order of trust.

1. Our own signed Message-ID in In-Reply-To or References: the customer answered our mail.
2. A signed reply address (``support+t42-…@``) among the recipients.
3. A Message-ID we stored (a message already on a ticket) in In-Reply-To or References.
4. ``[#N]`` in the subject, only when the sender is ticket N's customer, copied on it, or a member of
   its organization: anyone can type a number, so a number alone never joins a stranger's ticket.
5. Otherwise a new ticket.

The answer names why, in words the timeline shows ("In-Reply-To matched our reply of 2026-12-04 10:22").
A merged ticket's mail goes to the ticket it was merged into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.mail import signing
from models.mail.content import Parsed
from models.mail.tables import MailMessage, TicketParticipant
from models.store.tables import Customer, Ticket, TicketEvent
from models.tickets.merge import surviving

__all__ = ["Thread", "find_thread", "subject_number"]

_SUBJECT_TAG = re.compile(r"\[#(\d{1,12})\]")


@dataclass(frozen=True)
class Thread:
    ticket: int | None  # None: a new ticket
    why: str


def subject_number(subject: str) -> int | None:
    match = _SUBJECT_TAG.search(subject or "")
    return int(match[1]) if match else None


def _when(event_id: int) -> str:
    at = TicketEvent.select(TicketEvent.at).where(TicketEvent.id == event_id).scalar()
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "earlier"


def _live(number: int) -> int | None:
    """The ticket that now stands for ``number`` (merges followed), None when there is none."""
    if not Ticket.select().where(Ticket.number == number).exists():
        return None
    return surviving(number)


def _merged_note(asked: int, landed: int) -> str:
    return f"; #{asked} was merged into #{landed}" if asked != landed else ""


def _ours(parsed: Parsed) -> Thread | None:
    for header, ids in (("In-Reply-To", parsed.in_reply_to), ("References", tuple(reversed(parsed.references)))):
        for message_id in ids:
            found = signing.ticket_of_message_id(message_id)
            if found is None:
                continue
            number, event = found
            landed = _live(number)
            if landed is not None:
                return Thread(landed, f"{header} matched our reply of {_when(event)}{_merged_note(number, landed)}")
    return None


def _token(parsed: Parsed) -> Thread | None:
    recipients = [a.email for a in (*parsed.to, *parsed.cc)] + list(parsed.delivered_to)
    for address in recipients:
        number = signing.ticket_of_address(address)
        if number is None:
            continue
        landed = _live(number)
        if landed is not None:
            return Thread(landed, f"sent to the ticket's reply address {address}{_merged_note(number, landed)}")
    return None


def _stored(parsed: Parsed) -> Thread | None:
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    if not ids:
        return None
    rows = {
        row.message_id: row
        for row in MailMessage.select(MailMessage.message_id, MailMessage.ticket, MailMessage.received_at)
        .where(MailMessage.message_id.in_(ids[:100]) & MailMessage.ticket.is_null(False))
        .order_by(MailMessage.id)
    }
    for message_id in ids:
        row = rows.get(message_id)
        if row is None:
            continue
        landed = _live(row.ticket_id)
        if landed is not None:
            when = row.received_at.strftime("%Y-%m-%d %H:%M UTC")
            return Thread(
                landed, f"References named a message of {when} on the ticket{_merged_note(row.ticket_id, landed)}"
            )
    return None


def _may_use_number(ticket: Ticket, sender: Customer) -> str | None:
    """Why ``sender`` may file mail on ``ticket`` by its number, or None."""
    if ticket.customer_id == sender.id:
        return "the ticket's customer"
    if (
        TicketParticipant.select()
        .where((TicketParticipant.ticket == ticket.number) & (TicketParticipant.customer == sender.id))
        .exists()
    ):
        return "copied on the ticket"
    if ticket.organization_id is not None and ticket.organization_id == sender.organization_id:
        return "of the ticket's organization"
    return None


def _subject(parsed: Parsed, sender: Customer | None) -> tuple[Thread | None, str]:
    number = subject_number(parsed.subject)
    if number is None:
        return None, ""
    landed = _live(number)
    if landed is None:
        return None, f"the subject names #{number}, which does not exist"
    if sender is None:
        return None, f"the subject names #{number}, but the sender is unknown"
    who = _may_use_number(Ticket.get_by_id(landed), sender) or _may_use_number(Ticket.get_by_id(number), sender)
    if who is None:
        return (
            None,
            f"the subject names #{number}, but {sender.email} is not its customer, copied on it or of its organization",
        )
    return Thread(landed, f"the subject names [#{number}] and the sender is {who}{_merged_note(number, landed)}"), ""


def find_thread(parsed: Parsed, sender: Customer | None) -> Thread:
    """The ticket ``parsed`` belongs to, or ``Thread(None, why)`` for a new one."""
    for rule in (_ours, _token, _stored):
        found = rule(parsed)
        if found is not None:
            return found
    found, refused = _subject(parsed, sender)
    if found is not None:
        return found
    return Thread(None, "a new request" + (f" ({refused})" if refused else ""))
