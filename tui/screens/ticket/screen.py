"""The ticket screen itself: its keys, layout, messages, loading and following the ticket; the composer, the FAQ,
the changes and the mail are mixins of their own modules."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui.desk.desk import Desk, TicketView
from tui.desk.mail_out_rows import DeliveryRow
from tui.desk.mail_rows import TicketMail
from tui.errors import ReportWorkerErrors
from tui.news import FollowsDesk
from tui.palette import PaletteCommands
from tui.screens.ticket.changes import TicketChanges
from tui.screens.ticket.composer import TicketComposing
from tui.screens.ticket.faq import TicketFAQ
from tui.screens.ticket.mail import TicketMailing
from tui.screens.ticket.mail_out import TicketMailOut
from tui.text.safe import one_line
from tui.text.ticket_header import ticket_header
from tui.widgets.composer import NOTE, REPLY, Composer
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.timeline import Timeline

__all__ = ["TicketScreen"]


class TicketScreen(
    TicketComposing,
    TicketFAQ,
    TicketChanges,
    TicketMailing,
    TicketMailOut,
    FollowsDesk,
    PaletteCommands,
    ReportWorkerErrors,
    Screen,
):
    """A ticket's full story, and everything that can be done to it."""

    BINDINGS = [
        Binding("r", "compose('reply')", "Reply", tooltip="Public reply to the customer", id="ticket.reply"),
        Binding("n", "compose('note')", "Note", tooltip="Internal note (agents only)", id="ticket.note"),
        Binding("s", "status", "Status", tooltip="Set status", id="ticket.status"),
        Binding("p", "priority", "Prio", tooltip="Set priority, with a reason", id="ticket.priority"),
        Binding("a", "assign", "Assign", tooltip="Assign to an agent", id="ticket.assign"),
        Binding("A", "take", "Take", show=False, tooltip="Assign to me", id="ticket.take"),
        Binding("t", "tags", "Tags", tooltip="Add or remove tags", id="ticket.tags"),
        Binding(
            "m", "merge", "Merge", show=False, tooltip="Merge this ticket into another (asks first)", id="ticket.merge"
        ),
        Binding(
            "v",
            "toggle_view",
            "Cust. view",
            tooltip="Show exactly what the customer may see",
            id="ticket.customer_view",
        ),
        Binding("e", "editor", "$EDITOR", show=False, tooltip="Write the reply in $EDITOR", id="ticket.editor"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="ticket.reload"),
        Binding(
            "i",
            "insert_faq",
            "Insert FAQ",
            tooltip="Insert an FAQ article into the reply (and link it)",
            id="ticket.insert_faq",
        ),
        Binding(
            "x",
            "extract_faq",
            "Extract FAQ",
            show=False,
            tooltip="Extract to FAQ: a draft article from the latest reply",
            id="ticket.extract_faq",
        ),
        Binding("f", "faq", "FAQ", show=False, tooltip="The FAQ: search, read, edit", id="ticket.faq"),
        Binding("escape", "close", "Close", show=False, tooltip="Close the draft, else back", id="ticket.close"),
        Binding("q", "back", "Back", tooltip="Back to the queue (a draft is kept)", id="ticket.back"),
    ]
    PALETTE = {
        "ticket.reply": "Reply",
        "ticket.note": "Internal note",
        "ticket.status": "Set status",
        "ticket.priority": "Set priority",
        "ticket.assign": "Assign",
        "ticket.take": "Take",
        "ticket.tags": "Tags",
        "ticket.merge": "Merge into another ticket",
        "ticket.customer_view": "Customer view",
        "ticket.editor": "Edit draft in $EDITOR",
        "ticket.insert_faq": "Insert FAQ",
        "ticket.extract_faq": "Extract to FAQ",
        "ticket.faq": "FAQ",
        "ticket.reload": "Reload",
        "ticket.back": "Back to the queue",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Loaded(Message, bubble=False):
        view: TicketView
        mail: TicketMail | None = None
        deliveries: dict[int, DeliveryRow] | None = None  # event id -> the delivery record it is

    @dataclass
    class Moved(Message, bubble=False):
        """The ticket moved on to ``version``; ``told``: others' changes up to it were told."""

        version: int
        told: bool

    @dataclass
    class Sent(Message, bubble=False):
        body: str
        kind: str = REPLY

    class Reload(Message, bubble=False):
        """A change was made, or refused: show the ticket as it is now."""

    def __init__(self, desk: Desk, number: int, *, now=None) -> None:
        super().__init__()
        self.desk = desk
        self.number = number
        self._now = now or desk.now
        self.view: TicketView | None = None
        self.customer_view = False
        self.seen_change = 0
        self._compose_version: int | None = None  # the version on screen when the composer opened
        self._noticed_version = 0  # others' changes up to this version were told already

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title=f"ticket #{self.number}")
        yield Static(Text(f"#{self.number} loading…"), id="ticket-header")
        yield Timeline(id="timeline")
        yield Composer(blink=self.app.blink, id="composer")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.composer.display = False
        self.seen_change = self.app.latest_change
        self.follow_desk()
        self.app.quitting.subscribe(self, self._quitting, immediate=True)
        self.follow_mail_out()
        self.load()
        drafts = self.app.drafts  # this agent's, kept in the desk: they outlive the app
        for kind in (REPLY, NOTE):
            if drafts.get((self.number, kind)):
                # The draft comes back with the focus in it, so that typing goes on and ctrl+s sends.
                self.composer.start(kind, drafts[(self.number, kind)])
                self.show_mail_lines()
                self.notify(f"Your unsent {kind} is back.", markup=False)
                break
        else:
            self.timeline.focus()

    @property
    def timeline(self) -> Timeline:
        return self.query_one("#timeline", Timeline)

    @property
    def composer(self) -> Composer:
        return self.query_one("#composer", Composer)

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, group="ticket-load", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        view = self.desk.ticket(self.number, customer_view=self.customer_view)
        self.post_message(self.Loaded(view, self._read_mail(view), self._read_deliveries(view)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        view = message.view
        if view.customer_view != self.customer_view:
            return  # the toggle moved on while this loaded
        self.view, self.mail = view, message.mail
        if self._compose_version is None and self.composer.display:
            self._compose_version = view.version  # a draft brought back: from the version first seen
        self._show_header()
        self.timeline.show(view, self.mail.parts if self.mail else None, self._mail_keys(), message.deliveries)
        if self.composer.display and self.composer.kind == REPLY and self.desk.mail_configured:
            self.show_mail_lines()  # the participants or an address may have changed
        self.refresh_bindings()

    def _show_header(self) -> None:
        if self.view is not None:
            header = self.query_one("#ticket-header", Static)
            width = max(20, header.content_region.width or self.size.width - 2)
            text, bounced = ticket_header(self.view, self._now(), width), self._bounced_lines(width)
            header.update(Text("\n").join([text, *bounced]) if bounced else text)

    def on_resize(self) -> None:
        self._show_header()

    def desk_changed(self, change: int) -> None:
        """Something changed on the desk: reload if it was this ticket (a version check first)."""
        if change != self.seen_change:
            self.seen_change = change
            self._reload_if_changed()

    @work(thread=True, group="ticket-check", exclusive=True, exit_on_error=False)
    def _reload_if_changed(self) -> None:
        view = self.view
        version = self.desk.ticket_version(self.number)
        if view is None or version != view.version:
            since = max(view.version, self._noticed_version) if view is not None else version
            told = version > since
            if told:  # who changed what: others' changes only, each told once
                changes = self.desk.changes_by_others(self.number, since)
                if changes:
                    shown = "; ".join(changes[:3]) + (f"; and {len(changes) - 3} more" if len(changes) > 3 else "")
                    self.notify(one_line(shown, 300), title=f"#{self.number} changed", markup=False, timeout=8)
            self.post_message(self.Moved(version, told))

    @on(Moved)
    def _moved(self, message: Moved) -> None:
        if message.told:
            self._noticed_version = max(self._noticed_version, message.version)
        self.load()

    @on(Reload)
    def _reload(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.desk_changed(self.app.latest_change)

    @on(Timeline.ReadMessage)
    def read_message(self, event: Timeline.ReadMessage) -> None:
        self.app.open_message(event.heading, event.body, title=event.title)

    def action_reload(self) -> None:
        self.load()

    def action_toggle_view(self) -> None:
        self.customer_view = not self.customer_view
        self.load()

    def action_faq(self) -> None:
        self.app.open_faq()

    # --- composing -----------------------------------------------------------------------

    @on(Composer.Close)
    def composer_close(self) -> None:
        self.action_close()

    @on(Composer.DraftChanged)
    def keep_draft(self, event: Composer.DraftChanged) -> None:
        """Every change lands in the app's draft book; the desk gets it once typing pauses."""
        self.app.drafts.put(self.number, event.kind, event.body)
        self.app.save_drafts_soon()

    @on(Composer.Send)
    def send(self, event: Composer.Send) -> None:
        if not event.body.strip():
            self.notify("The message is empty.", severity="warning", markup=False)
            return
        self._send_checked(event.kind, event.body, self.view.version if self.view else None)

    @on(Sent)
    def _sent(self, message: Sent) -> None:
        self._show_sent(message.body)
        if message.kind == REPLY:
            self.app.send_mail_soon()

    @on(Composer.Edit)
    def composer_edit(self) -> None:
        self.action_editor()

    # --- changing the ticket -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in (
            "status",
            "priority",
            "assign",
            "take",
            "tags",
            "merge",
            "compose",
            "editor",
            "insert_faq",
            "extract_faq",
        ):
            return self.view is not None and not self.customer_view or None
        return True
