"""``sportello sla …``: policies, business calendars, a ticket's deadlines and overrides, alerts, TOML."""

from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path

import click

from models.errors import InvalidInput
from models.sla import config as sla_config
from models.sla import rules as sla
from models.store.tables import utcnow
from models.tickets import alerts as sla_alerts
from tui.cli.common import (
    TICKET_ID,
    echo_json,
    echo_line,
    iso,
    json_option,
    pass_state,
    when,
    write_private,
)
from tui.cli.rows import deadline_state
from tui.text.safe import one_line

__all__ = ["sla_group"]


@click.group("sla")
def sla_group() -> None:
    """SLA policies and business calendars: the same rules for every customer."""


def _duration(value: str | None, what: str) -> int | None:
    return sla_config.parse_duration(value, what) if value is not None else None


def policy_json(p: sla.Policy) -> dict:
    minutes = lambda t: int(t.total_seconds() // 60) if t is not None else None  # noqa: E731
    return {
        "id": p.id, "name": p.name, "position": p.position, "tier": p.tier, "priority": p.priority, "queue": p.queue,
        "calendar": p.calendar, "first_response_minutes": minutes(p.first_response),
        "next_response_minutes": minutes(p.next_response), "resolution_minutes": minutes(p.resolution),
        "describe": p.describe(),
    }  # fmt: skip


# --- policies ----------------------------------------------------------------------------------


@sla_group.group("policy")
def policy() -> None:
    """Rules, tried in order: the first whose tier, priority and queue match applies."""


@policy.command("list")
@json_option
@pass_state
def policy_list(state, as_json) -> None:
    """Every policy in the order rules are tried."""
    with state.desk():
        state.actor()
        found = sla.policies()
    if as_json:
        echo_json([policy_json(p) for p in found])
    elif not found:
        echo_line("sportello: no SLA policies yet (add one with: sportello sla policy set NAME …)", err=True)
    for n, p in enumerate([] if as_json else found, start=1):
        echo_line(f"{n:>3}. {one_line(p.name, 24):<24}  {one_line(p.describe(), 120)}")


@policy.command("set")
@click.argument("name")
@click.option(
    "--tier", metavar="TIER", help="Match organizations of this tier ('none': private persons). Default: any."
)
@click.option("--priority", metavar="P", help="Match this priority (low, normal, high, urgent). Default: any.")
@click.option("--queue", metavar="NAME", help="Match this queue. Default: any.")
@click.option("--calendar", metavar="NAME", help="Count business time in this calendar. Default: around the clock.")
@click.option("--first-response", metavar="DURATION", help="e.g. 30m, 1h, 4h30m, 2d (or minutes).")
@click.option("--next-response", metavar="DURATION", help="After each customer message.")
@click.option("--resolution", metavar="DURATION")
@click.option("--position", type=int, metavar="N", help="Where it goes in the order (lower is tried first).")
@json_option
@pass_state
def policy_set(state, name, tier, priority, queue, calendar, first_response, next_response, resolution, position,
               as_json) -> None:  # fmt: skip
    """Create or replace a policy; open tickets are re-evaluated (leads and admins)."""
    with state.desk():
        saved = sla.save_policy(
            state.actor(), name, tier=tier, priority=priority, queue=queue, calendar=calendar,
            first_response=_duration(first_response, "first response"),
            next_response=_duration(next_response, "next response"),
            resolution=_duration(resolution, "resolution"), position=position,
        )  # fmt: skip
    echo_json(policy_json(saved)) if as_json else echo_line(one_line(saved.describe()))


@policy.command("remove")
@click.argument("name")
@pass_state
def policy_remove(state, name) -> None:
    """Remove a policy; its tickets fall to the next rule that matches."""
    with state.desk():
        sla.remove_policy(state.actor(), name)


# --- calendars ---------------------------------------------------------------------------------


@sla_group.group("calendar")
def calendar() -> None:
    """When the desk works: weekly hours in a timezone, minus holidays."""


@calendar.command("list")
@json_option
@pass_state
def calendar_list(state, as_json) -> None:
    with state.desk():
        state.actor()
        found = sla.calendars()
    if as_json:
        echo_json([_calendar_json(name, c) for name, c in found])
        return
    for name, c in found:
        echo_line(f"{one_line(name, 30)} ({one_line(c.timezone)})")
        for day, hours in c.describe_hours().items():
            echo_line(f"  {day}  {hours}")
        if c.holidays:
            echo_line("  holidays: " + ", ".join(sorted(d.isoformat() for d in c.holidays)))


@calendar.command("set")
@click.argument("name")
@click.option("--timezone", default="UTC", show_default=True, help="An IANA zone such as Europe/Rome.")
@click.option("--hours", "hours", multiple=True, metavar="DAY=SPANS",
              help="e.g. mon=09:00-13:00,14:00-18:00 (repeat per day; 'mon-fri=…' for a range).")  # fmt: skip
@click.option("--holiday", "holidays", multiple=True, metavar="YYYY-MM-DD", help="A day off (repeatable).")
@json_option
@pass_state
def calendar_set(state, name, timezone, hours, holidays, as_json) -> None:
    """Create or replace a calendar (leads and admins)."""
    week: dict[str, str] = {}
    for item in hours:
        days, equals, spans = item.partition("=")
        if not equals:
            raise InvalidInput(f"--hours takes DAY=SPANS, e.g. mon=09:00-13:00, not {one_line(item, 30)!r}")
        for day in _days(days):
            week[day] = spans
    with state.desk():
        saved = sla.save_calendar(state.actor(), name, timezone=timezone, hours=week, holidays=holidays)
    if as_json:  # calendars are named, not numbered
        echo_json(_calendar_json(" ".join(name.split()), saved))
        return
    echo_line(f"{one_line(name)}: {sum(len(s) for s in saved.hours)} working spans a week in {saved.timezone}")


def _calendar_json(name: str, c) -> dict:
    return {"name": name, "timezone": c.timezone, "hours": c.describe_hours(),
            "holidays": sorted(d.isoformat() for d in c.holidays)}  # fmt: skip


def _days(text: str) -> list[str]:
    from models.sla.business_time import DAYS

    first, dash, last = text.strip().lower().partition("-")
    if not dash:
        return [first]
    if first not in DAYS or last not in DAYS:
        raise InvalidInput(f"bad day range {one_line(text, 20)!r} (e.g. mon-fri)")
    return list(DAYS[DAYS.index(first) : DAYS.index(last) + 1])


@calendar.command("remove")
@click.argument("name")
@pass_state
def calendar_remove(state, name) -> None:
    with state.desk():
        sla.remove_calendar(state.actor(), name)


# --- tickets, alerts, files, overrides ----------------------------------------------------------------------


@sla_group.command("show")
@click.argument("number", type=TICKET_ID, metavar="TICKET")
@json_option
@pass_state
def sla_show(state, number, as_json) -> None:
    """A ticket's policy and where each of its deadlines stands."""
    now = utcnow()
    with state.desk():
        state.actor()
        found = sla.deadlines(number, now=now)
    clocks = {name: getattr(found, name) for name in sla.TARGETS if getattr(found, name) is not None}
    if as_json:
        echo_json({
            "ticket": number, "policy": policy_json(found.policy) if found.policy else None,
            "targets": {name: {"due": iso(c.due), "state": deadline_state(name, c, found, now),
                               "used_minutes": int(c.used.total_seconds() // 60),
                               "target_minutes": int(c.target.total_seconds() // 60), "paused": c.paused,
                               "breached": c.breached, "done": name in found.done} for name, c in clocks.items()},
        })  # fmt: skip
        return
    if found.policy is None:
        echo_line(f"#{number}: no SLA policy applies")
        return
    echo_line(f"#{number}: {one_line(found.policy.name)} — {one_line(found.policy.describe())}")
    for name, c in clocks.items():
        state_ = deadline_state(name, c, found, now)
        state_ = state_.upper() if state_ == "breached" else state_
        due = f"due {when(c.due)} UTC" if c.due else "no due time while paused"
        used = f"{sla.format_minutes(c.used)} of {sla.format_minutes(c.target)} used"
        echo_line(f"  {name.replace('_', ' '):<15} {state_:<9} {due:<28} {used}")


@sla_group.command("check")
@json_option
@pass_state
def sla_check(state, as_json) -> None:
    """Write the warnings and breaches that are due (run it from cron, e.g. every 5 minutes)."""
    with state.desk():
        state.actor()
        alerts = sla_alerts.sweep()
    if as_json:
        echo_json([{"ticket": a.number, "target": a.target, "state": a.state, "due": iso(a.due)} for a in alerts])
        return
    for a in alerts:
        echo_line(f"#{a.number} {a.target.replace('_', ' ')} {a.state} (due {when(a.due)} UTC)")
    echo_line(f"{len(alerts)} alerts written", err=True)


@sla_group.command("export")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not standard output."
)
@pass_state
def sla_export(state, output) -> None:
    """Calendars and policies as TOML (FILE: mode 0600, in a folder only you can write)."""
    with state.desk():
        state.actor()
        text = sla_config.export_toml()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_private(output, text)


@sla_group.command("import")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Also remove the policies the file does not name.")
@pass_state
def sla_import(state, source, replace) -> None:
    """Create or replace the calendars and policies of a TOML file (all or nothing)."""
    try:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {one_line(str(source))}: {exc}") from None
    with state.desk():
        calendars, policies = sla_config.import_toml(state.actor(), text, replace=replace)
    echo_line(f"{calendars} calendars and {policies} policies imported")


@sla_group.command("override")
@click.argument("number", type=TICKET_ID, metavar="TICKET")
@click.option(
    "--due", metavar="WHEN", help="The new deadline, YYYY-MM-DD[THH:MM] in UTC; omit to go back to the policy's."
)
@click.option("--reason", required=True, metavar="TEXT", help="Why (kept on the timeline).")
@click.option("--requested-by", default="", metavar="WHO", help="Who asked, e.g. 'sales: Rossi' (required).")
@json_option
@pass_state
def sla_override(state, number, due, reason, requested_by, as_json) -> None:
    """Set a ticket's deadline by hand: earlier jumps the queue, later extends it. Reported as a favour."""
    from datetime import datetime

    from models.tickets.overrides import override_due

    moment = None
    if due:
        try:
            moment = datetime.fromisoformat(due)
        except ValueError:
            raise InvalidInput(f"bad --due {one_line(due, 30)!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC)") from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    with state.desk():
        ticket = override_due(state.actor(), number, moment, reason=reason, requested_by=requested_by)
    if as_json:
        echo_json({"ticket": ticket.number, "version": ticket.version, "due_at": iso(ticket.due_at)})
        return
    echo_line(str(ticket.version))
