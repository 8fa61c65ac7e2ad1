"""Edit tags: :class:`TagsDialog` dismisses with a :class:`TagEdit` (what :func:`parse_tag_edit` read from the text)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.dialogs.base import Dialog
from tui.text.safe import one_line

__all__ = ["TagsDialog", "TagEdit", "parse_tag_edit"]


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


class TagsDialog(Dialog, ModalScreen[TagEdit | None]):
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
