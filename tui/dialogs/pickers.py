"""Typed modal dialogs: pick one of a list, type a reason, edit tags, confirm.

Each is a ``ModalScreen[T]`` that dismisses with its value, or with None when cancelled (esc).
Labels are built as ``Text`` from stored strings, so names and tags stay literal.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.text.safe import one_line

__all__ = ["ChoiceScreen", "TextPrompt", "TagsScreen", "TagEdit", "ConfirmScreen", "parse_tag_edit", "Dialog"]


class Dialog(ModalScreen):
    """What every dialog shares: the app's cursor-blink setting (off in tests and screenshots)."""

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.app.blink


class ChoiceScreen(Dialog, ModalScreen[str | None]):
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


def parse_tag_edit(text: str, current: tuple[str, ...] | None) -> tuple[list[str], list[str]]:
    """What a tag edit means: with ``current`` (one ticket) the text is the new set of tags;
    without it (several tickets), ``+tag`` or ``tag`` adds and ``-tag`` removes."""
    words = text.replace(",", " ").split()
    if current is not None and not any(w[0] in "+-" for w in words):
        wanted = set(words)
        return sorted(wanted - set(current)), sorted(set(current) - wanted)
    add = [w.lstrip("+") for w in words if not w.startswith("-") and w.lstrip("+")]
    remove = [w[1:] for w in words if w.startswith("-") and w[1:]]
    return add, remove


@dataclass(frozen=True)
class TagEdit:
    """A tag edit: the tags to add and remove, and the text typed (kept if the edit is refused)."""

    add: list[str]
    remove: list[str]
    text: str


class TagsScreen(Dialog, ModalScreen[TagEdit | None]):
    """Edit tags: the ticket's tags as text (one ticket), or ``+add -remove`` (several).

    ``value`` starts the field with text typed before (an edit that was refused) instead.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="tags.cancel")]

    def __init__(
        self, current: tuple[str, ...] | None, known: list[str], *, count: int = 1, value: str | None = None
    ) -> None:
        super().__init__()
        self.current = current
        self.known = known
        self.count = count
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self.current is not None:
                yield Label(Text("Tags (space separated; +tag adds, -tag removes)"), classes="dialog-title")
            elif self.count == 1:
                yield Label(Text("Tags: +tag adds, -tag removes"), classes="dialog-title")
            else:
                yield Label(Text(f"Tags for {self.count:,} tickets: +tag adds, -tag removes"), classes="dialog-title")
            value = self.value if self.value is not None else " ".join(self.current or ())
            yield Input(value=value, id="tags-input")
            if self.value is not None:
                yield Static(Text("Kept from the edit that was refused: enter tries again."), classes="dialog-hint")
            known = " ".join(self.known) or "none yet"
            yield Static(Text(one_line(f"Known: {known}", 300)), classes="dialog-hint")
            yield Label(Text("enter apply · esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#tags-input", Input).focus()

    @on(Input.Submitted, "#tags-input")
    def submitted(self, event: Input.Submitted) -> None:
        add, remove = parse_tag_edit(event.value, self.current)
        self.dismiss(TagEdit(add, remove, " ".join(event.value.split())) if add or remove else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(Dialog, ModalScreen[bool]):
    """A yes/no question; esc means no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text(f"{self.yes} (y)"), id="yes", variant="error")
                yield Button(Text(f"{self.no} (n)"), id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
