"""Mail out in the app (issue 18): the header counts what waits to go out and what needs a look; the outbox screen
(``O``) lists it and resends after asking; the composer shows to whom a reply goes, with which subject, and the
whole message before it is added, and that a note sends nothing; the app sends in the background through a real
SMTP server on loopback; delivery records show as one line under their reply; quitting is instant while a fetch
or a send hangs on its server. Hostile names, subjects and server answers show literally and never run.
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest

from models.directory import lookup
from models.mail import outbox
from models.mail.tables import MailMessage, OutState, TicketParticipant
from models.search import tickets as search
from models.store.config import Config
from models.store.tables import Ticket
from models.tickets import changes as tickets
from models.tickets.create import create_ticket
from support.smtp_sink import running_sink
from support.tui import make_app, notifications, queue_ready, run, screen_text, ticket_ready, until
from sync.mail.smtp import Transport
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.mail_preview import MailPreviewDialog
from tui.screens.help import HelpScreen
from tui.screens.mail_outbox import MailOutboxScreen
from tui.screens.message import MessageViewer
from tui.widgets.header import DeskHeader

DESK = "support@acme.example"
MARKUP = "[@click=app.quit]"
HOSTILE = f"{MARKUP}boom \x1b]0;owned\x07\x1b[31mred \u202eevil [bold]x[/bold]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SilentServer:
    """A TCP server on loopback that accepts connections and never says a word: an IMAP or SMTP server that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.sock.close()


def mail_table(tmp_path, **more) -> dict:
    (tmp_path / "Maildir").mkdir(exist_ok=True)
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "Maildir" / sub).mkdir(exist_ok=True)
    return {"from": f"Acme Support <{DESK}>", "maildir": str(tmp_path / "Maildir"), **more}


@pytest.fixture
def relay_desk(tui_desk, tmp_path):
    """The demo desk with ``[mail]`` and a relay where nothing listens (a send fails at once, temporarily)."""
    tui_desk.configure_mail(Config(mail=mail_table(tmp_path, smtp_url=f"smtp://127.0.0.1:{free_port()}")))
    assert tui_desk.mail_configured and tui_desk.relay_configured
    return tui_desk


def open_ticket_with_customer() -> Ticket:
    number = search.search_tickets("status:open", limit=1).tickets[0].number
    ticket = Ticket.get_by_id(number)
    assert ticket.customer_id is not None
    return ticket


def hostile_people(ticket: Ticket) -> None:
    """The ticket's customer gets a hostile name, and a participant with one is copied."""
    customer = ticket.customer
    customer.name = f"Alice {HOSTILE}"
    customer.save()
    cc = lookup.add_customer(f"bob.{ticket.number}@cc.example", name=f"Bob {HOSTILE}")
    TicketParticipant.create(ticket=ticket.number, customer=cc)


def header_line(app) -> str:
    return screen_text(app).splitlines()[0]


def assert_inert(text: str) -> None:
    for char in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert char not in text, repr(char)


def outbox_with(desk, number: int, *, failed: int = 0, unknown: int = 0, queued: int = 0, answer: str = "") -> None:
    """Replies on ticket ``number`` made into outgoing mail: some failed (with ``answer``), some cut off while being
    handed over (unknown), the rest waiting."""
    outbox.outbox_start()
    for index in range(failed + unknown + queued):
        tickets.add_reply(desk.me, number, f"reply {index}")
    outbox.compose_waiting(desk.mail_settings)
    rows = outbox.due(limit=100)
    assert len(rows) == failed + unknown + queued
    for row in rows[:failed]:
        assert outbox.claim(row)
        outbox.record_failed(row, answer or "550 5.1.1 user unknown")
    for row in rows[failed : failed + unknown]:
        assert outbox.claim(row)
    if unknown:
        assert outbox.settle_interrupted(older_than=timedelta(0)) == unknown


# --- a desk without mail ---------------------------------------------------------------------


def test_without_mail_the_outbox_key_the_preview_and_the_header_stay_away(tui_desk):
    number = open_ticket_with_customer().number

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            assert "Mail outbox" not in [c.title for c in app.get_system_commands(app.screen)]
            await pilot.press("O")
            await pilot.pause(0.1)
            assert not isinstance(app.screen, MailOutboxScreen) and "mail" not in header_line(app)
            app.open_ticket(number)
            screen = await ticket_ready(pilot)
            await pilot.press("r")
            await pilot.pause(0.1)
            assert not screen.query_one("#composer-mail").display
            assert "Mail to:" not in screen_text(app)

    run(scenario())


# --- the header ------------------------------------------------------------------------------


def test_the_header_counts_what_waits_and_what_needs_a_look_within_80_columns(tui_desk, tmp_path):
    tui_desk.configure_mail(Config(mail=mail_table(tmp_path)))  # no relay: this app counts, sends nothing
    number = open_ticket_with_customer().number
    outbox_with(tui_desk, number, failed=1, queued=2)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            await until(pilot, lambda: "to send" in header_line(app), "the outbox counts")
            line = header_line(app)
            assert line.rstrip().endswith("mail · 2 to send · 1 failed") and len(line) <= 80, line
            app.screen.query_one(DeskHeader).set_sync("⇅ rt 3m ago · 1 waiting · 1 conflict")
            await pilot.pause()
            line = header_line(app)
            assert len(line) <= 80 and "mail · 2 to send · 1 failed" in line and "⇅ rt" in line, line
            # On a ticket (a longer title) with sync beside, at 80 columns: both still there.
            app.open_ticket(number)
            await ticket_ready(pilot)
            app.screen.query_one(DeskHeader).set_sync("⇅ rt 3m ago · 1 waiting · 1 conflict")
            await pilot.pause()
            line = header_line(app)
            assert len(line) <= 80 and "2 to send · 1 failed" in line and "⇅ rt" in line, line

    run(scenario())


def test_unknown_and_held_count_with_failed_as_needing_a_look(tui_desk, tmp_path):
    tui_desk.configure_mail(Config(mail=mail_table(tmp_path)))
    number = open_ticket_with_customer().number
    outbox_with(tui_desk, number, failed=1, unknown=1)
    bare = create_ticket(tui_desk.me, subject="nobody to tell", body="no customer").number  # held: nobody to send to
    tickets.add_reply(tui_desk.me, bare, "hello?")
    outbox.compose_waiting(tui_desk.mail_settings)
    assert MailMessage.select().where(MailMessage.state == OutState.HELD).count() == 1

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await until(pilot, lambda: "a look" in header_line(pilot.app), "the outbox counts")
            assert header_line(pilot.app).rstrip().endswith("mail · 3 need a look")

    run(scenario())


# --- the outbox screen ---------------------------------------------------------------------------


def test_the_outbox_lists_inert_rows_and_resends_after_asking(relay_desk):
    ticket = open_ticket_with_customer()
    hostile_people(ticket)
    outbox_with(relay_desk, ticket.number, failed=1, unknown=1, queued=1, answer=f"550 5.7.1 rejected {HOSTILE}")

    async def scenario():
        async with make_app(relay_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            await pilot.press("O")
            await until(pilot, lambda: isinstance(app.screen, MailOutboxScreen) and app.screen.rows is not None,
                        "the outbox")  # fmt: skip
            screen = app.screen
            await pilot.pause()
            text = screen_text(app)
            assert_inert(text)
            assert "1 to send · 1 failed · 1 may have been sent" in text and "relay smtp:127.0.0.1:" in text
            states = [r.state for r in screen.rows]
            assert states == ["failed", "unknown", "queued"]  # what needs a look first
            assert "✗ failed" in text and "? maybe sent" in text and "to send" in text
            assert f"550 5.7.1 rejected {MARKUP}boom" in text  # the server's answer, literally
            failed = screen.rows[0]
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            assert f"Send mail #{failed.id} to {ticket.customer.email}" in screen_text(app)
            await pilot.press("n")  # kept: nothing changes
            await until(pilot, lambda: app.screen is screen, "back")
            assert MailMessage.get_by_id(failed.id).state == OutState.FAILED
            await pilot.press("down")  # the unknown one: it may have gone out already, says the question
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            assert "may have reached" in screen_text(app)
            unknown = screen.current
            assert unknown is not None and unknown.state == "unknown"
            await pilot.press("y")
            await until(pilot, lambda: f"Mail #{unknown.id} will be sent again" in notifications(app), "the resend")
            assert MailMessage.get_by_id(unknown.id).state in (OutState.QUEUED, OutState.SENDING, OutState.RETRYING)
            await until(pilot, lambda: not app.mail_sending, "the send it started")
            # enter reads the message as composed, inert
            await pilot.press("g")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, MessageViewer), "the message")
            await pilot.pause(0.2)
            text = screen_text(app)
            assert_inert(text)
            assert f"mail #{failed.id} · reply · failed" in text and "Subject: Re: [#" in text

    run(scenario())


def test_help_and_the_palette_offer_the_outbox_when_mail_is_configured(relay_desk):
    async def scenario():
        async with make_app(relay_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            assert "Mail outbox" in [c.title for c in app.get_system_commands(app.screen)]
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            help_text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
            assert "Mail going out: what waits, what failed and why" in help_text
            await pilot.press("escape")
            await pilot.press("O")
            await until(pilot, lambda: isinstance(app.screen, MailOutboxScreen) and app.screen.rows is not None,
                        "the outbox")  # fmt: skip
            await pilot.pause()
            assert "Nothing waits to go out" in screen_text(app) and "The outbox is empty" in screen_text(app)

    run(scenario())


# --- the composer ------------------------------------------------------------------------------


def test_the_composer_shows_recipients_and_subject_and_the_whole_message_before_it_goes(relay_desk):
    ticket = open_ticket_with_customer()
    hostile_people(ticket)
    customer = ticket.customer.email

    async def scenario():
        async with make_app(relay_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            app.open_ticket(ticket.number)
            screen = await ticket_ready(pilot)
            await pilot.press("r")
            await until(pilot, lambda: "Mail to:" in screen_text(app), "the mail lines")
            text = screen_text(app)
            assert_inert(text)
            assert f"Mail to: {customer}, bob.{ticket.number}@cc.example (cc)" in text
            assert f"Subject: Re: [#{ticket.number}]" in text
            await pilot.press(*"Hello there", "ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, MailPreviewDialog), "the last look")
            await pilot.pause(0.1)
            text = screen_text(app)
            assert_inert(text)
            assert "This reply goes by mail to 2 people, exactly as below" in text
            assert f"To: Alice {MARKUP}boom" in text and f"<{customer}>" in text  # the names, as written
            assert f"Cc: Bob {MARKUP}boom" in text and f"<bob.{ticket.number}@cc.example>" in text
            assert "Hello there" in text and f"Reply to this message to add to request #{ticket.number}" in text
            await pilot.press("n")  # keep editing: nothing was added
            await until(pilot, lambda: app.screen is screen, "back to the draft")
            assert screen.composer.display and screen.composer.draft == "Hello there"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, MailPreviewDialog), "the last look again")
            await pilot.press("y")
            await until(pilot, lambda: "Reply added; it goes by mail to" in notifications(app), "the reply")
            assert customer in notifications(app)

    run(scenario())


def test_a_note_says_no_mail_is_sent_and_an_undeliverable_address_is_left_out(relay_desk):
    from models.mail.tables import MailAddress
    from support.tui import NOW

    ticket = open_ticket_with_customer()
    hostile_people(ticket)
    MailAddress.create(email=ticket.customer.email.lower(), undeliverable_at=NOW, problem="550 gone")

    async def scenario():
        async with make_app(relay_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            app.open_ticket(ticket.number)
            await ticket_ready(pilot)
            await pilot.press("n")
            await until(pilot, lambda: "Internal: no mail is sent" in screen_text(app), "the note line")
            assert "Mail to:" not in screen_text(app)
            await pilot.press("escape")
            await pilot.press("r")
            await until(pilot, lambda: "Mail to:" in screen_text(app), "the mail lines")
            text = screen_text(app)
            assert_inert(text)
            left_out = f"✗ {ticket.customer.email.lower()} left out: undeliverable"
            assert f"Mail to: bob.{ticket.number}@cc.example (cc) · {left_out[:30]}" in text
            lines = [line for line in text.splitlines() if "Mail to:" in line or "Subject:" in line]
            assert all(len(line) <= 80 for line in lines)

    run(scenario())


# --- the timeline --------------------------------------------------------------------------------


def test_delivery_records_show_as_one_muted_line_under_their_reply(relay_desk):
    ticket = open_ticket_with_customer()
    outbox.outbox_start()
    tickets.add_reply(relay_desk.me, ticket.number, "First answer.")
    tickets.add_reply(relay_desk.me, ticket.number, "Second answer.")
    outbox.compose_waiting(relay_desk.mail_settings)
    first, second = outbox.due()
    for row in (first, second):
        assert outbox.claim(row)
    outbox.record_temporary(first, "421 4.7.0 try later")
    outbox.record_failed(second, f"550 5.1.1 no such user {HOSTILE} " + "x" * 300)
    assert outbox.claim(MailMessage.get_by_id(first.id))
    outbox.record_sent(MailMessage.get_by_id(first.id), "250 2.0.0 Ok: queued as ABC")

    async def scenario():
        async with make_app(relay_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            app.open_ticket(ticket.number)
            screen = await ticket_ready(pilot)
            await until(pilot, lambda: screen.timeline.deliveries, "the delivery records")
            await pilot.pause()
            text = screen_text(app)
            assert_inert(text)
            lines = text.splitlines()
            at = {name: next(i for i, line in enumerate(lines) if name in line)
                  for name in ("First answer.", "Second answer.", "⟳ mail not sent yet", "✓ mailed to",
                               "✗ mail could not")}  # fmt: skip
            # Under their own reply, in time order, each one line (the long answer cut, not wrapped).
            sent, failed = lines[at["✓ mailed to"]], lines[at["✗ mail could not"]]
            assert at["First answer."] < at["⟳ mail not sent yet"] < at["✓ mailed to"] < at["Second answer."]
            assert at["Second answer."] < at["✗ mail could not"]
            assert "↳ ✓ mailed to " + ticket.customer.email in sent and "250 2.0.0 Ok: queued as ABC" in sent
            assert f"no such user {MARKUP}boom" in failed and failed.rstrip()[-1] == "…"
            assert "mail failed: reply mail #" not in text  # not also as a change line

    run(scenario())


# --- quitting while a server hangs --------------------------------------------------------------


def test_quitting_during_a_fetch_that_hangs_is_instant(tui_desk, tmp_path, monkeypatch):
    monkeypatch.setenv("SPORTELLO_TEST_MAIL_PW", "secret-pw")
    server = SilentServer()
    tui_desk.configure_mail(Config(mail={"from": DESK, "imap_url": f"imap://127.0.0.1:{server.port}/INBOX",
                                         "user": "desk", "password_env": "SPORTELLO_TEST_MAIL_PW"}))  # fmt: skip
    apps = []
    took = {}

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            apps.append(pilot.app)
            await queue_ready(pilot)
            await pilot.press("ctrl+g")
            await until(pilot, lambda: pilot.app.mail_fetching and server.accepted.is_set(), "a fetch hanging")
            await pilot.pause(0.3)
            assert pilot.app.mail_fetching  # still waiting for the server's greeting
            took["start"] = time.monotonic()
            await pilot.press("ctrl+q")

    try:
        run(scenario())  # asyncio.run: returns once the app and the event loop's executor are done
        took["quit"] = time.monotonic() - took["start"]
    finally:
        server.close()  # the hanging fetch ends now: its thread must be done before the desk closes
        job = apps[0]._fetch_job if apps else None
        assert job is None or job.wait(20)
    assert took["quit"] < 1.0, took


# --- sending -------------------------------------------------------------------------------------


@pytest.fixture
def sink():
    with running_sink() as server:
        yield server


class FakeTransport(Transport):
    """A relay in the test: keeps what it is given and answers 250; ``hold`` makes it hang until set."""

    where = "fake:relay"

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.sent: list[tuple[str, list[str], bytes]] = []
        self.hold = hold
        self.sending = threading.Event()
        self.closed = False

    def send(self, sender: str, recipients: list[str], raw: bytes) -> str:
        self.sending.set()
        if self.hold is not None:
            self.hold.wait(30)
        self.sent.append((sender, recipients, raw))
        return f"250 2.0.0 Ok: queued as FAKE{len(self.sent)}"

    def close(self) -> None:
        self.closed = True


def test_a_reply_goes_out_in_the_background_and_shows_under_itself(tui_desk, tmp_path, sink):
    tui_desk.configure_mail(Config(mail=mail_table(tmp_path, smtp_url=f"smtp://127.0.0.1:{sink.port}")))
    ticket = open_ticket_with_customer()
    hostile_people(ticket)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            app.open_ticket(ticket.number)
            screen = await ticket_ready(pilot)
            await pilot.press("r")
            await until(pilot, lambda: "Mail to:" in screen_text(app), "the mail lines")
            await pilot.press(*"The printer is fixed.", "ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, MailPreviewDialog), "the last look")
            await pilot.press("y")
            await until(pilot, lambda: sink.received, "the mail at the SMTP server")
            await until(pilot, lambda: app.outbox_row is not None and not app.mail_sending and app.outbox_row.to_send == 0,
                        "the header's count back to nothing")  # fmt: skip
            assert "to send" not in header_line(app) and "✗" not in header_line(app)
            await until(pilot, lambda: "↳ ✓ mailed to" in screen_text(app), "the delivery line")
            text = screen_text(app)
            assert_inert(text)
            lines = text.splitlines()
            reply = max(i for i, line in enumerate(lines) if "The printer is fixed." in line)
            sent = next(i for i, line in enumerate(lines) if "↳ ✓ mailed to" in line)
            assert sent > reply and "· 250 2.0.0" in lines[sent]
            assert screen.timeline.deliveries

    run(scenario())
    assert len(sink.received) == 1
    sender, recipients, raw = sink.received[0]
    assert sender and sorted(recipients) == sorted([ticket.customer.email, f"bob.{ticket.number}@cc.example"])
    assert f"[#{ticket.number}]".encode() in raw and b"The printer is fixed." in raw


def test_quitting_during_a_send_that_hangs_is_instant(tui_desk, tmp_path):
    server = SilentServer()
    tui_desk.configure_mail(Config(mail=mail_table(tmp_path, smtp_url=f"smtp://127.0.0.1:{server.port}")))
    number = open_ticket_with_customer().number
    outbox_with(tui_desk, number, queued=1)
    apps = []
    took = {}

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            apps.append(pilot.app)
            await queue_ready(pilot)
            pilot.app.send_mail_now()
            await until(pilot, lambda: pilot.app.mail_sending and server.accepted.is_set(), "a send hanging")
            await pilot.pause(0.3)
            assert pilot.app.mail_sending and "sending" in header_line(pilot.app)
            took["start"] = time.monotonic()
            await pilot.press("ctrl+q")

    try:
        run(scenario())
        took["quit"] = time.monotonic() - took["start"]
    finally:
        server.close()
        job = apps[0]._send_job if apps else None
        assert job is None or job.wait(30)
    assert took["quit"] < 1.0, took


def test_the_background_send_uses_the_transport_and_says_what_failed_once(relay_desk):
    ticket = open_ticket_with_customer()
    outbox_with(relay_desk, ticket.number, queued=2)
    fake = FakeTransport()
    relay_desk.mail_transport = fake

    async def scenario():
        async with make_app(relay_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            await until(pilot, lambda: "2 to send" in header_line(app), "the count")
            app.send_mail_now(background=True)
            await until(pilot, lambda: len(fake.sent) == 2 and not app.mail_sending, "the background send")
            await until(pilot, lambda: "to send" not in header_line(app), "the count back to nothing")
            assert fake.closed and notifications(app) == ""  # a background send that went well says nothing
            assert header_line(app).rstrip().endswith("mail") and len(header_line(app)) <= 80
            # The relay away (the desk's own one, nothing listening): said once, the header shows ✗ meanwhile.
            relay_desk.mail_transport = None
            tickets.add_reply(relay_desk.me, ticket.number, "one more")
            for _ in range(2):  # the second finds nothing due (the retry waits a minute): the ✗ stays
                app.send_mail_now(background=True)
                assert app.mail_sending
                await until(pilot, lambda: not app.mail_sending, "the send")
                assert app.send_problem and "cannot reach the relay" in app.send_problem
            assert notifications(app).count("Mail not sent:") == 1
            assert "1 to send ✗" in header_line(app) and len(header_line(app)) <= 80

    run(scenario())
    assert {tuple(r) for _, r, _ in fake.sent} == {(ticket.customer.email,)}
    assert MailMessage.select().where(MailMessage.state == OutState.SENT).count() == 2


def test_quitting_during_a_send_the_transport_holds_is_instant(relay_desk):
    number = open_ticket_with_customer().number
    outbox_with(relay_desk, number, queued=2)
    hold = threading.Event()
    fake = FakeTransport(hold)
    relay_desk.mail_transport = fake
    apps, took = [], {}

    async def scenario():
        async with make_app(relay_desk).run_test(size=(80, 24)) as pilot:
            apps.append(pilot.app)
            await queue_ready(pilot)
            pilot.app.send_mail_now(background=True)
            await until(pilot, lambda: fake.sending.is_set(), "a send held by the relay")
            took["start"] = time.monotonic()
            await pilot.press("ctrl+q")

    try:
        run(scenario())
        took["quit"] = time.monotonic() - took["start"]
    finally:
        hold.set()  # the relay answers now: the message in flight is recorded, the next one is not sent
        assert not apps or apps[0]._send_job.wait(20)
    assert took["quit"] < 1.0, took
    assert len(fake.sent) == 1  # the job stopped between messages
    states = sorted(s for (s,) in MailMessage.select(MailMessage.state).where(MailMessage.direction == "out").tuples())
    assert states == [OutState.QUEUED, OutState.SENT]


def test_a_ticket_made_by_mail_shows_the_customers_words_not_the_acknowledgement(relay_desk):
    from email.message import EmailMessage

    from models.mail.ingest import ingest_bytes

    outbox.outbox_start()
    msg = EmailMessage()
    msg["From"] = "Alice Rossi <alice@customer.example>"
    msg["To"] = DESK
    msg["Subject"] = "Printer on fire"
    msg["Message-ID"] = "<first@customer.example>"
    msg.set_content("The printer is on fire again.\n")
    number = ingest_bytes(bytes(msg), source="test", settings=relay_desk.mail_settings).ticket
    fake = FakeTransport()
    relay_desk.mail_transport = fake

    async def scenario():
        async with make_app(relay_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            app.send_mail_now()
            await until(pilot, lambda: fake.sent and not app.mail_sending, "the acknowledgement sent")
            app.open_ticket(number)
            await ticket_ready(pilot)
            await until(pilot, lambda: "↳ ✓ mailed to alice@customer.example" in screen_text(app), "its delivery")
            text = screen_text(app)
            assert "The printer is on fire again." in text and "We have received your request" not in text

    run(scenario())
    assert b"We have received your request" in fake.sent[0][2]
