"""The ticket screen's mail: reading the message behind each event that came by mail with the ticket, what the
timeline's mail keys ask of the message under its cursor — its attachments saved into a folder (``w``), moved to
another ticket (``M``) or split into a new one (``S``) — and the header's warning when the customer's address
bounced for good. (Folding the quoted history, ``z``, is the timeline's own.)"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.message import Message

from models.errors import SportelloError
from tui.desk.mail_out_rows import DeliveryRow
from tui.desk.mail_rows import MailPart, SavedFile, TicketMail
from tui.dialogs.text_prompt import TextPrompt
from tui.keys import bindings_of, keys_text
from tui.palette import Command, binding_commands
from tui.text.mail import bounced_line, size_text
from tui.text.safe import one_line
from tui.widgets.timeline import Timeline
from tui.widgets.timeline_mail import TimelineMail

__all__ = ["TicketMailing", "PALETTE"]

#: The timeline's mail keys the palette offers (binding id -> title), while the ticket has mail.
PALETTE = {
    "timeline.quoted": "Show or fold the mail's quoted text",
    "timeline.save_attachments": "Save the mail's attachments",
    "timeline.move_mail": "Move the mail to another ticket",
    "timeline.split_mail": "Split the mail into a new ticket",
}


class TicketMailing:
    """The mail of :class:`~tui.screens.ticket.screen.TicketScreen`, a mixin of it; the screen's load worker
    reads :class:`TicketMail` with the ticket (:meth:`_read_mail`)."""

    @dataclass
    class AttachmentsSaved(Message, bubble=False):
        saved: list[SavedFile]
        problems: list[str]

    mail: TicketMail | None = None

    def _read_mail(self, view) -> TicketMail:
        """(In the load worker) what the ticket shows of mail: the message behind each of its messages."""
        ids = [e.id for e in view.events if e.kind in ("created", "reply", "note")]
        return self.desk.ticket_mail(self.number, ids)

    def _read_deliveries(self, view) -> dict[int, DeliveryRow]:
        """(In the load worker) the delivery records among the ticket's internal mail events, each with the event
        its message is about (none on a ticket that never had mail: no query)."""
        ids = [e.id for e in view.events if e.kind == "mail" and e.internal]
        return self.desk.deliveries(self.number, ids)

    def _mail_keys(self) -> tuple[str, str]:
        """The keys that unfold the quoted history and save attachments, as the keymap has them."""
        bindings, keymap = bindings_of([Timeline]), self.app.keymap
        fold, save = bindings["timeline.quoted"], bindings["timeline.save_attachments"]
        return keys_text(fold, keymap, "/"), keys_text(save, keymap, "/")

    def _bounced_lines(self, width: int) -> list[Text]:
        """``⚠ mail to ann@example.com bounced: …`` for each of the ticket's people whose mail bounced for good."""
        if self.mail is None or self.view is None or self.view.customer_view:
            return []
        return [Text(bounced_line(email, role, problem, width), style="bold")
                for email, role, problem in self.mail.undeliverable]  # fmt: skip

    def palette_commands(self) -> list[Command]:
        """The screen's entries, and the timeline's mail keys while the ticket has mail."""
        commands = super().palette_commands()  # type: ignore[misc]
        return commands + binding_commands(self.timeline, PALETTE, self.app.keymap)

    def on_timeline_mail_mail_action(self, event: TimelineMail.MailAction) -> None:
        """``w``, ``M`` or ``S`` on a message that came by mail."""
        if event.what != "save" and (self.view is None or self.view.customer_view):
            self.notify("Leave the customer view (v) to move a message.", markup=False)
            return
        {"save": self.save_attachments, "move": self.move_mail, "split": self.split_mail}[event.what](event.part)

    # --- attachments -----------------------------------------------------------------------

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def save_attachments(self, part: MailPart) -> None:
        """Ask for a folder (the current one to begin with), then save the attachments of ``part`` there."""
        if not part.attachments:
            self.notify("This message has no attachments.", markup=False)
            return
        count = len(part.attachments)
        what = f"its {count} attachments" if count > 1 else f"{one_line(part.attachments[0].filename, 40)!r}"
        folder = await self.app.push_screen_wait(
            TextPrompt(f"Save {what} into which folder? (nothing is overwritten)", value=os.getcwd(), max_length=4096)
        )
        if folder is not None:
            self._save_attachments(part, folder)

    @work(thread=True, group="ticket-save", exit_on_error=False)
    def _save_attachments(self, part: MailPart, folder: str) -> None:
        target = Path(folder).expanduser()
        if not target.is_dir():
            self.post_message(self.AttachmentsSaved([], [f"{folder} is not a folder: nothing was saved"]))
            return
        saved, problems = [], []
        for attachment in part.attachments:
            try:
                saved.append(self.desk.save_attachment(attachment.mail_id, attachment.position, target))
            except SportelloError as err:
                problems.append(err.message)
        self.post_message(self.AttachmentsSaved(saved, problems))

    def on_ticket_mailing_attachments_saved(self, message: AttachmentsSaved) -> None:
        for saved in message.saved:
            self.notify(one_line(f"Saved {saved.path} ({size_text(saved.size)})", 300), markup=False)
        for problem in message.problems:
            self.notify(one_line(problem, 300), severity="error", markup=False, timeout=10)

    # --- a message on the wrong ticket -----------------------------------------------------

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def move_mail(self, part: MailPart) -> None:
        """Ask which ticket ``part`` belongs on and why, then move it there."""
        who = one_line(part.sender, 40)
        typed = await self.app.push_screen_wait(
            TextPrompt(
                f"Move mail #{part.mail_id} from {who} to which ticket?",
                placeholder="its number, e.g. 1234",
                max_length=12,
            )  # fmt: skip
        )
        if typed is None:
            return
        digits = typed.removeprefix("#")
        target = int(digits) if digits.isascii() and digits.isdecimal() else None
        if target is None or not 0 < target < 2**31 or target == self.number:
            self.notify(one_line(f"{typed!r} is not another ticket's number.", 200), severity="warning", markup=False)
            return
        reason = await self.app.push_screen_wait(
            TextPrompt(f"Why does it belong on #{target}? Both timelines say so.", placeholder="e.g. the same order")
        )
        if reason is not None:
            self._move(lambda: self.desk.move_mail(part.mail_id, target, reason), f"mail #{part.mail_id} is now on #")

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def split_mail(self, part: MailPart) -> None:
        """Ask why, then make a new ticket of ``part``."""
        reason = await self.app.push_screen_wait(
            TextPrompt(
                f"Split mail #{part.mail_id} from {one_line(part.sender, 40)} into a new ticket: why? "
                "Both timelines say so.",
                placeholder="e.g. a second, unrelated request",
            )  # fmt: skip
        )
        if reason is not None:
            self._move(lambda: self.desk.split_mail(part.mail_id, reason), f"mail #{part.mail_id} is now ticket #")

    @work(thread=True, group="ticket-change", exit_on_error=False)
    def _move(self, move, said: str) -> None:
        try:
            number = move()
        except SportelloError as err:
            self.notify(one_line(err.message, 400), severity="warning", markup=False, timeout=10)
            return
        self.notify(f"{said}{number}", markup=False)
        self.post_message(self.Reload())
