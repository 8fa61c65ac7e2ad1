"""The ticket screen's composer: a reply or note started, kept as a draft, sent (asking first on a ticket ended
meanwhile; with mail configured, a reply after the last look at its mail: :mod:`tui.screens.ticket.mail_out`),
handed to $EDITOR, closed or discarded."""

from __future__ import annotations

from textual import work

from models.errors import Conflict
from tui.dialogs.confirm import ConfirmDialog
from tui.news import Quitting
from tui.terminal.editor import edit_externally
from tui.text.safe import one_line
from tui.widgets.composer import REPLY

__all__ = ["TicketComposing"]


class TicketComposing:
    """Writing on the ticket of :class:`~tui.screens.ticket.screen.TicketScreen`, a mixin of it; the screen's
    handlers of the composer's messages and of ``Sent`` call in here."""

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

    def action_compose(self, kind: str) -> None:
        if self.composer.display and self.composer.kind != kind and self.composer.draft.strip():
            self.notify("Finish or close the draft you are writing first.", severity="warning", markup=False)
            self.composer.area.focus()
            return
        draft = self.app.drafts.get((self.number, kind), "")
        if not self.composer.display or self.composer.kind != kind:
            self._compose_version = self.view.version if self.view else None
        self.composer.start(kind, draft)
        self.show_mail_lines()
        self.refresh_bindings()

    def _forget_draft(self, kind: str) -> None:
        self.app.drafts.forget(self.number, kind)
        self.app.save_drafts()

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
        if kind == REPLY and not await self.confirm_mail(body):
            self.composer.area.focus()
            return
        self._send(kind, body, version)

    @work(thread=True, group="ticket-send", exclusive=True, exit_on_error=False)
    def _send(self, kind: str, body: str, version: int | None) -> None:
        try:
            self.app.drafts.send(self.number, kind, body, version)  # the draft goes in the same transaction
        except Conflict as err:
            self._conflict(err.message)
            return
        self.notify(self.mailed_words() if kind == REPLY else "Internal note added.", markup=False)
        self.post_message(self.Sent(body, kind))

    def _show_sent(self, body: str) -> None:
        if self.composer.draft == body:  # nothing typed meanwhile
            self.composer.set_text("")
            self.composer.display = False
            self.timeline.focus()
            self._compose_version = None
        self.app.save_drafts()  # text typed after ctrl+s is a draft again
        self.load()

    def action_editor(self) -> None:
        if not self.composer.display:
            self.action_compose(REPLY)
        edited = edit_externally(self.app, self.composer.draft, prefix=f"sportello-{self.number}-")
        if edited is not None:
            self.composer.set_text(edited)
