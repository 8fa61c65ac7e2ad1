"""The mail quarantine (``Q``, or the palette): the messages that could not be processed, with why, to read as they
came and to run again once the cause is fixed.

Every field came in a message (sender, subject, the reason quoting it): each shows as inert one-line text, and
the raw message opens in the message viewer, which renders it inert too. ``r`` runs the selected message
again, ``R`` all of them; ``enter`` or ``o`` reads it as received.
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

from tui.desk.desk import Desk
from tui.desk.mail_rows import MailStateRow, QuarantineRow, RetryRow
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.text.labels import when
from tui.text.mail import size_text
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.row_table import Column, RowTable

__all__ = ["MailQuarantineScreen", "quarantine_columns", "quarantine_cells", "state_text", "retry_words"]

#: What the screen says when nothing waits.
EMPTY = "The quarantine is empty: every message fetched reached a ticket or was recorded as automatic mail."


def quarantine_columns(width: int) -> dict[str, int]:
    """Received, From, Subject and Reason; the last three share what the first leaves."""
    received = 16 if width >= 110 else 11
    flexible = max(6, width - 2 - received - 2 * 4)
    sender, subject = flexible * 3 // 10, flexible * 3 // 10
    return {"Received": received, "From": sender, "Subject": subject, "Reason": flexible - sender - subject}


def quarantine_cells(row: QuarantineRow, widths: dict[str, int]) -> list[Text]:
    received = f"{row.received_at:%Y-%m-%d %H:%M}" if widths["Received"] >= 16 else f"{row.received_at:%m-%d %H:%M}"
    values = [received, row.sender or "(no sender)", row.subject or "(no subject)", row.reason or "—"]
    return [Text(one_line(v, w)) for v, w in zip(values, widths.values(), strict=True)]


def state_text(rows: list[QuarantineRow], state: MailStateRow | None, width: int) -> Text:
    """``2 messages in quarantine · 14 received in 24 h, the last 2026-12-04 10:42`` (one inert line)."""
    count = len(rows)
    line = f"{count} message{'s' if count != 1 else ''} in quarantine" if count else "Nothing in quarantine"
    if state is not None:
        line += f" · {state.received_24h} received in 24 h"
        if state.last_received_at is not None:
            line += f", the last {when(state.last_received_at)} UTC"
    return Text(one_line(line, width), style="bold" if count else "")


def detail_text(row: QuarantineRow | None, width: int) -> Text:
    """The selected message in full: the reason (on up to three lines), where it came from, its size."""
    if row is None:
        return Text(one_line(EMPTY, width * 2))
    head = one_line(f"mail #{row.id} from {row.sender or '(no sender)'} · {size_text(row.size)} · "
                    f"{row.attempts} attempt{'s' if row.attempts != 1 else ''} · {row.source or 'unknown source'}",
                    width)  # fmt: skip
    reason = one_line(f"Why: {row.reason or '—'}", width * 2)
    return Text(head + "\n" + reason)


def retry_words(outcome: RetryRow) -> str:
    """``mail #3 → ticket #41: a new request`` or ``mail #3 is still in quarantine: …``."""
    if outcome.state == "quarantined":
        return one_line(f"mail #{outcome.mail_id} is still in quarantine: {outcome.why}", 300)
    where = f"ticket #{outcome.ticket}" if outcome.ticket else outcome.state
    return one_line(f"mail #{outcome.mail_id} → {where}: {outcome.why}", 300)


class MailQuarantineScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """Mail that could not be processed, and what can be done about it."""

    BINDINGS = [
        Binding("r", "retry", "Retry", tooltip="Process the selected message again", id="mail_quarantine.retry"),
        Binding(
            "R",
            "retry_all",
            "Retry all",
            tooltip="Process every message in quarantine again",
            id="mail_quarantine.retry_all",
        ),  # fmt: skip
        Binding(
            "enter,o", "read", "Read", tooltip="Read the selected message as it came (inert)", id="mail_quarantine.read"
        ),  # fmt: skip
        Binding("ctrl+r", "reload", "Reload", show=False, id="mail_quarantine.reload"),
        Binding("escape,q", "back", "Back", tooltip="Back", id="mail_quarantine.back"),
    ]
    PALETTE = {
        "mail_quarantine.retry": "Retry the selected message",
        "mail_quarantine.retry_all": "Retry every message in quarantine",
        "mail_quarantine.read": "Read the message as it came",
        "mail_quarantine.reload": "Reload",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Loaded(Message, bubble=False):
        rows: list[QuarantineRow]
        state: MailStateRow

    @dataclass
    class Retried(Message, bubble=False):
        outcomes: list[RetryRow]

    @dataclass
    class Raw(Message, bubble=False):
        heading: str
        text: str
        mail_id: int

    def __init__(self, desk: Desk, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._now = now or desk.now
        self.rows: list[QuarantineRow] | None = None  # None until loaded
        self.state: MailStateRow | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title="mail quarantine")
        yield Static(Text("loading…"), id="quarantine-state")
        yield RowTable(id="quarantine-table")
        yield Static(Text(""), id="quarantine-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.app.mail_fetched.subscribe(self, self._fetched, immediate=True)
        self.load()

    @property
    def table(self) -> RowTable:
        return self.query_one("#quarantine-table", RowTable)

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, group="mail-quarantine", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        rows, state = self.desk.quarantine(), self.desk.mail_state()
        self.post_message(self.Loaded(rows, state))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows, self.state = message.rows, message.state
        self._show()

    def _show(self) -> None:
        if self.rows is None:
            return
        width = self.size.width or 80
        widths = quarantine_columns(width)
        with self.app.batch_update():
            self.query_one("#quarantine-state", Static).update(state_text(self.rows, self.state, width - 2))
            columns: list[Column] = list(widths.items())
            self.table.show(columns, [(r.id, quarantine_cells(r, widths)) for r in self.rows])
            self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        self.query_one("#quarantine-detail", Static).update(detail_text(self.current, (self.size.width or 80) - 2))

    @property
    def current(self) -> QuarantineRow | None:
        key = self.table.current_key
        return next((r for r in self.rows or () if r.id == key), None)

    def on_resize(self) -> None:
        self._show()

    @on(DataTable.RowHighlighted, "#quarantine-table")
    def _highlighted(self) -> None:
        if self.rows is not None:
            self._show_detail()

    def _fetched(self, _news: None) -> None:
        """A fetch ended: what it quarantined shows."""
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    # --- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("retry", "read"):
            return self.current is not None or None
        if action == "retry_all":
            return bool(self.rows) or None
        return True

    @on(DataTable.RowSelected, "#quarantine-table")
    def _chosen(self) -> None:
        self.action_read()

    def action_retry(self) -> None:
        row = self.current
        if row is not None:
            self._retry([row.id])

    def action_retry_all(self) -> None:
        if self.rows:
            self._retry(None)

    @work(thread=True, group="mail-retry", exclusive=True, exit_on_error=False)
    def _retry(self, mail_ids: list[int] | None) -> None:
        self.post_message(self.Retried(self.desk.retry_mail(mail_ids)))

    @on(Retried)
    def _retried(self, message: Retried) -> None:
        outcomes = message.outcomes
        if not outcomes:
            self.notify("The quarantine is empty.", markup=False)
        for outcome in outcomes[:5]:
            stuck = outcome.state == "quarantined"
            self.notify(retry_words(outcome), severity="warning" if stuck else "information", markup=False)
        if len(outcomes) > 5:
            done = sum(o.state != "quarantined" for o in outcomes)
            self.notify(f"… {len(outcomes)} run again: {done} left the quarantine.", markup=False)
        self.load()
        self.app.read_mail_state()

    def action_read(self) -> None:
        row = self.current
        if row is not None:
            self._read_raw(row.id)

    @work(thread=True, group="mail-raw", exclusive=True, exit_on_error=False)
    def _read_raw(self, mail_id: int) -> None:
        heading, text = self.desk.mail_raw(mail_id)
        self.post_message(self.Raw(heading, text, mail_id))

    @on(Raw)
    def _raw(self, message: Raw) -> None:
        self.app.open_message(message.heading, message.text, title=f"mail #{message.mail_id} as received")

    def action_back(self) -> None:
        self.dismiss()
