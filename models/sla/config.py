"""SLA calendars and policies as TOML, for review and version control.

[calendars.Office]
timezone = "Europe/Rome"
holidays = ["2026-12-25"]
hours = { mon = "09:00-13:00, 14:00-18:00", tue = "09:00-13:00, 14:00-18:00" }

[[policies]]          # tried in this order; the first whose rule matches applies
name = "Premium high"
tier = "premium"      # tier, priority and queue are optional: absent matches anything
priority = "high"
calendar = "Office"   # absent: around the clock
first_response = "1h"
next_response = "2h"
resolution = "8h"     # durations: 90, "90m", "1h30m", "2d" (days of 24 business hours)
"""

from __future__ import annotations

import re
import tomllib

import tomli_w

from models.errors import InvalidInput
from models.sla import rules as sla
from models.store.db import write_transaction
from models.store.tables import Agent, SLAPolicy

__all__ = ["export_toml", "import_toml", "parse_duration"]

# Each space run is followed by a digit, never by another space run: linear even when it fails.
_DURATION = re.compile(r"(?:([0-9]+)d)?(?:\s*([0-9]+)h)?(?:\s*([0-9]+)m)?")
MAX_DURATION_CHARS = 40  # "1d 23h 59m" is ten
_POLICY_KEYS = {"name", "tier", "priority", "queue", "calendar", "first_response", "next_response", "resolution"}


def parse_duration(value: int | str, what: str = "target") -> int:
    """Minutes from ``90``, ``"90m"``, ``"1h30m"`` or ``"2d"``."""
    if isinstance(value, bool):
        raise InvalidInput(f"bad {what} duration {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if len(text) > MAX_DURATION_CHARS:
        raise InvalidInput(
            f"bad {what} duration: {len(text):,} characters, at most {MAX_DURATION_CHARS} (e.g. 90, 90m, 1h30m, 2d)"
        )
    if text.isascii() and text.isdigit():
        return int(text)
    match = _DURATION.fullmatch(text)
    if not text or not match or not any(match.groups()):
        raise InvalidInput(f"bad {what} duration {text[:20]!r} (e.g. 90, 90m, 1h30m, 2d)")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return days * 24 * 60 + hours * 60 + minutes


def _duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")


#: What TOML leaves unescaped but a terminal obeys: C1 controls and bidi controls.
_TERMINAL_CONTROLS = re.compile("[\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def export_toml() -> str:
    """Calendars and policies as TOML. tomli_w escapes C0 controls and DEL; C1 and bidi controls are
    escaped here too, as ``\\u`` and four hex digits (``\\u202E``): the same data for
    :func:`import_toml`, inert on a terminal (tomli_w puts every string, keys included, in basic
    strings, where TOML reads these escapes)."""
    calendars = {
        name: {
            "timezone": cal.timezone,
            "holidays": sorted(d.isoformat() for d in cal.holidays),
            "hours": cal.describe_hours(),
        }
        for name, cal in sla.calendars()
    }
    policies = []
    for p in sla.policies():
        entry = {"name": p.name}
        entry |= {key: getattr(p, key) for key in ("tier", "priority", "queue", "calendar") if getattr(p, key)}
        for target in sla.TARGETS:
            amount = getattr(p, target)
            if amount is not None:
                entry[target] = _duration_text(int(amount.total_seconds() // 60))
        policies.append(entry)
    text = tomli_w.dumps({"calendars": calendars, "policies": policies})
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


def import_toml(actor: Agent, text: str, *, replace: bool = False) -> tuple[int, int]:
    """Create or replace the calendars and policies of ``text``, policies in file order; with
    ``replace``, policies not in the file are removed. All or nothing. Returns (calendars, policies)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"not valid TOML: {exc}") from None
    calendars = data.get("calendars", {})
    policies = data.get("policies", [])
    if not isinstance(calendars, dict) or not isinstance(policies, list):
        raise InvalidInput("expected [calendars.NAME] tables and [[policies]] entries")
    with write_transaction():
        for name, cal in calendars.items():
            if not isinstance(cal, dict):
                raise InvalidInput(f"calendar {name!r}: expected a table")
            sla.save_calendar(actor, name, timezone=cal.get("timezone", "UTC"), hours=cal.get("hours", {}),
                              holidays=cal.get("holidays", []), refresh=False)  # fmt: skip
        names = []
        for index, entry in enumerate(policies, start=1):
            if not isinstance(entry, dict) or "name" not in entry:
                raise InvalidInput(f"policy {index}: expected a table with a name")
            unknown = set(entry) - _POLICY_KEYS
            if unknown:
                raise InvalidInput(f"policy {entry['name']!r}: unknown key {sorted(unknown)[0]!r}")
            targets = {t: parse_duration(entry[t], t.replace("_", " ")) for t in sla.TARGETS if t in entry}
            sla.save_policy(actor, entry["name"], tier=entry.get("tier"), priority=entry.get("priority"),
                            queue=entry.get("queue"), calendar=entry.get("calendar"), position=index * 10,
                            refresh=False, **targets)  # fmt: skip
            names.append(" ".join(str(entry["name"]).split()))
        if replace:
            for (name,) in SLAPolicy.select(SLAPolicy.name).where(SLAPolicy.name.not_in(names or [""])).tuples():
                sla.remove_policy(actor, name, refresh=False)
    sla.refresh_open()
    return len(calendars), len(policies)
