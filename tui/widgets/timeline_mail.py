"""The timeline's mail (a mixin of :class:`~tui.widgets.timeline.Timeline`): the message under the cursor that
came by mail — its quoted history and signature unfolded or folded again (``z``), and what the screen is asked
to do with it (``w`` save its attachments, ``M`` move it, ``S`` split it: :class:`TimelineMail.MailAction`).

The keys are bound in ``Timeline.BINDINGS`` (Textual reads bindings of widget classes only); they apply while
the ticket has mail at all, and say so when the message under the cursor did not come by mail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from tui.desk.mail_rows import MailPart

if TYPE_CHECKING:
    from tui.desk.rows import EventRow

__all__ = ["TimelineMail", "MAIL_ACTIONS"]

#: The timeline's actions on mail.
MAIL_ACTIONS = ("toggle_quoted", "mail")


class TimelineMail:
    """Mail under the timeline's cursor. The timeline holds :attr:`mail` (event id -> part) and :attr:`unfolded`."""

    class MailAction(Message):
        """The screen is asked to ``what`` (``save``, ``move`` or ``split``) the message ``part``."""

        def __init__(self, what: str, part: MailPart) -> None:
            super().__init__()
            self.what = what
            self.part = part

    mail: dict[int, MailPart]
    unfolded: set[int]
    cursor: int
    if TYPE_CHECKING:  # the timeline's

        def message_at(self, line: int) -> EventRow | None: ...

        def _show_blocks(self) -> None: ...

    def mail_here(self) -> MailPart | None:
        """The message under the cursor (or the nearest above it) when it came by mail."""
        event = self.message_at(self.cursor)
        return self.mail.get(event.id) if event is not None else None

    def _mail_or_say(self) -> MailPart | None:
        part = self.mail_here()
        if part is None:
            self.notify("The message under the cursor did not come by mail.", markup=False)  # type: ignore
        return part

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in MAIL_ACTIONS:
            return bool(self.mail)  # keys only on a ticket that has mail
        return True

    def toggle_quoted(self, event_id: int) -> None:
        """Show the quoted history of event ``event_id``'s mail, or fold it away again."""
        self.unfolded ^= {event_id}
        if getattr(self, "view", None) is not None:
            self._show_blocks()

    def action_toggle_quoted(self) -> None:
        part = self._mail_or_say()
        if part is None:
            return
        if not (part.quoted and part.reply):
            self.notify("This message has no quoted text or signature.", markup=False)  # type: ignore[attr-defined]
            return
        self.toggle_quoted(part.event_id)

    def action_mail(self, what: str) -> None:
        part = self._mail_or_say()
        if part is not None:
            self.post_message(self.MailAction(what, part))  # type: ignore[attr-defined]
