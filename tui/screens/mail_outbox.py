"""The mail outbox (``O``, or the palette): the mail going out that waits — queued, being handed over, retrying
(with the next attempt) — and what needs a look: failed (with the server's answer), unknown ("may have been
sent": the sender stopped while handing it over) and held (nobody to send it to).

``r`` sends a failed, unknown or held message again (after asking: an unknown one may have gone out already),
``s`` sends now, ``enter`` or ``o`` reads the message as it was composed. Recipients, subjects and the server's
answers are shown as inert one-line text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from models.errors import SportelloError
from tui.desk.desk import Desk
from tui.desk.mail_out_rows import OutboxRow, OutboxStateRow, OutgoingMessage
from tui.dialogs.confirm import ConfirmDialog
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.text.mail_out import outbox_detail, outbox_summary, state_word
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.row_table import Column, RowTable

__all__ = ["MailOutboxScreen", "outbox_columns", "outbox_cells", "RESENDABLE"]

#: The states an agent may send again.
RESENDABLE = ("failed", "unknown", "held")
#: What needs a look comes first, then what waits; newest first within each.
_ORDER = {"failed": 0, "unknown": 1, "held": 2, "retrying": 3, "sending": 4, "queued": 5}
#: What the screen says when nothing waits.
EMPTY = "The outbox is empty: everything owed to customers went out (sportello mail outbox --all lists it)."


def outbox_columns(width: int) -> dict[str, int]:
    """State, Ticket, To, Subject and What; the last three share what the first two leave."""
    flexible = max(9, width - 2 - 13 - 7 - 2 * 5)
    to, subject = flexible * 3 // 10, flexible * 3 // 10
    return {"State": 13, "Ticket": 7, "To": to, "Subject": subject, "What": flexible - to - subject}


def outbox_cells(row: OutboxRow, widths: dict[str, int]) -> list[Text]:
    values = [state_word(row.state), f"#{row.ticket}" if row.ticket else "—", ", ".join(row.recipients.split()) or
              "(nobody)", row.subject or "(no subject)", outbox_detail(row)]  # fmt: skip
    return [Text(one_line(v, w)) for v, w in zip(values, widths.values(), strict=True)]


def detail_text(row: OutboxRow | None, width: int) -> Text:
    """The selected message in full: which, for what, how often tried, and the server's answer or the reason."""
    if row is None:
        return Text(one_line(EMPTY, width * 2))
    tried = f"{row.attempts} attempt{'s' if row.attempts != 1 else ''}"
    head = one_line(f"mail #{row.id} · {row.purpose or 'mail'} on #{row.ticket} · {state_word(row.state)} · {tried}"
                    f" · to {row.recipients or 'nobody'}", width)  # fmt: skip
    return Text(head + "\n" + one_line(outbox_detail(row), width * 2))


class MailOutboxScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """Mail going out that waits or needs a look, and what can be done about it."""

    BINDINGS = [
        Binding("r", "resend", "Resend", tooltip="Send the selected failed, unknown or held message again (asks first)",
                id="mail_outbox.resend"),
        Binding("s", "send_now", "Send now", tooltip="Send what waits now", id="mail_outbox.send"),
        Binding("enter,o", "read", "Read", tooltip="Read the selected message as it was composed (inert)",
                id="mail_outbox.read"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="mail_outbox.reload"),
        Binding("escape,q", "back", "Back", tooltip="Back", id="mail_outbox.back"),
    ]  # fmt: skip
    PALETTE = {
        "mail_outbox.resend": "Resend the selected message",
        "mail_outbox.send": "Send mail now",
        "mail_outbox.read": "Read the outgoing message",
        "mail_outbox.reload": "Reload",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Loaded(Message, bubble=False):
        rows: list[OutboxRow]
        state: OutboxStateRow

    @dataclass
    class Resent(Message, bubble=False):
        mail_id: int
        recipients: str | None
        error: str | None

    @dataclass
    class Composed(Message, bubble=False):
        mail_id: int
        message: OutgoingMessage

    def __init__(self, desk: Desk, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._now = now or desk.now
        self.rows: list[OutboxRow] | None = None  # None until loaded
        self.state: OutboxStateRow | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title="mail outbox")
        yield Static(Text("loading…"), id="outbox-state")
        yield RowTable(id="outbox-table")
        yield Static(Text(""), id="outbox-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.app.mail_sent.subscribe(self, self._sent, immediate=True)
        self.load()

    @property
    def table(self) -> RowTable:
        return self.query_one("#outbox-table", RowTable)

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, group="mail-outbox", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        rows, state = self.desk.outbox(), self.desk.outbox_state()
        rows.sort(key=lambda r: (_ORDER.get(r.state, 9), -r.id))
        self.post_message(self.Loaded(rows, state))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows, self.state = message.rows, message.state
        self._show()

    def _show(self) -> None:
        if self.rows is None:
            return
        width = self.size.width or 80
        widths = outbox_columns(width)
        relay = self.desk.mail_settings.relay.where if self.app.sends_mail and self.desk.mail_settings else None
        with self.app.batch_update():
            self.query_one("#outbox-state", Static).update(outbox_summary(self.state, self.rows, relay, width - 2))
            columns: list[Column] = list(widths.items())
            self.table.show(columns, [(r.id, outbox_cells(r, widths)) for r in self.rows])
            self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        self.query_one("#outbox-detail", Static).update(detail_text(self.current, (self.size.width or 80) - 2))

    @property
    def current(self) -> OutboxRow | None:
        key = self.table.current_key
        return next((r for r in self.rows or () if r.id == key), None)

    def on_resize(self) -> None:
        self._show()

    @on(DataTable.RowHighlighted, "#outbox-table")
    def _highlighted(self) -> None:
        if self.rows is not None:
            self._show_detail()

    def _sent(self, _news: None) -> None:
        """A send ended: what went leaves the list."""
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    # --- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "resend":
            return (self.current is not None and self.current.state in RESENDABLE) or None
        if action == "read":
            return self.current is not None or None
        if action == "send_now":
            return self.app.sends_mail or None
        return True

    @on(DataTable.RowSelected, "#outbox-table")
    def _chosen(self) -> None:
        self.action_read()

    @work(group="mail-outbox-resend", exclusive=True, exit_on_error=False)
    async def action_resend(self) -> None:
        row = self.current
        if row is None or row.state not in RESENDABLE:
            return
        to = one_line(", ".join(row.recipients.split()) or "nobody", 120)
        question = {
            "unknown": f"Mail #{row.id} may have reached {to} already. Send it again all the same?",
            "held": f"Mail #{row.id} was held: {one_line(row.reason, 120) or 'nobody to send it to'}. Try it again?",
        }.get(row.state, f"Send mail #{row.id} to {to} again?")
        if await self.app.push_screen_wait(ConfirmDialog(question, yes="Resend", no="Keep it")):
            self._resend(row.id)

    @work(thread=True, group="mail-outbox-change", exit_on_error=False)
    def _resend(self, mail_id: int) -> None:
        try:
            self.post_message(self.Resent(mail_id, self.desk.resend_mail(mail_id), None))
        except SportelloError as err:
            self.post_message(self.Resent(mail_id, None, err.message))

    @on(Resent)
    def _resent(self, message: Resent) -> None:
        if message.error:
            self.notify(one_line(message.error, 300), severity="warning", markup=False, timeout=10)
            return
        to = one_line(", ".join((message.recipients or "").split()), 120)
        sending = self.app.sends_mail
        self.notify(one_line(f"Mail #{message.mail_id} will be sent again to {to}"
                             + (" now." if sending else " by the next sender."), 300), markup=False)  # fmt: skip
        self.load()
        if sending:
            self.app.send_mail_now(background=True)
        self.app.read_outbox_state()

    def action_send_now(self) -> None:
        self.app.send_mail_now()

    def action_read(self) -> None:
        row = self.current
        if row is not None:
            self._read(row.id)

    @work(thread=True, group="mail-outbox-read", exclusive=True, exit_on_error=False)
    def _read(self, mail_id: int) -> None:
        self.post_message(self.Composed(mail_id, self.desk.outgoing(mail_id)))

    @on(Composed)
    def _composed(self, message: Composed) -> None:
        self.app.open_message(message.message.heading, message.message.text,
                              title=f"mail #{message.mail_id} as composed")  # fmt: skip

    def action_back(self) -> None:
        self.dismiss()
