"""How the TUI shows statuses, priorities, times and stored text.

Meaning never rides on colour alone: every status and priority has a glyph and a word, and the
colour only repeats them. Every stored string reaches the screen as a ``rich.text.Text`` built
from :func:`tui.text.safe.safe_text`, so markup stays literal and control characters never reach
the terminal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.text import Text

from tui.text.safe import one_line, safe_text

__all__ = [
    "STATUS_LABELS",
    "STATUS_SHORT",
    "PRIORITY_LABELS",
    "PRIORITY_GLYPHS",
    "status_label",
    "priority_label",
    "age",
    "due_label",
    "when",
    "plain",
    "hours",
]

#: Status -> what the queue shows (glyph, then the word).
STATUS_LABELS = {
    "new": "✦ new",
    "open": "● open",
    "pending": "◐ pending",
    "on_hold": "‖ on hold",
    "resolved": "✓ resolved",
    "closed": "✕ closed",
}

#: Priority -> what the queue shows; the number of marks grows with urgency.
PRIORITY_LABELS = {
    "urgent": "▲▲ urgent",
    "high": "▲ high",
    "normal": "· normal",
    "low": "▽ low",
}

#: Narrow forms for an 80-column queue: the same glyph, a word of at most four letters.
STATUS_SHORT = {
    "new": "✦ new",
    "open": "● open",
    "pending": "◐ pend",
    "on_hold": "‖ hold",
    "resolved": "✓ solv",
    "closed": "✕ clsd",
}

#: The priority's marks alone (the column title says what they are).
PRIORITY_GLYPHS = {"urgent": "▲▲", "high": "▲", "normal": "·", "low": "▽"}


def status_label(status: str, *, short: bool = False) -> str:
    return (STATUS_SHORT if short else STATUS_LABELS).get(status, one_line(status))


def priority_label(priority: str, *, short: bool = False) -> str:
    return (PRIORITY_GLYPHS if short else PRIORITY_LABELS).get(priority, one_line(priority))


def age(value: datetime | None, now: datetime) -> str:
    """How long ago, in at most four characters: ``now``, ``12m``, ``5h``, ``3d``, ``2w``, ``11mo``, ``2y``."""
    if value is None:
        return ""
    seconds = max(0, int((now - value).total_seconds()))
    for unit, size, limit in (("m", 60, 60), ("h", 3600, 24), ("d", 86400, 14), ("w", 604800, 9)):
        if seconds < size:
            return "now"
        if seconds < size * limit:
            return f"{seconds // size}{unit}"
    days = seconds // 86400
    return f"{days // 30}mo" if days < 365 else f"{days // 365}y"


def due_label(due: datetime | None, now: datetime) -> str:
    """Time left until an SLA deadline: ``3h``; ``!2d`` once it has passed; ``—`` without one."""
    if due is None:
        return "—"
    if due <= now:
        return "!" + age(due, now)
    left = age(now, due)
    return "<1m" if left == "now" else left


def hours(value: float | None, *, space: str = " ") -> str:
    """Business hours for people: ``<1 min`` and ``25 min`` below an hour, ``3.5 h``, ``137 h``; ``—`` unknown."""
    if value is None:
        return "—"
    if value < 1:
        return f"<1{space}min" if value * 60 < 1 else f"{value * 60:.0f}{space}min"
    return f"{value:.1f}{space}h" if value < 100 else f"{value:,.0f}{space}h"


def when(value: datetime | None, zone: str = "UTC") -> str:
    """A stored time for people: ``2026-01-05 14:02`` (UTC, as everywhere on the desk, unless ``zone``
    names another: the customer view shows the customer page's zone)."""
    if value is None:
        return ""
    if zone != "UTC":
        value = value.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    return f"{value:%Y-%m-%d %H:%M}"


def plain(value: object, style: str = "") -> Text:
    """Stored multi-line text as inert ``Text``: controls replaced, markup kept literal."""
    return Text(safe_text("" if value is None else str(value)), style=style)
