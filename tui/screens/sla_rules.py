"""The SLA rules as the desk applies them: the policies in order, and the calendars they count in.

Read-only (leads change them with ``sportello sla …``); opened with ``L`` from the queue.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.desk.desk import Desk
from tui.text.safe import one_line

__all__ = ["SLARulesScreen", "rules_text"]


def rules_text(
    policies: list[tuple[str, str]], calendars: list[tuple[str, str, dict[str, str], list[str]]], width: int
) -> Text:
    """Numbered policies (name, description), then each calendar's zone, hours and holidays, as inert text."""
    text = Text()
    text.append("Policies, tried in this order; the first that matches applies\n", style="bold")
    if not policies:
        text.append("  none: no ticket has deadlines (sportello sla policy set …)\n")
    for number, (name, described) in enumerate(policies, 1):
        text.append(f"{number:>3}. ")
        text.append(one_line(name, width - 6), style="bold")
        text.append("\n")
        for line in textwrap.wrap(one_line(described, 1000), max(20, width - 5)):
            text.append(f"     {line}\n")
    text.append("\nCalendars\n", style="bold")
    if not calendars:
        text.append("  none: every policy counts around the clock\n")
    for name, zone, hours, holidays in calendars:
        text.append("  ")
        text.append(one_line(name, width - 4), style="bold")
        text.append(f" ({one_line(zone, 40)})\n")
        for day, spans in hours.items():
            text.append(f"     {day} {one_line(spans, width - 10)}\n")
        if holidays:
            text.append(f"     holidays {one_line(', '.join(holidays), width - 15)}\n")
    return text


class SLARulesScreen(ModalScreen[None]):
    """The SLA policies and calendars; esc or q closes it."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="sla_rules.close")]

    @dataclass
    class Loaded(Message, bubble=False):
        """The rules, read by a thread worker and posted back to the screen (see tui.screens)."""

        policies: list
        calendars: list

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="sla-rules"):
            yield Label(Text("SLA rules — the same for every customer"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text("loading…"), id="sla-rules-text")
            yield Label(Text("esc close · leads change them with sportello sla"), classes="dialog-hint")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        policies, calendars = self.desk.sla_rules()
        self.post_message(self.Loaded(policies, calendars))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        shown = self.query_one("#sla-rules-text", Static)
        shown.update(
            rules_text(message.policies, message.calendars, max(30, shown.size.width - 2))
        )  # room for a scrollbar

    def action_close(self) -> None:
        self.dismiss(None)
