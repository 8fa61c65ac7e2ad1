"""One organization's profile: :class:`OrgProfileView`.

The profile is the organization's segment, contract, figures over the last 90 days, contacts and
tickets. The screen hands it a loaded :class:`models.reports.organizations.OrgProfile` through
``show`` (attributes down); enter on a ticket posts :class:`OrgProfileView.TicketOpened` (messages up).
Only the organization's plain fields are read — never a lazy relation — and every stored string
reaches the screen as ``Text`` built by :mod:`tui.text.org_profile` and :mod:`tui.text.safe`, so
markup stays literal. An expired contract is flagged in the warning colour and in words, never hidden.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.text.columns import Column
from tui.text.labels import age, priority_label, status_label
from tui.text.org_profile import contact_lines, contract_line, figure_lines, segment_line
from tui.text.safe import one_line
from tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from models.reports.organizations import OrgProfile

__all__ = ["OrgProfileView", "TICKET_LIMIT"]

TICKET_LIMIT = 100  # a profile lists at most this many tickets (models.reports.organizations.profile)


class OrgProfileView(Vertical):
    """The profile of one organization, or a line saying what is on its way."""

    class TicketOpened(Message):
        """Enter (or a click) on one of the organization's tickets."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.profile: OrgProfile | None = None
        self.most_contacts = 3
        self._days = 90
        self._at: datetime | None = None  # when the profile was asked for (ages count from it)

    def compose(self) -> ComposeResult:
        yield Static(Text("Choose an organization."), id="org-name")
        yield Static("", id="org-segment")
        yield Static("", id="org-contract")
        yield Static("", id="org-figures")
        yield Static("", id="org-contacts")
        yield RowTable(id="org-tickets")

    @property
    def tickets(self) -> RowTable:
        return self.query_one("#org-tickets", RowTable)

    def on_resize(self) -> None:
        self.call_after_refresh(self._paint)

    def say(self, message: str) -> None:
        """Show ``message`` (loading…, an error) instead of a profile."""
        self.profile = None
        self.query_one("#org-name", Static).update(Text(one_line(message, 400)))
        for part in ("#org-segment", "#org-contract", "#org-figures", "#org-contacts"):
            self.query_one(part, Static).update("")
        self.query_one("#org-contract").remove_class("-expired")
        self.tickets.show([], [])  # emptied, not hidden: it may hold the focus (enter before the profile came)
        self.tickets.border_title = None

    def show(self, profile: OrgProfile, *, at: datetime, days: int = 90) -> None:
        """Show ``profile`` as of ``at``; the ticket cursor stays put when the same organization reloads."""
        same = self.profile is not None and self.profile.organization.id == profile.organization.id
        self.profile = profile
        self._at = at
        self._days = days
        self._paint(keep=same)

    def _paint(self, keep: bool = True) -> None:
        profile = self.profile
        if profile is None:
            return
        org = profile.organization
        width = max(20, self.size.width - 2)
        self.query_one("#org-name", Static).update(
            Text(one_line(org.name, width * 2), style="bold")
        )  # two lines at most
        self.query_one("#org-segment", Static).update(Text(segment_line(org, width)))
        contract = self.query_one("#org-contract", Static)
        contract.update(Text(contract_line(org, profile.expired, width)))
        contract.set_class(profile.expired, "-expired")
        lines = figure_lines(profile.figures, profile.open_tickets, profile.since, self._days, width)
        self.query_one("#org-figures", Static).update(Text("\n".join(lines)))
        contacts = contact_lines(profile.contacts, profile.contact_count, width, self.most_contacts)
        self.query_one("#org-contacts", Static).update(Text("\n".join(contacts)))
        self._fill_tickets(keep)

    def _ticket_columns(self) -> list[Column]:
        width = (self.tickets.size.width or self.size.width) - 1  # the scrollbar
        if width >= 74:
            fixed = [("Status", 10), ("Priority", 9), ("Updated", 10)]
        else:
            fixed = [("Status", 10), ("Age", 4)]
        number = 7
        subject = max(10, width - number - sum(w for _, w in fixed) - 2 * (len(fixed) + 2))
        return [("#", number), ("Subject", subject), *fixed]

    def _fill_tickets(self, keep: bool) -> None:
        profile = self.profile
        table = self.tickets
        columns = self._ticket_columns()
        subject_width = columns[1][1]
        wide = len(columns) == 5
        rows = []
        for line in profile.tickets:
            row = [
                Text(f"#{line.number}"),
                Text(one_line(line.subject, subject_width)),
                Text(status_label(line.status)),
            ]
            if wide:
                row += [Text(priority_label(line.priority)), Text(f"{line.updated_at:%Y-%m-%d}")]
            else:
                row.append(Text(age(line.updated_at, self._at)))
            rows.append((line.number, row))
        table.show(columns, rows, keep=table.current_key if keep else -1)  # -1: no such ticket, so from the top
        if not keep and rows:
            table.move_cursor(row=0, animate=False)
        shown = len(profile.tickets)
        more = "+" if shown >= TICKET_LIMIT else ""
        table.border_title = Text(f"Tickets ({shown}{more}), newest activity first" if shown else "No tickets")

    @on(DataTable.RowSelected, "#org-tickets")
    def ticket_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        number = self.tickets.current_key
        if number is not None:
            self.post_message(self.TicketOpened(number))
