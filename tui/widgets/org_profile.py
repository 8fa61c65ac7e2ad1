"""The organizations screen's widgets: the list, the churn-risk list and one organization's profile.

The profile is the organization's segment, contract, figures over the last 90 days, contacts and
tickets. The screen hands each widget plain rows from the Desk — ``OrgRow``, ``Risk``, a loaded
:class:`models.reports.organizations.OrgProfile` — through ``show_orgs``, ``show_risks`` and ``show``
(attributes down); enter on a ticket posts :class:`OrgProfileView.TicketOpened` (messages up).
Only the organization's plain fields are read — never a lazy relation — and every stored string
reaches the screen as ``Text`` built by :mod:`tui.text.safe`, so markup stays literal. An expired
contract is flagged in the warning colour and in words, never hidden.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from tui.text.labels import age, hours, priority_label, status_label
from tui.text.safe import cells, one_line
from tui.widgets.row_table import Column, RowTable

if TYPE_CHECKING:
    from models.reports.churn import Risk
    from models.reports.kpi import Figures
    from models.reports.organizations import OrgProfile, OrgRow

__all__ = ["OrgProfileView", "OrgTable", "RiskList", "NONE", "percent", "hours", "pack",
           "segment_line", "contract_line", "figure_lines", "contact_lines"]  # fmt: skip

NONE = "—"  # what a missing figure or field shows
TICKET_LIMIT = 100  # a profile lists at most this many tickets (models.reports.organizations.profile)


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.0f}%"


def _day(value: date | None) -> str:
    return NONE if value is None else value.isoformat()


def pack(pieces: list[str], width: int, *, indent: str = "") -> list[str]:
    """``pieces`` joined by `` · `` into as few lines of at most ``width`` cells as fit (a piece is never split)."""
    lines: list[str] = []
    line = ""
    for piece in pieces:
        joined = f"{line} · {piece}" if line else indent + piece
        if line and cells(joined) > width:
            lines.append(line)
            joined = indent + piece
        line = joined
    return lines + [line] if line else lines


def segment_line(org, width: int = 200) -> str:
    """``tier premium · industry software · region DACH · size 51-200 · revenue —``, wrapped at ``width``."""
    parts = [("tier", org.tier), ("industry", org.industry), ("region", org.region),
             ("size", org.size_band), ("revenue", org.revenue_band)]  # fmt: skip
    return "\n".join(pack([f"{label} {one_line(value, 30) or NONE}" for label, value in parts], width))


def contract_line(org, expired: bool, width: int = 200) -> str:
    """The contract in words; an expired one starts with ``⚠ CONTRACT EXPIRED <date>``."""
    start, until = org.contract_valid_from, org.contract_valid_until
    if expired:
        return "\n".join(
            pack([f"⚠ CONTRACT EXPIRED {_day(until)}"] + ([f"valid from {_day(start)}"] if start else []), width)
        )
    if start is None and until is None:
        return "Contract: no dates on record"
    if until is None:
        return f"Contract from {_day(start)}, no end date"
    return f"Contract {_day(start)} – {_day(until)}" if start else f"Contract until {_day(until)}"


def figure_lines(figures: Figures, open_tickets: int, since: datetime, days: int, width: int = 200) -> list[str]:
    """Open tickets, then the last ``days`` days: volume, SLA, satisfaction, complaints, response times."""
    answers = figures.answers
    csat = NONE if figures.csat_average is None else f"{figures.csat_average:.1f}/5"
    pieces = [
        f"{figures.created} created",
        f"{figures.resolved} resolved",
        f"{percent(figures.reopen_rate)} reopened",
        f"SLA met {percent(figures.sla_compliance)}",
        f"CSAT {csat} ({answers} answer{'s' if answers != 1 else ''})",
        f"complaints {figures.complaints}",
        f"median first response {hours(figures.first_response.median)}",
        f"median resolution {hours(figures.resolution.median)}",
    ]
    head = f"Last {days} days, from {since:%Y-%m-%d} (business hours):"
    return [f"Open tickets {open_tickets}", head, *pack(pieces, width, indent="  ")]


def contact_lines(contacts: list[tuple[str, str]], count: int, width: int, most: int) -> list[str]:
    """``Contacts (5): Ann <ann@x>``, then one contact a line, then ``and N more``."""
    if not count:
        return ["Contacts: none"]
    shown = contacts[: most + 1] if count == most + 1 else contacts[:most]  # never "and 1 more": show it
    head = f"Contacts ({count}): "
    lines = []
    for index, (name, email) in enumerate(shown):
        who = f"{name} <{email}>" if name else f"<{email}>"
        prefix = head if index == 0 else " " * len(head)
        lines.append(prefix + one_line(who, max(10, width - len(head))))
    if count > len(shown):
        lines.append(" " * len(head) + f"and {count - len(shown)} more")
    return lines


class OrgTable(RowTable):
    """The organizations, keyed by id: name, tier, open tickets, contract end (an expired one in the warning colour)."""

    COMPONENT_CLASSES = {"org-table--expired"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.orgs: list[OrgRow] = []  # (not ``rows``: DataTable's own)

    def show_orgs(self, orgs: list[OrgRow]) -> None:
        self.orgs = orgs
        self._fill()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        width = (self.size.width or 80) - 1  # the scrollbar
        tier = max([4] + [cells(one_line(r.tier, 12)) for r in self.orgs])
        contract = 20 if any(r.expired for r in self.orgs) else 14
        name = max(12, width - tier - 4 - contract - 2 * 4)
        expired = self.get_component_rich_style("org-table--expired", partial=True)
        rows = []
        for row in self.orgs:
            until = _day(row.contract_valid_until)
            rows.append((row.id, [
                Text(one_line(row.name, name)),
                Text(one_line(row.tier, tier)),
                Text(str(row.open_tickets), justify="right"),
                Text(f"⚠ {until} expired", style=expired) if row.expired else Text(until),
            ]))  # fmt: skip
        self.show([("Organization", name), ("Tier", tier), ("Open", 4), ("Contract until", contract)], rows)


class RiskList(OptionList):
    """Organizations at risk: each option the name and tier, then every reason on its own lines."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="risks.down"),
        Binding("k", "cursor_up", "Up", show=False, id="risks.up"),
        Binding("g", "first", "First", show=False, id="risks.first"),
        Binding("G", "last", "Last", show=False, id="risks.last"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.risks: list[Risk] = []

    def show_risks(self, risks: list[Risk]) -> None:
        self.risks = risks
        self._fill()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        width = max(30, (self.size.width or 80) - 3)  # the scrollbar and the option's padding
        options = []
        for index, risk in enumerate(self.risks):
            head = Text(one_line(risk.organization, width - 14), style="bold")
            head.append(f" · {one_line(risk.tier, 12) or NONE}")
            lines = [head]
            for reason in risk.reasons:
                wrapped = textwrap.wrap(one_line(reason), width, initial_indent="  • ", subsequent_indent="    ")
                lines += [Text(line) for line in wrapped]
            options.append(Option(Text("\n").join(lines), id=f"risk{index}"))
        keep = self.highlighted
        self.clear_options()
        self.add_options(options)
        if options:
            self.highlighted = min(keep or 0, len(options) - 1)


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
