"""Mail in the app (issue 17): the header's mail state and fetching (``ctrl+g``), a message that came by mail on
its ticket (its new part, the quoted history folded behind ``z``, its attachments saved with ``w``), moving and
splitting it (``M``, ``S``), the undeliverable warning, and the quarantine screen (``Q``). Hostile text — markup,
ESC and OSC sequences, bidi overrides — shows literally and never runs. A desk without ``[mail]`` shows nothing new.
"""

from __future__ import annotations

import mailbox
import socket
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from models.mail.ingest import ingest_bytes
from models.mail.settings import mail_settings
from models.mail.tables import InState, MailAddress, MailMessage
from models.search import tickets as search
from models.store.config import Config
from models.store.tables import Ticket
from models.tickets.timeline import events_of
from support.tui import NOW, make_app, notifications, queue_ready, run, screen_text, ticket_ready, until
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.help import HelpScreen
from tui.screens.mail_quarantine import MailQuarantineScreen
from tui.screens.message import MessageViewer
from tui.screens.queue import QueueScreen
from tui.screens.ticket import TicketScreen
from tui.widgets.header import DeskHeader

DESK = "support@acme.example"
MARKUP = "[@click=app.quit]"
HOSTILE = f"{MARKUP}boom \x1b]0;owned\x07\x1b[31mred \u202eevil [bold]x[/bold]"
QUOTED = "On Mon, 30 Nov 2026 at 10:00, Acme Support <support@acme.example> wrote:\n> the old question\n> more of it\n"
BODY = "Hello, the printer is on fire again.\nPlease send someone.\n\n" + QUOTED + "\n-- \nAlice Rossi\nACME Srl\n"
PDF = b"%PDF-1.4 not really a pdf\n" * 3


def settings_table(tmp_path: Path, **more) -> dict:
    return {"from": f"Acme Support <{DESK}>", "maildir": str(tmp_path / "Maildir"), "processed_folder": "Processed",
            **more}  # fmt: skip


def message(
    *, name: str = HOSTILE, email: str = "alice@customer.example", subject: str = f"Printer {HOSTILE}",
    body: str = BODY, filename: str | None = f"\x1b[31m{MARKUP}invoice\u202e.pdf", sender: bool = True,
) -> bytes:  # fmt: skip
    msg = EmailMessage()
    if sender:
        msg["From"] = Address(name, *email.split("@"))
    msg["To"] = DESK
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 11, 1, 9, 30, tzinfo=UTC))
    msg["Message-ID"] = make_msgid(domain="customer.example")
    msg.set_content(body)
    if filename is not None:
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename=filename)
    return bytes(msg)


@pytest.fixture
def mail_desk(tui_desk, tmp_path):
    """The demo desk with ``[mail]`` configured: a Maildir in tmp (empty) as its only source."""
    mailbox.Maildir(tmp_path / "Maildir", create=True)
    tui_desk.configure_mail(Config(mail=settings_table(tmp_path)))
    assert tui_desk.mail_configured
    return tui_desk


def take(desk, data: bytes, settings=None):
    return ingest_bytes(data, source="test", settings=settings or desk.mail_settings)


def header_line(app) -> str:
    return screen_text(app).splitlines()[0]


def assert_inert(text: str) -> None:
    """Nothing that could drive the terminal reached the screen."""
    for char in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert char not in text, repr(char)


async def open_mail_ticket(pilot, number: int) -> TicketScreen:
    await queue_ready(pilot)
    pilot.app.open_ticket(number)
    screen = await ticket_ready(pilot)
    await until(pilot, lambda: screen.mail is not None and screen.timeline.mail, "the ticket's mail")
    await pilot.pause()
    return screen


async def prompt(pilot, starts: str) -> TextPrompt:
    await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt) and pilot.app.screen.title_text.startswith(starts),
                f"the prompt {starts!r}")  # fmt: skip
    return pilot.app.screen


# --- a desk without mail ---------------------------------------------------------------------


def test_a_desk_without_mail_shows_nothing_new(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            assert app.mail_text == "" and not app.mail_shown
            assert "mail" not in header_line(app)
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "Fetch mail now" not in titles and "Mail quarantine" not in titles
            await pilot.press("ctrl+g", "Q")
            await pilot.pause(0.2)
            assert isinstance(app.screen, QueueScreen) and notifications(app) == ""
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            help_text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
            for absent in ("Fetch mail", "quarantine", "quoted text", "attachments"):
                assert absent not in help_text, absent

    run(scenario())


# --- the header and fetching -----------------------------------------------------------------


def test_ctrl_g_fetches_the_maildir_and_the_header_says_when_and_what_waits(mail_desk, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(message())
    box.add(message(sender=False, subject=f"nobody {HOSTILE}"))  # no sender: quarantined

    async def scenario():
        async with make_app(mail_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            await until(pilot, lambda: header_line(app).rstrip().endswith("mail"), "the mail part of the header")
            await pilot.press("ctrl+g")
            await until(pilot, lambda: "in quarantine" in header_line(app), "the fetch")
            line = header_line(app)
            assert line.rstrip().endswith("mail 09:00 · 1 in quarantine") and len(line) <= 80, line
            assert "Mail: 2 new, 1 in quarantine (Q shows them)." in notifications(app)
            assert_inert(screen_text(app))
            # Beside a sync status both fit 80 columns, the location giving way.
            app.screen.query_one(DeskHeader).set_sync("⇅ rt 3m ago · 1 waiting · 1 conflict")
            await pilot.pause()
            line = header_line(app)
            assert len(line) <= 80 and "mail 09:00" in line and "⇅ rt" in line, line

    run(scenario())
    assert not list(mailbox.Maildir(tmp_path / "Maildir").keys())  # both were taken, then moved away
    assert MailMessage.select().where(MailMessage.state == InState.QUARANTINED).count() == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_mailbox_is_said_once_and_shown_in_the_header(tui_desk, tmp_path, monkeypatch):
    monkeypatch.setenv("SPORTELLO_TEST_MAIL_PW", "secret-pw")
    port = free_port()
    tui_desk.configure_mail(Config(mail={"from": DESK, "imap_url": f"imap://127.0.0.1:{port}/INBOX", "user": "desk",
                                         "password_env": "SPORTELLO_TEST_MAIL_PW"}))  # fmt: skip

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app = pilot.app
            await pilot.press("ctrl+g")
            await until(pilot, lambda: "✗" in header_line(app), "the failed fetch")
            assert "mail ✗ connection refused · imap:1" in header_line(app) and len(header_line(app)) <= 80
            said = notifications(app)
            assert said.count("connection refused") == 1 and "secret-pw" not in said
            app.fetch_mail_now(background=True)  # failing again in the background: not said again
            await until(pilot, lambda: not app.mail_fetching, "the second fetch")
            await pilot.pause(0.1)
            assert notifications(app).count("connection refused") == 1

    run(scenario())


def test_a_broken_mail_table_is_said_not_raised(tui_desk):
    tui_desk.configure_mail(Config(mail={"from": "not an address"}))
    assert not tui_desk.mail_configured and "not a mail address" in tui_desk.mail_error

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            assert header_line(pilot.app).rstrip().endswith("mail ✗ [mail] config invalid")
            await pilot.press("ctrl+g")
            await until(pilot, lambda: "cannot be used" in notifications(pilot.app), "the notice")

    run(scenario())


# --- a message on its ticket -------------------------------------------------------------------


def test_hostile_mail_shows_literally_its_new_part_and_folds_the_quoted_text(mail_desk):
    outcome = take(mail_desk, message())
    assert outcome.state == InState.TICKET

    async def scenario():
        async with make_app(mail_desk).run_test(size=(100, 30)) as pilot:
            await open_mail_ticket(pilot, outcome.ticket)
            text = screen_text(pilot.app)
            assert_inert(text)
            assert MARKUP in text and "[bold]x[/bold]" in text  # markup shown as typed, never run
            assert "the printer is on fire again" in text
            assert "… quoted text, 7 lines (z to show)" in text and "the old question" not in text
            assert "1 attachment (w saves them):" in text
            assert f"attachment {MARKUP}invoice.pdf · 78 bytes" in text
            await pilot.press("z")
            await until(pilot, lambda: "the old question" in screen_text(pilot.app), "the quoted text")
            text = screen_text(pilot.app)
            assert "▾ quoted text, 7 lines (z to hide)" in text and "Alice Rossi" in text
            await pilot.press("z")
            await until(pilot, lambda: "the old question" not in screen_text(pilot.app), "folded again")
            assert pilot.app.is_running and isinstance(pilot.app.screen, TicketScreen)

    run(scenario())


def test_w_saves_the_attachments_into_a_folder_and_never_overwrites(mail_desk, tmp_path):
    outcome = take(mail_desk, message())
    out = tmp_path / "out"
    out.mkdir()

    async def scenario():
        async with make_app(mail_desk).run_test(size=(80, 24)) as pilot:
            await open_mail_ticket(pilot, outcome.ticket)
            for _ in range(2):
                await pilot.press("w")
                dialog = await prompt(pilot, f"Save '{MARKUP}invoice.pdf' into which folder?")
                assert dialog.query_one("Input").value == str(Path.cwd())  # the current folder to begin with
                dialog.query_one("Input").value = str(out)
                await pilot.press("enter")
                await until(pilot, lambda: isinstance(pilot.app.screen, TicketScreen), "the ticket again")
            await until(pilot, lambda: "exists already" in notifications(pilot.app), "the refusal")
            said = notifications(pilot.app)
            assert f"Saved {out / (MARKUP + 'invoice.pdf')} (78 bytes)" in said
            assert said.count("Saved ") == 1
            await pilot.press("w")
            dialog = await prompt(pilot, "Save ")
            dialog.query_one("Input").value = str(out / "missing")
            await pilot.press("enter")
            await until(pilot, lambda: "is not a folder: nothing was saved" in notifications(pilot.app), "the error")

    run(scenario())
    assert (out / f"{MARKUP}invoice.pdf").read_bytes() == PDF
    assert [p.name for p in out.iterdir()] == [f"{MARKUP}invoice.pdf"]


def test_M_moves_the_mail_to_another_ticket_and_S_splits_it(mail_desk):
    outcome = take(mail_desk, message(filename=None))
    mail_id = outcome.message.id
    target = search.search_tickets("status:open", limit=1).tickets[0].number

    async def scenario():
        async with make_app(mail_desk).run_test(size=(80, 24)) as pilot:
            await open_mail_ticket(pilot, outcome.ticket)
            await pilot.press("M")
            await prompt(pilot, f"Move mail #{mail_id} from alice@customer.example to which ticket?")
            await pilot.press(*str(target), "enter")
            await prompt(pilot, f"Why does it belong on #{target}?")
            await pilot.press(*"same printer", "enter")
            await until(pilot, lambda: f"mail #{mail_id} is now on #{target}" in notifications(pilot.app), "the move")
            note = f"mail #{mail_id} from alice@customer.example moved to"
            await until(pilot, lambda: note in screen_text(pilot.app), "the note on the timeline")

            pilot.app.open_ticket(target)
            await ticket_ready(pilot)
            await until(pilot, lambda: pilot.app.screen.timeline.mail, "the mail on the target")
            await pilot.press("S")
            await prompt(pilot, f"Split mail #{mail_id} from alice@customer.example into a new ticket")
            await pilot.press(*"another request", "enter")
            await until(pilot, lambda: f"mail #{mail_id} is now ticket #" in notifications(pilot.app), "the split")

    run(scenario())
    row = MailMessage.get_by_id(mail_id)
    assert row.ticket_id not in (outcome.ticket, target)
    assert "split from #" in row.reason and "another request" in row.reason
    moved = [e for e in events_of(target) if e.kind == "mail"]
    assert moved and "another request" in (moved[-1].reason or "")


def test_the_header_warns_when_the_customers_address_bounced(mail_desk):
    outcome = take(mail_desk, message(filename=None))
    MailAddress.create(email="alice@customer.example", undeliverable_at=NOW,
                       problem=f"550 5.1.1 user unknown {HOSTILE}")  # fmt: skip

    async def scenario():
        async with make_app(mail_desk).run_test(size=(80, 24)) as pilot:
            await open_mail_ticket(pilot, outcome.ticket)
            await until(pilot, lambda: "⚠ mail to" in screen_text(pilot.app), "the warning")
            text = screen_text(pilot.app)
            assert_inert(text)
            assert "⚠ mail to alice@customer.example bounced: 550 5.1.1 user unknown [@click" in text

    run(scenario())


def test_help_and_the_palette_offer_the_mail_keys_when_mail_is_configured(mail_desk):
    outcome = take(mail_desk, message())

    async def scenario():
        async with make_app(mail_desk).run_test(size=(100, 30)) as pilot:
            await open_mail_ticket(pilot, outcome.ticket)
            app = pilot.app
            titles = [c.title for c in app.get_system_commands(app.screen)]
            for title in ("Fetch mail now", "Mail quarantine", "Show or fold the mail's quoted text",
                          "Save the mail's attachments", "Move the mail to another ticket"):  # fmt: skip
                assert title in titles, title
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            help_text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
            for shown in ("Fetch mail now", "Show or fold the quoted text of the mail", "Mail quarantine"):
                assert shown in help_text, shown

    run(scenario())


# --- the quarantine ---------------------------------------------------------------------------


def test_the_quarantine_lists_escaped_reads_raw_and_retries(mail_desk, tmp_path):
    small = mail_settings(Config(mail={**settings_table(tmp_path), "max_message_mb": 1}))
    stuck = take(mail_desk, message(sender=False, subject=f"nobody {HOSTILE}", filename=None))
    big = take(mail_desk, message(subject="big report", filename="report.bin", body="x\n" * 600_000), small)
    assert stuck.state == big.state == InState.QUARANTINED

    async def scenario():
        async with make_app(mail_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await pilot.press("Q")
            await until(pilot, lambda: isinstance(pilot.app.screen, MailQuarantineScreen)
                        and pilot.app.screen.rows is not None, "the quarantine")  # fmt: skip
            screen = pilot.app.screen
            await pilot.pause()
            text = screen_text(pilot.app)
            assert_inert(text)
            assert "2 messages in quarantine" in text and "nobody [@click=app.qui…" in text
            assert "over the limit of 1 MB" in text and "(no sender)" in text
            assert screen.table.current_key == big.message.id  # newest first
            await pilot.press("r")  # the desk's own limit is 25 MB: it goes through now
            await until(pilot, lambda: f"mail #{big.message.id} → ticket #" in notifications(pilot.app), "the retry")
            await until(pilot, lambda: screen.rows is not None and len(screen.rows) == 1, "one left")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(pilot.app.screen, MessageViewer), "the raw message")
            await pilot.pause(0.2)
            text = screen_text(pilot.app)
            assert_inert(text)
            assert f"Subject: nobody {MARKUP}boom" in text and "\ufffd]0;owned" in text
            await pilot.press("escape")
            await until(pilot, lambda: pilot.app.screen is screen, "back")
            await pilot.press("R")
            await until(pilot, lambda: "is still in quarantine" in notifications(pilot.app), "the retry of all")
            assert pilot.app.is_running

    run(scenario())
    assert Ticket.get_or_none(Ticket.number == MailMessage.get_by_id(big.message.id).ticket_id) is not None


def test_an_empty_quarantine_says_so(mail_desk):
    async def scenario():
        async with make_app(mail_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            pilot.app.open_mail_quarantine()
            await until(pilot, lambda: isinstance(pilot.app.screen, MailQuarantineScreen)
                        and pilot.app.screen.rows is not None, "the quarantine")  # fmt: skip
            await pilot.pause()
            text = screen_text(pilot.app)
            assert "Nothing in quarantine" in text and "The quarantine is empty" in text

    run(scenario())
