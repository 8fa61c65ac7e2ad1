"""A whole conversation by mail, end to end, against a real Dovecot and a real SMTP server on loopback:
the customer writes → the desk acknowledges → an agent replies → the customer answers in the thread →
the status changes → the customer asks where it stands → resolved with a survey → the customer
answers the survey by replying with a number. Every message's headers are checked."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from models.enums import EventKind, Status
from models.mail import signing
from models.mail.settings import mail_settings
from models.store.config import Config
from models.store.tables import Survey, Ticket
from models.tickets import changes as tickets
from models.tickets.timeline import describe, events_of
from support.dovecot import running_dovecot
from support.smtp_sink import running_sink
from sync.mail.fetch import fetch_configured
from sync.mail.send import send_waiting

DESK = "support@acme.example"
ALICE = "alice@customer.example"


def customer_writes(server, *, subject: str, body: str, message_id: str, answering=None) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = f"Alice Rossi <{ALICE}>", DESK, subject, message_id
    if answering is not None:  # what a mail program does when one presses Reply
        msg.replace_header("To", answering["Reply-To"])
        msg["In-Reply-To"] = answering["Message-ID"]
        msg["References"] = f"{answering['References'] or ''} {answering['Message-ID']}".strip()
    msg.set_content(body)
    server.deliver(bytes(msg))


def fetch(settings, env) -> None:
    summaries, failures = fetch_configured(settings, env=env)
    assert not failures and all(s.error is None for s in summaries)


def sent_since(sink, before: int):
    return [message_from_bytes(raw, policy=policy.default) for _, _, raw in sink.received[before:]]


def test_a_whole_conversation_by_mail(admin, db):
    with running_dovecot() as server, running_sink() as sink:
        env = {"DESK_IMAP_PASSWORD": server.password}
        settings = mail_settings(Config(mail={
            "from": f"Acme Support <{DESK}>", "imap_url": server.url(), "user": server.user,
            "password_env": "DESK_IMAP_PASSWORD", "processed_folder": "Processed", "smtp_url": sink.url(),
        }))  # fmt: skip
        from models.mail import outbox

        outbox.outbox_start()

        # 1. the customer writes; the desk opens a ticket and acknowledges it
        customer_writes(server, subject="Printer on fire", body="It burns since this morning.",
                        message_id="<c1@customer.example>")  # fmt: skip
        fetch(settings, env)
        [ticket] = Ticket.select()
        number = ticket.number
        assert ticket.customer.email == ALICE and server.uids("INBOX") == []
        assert send_waiting(settings).sent == 1
        [ack] = sent_since(sink, 0)
        assert ack["Auto-Submitted"] == "auto-generated" and ack["In-Reply-To"] == "<c1@customer.example>"
        assert f"[#{number}]" in ack["Subject"] and ack["To"].addresses[0].addr_spec == ALICE
        assert signing.ticket_of_address(ack["Reply-To"].addresses[0].addr_spec) == number

        # 2. an agent replies; the reply goes in the same thread, not marked automatic
        tickets.add_reply(admin, number, "Please unplug it and send a photo of the display.")
        assert send_waiting(settings).sent == 1
        [reply] = sent_since(sink, 1)
        assert reply["Auto-Submitted"] is None and "unplug it" in reply.get_content()
        assert reply["References"].split()[0] == "<c1@customer.example>"
        ours = reply["Message-ID"].strip("<>")
        assert signing.ticket_of_message_id(ours)[0] == number

        # 3. the customer answers in the thread; it lands on the ticket and says why
        customer_writes(server, subject=f"Re: {reply['Subject']}", body="Unplugged. Photo attached soon.",
                        message_id="<c2@customer.example>", answering=reply)  # fmt: skip
        fetch(settings, env)
        answer = events_of(number)[-1]
        assert answer.kind == EventKind.REPLY and answer.customer_id == ticket.customer_id
        assert "In-Reply-To matched our reply of" in describe(answer)

        # 4. a public status change is mailed with its reason
        tickets.set_status(admin, number, "on_hold", reason="waiting for the spare part from the vendor")
        assert send_waiting(settings).sent == 1
        [status] = sent_since(sink, 2)
        assert "waiting for the spare part" in status.get_content() and status["In-Reply-To"] == "<c2@customer.example>"

        # 5. the customer asks where it stands; the answer is the public page, and nothing else changes
        customer_writes(server, subject=f"Re: {status['Subject']}", body="status", message_id="<c3@customer.example>",
                        answering=status)  # fmt: skip
        fetch(settings, env)
        assert Ticket.get_by_id(number).status == Status.ON_HOLD
        assert send_waiting(settings).sent == 1
        [page] = sent_since(sink, 3)
        assert f"Request #{number}: Printer on fire" in page.get_content() and page["Auto-Submitted"] == "auto-replied"

        # 6. resolved: the outcome and the one-question survey
        tickets.set_status(admin, number, "resolved", reason="replaced the fuser unit")
        assert send_waiting(settings).sent == 1
        [resolved] = sent_since(sink, 4)
        assert "replaced the fuser unit" in resolved.get_content() and "from 1 (poor) to 5" in resolved.get_content()

        # 7. the customer answers the survey by replying with a number; the ticket stays resolved
        customer_writes(server, subject=f"Re: {resolved['Subject']}", body="5 - thank you, fast and kind!",
                        message_id="<c4@customer.example>", answering=resolved)  # fmt: skip
        fetch(settings, env)
        survey = Survey.get(Survey.ticket == number)
        assert survey.score == 5 and "fast and kind" in survey.comment
        assert Ticket.get_by_id(number).status == Status.RESOLVED
        assert send_waiting(settings).sent == 0  # nothing more is owed: no mail about the survey answer

        # every message went to Alice alone, once, from the desk, in one thread
        ids = [m["Message-ID"] for _, _, raw in sink.received for m in [message_from_bytes(raw, policy=policy.default)]]
        assert len(ids) == len(set(ids)) == 5
        assert all(rcpt == [ALICE] and frm == DESK for frm, rcpt, _ in sink.received)
        assert len(server.uids("Processed")) == 4
