"""The last look before a public reply goes out by mail: :class:`MailPreviewDialog` shows the message exactly as the
outbox composes it — From, To, Cc, the subject, the addresses left out as undeliverable, and the text with the
desk's footer — and dismisses with True (send) or False (keep editing; esc too). All of it inert."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tui.desk.mail_out_rows import ReplyPreview
from tui.dialogs.base import Dialog
from tui.text.mail_out import preview_text
from tui.text.safe import one_line

__all__ = ["MailPreviewDialog"]


class MailPreviewDialog(Dialog, ModalScreen[bool]):
    """The whole message a reply sends, and whether to send it."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Keep editing", id="mail_preview.cancel"),
        Binding("y,ctrl+s", "answer(True)", "Send", id="mail_preview.send"),
    ]

    def __init__(self, preview: ReplyPreview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        preview = self.preview
        if preview.problem:
            title = f"No mail goes out: {one_line(preview.problem, 200)}. The reply is kept on the ticket. Add it?"
        else:
            count = len(preview.recipients)
            title = f"This reply goes by mail to {count} {'person' if count == 1 else 'people'}, exactly as below:"
        with Vertical(classes="dialog", id="mail-preview"):
            yield Label(Text(title), classes="dialog-title")
            with VerticalScroll(id="mail-preview-text"):
                yield Static(preview_text(preview) if not preview.problem else Text(""))
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Send (y)" if not preview.problem else "Add the reply (y)"), id="send",
                             variant="error")  # fmt: skip
                yield Button(Text("Keep editing (n)"), id="keep", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#mail-preview-text", VerticalScroll).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "send")

    def action_answer(self, send: bool) -> None:
        self.dismiss(send)
