"""The KPI dashboard's period: :class:`PeriodPrompt` asks for the first and last day (parsed by
:func:`tui.text.kpi.parse_period`)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from models.errors import InvalidInput
from tui.dialogs.base import Dialog
from tui.text.kpi import parse_period
from tui.text.safe import one_line

__all__ = ["PeriodPrompt"]


class PeriodPrompt(Dialog, ModalScreen[tuple[date, date] | None]):
    """Type the first and last day; a bad day is said at once (and notified) and nothing typed is lost."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="kpi_period.cancel")]

    def __init__(self, first: date, last: date) -> None:
        super().__init__()
        self.first = first
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="kpi-period-dialog"):
            yield Label(Text("The period: first and last day, included (UTC)"), classes="dialog-title")
            with Horizontal(classes="kpi-dates"):
                yield Label("From", classes="kpi-date-label")
                yield Input(value=self.first.isoformat(), placeholder="YYYY-MM-DD", max_length=40, id="kpi-from")
                yield Label("To", classes="kpi-date-label")
                yield Input(value=self.last.isoformat(), placeholder="YYYY-MM-DD", max_length=40, id="kpi-to")
            yield Static("", id="kpi-period-error", classes="dialog-error")
            yield Label(Text("enter apply · tab next field · esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#kpi-from", Input).focus()

    @on(Input.Submitted)
    def submitted(self) -> None:
        try:
            days = parse_period(self.query_one("#kpi-from", Input).value, self.query_one("#kpi-to", Input).value)
        except InvalidInput as err:
            self.query_one("#kpi-period-error", Static).update(Text(one_line(f"✗ {err.message}", 200)))
            self.notify(one_line(err.message, 300), severity="error", markup=False)
            return
        self.dismiss(days)

    def action_cancel(self) -> None:
        self.dismiss(None)
