"""The ticket screen's mail going out: with mail configured, the composer shows what a public reply sends — to whom
(the customer and the participants; undeliverable addresses marked and left out) and with which subject — and
that an internal note sends nothing; before a reply is added the whole message shows as the outbox composes it
(``models.mail.compose``, through the desk), to send or keep editing. After a reply the app sends soon.

Without mail configured none of this shows: the composer is as it always was.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.message import Message

from models.errors import SportelloError
from tui.desk.mail_out_rows import ReplyPreview
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.mail_preview import MailPreviewDialog
from tui.text.mail_out import NOTE_LINE, preview_lines
from tui.text.safe import one_line
from tui.widgets.composer import NOTE, REPLY

__all__ = ["TicketMailOut"]


class TicketMailOut:
    """Mail out on :class:`~tui.screens.ticket.screen.TicketScreen`, a mixin of it: the composer calls
    :meth:`show_mail_lines` when it opens, and :meth:`confirm_mail` before a reply is added."""

    @dataclass
    class MailPreviewed(Message, bubble=False):
        preview: ReplyPreview | None
        error: str | None

    _mail_preview: ReplyPreview | None = None

    def follow_mail_out(self) -> None:
        """(From ``on_mount``.) After each send the ticket is checked, so its delivery records show at once."""
        self.app.mail_sent.subscribe(self, self._mail_went, immediate=True)

    def _mail_went(self, _news: None) -> None:
        if self.app.screen is self:
            self._reload_if_changed()

    def show_mail_lines(self) -> None:
        """The composer opened, changed kind, or the ticket reloaded: say what goes out by mail."""
        composer = self.composer
        if not self.desk.mail_configured or not composer.display:
            composer.show_mail(None)
            return
        if composer.kind == NOTE:
            composer.show_mail(lambda width: Text(one_line(NOTE_LINE, width)))
            return
        preview = self._mail_preview
        composer.show_mail(lambda width: preview_lines(preview, None, width))
        self._read_preview()

    @work(thread=True, group="ticket-mail-preview", exclusive=True, exit_on_error=False)
    def _read_preview(self) -> None:
        try:
            self.post_message(self.MailPreviewed(self.desk.reply_preview(self.number), None))
        except SportelloError as err:
            self.post_message(self.MailPreviewed(None, err.message))

    def on_ticket_mail_out_mail_previewed(self, message: MailPreviewed) -> None:
        self._mail_preview = message.preview
        if self.composer.display and self.composer.kind == REPLY:
            self.composer.show_mail(lambda width: preview_lines(message.preview, message.error, width))

    def _compose_for_confirmation(self, body: str) -> tuple[ReplyPreview | None, str | None]:
        try:
            return self.desk.reply_preview(self.number, body), None
        except SportelloError as err:
            return None, err.message

    async def confirm_mail(self, body: str) -> bool:
        """Before a public reply is added: the whole message as it will go out, and whether to send it (True
        without mail configured: nothing to show)."""
        if not self.desk.mail_configured:
            return True
        found = await self._in_thread(lambda: self._compose_for_confirmation(body))
        if found is None:
            return False  # the worker failed; the app said why
        preview, error = found
        if preview is None:
            question = one_line(f"The mail could not be composed to show it: {error}. Add the reply all the same?", 300)
            return bool(await self.app.push_screen_wait(ConfirmDialog(question, yes="Add it", no="Keep editing")))
        self._mail_preview = preview
        return bool(await self.app.push_screen_wait(MailPreviewDialog(preview)))

    def mailed_words(self) -> str:
        """What the notice after a reply says about its mail."""
        preview = self._mail_preview
        if not self.desk.mail_configured or preview is None:
            return "Reply sent to the customer."
        if preview.problem:
            return one_line(f"Reply added; no mail: {preview.problem}.", 300)
        who = ", ".join(preview.recipients)
        when = "now" if self.app.sends_mail else "with the next send (sportello mail send)"
        return one_line(f"Reply added; it goes by mail to {who} {when}.", 300)
