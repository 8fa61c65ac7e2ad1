"""``?`` / F1: every key of the app, grouped by where it works; the app hands in the groups (see
:mod:`tui.key_reference`), the keys of the screen where ? was pressed first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

__all__ = ["HelpScreen"]


#: Room for text inside the help dialog (its width, less border and padding).
HELP_WIDTH = 72


def _group_text(title: str, rows: list[tuple[str, str]]) -> Text:
    """One group as ``keys  what`` lines: in two columns when they fit the dialog, else one."""
    text = Text()
    text.append(title + "\n", style="bold underline")
    key_width = max((len(k) for k, _ in rows), default=0) + 2
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    what_width = max((len(w) for _, w in left), default=0) + 2
    widest_right = max((len(w) for _, w in right), default=0)
    if key_width * 2 + what_width + widest_right + 2 > HELP_WIDTH:
        left, right = rows, []
    for index, (keys, what) in enumerate(left):
        text.append(f" {keys:<{key_width}}", style="bold")
        if index < len(right):
            text.append(f"{what:<{what_width}}")
            other_keys, other_what = right[index]
            text.append(f" {other_keys:<{key_width}}", style="bold")
            text.append(other_what)
        else:
            text.append(what)
        text.append("\n")
    return text


class HelpScreen(ModalScreen[None]):
    """The full key reference: ``groups`` of (title, [(keys, what)]) in the order shown; esc, q, ? or F1 closes it."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close", id="help.close")]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label(
                Text("Sportello keys — this screen's first; the footer shows the ones that apply now"),
                classes="dialog-title",
            )
            with VerticalScroll():
                for title, rows in self.groups:
                    yield Static(_group_text(title, rows))
            yield Label(Text("esc close · ctrl+p or : finds any action by name"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
