"""Sending when the relay misbehaves, on both backends against a real SMTP server on loopback (aiosmtpd):
refusing for a while then for good, going away in the middle of a run. Nothing lost, nothing twice,
every outcome on the ticket's timeline with the server's own words."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import timedelta
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
from support.smtp_sink import SmtpSink, running_sink
from sync.mail.send import send_waiting

DESK = "support@acme.example"
GREYLISTED = "451 4.7.1 Greylisted, please come back later"
FULL = "452 4.3.1 Insufficient system storage"
UNKNOWN_USER = "550 5.1.1 <bob@customer.example>: Recipient address rejected: User unknown"


def settings_for(sink: SmtpSink):
    return mail_settings(Config(mail={"from": f"Acme Support <{DESK}>", "smtp_url": sink.url()}))


def customer_writes(name: str, settings) -> int:
    msg = EmailMessage()
    msg["From"], msg["To"] = f"{name.title()} <{name}@customer.example>", DESK
    msg["Subject"], msg["Message-ID"] = f"Help for {name}", f"<{name}-first@customer.example>"
    msg.set_content("Nothing works.")
    return ingest_bytes(bytes(msg), source="t", settings=settings).ticket


def tickets_with_mail_owed(admin, settings, names: list[str]) -> dict[str, int]:
    """One ticket per customer, each owing two messages: the acknowledgement and an agent's reply."""
    outbox.outbox_start()
    numbers = {name: customer_writes(name, settings) for name in names}
    for name, number in numbers.items():
        tickets.add_reply(admin, number, f"Dear {name}, we are on it.")
    return numbers


def deliveries(number: int) -> list[tuple[str, str]]:
    """(state, what the timeline says) for each delivery line on a ticket, oldest first."""
    return [(e.new_value, e.body) for e in events_of(number) if e.kind == EventKind.MAIL and e.field == "delivery"]


def message_ids(sink: SmtpSink) -> Counter:
    return Counter(re.search(rb"\r\nMessage-ID: <([^>]+)>\r\n", raw)[1].decode() for _, _, raw in sink.received)


def out_rows() -> list[MailMessage]:
    return list(MailMessage.select().where(MailMessage.direction == "out").order_by(MailMessage.id))


def test_refused_for_a_while_then_for_good_for_one_customer_every_failure_on_the_timeline(admin, db):
    names = ["alice", "bob", "carol", "dave"]
    with running_sink() as sink:
        settings = settings_for(sink)
        numbers = tickets_with_mail_owed(admin, settings, names)
        everyone = {f"{name}@customer.example": GREYLISTED for name in names}

        # Runs 1–3: the relay turns everyone away for now — at RCPT (greylisting), then at DATA (disk full).
        sink.refuse = dict(everyone)
        first = send_waiting(settings)
        assert (first.sent, first.retrying, first.failed, first.waiting, first.exit_code) == (0, 8, 0, 8, 0)
        assert send_waiting(settings).sent == 0  # not yet: each waits its minute
        sink.refuse = {}
        sink.answers = [FULL] * 8
        second = send_waiting(settings, now=utcnow() + timedelta(minutes=2))
        assert (second.sent, second.retrying, sink.turned_away) == (0, 8, 8)
        sink.refuse = dict(everyone)
        assert send_waiting(settings, now=utcnow() + timedelta(minutes=10)).retrying == 8
        assert all(r.attempts == 3 and r.state == OutState.RETRYING and GREYLISTED in r.answer for r in out_rows())

        # Run 4: bob's mailbox does not exist (5xx), carol's server still says later, the rest go.
        sink.refuse = {"bob@customer.example": UNKNOWN_USER, "carol@customer.example": GREYLISTED}
        fourth = send_waiting(settings, now=utcnow() + timedelta(minutes=30))
        assert (fourth.sent, fourth.failed, fourth.retrying, fourth.exit_code) == (4, 2, 2, 0)

        # Carol's keeps being turned away until the last wait has passed: it fails, with the last words.
        for hours in (2, 6):  # attempts 5 and 6
            assert send_waiting(settings, now=utcnow() + timedelta(hours=hours)).retrying == 2
        last = send_waiting(settings, now=utcnow() + timedelta(hours=20))  # the 7th, past the last wait
        assert (last.sent, last.failed, last.retrying, last.waiting) == (0, 2, 0, 0)
        assert send_waiting(settings, now=utcnow() + timedelta(days=30)).sent == 0  # nothing left

    rows = {r.id: r for r in out_rows()}
    delivered = message_ids(sink)
    assert max(delivered.values()) == 1 and len(delivered) == 4  # alice's and dave's two each, once
    for name, number in numbers.items():
        mine = [r for r in rows.values() if r.ticket_id == number]
        said = deliveries(number)
        # Every refusal the server worded differently is on the timeline with its words (the same words
        # again are not repeated), and so is each message's outcome.
        retries = [text for state, text in said if state == "retrying"]
        assert any(GREYLISTED in text for text in retries) and any(FULL in text for text in retries)
        assert all(GREYLISTED in text or FULL in text for text in retries)
        if name == "bob":
            assert all(r.state == OutState.FAILED and UNKNOWN_USER in r.answer for r in mine)
            assert [text for state, text in said if state == "failed"] and all(
                UNKNOWN_USER in text for state, text in said if state == "failed"
            )
        elif name == "carol":
            assert all(r.state == OutState.FAILED and r.attempts == 7 for r in mine)
            assert all("gave up after 7 attempts" in r.answer and GREYLISTED in r.answer for r in mine)
            failed = [text for state, text in said if state == "failed"]
            assert len(failed) == 2 and all("gave up after 7 attempts" in t and GREYLISTED in t for t in failed)
        else:
            assert all(r.state == OutState.SENT and delivered[r.message_id] == 1 for r in mine)
            assert all("250 2.0.0 Ok: queued as SINK" in text for state, text in said if state == "sent")
        assert len([state for state, _ in said if state in ("sent", "failed")]) == 2  # one outcome per message


def _server_goes_away(sink: SmtpSink, after: int, when: str) -> None:
    """After ``after`` messages the server stops listening and drops the connection: at the next
    message's MAIL ("between" messages), or once the next message is written whole and kept, before
    the answer ("during" it: the sender cannot know the server took it)."""
    controller = sink._controller
    handler = controller.handler
    data, mail = handler.handle_DATA, handler.handle_MAIL

    def gone(server) -> str:
        controller.server.close()  # no new connections from now on
        server.transport.close()
        return "421 4.3.2 Service shutting down"  # never reaches the client: the connection is gone

    async def handle_MAIL(server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd's name
        if when == "between" and len(sink.received) >= after:
            return gone(server)
        return await mail(server, session, envelope, address, mail_options)

    async def handle_DATA(server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if when == "during" and len(sink.received) >= after:
            with sink.lock:
                sink.received.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
            await asyncio.sleep(0)
            return gone(server)
        return await data(server, session, envelope)

    handler.handle_MAIL, handler.handle_DATA = handle_MAIL, handle_DATA


@pytest.mark.parametrize("when", ["between", "during"])
def test_the_server_gone_mid_run_loses_nothing_and_the_next_run_sends_the_rest_once(admin, db, when):
    names = [f"customer{i}" for i in range(10)]  # 20 messages owed
    with running_sink() as sink:
        settings = settings_for(sink)
        numbers = tickets_with_mail_owed(admin, settings, names)
        _server_goes_away(sink, after=7, when=when)
        cut = send_waiting(settings)
    assert cut.exit_code == 75 and "cannot reach the relay" in cut.error.message
    cut_off = 1 if when == "during" else 0  # the one kept before the answer: it may have arrived
    assert (cut.sent, cut.unknown, cut.retrying, cut.waiting) == (7, cut_off, 1, 20 - 7 - cut_off)
    first_ids = message_ids(sink)
    assert len(sink.received) == 7 + cut_off and max(first_ids.values()) == 1

    with running_sink() as again:  # the relay is back, on another port
        back = send_waiting(settings_for(again), now=utcnow() + timedelta(minutes=2))
        assert (back.sent, back.unknown, back.waiting, back.exit_code) == (20 - 7 - cut_off, 0, 0, 0)
        assert send_waiting(settings_for(again), now=utcnow() + timedelta(hours=1)).sent == 0
    rows = out_rows()
    everywhere = message_ids(sink) + message_ids(again)
    assert max(everywhere.values()) == 1  # nothing twice, across both servers
    assert all(everywhere[r.message_id] == 1 for r in rows)  # nothing lost: each reached a server once
    assert [r.state for r in rows].count(OutState.UNKNOWN) == cut_off
    assert all(r.state == OutState.SENT for r in rows if r.state != OutState.UNKNOWN)
    said = [d for number in numbers.values() for d in deliveries(number)]
    assert [state for state, _ in said].count("sent") == 20 - cut_off
    retried = [text for state, text in said if state == "retrying"]
    assert len(retried) == 1 and "cannot reach the relay" in retried[0]  # the one the server's going hit
    unknown = [text for state, text in said if state == "unknown"]
    assert len(unknown) == cut_off and all("may have arrived" in text for text in unknown)
