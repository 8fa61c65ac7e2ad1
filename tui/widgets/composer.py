"""Writing a public reply or an internal note: a Markdown editor docked under the timeline."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, TextArea

__all__ = ["Composer", "REPLY", "NOTE"]

REPLY = "reply"
NOTE = "note"

_TITLES = {
    REPLY: "Reply to the customer — PUBLIC, the customer will read it",
    NOTE: "Internal note — only agents see it",
}


class Composer(Vertical):
    """The draft of a reply or a note. It posts :class:`Send` and :class:`Close`; the screen decides."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="composer.send", priority=True),
        Binding("ctrl+j", "send", "Send", show=False, id="composer.send_alt", priority=True),
        Binding("ctrl+o", "editor", "$EDITOR", id="composer.editor"),
        Binding("escape", "close", "Close", id="composer.close"),
    ]

    class Send(Message):
        def __init__(self, kind: str, body: str) -> None:
            super().__init__()
            self.kind = kind
            self.body = body

    class Close(Message):
        """The user wants the composer closed (the screen asks first if there is a draft)."""

    class Edit(Message):
        """The user wants the draft in $EDITOR."""

    class DraftChanged(Message):
        def __init__(self, kind: str, body: str) -> None:
            super().__init__()
            self.kind = kind
            self.body = body

    def __init__(self, *, blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = REPLY
        self.blink = blink

    def compose(self) -> ComposeResult:
        yield Label("", id="composer-title")
        area = TextArea(soft_wrap=True, id="composer-text")
        if "markdown" in area.available_languages:  # highlighting when tree-sitter's grammar is installed
            area.language = "markdown"
        area.cursor_blink = self.blink
        yield area

    @property
    def area(self) -> TextArea:
        return self.query_one("#composer-text", TextArea)

    @property
    def draft(self) -> str:
        return self.area.text

    def start(self, kind: str, draft: str) -> None:
        """Open for ``kind`` with ``draft`` in the editor, cursor at its end."""
        self.kind = kind
        self.set_class(kind == NOTE, "-note")
        self.query_one("#composer-title", Label).update(Text(_TITLES[kind] + "   ctrl+s send · esc close"))
        if self.area.text != draft:
            self.area.load_text(draft)
        self.area.move_cursor(self.area.document.end)
        self.display = True
        # Focus now, not after the next refresh: keys typed right after r/n must land in the draft,
        # not trigger the screen's letter keys (e would open $EDITOR).
        self.screen.set_focus(self.area)

    def set_text(self, text: str) -> None:
        self.area.load_text(text)
        self.area.move_cursor(self.area.document.end)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.post_message(self.DraftChanged(self.kind, self.area.text))

    def action_send(self) -> None:
        self.post_message(self.Send(self.kind, self.area.text))

    def action_close(self) -> None:
        self.post_message(self.Close())

    def action_editor(self) -> None:
        self.post_message(self.Edit())
