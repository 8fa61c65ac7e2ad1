"""An agent moves a message that landed on the wrong ticket, or splits it into a new ticket.

The timeline is append-only: the message's event stays where it was, an internal ``mail`` event there
says where it went and why, and the target gets the message as the sender's reply (or as the first
message of a new ticket) with a reason naming the move. Both happen in one transaction.
"""

from __future__ import annotations

from models import validate
from models.enums import EventKind, Visibility
from models.errors import InvalidInput, RuleViolation
from models.mail.quarantine import get_mail
from models.mail.tables import InState, MailMessage
from models.store.db import write_transaction
from models.store.tables import Agent, Customer, TicketEvent, utcnow
from models.tickets import pipeline
from models.tickets.create import create_ticket
from models.tickets.events import new_event, refuse_if_closed
from models.tickets.merge import surviving
from models.tickets.origin import synced_from

__all__ = ["move_mail", "split_mail"]


def _movable(mail_id: int) -> tuple[MailMessage, TicketEvent, Customer | None]:
    mail = get_mail(mail_id)
    if mail.state != InState.TICKET or mail.ticket_id is None or mail.event_id is None:
        raise RuleViolation(f"mail #{mail_id} is not a message on a ticket ({mail.state})")
    event = TicketEvent.get_by_id(mail.event_id)
    customer = Customer.get_or_none(Customer.id == event.customer_id) if event.customer_id else None
    return mail, event, customer


def _leave_note(actor: Agent, mail: MailMessage, where: str, why: str) -> None:
    note = new_event(EventKind.MAIL.value, field="moved", old_value=str(mail.ticket_id), new_value=where,
                     body=f"mail #{mail.id} from {mail.sender} {where}", reason=why)  # fmt: skip
    pipeline.change(actor, mail.ticket_id, None, lambda _t, _s: [note])


def move_mail(actor: Agent, mail_id: int, to_ticket: int, reason: str) -> int:
    """Move mail ``mail_id`` to ticket ``to_ticket`` (merges followed); returns the ticket it is on now."""
    why = validate.reason(reason, "moving a message")
    with write_transaction():
        mail, event, customer = _movable(mail_id)
        target = surviving(pipeline.get_ticket(to_ticket).number)
        if target == mail.ticket_id:
            raise InvalidInput(f"mail #{mail_id} is already on #{target}")
        refuse_if_closed(pipeline.get_ticket(target), "moving mail onto it")
        said = f"moved from #{mail.ticket_id} by {actor.login}: {why}"
        reply = new_event(EventKind.REPLY.value, visibility=Visibility.PUBLIC.value, body=event.body,
                          customer=customer.id if customer else None, reason=said)  # fmt: skip
        with synced_from("mail", mail.sender[:200] or "unknown"):
            moved = pipeline.change(actor, target, None, lambda _t, _s: [reply])
        _leave_note(actor, mail, f"moved to #{target}", why)
        MailMessage.update(ticket=target, event=moved.written[0].id, reason=said, processed_at=utcnow()).where(
            MailMessage.id == mail.id).execute()  # fmt: skip
    return target


def split_mail(actor: Agent, mail_id: int, reason: str, *, subject: str | None = None) -> int:
    """Make a new ticket of mail ``mail_id`` (the sender its customer); returns its number."""
    why = validate.reason(reason, "splitting a message into a new ticket")
    with write_transaction():
        mail, event, customer = _movable(mail_id)
        said = f"split from #{mail.ticket_id} by {actor.login}: {why}"
        with synced_from("mail", mail.sender[:200] or "unknown"):
            ticket = create_ticket(actor, subject=subject or mail.subject or "(no subject)", body=event.body or "-",
                                   customer=customer, channel="email", reason=said)  # fmt: skip
        _leave_note(actor, mail, f"split into #{ticket.number}", why)
        MailMessage.update(ticket=ticket.number, event=ticket.written[0].id, reason=said,
                           processed_at=utcnow()).where(MailMessage.id == mail.id).execute()  # fmt: skip
    return ticket.number
