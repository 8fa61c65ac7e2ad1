"""Sending on both backends against a real SMTP server on loopback (aiosmtpd) and through sendmail:
once, threaded, every outcome on the timeline, nothing lost when the relay fails or goes away."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from models.enums import EventKind
from models.mail import outbox
from models.mail.ingest import ingest_bytes
from models.mail.settings import mail_settings
from models.mail.tables import MailMessage, OutState
from models.store.config import Config
from models.store.tables import utcnow
from models.tickets import changes as tickets
from models.tickets.timeline import events_of
from support.smtp_sink import running_sink
from sync.mail.send import send_waiting

DESK = "support@acme.example"


def settings_for(**mail):
    return mail_settings(Config(mail={"from": f"Acme Support <{DESK}>", **mail}))


def customer_mail(subject="Printer on fire", message_id="<first@customer.example>") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = (
        "Alice <alice@customer.example>",
        DESK,
        subject,
        message_id,
    )
    msg.set_content("It burns.")
    return bytes(msg)


def a_conversation(admin, settings) -> int:
    outbox.outbox_start()
    number = ingest_bytes(customer_mail(), source="t", settings=settings).ticket
    tickets.add_reply(admin, number, "Please unplug it.")
    tickets.add_note(admin, number, "INTERNAL: never to the customer")
    return number


def delivery_states(number: int) -> list[str]:
    return [e.new_value for e in events_of(number) if e.kind == EventKind.MAIL and e.field == "delivery"]


def test_a_reply_reaches_the_customer_once_in_the_same_thread(admin, db):
    with running_sink() as sink:
        settings = settings_for(smtp_url=sink.url())
        number = a_conversation(admin, settings)
        summary = send_waiting(settings)
        assert summary.error is None and summary.sent == 2 and summary.waiting == 0
        assert send_waiting(settings).sent == 0  # never twice
        assert len(sink.received) == 2
        for mail_from, rcpt, raw in sink.received:
            assert mail_from == DESK and rcpt == ["alice@customer.example"]
            assert b"INTERNAL" not in raw
        ack, reply = (message_from_bytes(raw, policy=policy.default) for _, _, raw in sink.received)
        assert ack["Auto-Submitted"] == "auto-generated" and reply["Auto-Submitted"] is None
        assert reply["In-Reply-To"] == "<first@customer.example>"
        assert reply["References"].split()[0] == "<first@customer.example>"
        assert reply["Subject"] == f"Re: [#{number}] Printer on fire"
        assert reply["X-Sportello-Loop"]
        assert delivery_states(number) == ["sent", "sent"]
        assert "queued as SINK" in MailMessage.get(MailMessage.purpose == "reply").answer


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails_with_the_servers_words(admin, db):
    with running_sink() as sink:
        settings = settings_for(smtp_url=sink.url())
        number = a_conversation(admin, settings)
        sink.answers = ["451 4.3.0 try again later", "554 5.7.1 message refused"]
        first = send_waiting(settings)
        assert (first.sent, first.retrying, first.failed) == (0, 1, 1)
        failed = MailMessage.get(MailMessage.state == OutState.FAILED)
        assert "554 5.7.1 message refused" in failed.answer
        assert send_waiting(settings).sent == 0  # not yet: the retry waits
        later = send_waiting(settings, now=utcnow() + timedelta(minutes=2))
        assert later.sent == 1 and len(sink.received) == 1
        assert sorted(delivery_states(number)) == ["failed", "retrying", "sent"]


def test_the_relay_gone_loses_nothing_and_says_try_again_later(admin, db):
    with running_sink() as sink:
        settings = settings_for(smtp_url=sink.url())
        number = a_conversation(admin, settings)
    down = send_waiting(settings)  # the sink has stopped
    assert down.exit_code == 75 and "cannot reach the relay" in down.error.message
    assert down.waiting == 2 and down.sent == 0
    with running_sink() as again:
        moved = settings_for(smtp_url=again.url())
        back = send_waiting(moved, now=utcnow() + timedelta(minutes=2))
        assert back.sent == 2 and len(again.received) == 2
    assert delivery_states(number)[-2:] == ["sent", "sent"]


def test_starttls_and_a_login_with_a_private_ca(admin, db, monkeypatch):
    with running_sink(tls=True) as sink:
        monkeypatch.setenv("TEST_SMTP_PASSWORD", sink.password)
        settings = settings_for(smtp_url=sink.url(), smtp_user=sink.user, smtp_password_env="TEST_SMTP_PASSWORD",
                                cafile=str(sink.cafile))  # fmt: skip
        a_conversation(admin, settings)
        assert send_waiting(settings).sent == 2 and len(sink.received) == 2
        assert all(rcpt == ["alice@customer.example"] for _, rcpt, _ in sink.received)


def test_plain_smtp_with_a_password_is_refused_off_this_machine(admin, db, monkeypatch):
    monkeypatch.setenv("P", "secret-value-1")
    settings = settings_for(smtp_url="smtp://mail.example.org:25", smtp_user="u", smtp_password_env="P")
    a_conversation(admin, settings)
    summary = send_waiting(settings)
    assert summary.error is not None and "unencrypted" in summary.error.message
    assert summary.waiting == 2


def test_the_sendmail_path(admin, db, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    program = tmp_path / "sendmail"
    program.write_text(f'#!/bin/sh\ncat > "{spool}/$$.eml"\necho "$@" > "{spool}/$$.args"\nexit "${{FAKE_EXIT:-0}}"\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    settings = settings_for(smtp_url=f"sendmail:{program}")
    number = a_conversation(admin, settings)
    assert send_waiting(settings).sent == 2
    assert len(list(spool.glob("*.eml"))) == 2
    args = next(spool.glob("*.args")).read_text().split()
    assert args[:4] == ["-oi", "-f", DESK, "--"] and args[4:] == ["alice@customer.example"]
    os.environ["FAKE_EXIT"] = "75"
    try:
        tickets.add_reply(admin, number, "again")
        assert send_waiting(settings).retrying == 1
    finally:
        del os.environ["FAKE_EXIT"]


@pytest.mark.parametrize("purpose", ["created"])
def test_an_undeliverable_customer_is_held_not_sent(admin, db, purpose):
    from models.mail.tables import MailAddress

    with running_sink() as sink:
        settings = settings_for(smtp_url=sink.url())
        outbox.outbox_start()
        MailAddress.create(email="alice@customer.example", undeliverable_at=utcnow(), problem="550 user unknown")
        ingest_bytes(customer_mail(), source="t", settings=settings)
        summary = send_waiting(settings)
        assert summary.sent == 0 and summary.held == 1 and sink.received == []
