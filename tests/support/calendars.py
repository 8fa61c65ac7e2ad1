"""An office calendar in Rome, and Rome times as stored."""

from __future__ import annotations

from datetime import datetime

from models.sla.business_time import Calendar

OFFICE = Calendar.parse(
    "Europe/Rome",
    {day: "09:00-13:00, 14:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    ["2026-12-25", "2026-12-26"],
)


def rome(text: str) -> datetime:
    """A local Rome time as naive UTC (how times are stored)."""
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Rome"))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
