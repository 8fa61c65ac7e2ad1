"""An organization's profile in words: segment, contract, figures and contacts, packed to a width.

Plain strings from an organization's plain fields and a :class:`models.reports.organizations.OrgProfile`;
stored text goes through :func:`tui.text.safe.one_line`. The organizations screen's profile view
(:mod:`tui.widgets.org_profile`) and list (:mod:`tui.widgets.org_table`) show them as ``Text``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from tui.text.labels import hours
from tui.text.safe import cells, one_line

if TYPE_CHECKING:
    from models.reports.kpi import Figures

__all__ = ["NONE", "percent", "hours", "day", "pack", "segment_line", "contract_line", "figure_lines", "contact_lines"]

NONE = "—"  # what a missing figure or field shows


def percent(value: float | None) -> str:
    """``42%``, or ``—`` when there is no figure."""
    return NONE if value is None else f"{value:.0f}%"


def day(value: date | None) -> str:
    """``2026-10-01``, or ``—`` when there is no date."""
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
            pack([f"⚠ CONTRACT EXPIRED {day(until)}"] + ([f"valid from {day(start)}"] if start else []), width)
        )
    if start is None and until is None:
        return "Contract: no dates on record"
    if until is None:
        return f"Contract from {day(start)}, no end date"
    return f"Contract {day(start)} – {day(until)}" if start else f"Contract until {day(until)}"


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
