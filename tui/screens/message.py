"""One message whole, however long: a read-only viewer around a :class:`~tui.widgets.message_view.MessageView`,
which renders only the rows in view.

The timeline shows the first part of a long body (see :func:`tui.widgets.timeline.cut_body`); ``o`` or
enter opens the message here, under a one-line heading and the reader's position.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.desk.desk import Desk
from tui.errors import ReportWorkerErrors
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.message_view import MessageView

__all__ = ["MessageViewer"]


class MessageViewer(ReportWorkerErrors, Screen):
    """A whole message under a one-line heading (who, when, how long) and where the reader is."""

    BINDINGS = [
        Binding("escape,q,o", "back", "Back", tooltip="Back to the ticket", id="message.back"),
    ]

    def __init__(self, heading: str, body: str, *, desk: Desk | None = None, title: str = "message") -> None:
        super().__init__()
        self.heading = heading
        self.body = body
        self.desk = desk
        self.title_text = title

    def compose(self) -> ComposeResult:
        if self.desk is not None:
            yield DeskHeader(self.desk, title=self.title_text)
        yield Static(Text(one_line(self.heading)), id="message-heading")
        yield MessageView(self.body, id="message-view")
        yield Static("", id="message-position")
        yield KeysFooter()

    @property
    def view(self) -> MessageView:
        return self.query_one("#message-view", MessageView)

    def on_mount(self) -> None:
        self.view.focus()

    def on_message_view_moved(self) -> None:
        self.query_one("#message-position", Static).update(Text(self.view.position() + " · j/k, space, g/G · esc back"))

    def action_back(self) -> None:
        self.dismiss()
