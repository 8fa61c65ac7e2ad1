"""The outbox on both backends: what a customer is owed by mail, made once, never a note, threaded."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from models.directory import agents
from models.enums import EventKind
from models.errors import Conflict, RuleViolation
from models.mail import outbox, signing
from models.mail.ingest import ingest_bytes
from models.mail.settings import mail_settings
from models.mail.tables import MailAddress, MailMessage, OutState, TicketParticipant
from models.store.config import Config
from models.store.tables import utcnow
from models.tickets import changes as tickets
from models.tickets.timeline import events_of

DESK = "support@acme.example"
LONG_ID = "a-very-long-message-id-" + "0123456789" * 8 + "@mail.customer.example"


@pytest.fixture
def settings(db):
    return mail_settings(Config(mail={"from": f"Acme Support <{DESK}>", "smtp_url": "smtp://127.0.0.1:2525"}))


@pytest.fixture
def started(settings, admin):
    outbox.outbox_start()
    return settings


def customer_mail(subject="Printer on fire", body="It burns.", message_id=LONG_ID, cc=None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Alice Rossi <alice@customer.example>", DESK, subject
    msg["Message-ID"] = f"<{message_id}>"
    if cc:
        msg["Cc"] = cc
    msg.set_content(body)
    return bytes(msg)


def out_rows():
    return list(MailMessage.select().where(MailMessage.direction == "out").order_by(MailMessage.id))


def parsed(row):
    return message_from_bytes(bytes(row.raw), policy=policy.default)


def test_turning_mail_on_never_mails_about_the_past(admin, settings):
    old = tickets.create_ticket(admin, subject="old", body="old", customer="old@customer.example")
    tickets.add_reply(admin, old.number, "an old reply")
    outbox.outbox_start()
    assert outbox.compose_waiting(settings) == 0
    tickets.add_reply(admin, old.number, "a new reply")
    assert outbox.compose_waiting(settings) == 1


def test_a_conversation_owes_an_acknowledgement_replies_and_status_changes_but_never_a_note(admin, started):
    number = ingest_bytes(customer_mail(), source="t", settings=started).ticket
    tickets.add_reply(admin, number, "Please unplug it.")
    tickets.add_note(admin, number, "INTERNAL: the customer is difficult")
    tickets.set_status(admin, number, "pending", reason="waiting for a photo")
    tickets.set_status(admin, number, "resolved", reason="replaced the fuser")
    assert outbox.compose_waiting(started) == 4
    assert outbox.compose_waiting(started) == 0  # once
    rows = out_rows()
    assert [r.purpose for r in rows] == ["created", "reply", "status", "resolved"]
    for row in rows:
        assert b"INTERNAL" not in bytes(row.raw)
        assert row.recipients == "alice@customer.example" and row.state == OutState.QUEUED
    # the first reply opened the ticket: that status change is said by the reply, not a mail of its own
    assert not any(r.purpose == "status" and "open" in bytes(r.raw).decode() for r in rows)


def test_threading_headers_group_the_conversation_and_are_never_folded(admin, started):
    number = ingest_bytes(customer_mail(), source="t", settings=started).ticket
    reply = tickets.add_reply(admin, number, "Please unplug it.")
    outbox.compose_waiting(started)
    row = [r for r in out_rows() if r.purpose == "reply"][0]
    raw = bytes(row.raw)
    assert b"=?" not in raw.split(b"\n\n", 1)[0]  # no header became an encoded word
    msg = parsed(row)
    ours = signing.message_id_for(number, reply.written[0].id, "acme.example")
    assert msg["Message-ID"] == f"<{ours}>" and row.message_id == ours
    assert msg["In-Reply-To"] == f"<{LONG_ID}>"
    assert msg["References"].split()[0] == f"<{LONG_ID}>"
    assert msg["Subject"] == f"Re: [#{number}] Printer on fire"
    assert signing.ticket_of_address(msg["Reply-To"].addresses[0].addr_spec) == number
    assert msg["Auto-Submitted"] is None  # an agent's reply is never automatic
    ack = [r for r in out_rows() if r.purpose == "created"][0]
    assert parsed(ack)["Auto-Submitted"] == "auto-generated"
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert not line.startswith((b" ", b"\t")), line  # not folded at all


def test_copied_people_receive_replies_and_undeliverable_addresses_are_left_out(admin, started):
    number = ingest_bytes(customer_mail(cc="Bruno <bruno@customer.example>"), source="t", settings=started).ticket
    assert TicketParticipant.select().count() == 1
    tickets.add_reply(admin, number, "Noted.")
    outbox.compose_waiting(started)
    reply = [r for r in out_rows() if r.purpose == "reply"][0]
    assert reply.recipients.split() == ["alice@customer.example", "bruno@customer.example"]
    MailAddress.create(email="alice@customer.example", undeliverable_at=utcnow(), problem="550 user unknown")
    MailAddress.create(email="bruno@customer.example", undeliverable_at=utcnow(), problem="550 user unknown")
    tickets.set_status(admin, number, "pending", reason="waiting")
    outbox.compose_waiting(started)
    held = out_rows()[-1]
    assert held.state == OutState.HELD and "undeliverable" in held.reason
    assert events_of(number)[-1].kind == EventKind.MAIL and events_of(number)[-1].new_value == "held"


def test_a_notification_that_is_turned_off_is_skipped(admin, db):
    quiet = mail_settings(Config(mail={"from": DESK, "notify": {"created": False}}))
    outbox.outbox_start()
    ingest_bytes(customer_mail(), source="t", settings=quiet)
    outbox.compose_waiting(quiet)
    [row] = out_rows()
    assert row.state == OutState.SKIPPED and "[mail.notify]" in row.reason


def test_claim_outcomes_and_a_cut_off_send_that_is_never_sent_again_by_itself(admin, started):
    number = ingest_bytes(customer_mail(), source="t", settings=started).ticket
    outbox.compose_waiting(started)
    [row] = outbox.due()
    assert outbox.claim(row) and not outbox.claim(row)  # one sender has it
    assert outbox.record_temporary(row, "451 try later") == OutState.RETRYING
    assert outbox.due() == [] and len(outbox.due(utcnow() + timedelta(minutes=2))) == 1
    assert outbox.claim(row)
    outbox.record_sent(row, "250 ok")
    assert MailMessage.get_by_id(row.id).state == OutState.SENT
    said = [e.new_value for e in events_of(number) if e.kind == EventKind.MAIL]
    assert said == ["retrying", "sent"]
    # a send cut off after the claim
    tickets.add_reply(admin, number, "again")
    outbox.compose_waiting(started)
    [cut] = outbox.due()
    outbox.claim(cut)
    assert outbox.settle_interrupted(now=utcnow() + timedelta(hours=1)) == 1
    assert MailMessage.get_by_id(cut.id).state == OutState.UNKNOWN and outbox.due() == []
    with pytest.raises(RuleViolation):
        outbox.resend(row.id)  # sent mail is not sent again
    assert outbox.resend(cut.id).state == OutState.QUEUED


def test_a_delivery_record_does_not_make_an_agents_change_stale(admin, started):
    number = ingest_bytes(customer_mail(), source="t", settings=started).ticket
    seen = tickets.get_ticket(number).version
    outbox.compose_waiting(started)
    [row] = outbox.due()
    outbox.claim(row)
    outbox.record_sent(row, "250 ok")
    tickets.add_reply(admin, number, "made on the version before the delivery record", expect_version=seen)
    other = agents.add_agent(admin, "bob", "Bob")
    with pytest.raises(Conflict):
        tickets.add_note(other, number, "on an old version", expect_version=seen)


def test_failed_mail_is_counted_and_listed(admin, started):
    ingest_bytes(customer_mail(), source="t", settings=started)
    outbox.compose_waiting(started)
    [row] = outbox.due()
    outbox.claim(row)
    outbox.record_failed(row, "550 5.1.1 user unknown")
    assert outbox.outbox_counts() == {OutState.FAILED: 1}
    [listed] = outbox.outbox_rows(states=(OutState.FAILED,))
    assert listed.answer == "550 5.1.1 user unknown" and listed.purpose == "created"


def test_a_customer_who_writes_status_gets_the_status_page_and_nothing_else_changes(admin, started):
    number = ingest_bytes(customer_mail(), source="t", settings=started).ticket
    reply = tickets.add_reply(admin, number, "Please unplug it.")
    tickets.set_status(admin, number, "pending", reason="waiting for a photo")
    ours = signing.message_id_for(number, reply.written[0].id, "acme.example")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "alice@customer.example", DESK, "Re: [#1] Printer on fire"
    msg["In-Reply-To"], msg["Message-ID"] = f"<{ours}>", "<ask@customer.example>"
    msg.set_content("Status?\n")
    asked = ingest_bytes(bytes(msg), source="t", settings=started)
    assert asked.ticket == number
    assert tickets.get_ticket(number).status == "pending"  # a question about the status changes nothing
    outbox.compose_waiting(started)
    answer = [r for r in out_rows() if r.purpose == "status_answer"]
    assert len(answer) == 1
    text = parsed(answer[0]).get_content()
    assert f"Request #{number}: Printer on fire" in text and "waiting for a photo" in text
    assert parsed(answer[0])["Auto-Submitted"] == "auto-replied"
    assert parsed(answer[0])["In-Reply-To"] == "<ask@customer.example>"


def test_a_survey_answered_by_reply_is_recorded_and_does_not_reopen(admin, started):
    from models.store.tables import Survey

    number = ingest_bytes(customer_mail(), source="t", settings=started).ticket
    tickets.set_status(admin, number, "resolved", reason="replaced the fuser")
    outbox.compose_waiting(started)
    resolved = [r for r in out_rows() if r.purpose == "resolved"][0]
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "alice@customer.example", DESK, "Re: [#1] Printer on fire"
    msg["In-Reply-To"], msg["Message-ID"] = f"<{resolved.message_id}>", "<vote@customer.example>"
    msg.set_content("4 - quick and kind\n\nOn Fri, Acme Support wrote:\n> How did we do?\n")
    ingest_bytes(bytes(msg), source="t", settings=started)
    survey = Survey.get(Survey.ticket == number)
    assert survey.score == 4 and "quick and kind" in survey.comment
    assert tickets.get_ticket(number).status == "resolved"
    # a second answer is an ordinary reply: it reopens, as any customer reply after resolution
    msg.replace_header("Message-ID", "<again@customer.example>")
    msg.set_content("Actually it is broken again.\n")
    ingest_bytes(bytes(msg), source="t", settings=started)
    assert tickets.get_ticket(number).status == "open"


def test_a_name_with_a_comma_and_accents_stays_one_address(admin, started):
    ticket = tickets.create_ticket(admin, subject="Fattura", body="x", customer="niccolo@cliente.example",
                                   customer_name="Rossi, Niccolò")  # fmt: skip
    outbox.compose_waiting(started)
    [row] = [r for r in out_rows() if r.ticket_id == ticket.number]
    assert [a.addr_spec for a in parsed(row)["To"].addresses] == ["niccolo@cliente.example"]
    assert parsed(row)["To"].addresses[0].display_name == "Rossi, Niccolò"


def test_the_first_customer_who_writes_in_is_acknowledged(admin, settings):
    tickets.create_ticket(admin, subject="before mail", body="x", customer="old@customer.example")
    ingest_bytes(customer_mail(), source="t", settings=settings)  # mail's first use: the outbox starts here
    assert outbox.compose_waiting(settings) == 1
    [row] = out_rows()
    assert row.purpose == "created" and row.recipients == "alice@customer.example"
