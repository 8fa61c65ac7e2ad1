"""Mail in, end to end on both backends: every message lands once, on the right ticket, and says why."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from models.directory import lookup
from models.enums import EventKind, Status
from models.mail import signing
from models.mail.ingest import ingest_bytes, process_waiting
from models.mail.moves import move_mail, split_mail
from models.mail.quarantine import quarantined, retry
from models.mail.settings import MailSettings, mail_settings
from models.mail.store import keep_raw
from models.mail.tables import InState, MailAddress, MailAttachment, MailMessage, TicketParticipant
from models.store.config import Config
from models.store.tables import Customer, Ticket
from models.tickets import changes as tickets
from models.tickets.timeline import describe, events_of, who

DESK = "support@acme.example"


@pytest.fixture
def settings(db) -> MailSettings:
    return mail_settings(Config(mail={"from": f"Acme Support <{DESK}>", "loop_limit": 5}))


def mail(
    sender: str = "Alice Rossi <alice@customer.example>",
    subject: str = "Printer on fire",
    body: str = "Hello, the printer is on fire.\n",
    *,
    to: str = DESK,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 12, 4, 9, 30, tzinfo=UTC))
    msg["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0])
    return bytes(msg)


def take(data: bytes, settings: MailSettings, **kw):
    return ingest_bytes(data, source="test", settings=settings, **kw)


def our_reply(admin, number: int, text: str = "Please unplug it.") -> str:
    """The Message-ID our mail of the agent's reply carries."""
    ticket = tickets.add_reply(admin, number, text)
    return signing.message_id_for(number, ticket.written[0].id, "acme.example")


def test_a_new_message_opens_a_ticket_for_a_new_customer_and_says_why(admin, settings):
    outcome = take(mail(), settings)
    assert outcome.new and outcome.state == InState.TICKET
    ticket = Ticket.get_by_id(outcome.ticket)
    assert ticket.subject == "Printer on fire" and ticket.channel == "email"
    assert ticket.customer.email == "alice@customer.example" and ticket.customer.name == "Alice Rossi"
    created = events_of(ticket.number)[0]
    assert created.kind == EventKind.CREATED and created.origin == "mail"
    assert "the printer is on fire" in created.body
    assert describe(created) == "created the ticket (a new request)"
    assert who(created) == "Alice Rossi <alice@customer.example>"
    row = MailMessage.get_by_id(outcome.message.id)
    assert (row.ticket_id, row.event_id, row.sender) == (ticket.number, created.id, "alice@customer.example")


def test_the_same_bytes_twice_are_taken_once(admin, settings):
    data = mail()
    first, second = take(data, settings), take(data, settings)
    assert not second.new and second.message.id == first.message.id
    assert Ticket.select().count() == 1 and MailMessage.select().count() == 1


def test_the_same_message_to_two_addresses_is_one_message(admin, settings):
    data = mail(message_id="<same@customer.example>")
    copy = b"Delivered-To: billing@acme.example\r\n" + data
    first, second = take(data, settings), take(copy, settings)
    assert second.state == InState.DUPLICATE and second.ticket == first.ticket
    assert Ticket.select().count() == 1


def test_a_reused_message_id_with_other_content_is_not_dropped(admin, settings):
    take(mail(message_id="<reused@customer.example>", body="first problem"), settings)
    other = take(mail(message_id="<reused@customer.example>", body="a different problem"), settings)
    assert other.state == InState.TICKET
    assert Ticket.select().count() == 2


def test_a_reply_to_our_signed_message_id_joins_the_ticket_and_says_why(admin, settings):
    number = take(mail(), settings).ticket
    ours = our_reply(admin, number)
    reply = take(mail(subject="Re: Printer on fire", body="Unplugged, still smoking.",
                      headers={"In-Reply-To": f"<{ours}>", "References": f"<{ours}>"}), settings)  # fmt: skip
    assert reply.ticket == number
    event = events_of(number)[-1]
    assert event.kind == EventKind.REPLY and event.customer_id is not None
    assert "In-Reply-To matched our reply of" in describe(event)


def test_a_forged_signature_is_a_new_ticket(admin, settings):
    number = take(mail(), settings).ticket
    forged = f"sportello.{number}.1.000000000000@acme.example"
    other = take(mail(sender="mallory@evil.example", headers={"In-Reply-To": f"<{forged}>"}), settings)
    assert other.ticket != number


def test_the_signed_reply_address_joins_the_ticket(admin, settings):
    number = take(mail(), settings).ticket
    address = signing.reply_address(number, DESK)
    reply = take(mail(subject="more", to=address, body="Another detail."), settings)
    assert reply.ticket == number and "reply address" in reply.why


def test_references_to_a_message_we_stored_join_its_ticket(admin, settings):
    first = mail(message_id="<first@customer.example>")
    number = take(first, settings).ticket
    follow = take(mail(sender="bob@customer.example", subject="also me",
                       headers={"References": "<first@customer.example>"}), settings)  # fmt: skip
    assert follow.ticket == number and "References named a message" in follow.why


def test_a_subject_number_counts_only_from_the_customer_a_cc_or_the_organization(admin, settings):
    number = take(mail(), settings).ticket
    own = take(mail(subject=f"[#{number}] more details", body="details"), settings)
    assert own.ticket == number and "the ticket's customer" in own.why
    stranger = take(mail(sender="eve@elsewhere.example", subject=f"[#{number}] I am the boss"), settings)
    assert stranger.ticket != number
    assert "is not its customer" in stranger.why
    # a colleague of the same organization may
    org = lookup.add_organization("Customer Srl")
    Customer.update(organization=org).where(Customer.email == "alice@customer.example").execute()
    Ticket.update(organization=org).where(Ticket.number == number).execute()
    lookup.update_organization(admin, "Customer Srl", mail_domains="customer.example")
    colleague = take(mail(sender="carla@customer.example", subject=f"Re: [#{number}] me too"), settings)
    assert colleague.ticket == number and "organization" in colleague.why
    assert Customer.get(Customer.email == "carla@customer.example").organization_id == org.id


def test_mail_to_a_merged_ticket_lands_on_the_survivor(admin, settings):
    one = take(mail(), settings).ticket
    two = take(mail(subject="again", body="same printer"), settings).ticket
    ours = our_reply(admin, one)
    tickets.merge_tickets(admin, one, two, reason="same problem")
    reply = take(mail(subject="Re", body="hello?", headers={"In-Reply-To": f"<{ours}>"}), settings)
    assert reply.ticket == two and f"#{one} was merged into #{two}" in reply.why


def test_a_reply_reopens_a_resolved_ticket_and_a_closed_one_gets_a_follow_up(admin, settings):
    number = take(mail(), settings).ticket
    ours = our_reply(admin, number)
    tickets.set_status(admin, number, "resolved")
    take(mail(subject="Re", body="it is back", headers={"In-Reply-To": f"<{ours}>"}), settings)
    assert Ticket.get_by_id(number).status == Status.OPEN
    tickets.set_status(admin, number, "resolved")
    tickets.set_status(admin, number, "closed")
    late = take(mail(subject="Re", body="once more", headers={"In-Reply-To": f"<{ours}>"}), settings)
    assert late.ticket != number and f"follow-up to #{number}" in late.why


def test_an_out_of_office_reply_changes_nothing_and_reopens_nothing(admin, settings):
    number = take(mail(), settings).ticket
    ours = our_reply(admin, number)
    tickets.set_status(admin, number, "pending")
    before = Ticket.get_by_id(number)
    auto = take(mail(subject="Automatic reply: Printer on fire", body="I am out of office until Monday.",
                     headers={"In-Reply-To": f"<{ours}>", "Auto-Submitted": "auto-replied"}), settings)  # fmt: skip
    assert auto.state == InState.AUTOMATIC and auto.ticket == number
    after = Ticket.get_by_id(number)
    assert after.status == Status.PENDING and after.next_response_due == before.next_response_due
    event = events_of(number)[-1]
    assert event.kind == EventKind.MAIL and not event.is_public
    # automatic mail that belongs to no ticket is kept and ignored, never a ticket
    stray = take(mail(sender="noreply@shop.example", headers={"Auto-Submitted": "auto-generated"}), settings)
    assert stray.state == InState.IGNORED and Ticket.select().count() == 1


def test_our_own_mail_coming_back_is_a_loop(admin, settings):
    looped = take(mail(sender=DESK, subject="Re: x"), settings)
    assert looped.state in (InState.IGNORED, InState.AUTOMATIC) and Ticket.select().count() == 0


def test_a_flood_from_one_address_is_held_past_the_loop_limit(admin, settings):
    outcomes = [take(mail(subject=f"ping {i}", body=f"ping {i}"), settings) for i in range(7)]
    assert [o.state for o in outcomes[:5]] == [InState.TICKET] * 5
    assert all(o.state in (InState.IGNORED, InState.AUTOMATIC) for o in outcomes[5:])
    assert "loop_limit" in outcomes[6].why


def test_a_permanent_bounce_marks_the_address_undeliverable(admin, settings):
    number = take(mail(), settings).ticket
    ours = our_reply(admin, number)
    dsn = (
        "From: MAILER-DAEMON@mx.acme.example\r\nTo: support@acme.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.acme.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.example\r\n\r\n"
        "Final-Recipient: rfc822; alice@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{ours}>\r\nSubject: Re: Printer on fire\r\n"
        "--B--\r\n"
    ).encode()
    bounce = take(dsn, settings)
    assert bounce.state == InState.AUTOMATIC and bounce.ticket == number
    address = MailAddress.get(MailAddress.email == "alice@customer.example")
    assert address.undeliverable_at is not None
    assert Ticket.get_by_id(number).status == Status.OPEN


def test_a_message_without_a_sender_is_quarantined_and_can_be_retried(admin, settings):
    broken = mail(sender="")
    outcome = take(broken, settings)
    assert outcome.state == InState.QUARANTINED and "sender" in outcome.why
    assert [r.id for r in quarantined()] == [outcome.message.id]
    again = retry(settings, [outcome.message.id])
    assert again[0].state == InState.QUARANTINED and MailMessage.get_by_id(outcome.message.id).attempts == 2


def test_a_queue_that_does_not_exist_quarantines_until_it_does(admin, settings):
    routed = mail_settings(Config(mail={"from": DESK, "queues": {"billing@acme.example": "Billing"}}))
    outcome = take(mail(to="billing@acme.example"), routed)
    assert outcome.state == InState.QUARANTINED and "Billing" in outcome.why
    lookup.add_queue("Billing", actor=admin)
    [again] = retry(routed, None)
    assert again.state == InState.TICKET and Ticket.get_by_id(again.ticket).queue.name == "Billing"


def test_a_crash_between_storing_and_processing_loses_nothing(admin, settings):
    data = mail()
    row, new = keep_raw(data, source="test")  # stored, then the process died
    assert new and row.state == InState.STORED
    [done] = process_waiting(settings)
    assert done.state == InState.TICKET
    assert take(data, settings).message.id == row.id and Ticket.select().count() == 1


def test_copied_people_become_participants_and_attachments_are_listed(admin, settings):
    data = mail(headers={"Cc": "Bruno <bruno@customer.example>, support@acme.example"},
                attachment=("../../etc/passwd", b"x" * 1234))  # fmt: skip
    number = take(data, settings).ticket
    cc = [p.customer.email for p in TicketParticipant.select().where(TicketParticipant.ticket == number)]
    assert cc == ["bruno@customer.example"]
    [file] = MailAttachment.select()
    assert file.size == 1234 and "/" not in file.filename and file.filename.endswith("passwd")


def test_an_agent_moves_a_message_and_splits_one_with_events_on_both_timelines(admin, settings):
    one = take(mail(), settings).ticket
    wrong = take(mail(sender="dario@other.example", subject="invoice", body="where is my invoice"), settings)
    moved_to = move_mail(admin, wrong.message.id, one, "same printer, typed a new subject")
    assert moved_to == one
    assert "moved from" in (events_of(one)[-1].reason or "")
    assert events_of(wrong.ticket)[-1].kind == EventKind.MAIL
    new = split_mail(admin, wrong.message.id, "it is about an invoice after all")
    assert new not in (one, wrong.ticket)
    assert events_of(one)[-1].field == "moved" and "split into" in events_of(one)[-1].body
    assert "where is my invoice" in events_of(new)[0].body


def test_automatic_mail_from_an_allowed_sender_opens_a_ticket(admin, db):
    allowing = mail_settings(Config(mail={"from": DESK, "automatic_tickets": ["@monitoring.acme.example"]}))
    alert = take(mail(sender="nagios@monitoring.acme.example", subject="DISK CRITICAL on db1",
                      headers={"Auto-Submitted": "auto-generated"}), allowing)  # fmt: skip
    assert alert.state == InState.TICKET
    other = take(mail(sender="noreply@shop.example", headers={"Auto-Submitted": "auto-generated"}), allowing)
    assert other.state == InState.IGNORED


def test_the_same_message_with_crlf_or_lf_line_ends_is_the_same_message(admin, settings):
    data = mail().replace(b"\r\n", b"\n")
    first, second = take(data, settings), take(data.replace(b"\n", b"\r\n"), settings)
    assert not second.new and second.message.id == first.message.id
