"""One ticket: its header, its timeline (all of it, or the customer's view), the composer and the actions."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from models.errors import Conflict, SportelloError
from tui.desk.desk import Desk, TicketView
from tui.dialogs import flows
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.errors import ReportWorkerErrors
from tui.news import FollowsDesk, Quitting
from tui.palette import PaletteCommands
from tui.terminal.editor import edit_externally
from tui.text.safe import one_line, safe_text
from tui.text.ticket_header import ticket_header
from tui.widgets.composer import NOTE, REPLY, Composer
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.timeline import Timeline

__all__ = ["TicketScreen"]


class TicketScreen(FollowsDesk, PaletteCommands, ReportWorkerErrors, Screen):
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

    @dataclass
    class Moved(Message, bubble=False):
        """The ticket moved on to ``version``; ``told``: others' changes up to it were told."""

        version: int
        told: bool

    @dataclass
    class Sent(Message, bubble=False):
        body: str

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
        self.load()
        drafts = self.app.drafts  # this agent's, kept in the desk: they outlive the app
        for kind in (REPLY, NOTE):
            if drafts.get((self.number, kind)):
                # The draft comes back with the focus in it, so that typing goes on and ctrl+s sends.
                self.composer.start(kind, drafts[(self.number, kind)])
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
        self.post_message(self.Loaded(view))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        view = message.view
        if view.customer_view != self.customer_view:
            return  # the toggle moved on while this loaded
        self.view = view
        if self._compose_version is None and self.composer.display:
            self._compose_version = view.version  # a draft brought back: from the version first seen
        self._show_header()
        self.timeline.show(view)
        self.refresh_bindings()

    def _show_header(self) -> None:
        if self.view is not None:
            header = self.query_one("#ticket-header", Static)
            width = max(20, header.content_region.width or self.size.width - 2)
            header.update(ticket_header(self.view, self._now(), width))

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

    # --- closing -------------------------------------------------------------------------

    @work(group="ticket-close", exclusive=True, exit_on_error=False)
    async def action_close(self) -> None:
        if self.composer.display:
            await self._close_composer()
            return
        self.dismiss()

    def action_back(self) -> None:
        """Back to the queue; an unsent draft is kept in the desk and comes back with the ticket."""
        if self.composer.draft.strip():
            self.notify(f"Draft for #{self.number} kept; open the ticket again to finish it.", markup=False)
        self.app.save_drafts()
        self.dismiss()

    async def _close_composer(self) -> None:
        if self.composer.draft.strip():
            if not await self.app.push_screen_wait(
                ConfirmDialog("Discard this draft?", yes="Discard", no="Keep editing")
            ):
                self.composer.area.focus()
                return
        self._forget_draft(self.composer.kind)
        self.composer.set_text("")
        self.composer.display = False
        self._compose_version = None
        self.timeline.focus()

    def keep_typed_draft(self) -> None:
        """Put what the composer holds into the app's drafts now (the app is quitting)."""
        if self.composer.display:
            self.app.drafts.put(self.number, self.composer.kind, self.composer.draft)

    def _quitting(self, _news: Quitting) -> None:
        self.keep_typed_draft()

    @on(Composer.Close)
    def composer_close(self) -> None:
        self.action_close()

    # --- composing -----------------------------------------------------------------------

    def action_compose(self, kind: str) -> None:
        if self.composer.display and self.composer.kind != kind and self.composer.draft.strip():
            self.notify("Finish or close the draft you are writing first.", severity="warning", markup=False)
            self.composer.area.focus()
            return
        draft = self.app.drafts.get((self.number, kind), "")
        if not self.composer.display or self.composer.kind != kind:
            self._compose_version = self.view.version if self.view else None
        self.composer.start(kind, draft)
        self.refresh_bindings()

    @on(Composer.DraftChanged)
    def keep_draft(self, event: Composer.DraftChanged) -> None:
        """Every change lands in the app's draft book; the desk gets it once typing pauses."""
        self.app.drafts.put(self.number, event.kind, event.body)
        self.app.save_drafts_soon()

    def _forget_draft(self, kind: str) -> None:
        self.app.drafts.forget(self.number, kind)
        self.app.save_drafts()

    @on(Composer.Send)
    def send(self, event: Composer.Send) -> None:
        if not event.body.strip():
            self.notify("The message is empty.", severity="warning", markup=False)
            return
        self._send_checked(event.kind, event.body, self.view.version if self.view else None)

    @work(group="ticket-send-check", exclusive=True, exit_on_error=False)
    async def _send_checked(self, kind: str, body: str, version: int | None) -> None:
        """A reply to a ticket resolved or closed since the composer opened asks first."""
        since = self._compose_version if self._compose_version is not None else version
        if kind == REPLY and since is not None:
            ended = await self._in_thread(lambda: self.desk.ended_since(self.number, since))
            if ended is not None:
                status, who, current = ended
                if status == "closed":
                    self.notify(one_line(f"#{self.number} was closed by {who} meanwhile: it takes no reply. "
                                         "Your draft is kept.", 300), severity="warning", markup=False, timeout=10)  # fmt: skip
                    return
                question = one_line(f"#{self.number} was {status} by {who} meanwhile. Send anyway?", 300)
                if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Send", no="Keep the draft")):
                    self.composer.area.focus()
                    return
                version = self._compose_version = current  # sent on the state the agent was just told of
        self._send(kind, body, version)

    @work(thread=True, group="ticket-send", exclusive=True, exit_on_error=False)
    def _send(self, kind: str, body: str, version: int | None) -> None:
        try:
            self.app.drafts.send(self.number, kind, body, version)  # the draft goes in the same transaction
        except Conflict as err:
            self._conflict(err.message)
            return
        self.notify("Reply sent to the customer." if kind == REPLY else "Internal note added.", markup=False)
        self.post_message(self.Sent(body))

    @on(Sent)
    def _sent(self, message: Sent) -> None:
        body = message.body
        if self.composer.draft == body:  # nothing typed meanwhile
            self.composer.set_text("")
            self.composer.display = False
            self.timeline.focus()
            self._compose_version = None
        self.app.save_drafts()  # text typed after ctrl+s is a draft again
        self.load()

    def _conflict(self, message: str, *, draft_kept: bool = True) -> None:
        """(In a worker thread) a send or a change met a newer version: say so, and reload."""
        tail = (
            " — the ticket is refreshed; your draft is kept."
            if draft_kept
            else " — the ticket is refreshed; nothing was changed."
        )
        self.notify(one_line(message, 400) + tail, severity="warning", markup=False, timeout=10)
        self.post_message(self.Reload())

    @on(Composer.Edit)
    def composer_edit(self) -> None:
        self.action_editor()

    def action_editor(self) -> None:
        if not self.composer.display:
            self.action_compose(REPLY)
        edited = edit_externally(self.app, self.composer.draft, prefix=f"sportello-{self.number}-")
        if edited is not None:
            self.composer.set_text(edited)

    # --- the FAQ -------------------------------------------------------------------------

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_insert_faq(self) -> None:
        """Pick an FAQ article; its text goes at the end of the reply draft, and the ticket links to it
        when the reply is sent (a discarded draft links nothing)."""
        from tui.dialogs.faq_picker import FAQPicker

        if self.composer.display and self.composer.kind != REPLY and self.composer.draft.strip():
            self.notify(
                "Finish or close the note you are writing first: FAQ articles go into replies.",
                severity="warning",
                markup=False,
            )
            self.composer.area.focus()
            return
        linked = [number for number, _ in self.view.faqs] if self.view else []
        article_id = await self.app.push_screen_wait(FAQPicker(self.desk, self.number, linked=linked))
        if article_id is None:
            return
        article = await self._in_thread(lambda: self.desk.faq_article(article_id))
        if article is None:
            return
        if not (self.composer.display and self.composer.kind == REPLY):
            self.action_compose(REPLY)
        area = self.composer.area
        draft = area.text
        gap = "" if not draft.strip() or draft.endswith("\n\n") else ("\n" if draft.endswith("\n") else "\n\n")
        area.insert(gap + safe_text(article.body).strip("\n") + "\n", area.document.end)  # appended, one undo step
        area.move_cursor(area.document.end)
        area.focus()
        self.app.drafts.put(self.number, REPLY, area.text)
        self.app.drafts.add_faq(self.number, REPLY, article.id)
        self.app.save_drafts_soon()
        self.notify(f"FAQ #{article.id} inserted into the reply; it will be linked to #{self.number} when the reply is sent.",
                    markup=False)  # fmt: skip

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_extract_faq(self) -> None:
        """A draft FAQ article from this ticket (its latest agent reply), opened in the editor."""
        if self.view is None:
            return
        title = await self.app.push_screen_wait(
            TextPrompt(
                "Extract to FAQ: title of the new draft (its text is the latest reply)",
                value=one_line(self.view.subject, 300),
                max_length=300,
            )
        )
        if title is None:
            return
        article = await self._in_thread(lambda: self.desk.faq_extract(self.number, title=title))
        if article is None:
            return
        self.notify(f"Draft FAQ #{article.id} created from #{self.number}.", markup=False)
        self.load()
        self.app.open_faq_editor(article.id)

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

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_status(self) -> None:
        if self.view:
            view = self.view  # the version on screen when s was pressed, whatever reloads meanwhile
            self._apply(await flows.ask_status(self.app, list(view.next_statuses), view.status), view.version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_priority(self) -> None:
        if self.view:
            view = self.view  # the version on screen when p was pressed: three prompts leave time for others
            self._apply(await flows.ask_priority(self.app, view.priority), view.version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_assign(self) -> None:
        view = self.view  # the version on screen when a was pressed
        if view is None:
            return
        agents = await self._in_thread(self.desk.agent_logins)
        if agents is not None:
            self._apply(await flows.ask_assignee(self.app, agents, view.assignee), view.version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_take(self) -> None:
        if self.view is None:
            return
        version = self.view.version  # as on screen when A was pressed, whatever reloads meanwhile
        asked = await flows.ask_take(self.app, self.desk.me.login, {self.number: self.view.assignee})
        if asked is not None:
            self._change(*asked, version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_tags(self) -> None:
        if self.view is None:
            return
        view = self.view  # the tags and the version on screen when t was pressed
        known = await self._in_thread(self.desk.tag_names)
        asked = await flows.ask_tags(self.app, view.tags, known, [self.number]) if known is not None else None
        if asked is None:
            return
        change, what = asked
        outcome = await flows.apply_one(self, self.desk, change, self.number, view.version)
        if outcome is None:
            return
        if outcome.error is None:
            self.notify(one_line(f"#{self.number}: {what}", 200), markup=False)
        else:
            message = f"{outcome.error} — the ticket is refreshed; {flows.TAGS_KEPT}"
            self.notify(one_line(message, 400), severity="warning", markup=False, timeout=10)
        self.load()

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_merge(self) -> None:
        if self.view is None:
            return
        version = self.view.version  # as on screen when m was pressed, whatever reloads meanwhile
        asked = await flows.ask_merge(self, self.desk, self.number)
        if asked is not None:
            self._change(*asked, version)

    async def _in_thread(self, fn):
        return await flows.in_thread(self, fn)

    def _apply(self, asked, version: int) -> None:
        """Make the change asked for, carrying ``version``: the one on screen when the action began."""
        if asked is None:
            return
        change, what = asked
        self._change(change, what, version)

    @work(thread=True, group="ticket-change", exit_on_error=False)
    def _change(self, change, what: str, version: int) -> None:
        try:
            change(self.desk, self.number, version)
        except Conflict as err:
            self._conflict(err.message, draft_kept=False)
            return
        except SportelloError as err:
            self.notify(one_line(f"#{self.number}: {err.message}", 400), severity="warning", markup=False, timeout=10)
            return
        self.notify(one_line(f"#{self.number}: {what}", 200), markup=False)
        self.post_message(self.Reload())
