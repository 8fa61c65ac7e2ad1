"""Sending on both backends against a real SMTP server on loopback (aiosmtpd) and through sendmail:
once, threaded, every outcome on the timeline, nothing lost when the relay fails or goes away."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from models.enums import EventKind
from models.mail import outbox, signing
from models.mail.ingest import ingest_bytes
from models.mail.settings import mail_settings
from models.mail.tables import MailMessage, OutState
from models.store.config import Config
from models.store.tables import utcnow
from models.tickets import changes as tickets
from models.tickets.timeline import events_of
from support.smtp_sink import fake_sendmail, running_sink
from sync.mail.send import send_waiting

DESK = "support@acme.example"
REPO = Path(__file__).resolve().parents[3]


def settings_for(**mail):
    return mail_settings(Config(mail={"from": f"Acme Support <{DESK}>", **mail}))


def customer_mail(subject="Printer on fire", message_id="<first@customer.example>", sender="alice") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = (
        f"{sender.title()} <{sender}@customer.example>",
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
        assert len(sink.received) == 2 and len(set(sink.peers)) == 1  # one connection for the run
        for mail_from, rcpt, raw in sink.received:
            assert mail_from == DESK and rcpt == ["alice@customer.example"]  # bounces come back to the desk
            assert b"INTERNAL" not in raw
        # The note is not in the outbox at all: only the acknowledgement and the reply are.
        assert sorted(r.purpose for r in MailMessage.select().where(MailMessage.direction == "out")) == [
            "created", "reply"]  # fmt: skip
        ack, reply = (message_from_bytes(raw, policy=policy.default) for _, _, raw in sink.received)
        assert ack["Auto-Submitted"] == "auto-generated" and reply["Auto-Submitted"] is None
        assert reply["X-Auto-Response-Suppress"] is None
        assert reply["In-Reply-To"] == "<first@customer.example>"
        assert reply["References"].split()[0] == "<first@customer.example>"
        assert reply["Subject"] == f"Re: [#{number}] Printer on fire"
        assert ack["Subject"] == f"Re: [#{number}] Printer on fire"  # it answers the customer's mail
        assert reply["Reply-To"].addresses[0].addr_spec == signing.reply_address(number, DESK)
        assert signing.ticket_of_address(reply["Reply-To"].addresses[0].addr_spec) == number
        for msg in (ack, reply):
            assert msg["X-Sportello-Loop"] == signing.loop_id()
            assert signing.ticket_of_message_id(msg["Message-ID"].strip("<>"))[0] == number
        assert delivery_states(number) == ["sent", "sent"]
        assert "queued as SINK" in MailMessage.get(MailMessage.purpose == "reply").answer


def test_a_long_message_id_is_written_on_one_line_and_never_encoded(admin, db):
    domain = "helpdesk-" + "a" * 55 + ".customer-care-" + "b" * 50 + ".example"
    desk = f"support@{domain}"
    theirs = "<" + "x" * 120 + "@mail." + "c" * 50 + ".example>"
    with running_sink() as sink:
        settings = mail_settings(Config(mail={"from": f"Acme Support <{desk}>", "smtp_url": sink.url()}))
        outbox.outbox_start()
        number = ingest_bytes(customer_mail(message_id=theirs), source="t", settings=settings).ticket
        tickets.add_reply(admin, number, "Please unplug it.")
        assert send_waiting(settings).sent == 2
        rows = {r.purpose: r for r in MailMessage.select().where(MailMessage.direction == "out")}
        raw = sink.received[1][2]
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        assert all(len(line) <= 998 for line in head.split("\r\n"))
        assert f"\r\nMessage-ID: <{rows['reply'].message_id}>\r\n" in head
        assert len(rows["reply"].message_id) > 78  # a line longer than email's usual fold
        assert f"\r\nIn-Reply-To: {theirs}\r\n" in head
        assert re.search(rf"\r\nReferences: {re.escape(theirs)} <{re.escape(rows['created'].message_id)}>\r\n", head)
        assert "=?" not in head
        reply = message_from_bytes(raw, policy=policy.default)
        assert reply["Message-ID"] == f"<{rows['reply'].message_id}>"


def test_a_refused_copy_recipient_does_not_stop_the_reply_and_is_named(admin, db):
    with running_sink() as sink:
        settings = settings_for(smtp_url=sink.url())
        outbox.outbox_start()
        msg = message_from_bytes(customer_mail(), policy=policy.default)
        msg["Cc"] = "Carla <carla@customer.example>"
        number = ingest_bytes(bytes(msg), source="t", settings=settings).ticket
        tickets.add_reply(admin, number, "Please unplug it.")
        sink.refuse["carla@customer.example"] = "550 5.1.1 <carla@customer.example>: no such user"
        assert send_waiting(settings).sent == 2
        reply = MailMessage.get(MailMessage.purpose == "reply")
        assert reply.recipients.split() == ["alice@customer.example", "carla@customer.example"]
        assert sink.received[1][1] == ["alice@customer.example"]
        assert "refused: carla@customer.example: 550 5.1.1" in reply.answer
        assert "refused: carla@customer.example" in events_of(number)[-1].body


def test_a_connection_the_server_closed_between_messages_is_opened_again(admin, db):
    with running_sink() as sink:
        settings = settings_for(smtp_url=sink.url())
        number = a_conversation(admin, settings)
        tickets.add_reply(admin, number, "And keep it unplugged.")
        sink.answers = ["250 then close"]
        summary = send_waiting(settings)
        assert (summary.sent, summary.retrying, summary.error) == (3, 0, None)
        assert len(sink.received) == 3 and len(set(sink.peers)) == 2


def test_a_connection_lost_before_the_servers_answer_is_unknown_and_never_sent_again_by_itself(admin, db):
    with running_sink() as sink:
        settings = settings_for(smtp_url=sink.url())
        number = a_conversation(admin, settings)
        sink.answers = ["drop"]  # the acknowledgement: written whole, then the connection is gone
        summary = send_waiting(settings)
        assert (summary.sent, summary.unknown, summary.retrying, summary.error) == (1, 1, 0, None)
        ack = MailMessage.get(MailMessage.purpose == "created")
        assert ack.state == OutState.UNKNOWN and "may have arrived" in ack.answer
        assert sorted(delivery_states(number)) == ["sent", "unknown"]
        assert send_waiting(settings, now=utcnow() + timedelta(hours=1)).sent == 0
        outbox.resend(ack.id, admin)  # an agent decided
        assert send_waiting(settings).sent == 1 and len(sink.received) == 2


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


def test_a_refused_login_or_an_untrusted_certificate_stops_the_run_before_any_message_is_taken(admin, db, monkeypatch):
    with running_sink(tls=True) as sink:
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "not-the-password-42")
        wrong = settings_for(smtp_url=sink.url(), smtp_user=sink.user, smtp_password_env="TEST_SMTP_PASSWORD",
                             cafile=str(sink.cafile))  # fmt: skip
        number = a_conversation(admin, wrong)
        summary = send_waiting(wrong)
        assert summary.exit_code == 1 and "refused the login of relay-user" in summary.error.message
        assert "not-the-password-42" not in summary.error.message + summary.line() + str(summary.as_dict())
        assert (summary.sent, summary.failed, summary.retrying, summary.waiting) == (0, 0, 0, 2)
        untrusted = settings_for(smtp_url=sink.url(), smtp_user=sink.user, smtp_password_env="TEST_SMTP_PASSWORD")
        summary = send_waiting(untrusted)
        assert summary.exit_code == 1 and "set cafile" in summary.error.message and summary.waiting == 2
        assert delivery_states(number) == [] and sink.received == []  # no message was taken, none failed
        monkeypatch.setenv("TEST_SMTP_PASSWORD", sink.password)
        assert send_waiting(wrong).sent == 2


def test_plain_smtp_with_a_password_is_refused_off_this_machine(admin, db, monkeypatch):
    monkeypatch.setenv("P", "secret-value-1")
    settings = settings_for(smtp_url="smtp://mail.example.org:25", smtp_user="u", smtp_password_env="P")
    a_conversation(admin, settings)
    summary = send_waiting(settings)
    assert summary.error is not None and "unencrypted" in summary.error.message
    assert summary.waiting == 2


def test_the_sendmail_path(admin, db, tmp_path):
    spool = tmp_path / "spool"
    settings = settings_for(smtp_url=f"sendmail:{fake_sendmail(spool)}")
    number = a_conversation(admin, settings)
    summary = send_waiting(settings)
    assert summary.sent == 2 and summary.relay == f"sendmail:{spool / 'sendmail'}"
    assert sorted(p.name for p in spool.glob("*.eml")) == ["0.eml", "1.eml"]
    assert (spool / "0.args").read_text().splitlines() == ["-oi", "-f", DESK, "--", "alice@customer.example"]
    reply = message_from_bytes((spool / "1.eml").read_bytes(), policy=policy.default)
    assert reply["Subject"] == f"Re: [#{number}] Printer on fire" and b"INTERNAL" not in (spool / "1.eml").read_bytes()

    (spool / "exit").write_text("75")  # EX_TEMPFAIL: try again later
    (spool / "stderr").write_text("queue directory full \x1b[31mred\x1b[0m")
    tickets.add_reply(admin, number, "again")
    assert send_waiting(settings).retrying == 1
    retrying = MailMessage.get(MailMessage.state == OutState.RETRYING)
    assert "exited 75: queue directory full" in retrying.answer and "\x1b" not in retrying.answer

    (spool / "exit").write_text("67")  # EX_NOUSER: for good
    (spool / "stderr").write_text("alice... User unknown")
    later = send_waiting(settings, now=utcnow() + timedelta(minutes=2))
    assert later.failed == 1 and "exited 67: alice... User unknown" in MailMessage.get_by_id(retrying.id).answer
    assert delivery_states(number)[-2:] == ["retrying", "failed"]


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


#: The child of the kill test: one run of the sender against the desk and the sink; "settle" runs it
#: eleven minutes on, so that the claims the kills left are settled as 'may have been sent'.
CHILD = """
import json, sys
from datetime import timedelta
from models import open_database
from models.mail.settings import mail_settings
from models.store.config import Config
from models.store.tables import utcnow
from sync.mail.send import send_waiting

url, smtp, desk, mode = sys.argv[1:5]
open_database(url)
settings = mail_settings(Config(mail={"from": desk, "smtp_url": smtp}))
summary = send_waiting(settings, now=utcnow() + timedelta(minutes=11) if mode == "settle" else None)
print(json.dumps(summary.as_dict()), flush=True)
sys.exit(summary.exit_code)
"""


def test_kill_9_at_random_moments_of_a_send_loses_nothing_and_sends_nothing_twice(admin, db, db_url, tmp_path):
    rng = random.Random(1818)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with running_sink() as sink:
        sink.delay = 0.02  # the server holds each message a moment before answering: kills land there too
        settings = settings_for(smtp_url=sink.url())
        outbox.outbox_start()
        numbers = [ingest_bytes(customer_mail(f"Case {i}", f"<kill{i}@customer.example>", f"customer{i}"), source="t",
                                settings=settings).ticket for i in range(30)]  # fmt: skip
        for number in numbers:
            tickets.add_reply(admin, number, f"A first answer on {number}.")
        owed = 60  # 30 acknowledgements, 30 replies
        cmd = [sys.executable, "-c", CHILD, db_url, sink.url(), DESK]
        killed = mid_send = 0
        for round_ in range(20):
            for number in rng.sample(numbers, 8):  # replies keep being written between the kills
                tickets.add_reply(admin, number, f"More on {number}, round {round_}.")
            owed += 8
            before = len(sink.received)
            child = subprocess.Popen([*cmd, "run"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)  # fmt: skip
            if round_ % 2 == 0:
                time.sleep(rng.uniform(0.1, 1.0))  # at any moment: starting, settling, composing, sending
            else:
                # Once the sink holds the n-th message of this run, give or take milliseconds: between
                # the server's answer and the record, inside the next claim or the next transaction.
                target, deadline = before + rng.randint(1, 8), time.monotonic() + 30
                while len(sink.received) < target and child.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.0005)
                time.sleep(rng.uniform(0, 0.015))
                mid_send += child.poll() is None
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                killed += 1
            child.wait(timeout=30)
        assert killed >= 12 and mid_send >= 8, (killed, mid_send)  # most runs were cut short, not finished

        final = subprocess.run([*cmd, "settle"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stdout + final.stderr
        again = subprocess.run([*cmd, "settle"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert '"sent": 0' in again.stdout and '"unknown": 0' in again.stdout, again.stdout + again.stderr

    delivered = Counter(re.search(rb"\r\nMessage-ID: <([^>]+)>\r\n", raw)[1].decode() for _, _, raw in sink.received)
    rows = list(MailMessage.select().where(MailMessage.direction == "out"))
    assert len(rows) == owed and outbox.owed(1) == []  # every owed message was made, once
    assert set(delivered) <= {r.message_id for r in rows} and max(delivered.values()) == 1  # none twice
    unknown = [r for r in rows if r.state == OutState.UNKNOWN]
    assert all(r.state == OutState.SENT for r in rows if r not in unknown)  # nothing left waiting or lost
    assert all(delivered[r.message_id] == 1 for r in rows if r.state == OutState.SENT)
    assert len(unknown) <= killed  # at most one message a kill was cut off in flight
    for row in unknown:  # and each says so on its ticket
        said = [e for e in events_of(row.ticket_id) if e.field == "delivery" and e.old_value == str(row.id)]
        assert [e.new_value for e in said] == ["unknown"]
