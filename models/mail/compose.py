"""Writing the desk's mail: one outgoing message from one timeline event, headers and all.

Threading is what makes a customer's mail program show one conversation: every message the desk
sends about ticket N carries our signed Message-ID, In-Reply-To the customer's latest message (else
our previous one) and References from the first message on; the subject keeps ``[#N]``; Reply-To is
the ticket's signed reply address. Python's email package folds a long header into an encoded word,
which breaks threading (a folded Message-ID is no longer the same id): the message is serialised with
lines up to 998 characters and References is kept well short of that, so no id is ever folded.

Notifications carry ``Auto-Submitted: auto-generated`` (an answer to "status" ``auto-replied``) and
ask Exchange not to answer them; an agent's reply is never marked automatic. Every message carries
``X-Sportello-Loop`` so that it is known if it comes back.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from models.inert import safe_text
from models.mail import signing
from models.mail.automatic import LOOP_HEADER
from models.mail.settings import MailSettings
from models.mail.tables import MailMessage, TicketParticipant
from models.reports.customer_view import STATUS_NAMES, customer_status
from models.reports.status_page import next_sentence, render_status
from models.store.tables import Customer, Queue, Ticket, TicketEvent

__all__ = ["Composed", "compose", "POLICY", "MAX_REFERENCES", "SURVEY_QUESTION"]

#: Lines up to the SMTP limit: no header of ours is ever folded (see the module docstring).
POLICY = email.policy.SMTP.clone(max_line_length=998)
#: Message-IDs kept in References: the first message and the latest ones.
MAX_REFERENCES = 10

SURVEY_QUESTION = (
    "How did we do? Reply to this message with a number from 1 (poor) to 5 (excellent); add a few words if you like."
)

_FOOTER = (
    "--\n"
    "Reply to this message to add to request #{number}; it goes straight onto it.\n"
    'Write "status" in a reply at any time to learn where it stands.'
)


@dataclass(frozen=True)
class Composed:
    recipients: tuple[str, ...]  # envelope recipients (To and Cc)
    raw: bytes
    subject: str
    message_id: str  # without <>
    automatic: bool


def _address(customer: Customer) -> Address:
    local, _, domain = customer.email.rpartition("@")
    return Address(" ".join(safe_text(customer.name, multiline=False).split()), local, domain)


def _subject(ticket: Ticket, reply: bool) -> str:
    subject = " ".join(safe_text(ticket.subject, multiline=False).split()) or "(no subject)"
    return f"{'Re: ' if reply else ''}[#{ticket.number}] {subject}"


def _thread_ids(ticket: Ticket, own: str) -> tuple[str | None, list[str]]:
    """(In-Reply-To, References) for a new message on ``ticket``."""
    rows = list(
        MailMessage.select(MailMessage.message_id, MailMessage.direction)
        .where((MailMessage.ticket == ticket.number) & MailMessage.message_id.is_null(False)
               & (MailMessage.message_id != own))
        .order_by(MailMessage.id)
        .tuples()
    )  # fmt: skip
    ids = list(dict.fromkeys(message_id for message_id, _ in rows if message_id and len(message_id) < 250))
    if not ids:
        return None, []
    inbound = [m for m, direction in rows if direction == "in" and m in ids]
    in_reply_to = inbound[-1] if inbound else ids[-1]
    references = ids[:1] + ids[-(MAX_REFERENCES - 1) :] if len(ids) > MAX_REFERENCES else ids
    return in_reply_to, list(dict.fromkeys(references))


def _recipients(ticket: Ticket, purpose: str) -> tuple[Customer | None, list[Customer]]:
    customer = Customer.get_or_none(Customer.id == ticket.customer_id) if ticket.customer_id else None
    copied: list[Customer] = []
    if purpose == "reply":
        copied = list(
            Customer.select().join(TicketParticipant, on=(TicketParticipant.customer == Customer.id))
            .where(TicketParticipant.ticket == ticket.number).order_by(Customer.id)
        )  # fmt: skip
    return customer, copied


def _status_name(status: str | None) -> str:
    return STATUS_NAMES.get(status or "", (status or "").replace("_", " "))


def _body(ticket: Ticket, event: TicketEvent, purpose: str) -> str:
    view = customer_status(ticket.number)
    number = ticket.number
    footer = _FOOTER.format(number=number)
    # What happens next is said only while the event is the ticket's latest word: a message composed
    # late (the desk was offline) must not promise something a later change took back.
    latest = ticket.version == event.version
    step = f"What happens next: {next_sentence(view)}\n\n" if latest else ""
    if purpose == "reply":
        return f"{safe_text(event.body or '').rstrip()}\n\n{footer}\n"
    if purpose == "created":
        return (f"We have received your request and it is now #{number}: "
                f"{safe_text(ticket.subject, multiline=False)}\n\n{step}{footer}\n")  # fmt: skip
    if purpose in ("status", "resolved"):
        reason = f"\nWhy: {safe_text(event.reason, multiline=False)}" if event.reason else ""
        said = f"Your request #{number} is now {_status_name(event.new_value)}.{reason}\n\n"
        if purpose == "resolved":
            return f"{said}{SURVEY_QUESTION}\n\nIf the problem is not solved, just reply: the request opens again.\n\n{footer}\n"
        return f"{said}{step}{footer}\n"
    if purpose == "status_answer":
        return f"{render_status(view, 'text').rstrip()}\n\n{footer}\n"
    raise ValueError(f"unknown purpose {purpose!r}")


def compose(
    event: TicketEvent, purpose: str, settings: MailSettings, *, skip: frozenset[str] = frozenset()
) -> Composed | None:
    """The message for ``event`` and ``purpose``; None when it has nobody to go to.

    ``skip``: addresses not to send to (undeliverable)."""
    ticket = Ticket.get_by_id(event.ticket_id)
    customer, copied = _recipients(ticket, purpose)
    to = [c for c in ([customer] if customer else []) if c.email not in skip]
    cc = [c for c in copied if c.email not in skip and (customer is None or c.id != customer.id)]
    if not to and not cc:
        return None
    queue = Queue.get_or_none(Queue.id == ticket.queue_id) if ticket.queue_id else None
    sender = settings.from_address(queue.name if queue else None)
    own = signing.message_id_for(ticket.number, event.id, sender.rpartition("@")[2])
    in_reply_to, references = _thread_ids(ticket, own)
    automatic = purpose != "reply"
    msg = EmailMessage(policy=POLICY)
    msg["From"] = formataddr((settings.display_name or "", sender))
    msg["Reply-To"] = formataddr((settings.display_name or "", signing.reply_address(ticket.number, sender)))
    # headerregistry.Address quotes a name as it must be ("Rossi, Niccolò" stays one address); a
    # formatted string would leave the comma bare once the name is encoded.
    if to:
        msg["To"] = [_address(c) for c in to]
    if cc:
        msg["Cc"] = [_address(c) for c in cc]
    subject = _subject(ticket, reply=in_reply_to is not None or purpose != "created")
    msg["Subject"] = subject
    msg["Date"] = format_datetime(event.at.replace(tzinfo=UTC))
    msg["Message-ID"] = f"<{own}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    msg[LOOP_HEADER] = signing.loop_id()
    if automatic:
        msg["Auto-Submitted"] = "auto-replied" if purpose == "status_answer" else "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(_body(ticket, event, purpose), charset="utf-8", cte="quoted-printable")
    raw = msg.as_bytes(policy=POLICY)
    return Composed(tuple(c.email for c in [*to, *cc]), raw, subject, own, automatic)
