"""Writing a public reply or an internal note: a Markdown editor docked under the timeline. With mail configured,
lines above the editor say what goes out (a reply: to whom, with which subject; a note: that no mail is sent)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Static, TextArea

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
        self._mail: Callable[[int], Text] | None = None  # the mail lines for a width; None: none shown

    def compose(self) -> ComposeResult:
        yield Label("", id="composer-title")
        mail = Static("", id="composer-mail")
        mail.display = False  # without mail configured the composer is as it always was
        yield mail
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

    def show_mail(self, lines: Callable[[int], Text] | None) -> None:
        """Show what goes out by mail above the editor (``lines`` makes the text for a width), or nothing (None)."""
        self._mail = lines
        self._show_mail()

    def _show_mail(self) -> None:
        mail = self.query_one("#composer-mail", Static)
        mail.display = self._mail is not None
        if self._mail is not None:
            text = self._mail(max(20, (self.size.width or 80) - 2))
            mail.styles.height = text.plain.count("\n") + 1
            mail.update(text)

    def on_resize(self) -> None:
        if self._mail is not None:
            self._show_mail()

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
