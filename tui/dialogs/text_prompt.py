"""Ask for one line of text (a reason, a name, a title): :class:`TextPrompt`."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.dialogs.base import Dialog

__all__ = ["TextPrompt"]


class TextPrompt(Dialog, ModalScreen[str | None]):
    """Ask for one line of text (a reason, a name); ``required`` refuses an empty answer."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self, title: str, *, placeholder: str = "", value: str = "", required: bool = True, max_length: int = 500
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.required = required
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, max_length=self.max_length, id="prompt-input")
            yield Label("", id="prompt-error", classes="dialog-error")
            yield Label(Text("enter confirm · esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted, "#prompt-input")
    def submitted(self, event: Input.Submitted) -> None:
        text = " ".join(event.value.split())
        if self.required and not text:
            self.query_one("#prompt-error", Label).update(Text("This cannot be empty."))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
