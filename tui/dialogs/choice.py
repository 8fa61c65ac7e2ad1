"""Pick one value from a list: :class:`ChoiceDialog` (status, priority, assignee, category…)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.dialogs.base import Dialog
from tui.text.safe import one_line

__all__ = ["ChoiceDialog"]


class ChoiceDialog(Dialog, ModalScreen[str | None]):
    """Pick one value from a list: typing narrows it, arrows move, enter chooses."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], *, current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices  # (value, label)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(placeholder="type to narrow, ↑↓ to move", id="choice-filter")
            yield OptionList(*self._options(""), id="choices")
            yield Label(Text("enter choose · esc cancel"), classes="dialog-hint")

    def _options(self, narrow: str) -> list[Option]:
        narrow = narrow.casefold().strip()
        options = []
        for value, label in self.choices:
            if narrow and narrow not in label.casefold() and narrow not in value.casefold():
                continue
            mark = "  (now)" if value == self.current else ""
            options.append(Option(Text(one_line(label, 60) + mark), id=value))
        return options

    def on_mount(self) -> None:
        super().on_mount()
        options = self.query_one("#choices", OptionList)
        options.highlighted = 0 if options.option_count else None
        self.query_one("#choice-filter", Input).focus()

    @on(Input.Changed, "#choice-filter")
    def narrow(self, event: Input.Changed) -> None:
        options = self.query_one("#choices", OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        options.highlighted = 0 if options.option_count else None

    @on(Input.Submitted, "#choice-filter")
    def choose_first(self) -> None:
        options = self.query_one("#choices", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_key(self, event) -> None:
        if event.key in ("down", "up") and self.focused is not None and self.focused.id == "choice-filter":
            options = self.query_one("#choices", OptionList)
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
            event.stop()

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
