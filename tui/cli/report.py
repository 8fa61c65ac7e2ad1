"""``sportello report …``: what a lead reads — KPIs, churn risk, overrides."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta

import click

from models.errors import InvalidInput
from models.store.tables import utcnow
from tui.cli.common import echo_json, echo_line, iso, json_option, pass_state, when
from tui.text.safe import one_line

__all__ = ["report_group"]


@click.group("report")
def report_group() -> None:
    """Reports for leads."""


@report_group.command("overrides")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="Default: 30 days ago.")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Up to and including this day. Default: today.")
@json_option
@pass_state
def report_overrides(state, start, end, as_json) -> None:
    """Manual priority changes and deadline overrides: who asked, for which organization, and why."""
    from models.tickets.overrides import override_report

    first, last = _period(start, end)
    with state.desk():
        state.actor()
        report = override_report(first, last)
    if as_json:
        echo_json({
            "from": iso(first), "to": iso(last),
            "by_requester": [{"requested_by": name, "count": n} for name, n in report.by_requester],
            "by_organization": [{"organization": name, "count": n} for name, n in report.by_organization],
            "items": [{"at": iso(o.at), "ticket": o.ticket, "what": o.what, "old": o.old, "new": o.new,
                       "reason": o.reason, "requested_by": o.requested_by, "agent": o.agent,
                       "organization": o.organization} for o in report.items],
        })  # fmt: skip
        return
    echo_line(f"Overrides from {when(first)} to {when(last)} UTC: {len(report.items)}")
    echo_line("By who asked:")
    for name, n in report.by_requester:
        echo_line(f"  {n:>5}  {one_line(name, 60)}")
    echo_line("By organization:")
    for name, n in report.by_organization:
        echo_line(f"  {n:>5}  {one_line(name, 60)}")
    echo_line("Latest:")
    for o in report.items[:50]:
        change = f"{o.what} {o.old or '—'} → {o.new or 'policy'}"
        echo_line(f"  {when(o.at)}  #{o.ticket:<7} {one_line(change, 40):<40} {one_line(o.requested_by or '-', 20):<20} "
                  f"{one_line(o.reason, 40)}")  # fmt: skip


def _period(start: str | None, end: str | None, *, days: int = 31) -> tuple[datetime, datetime]:
    """``--from``/``--to`` as instants: the start of the first day and the end of the last."""
    try:
        last = (date.fromisoformat(end) if end else utcnow().date()) + timedelta(days=1)
        first = date.fromisoformat(start) if start else last - timedelta(days=days)
    except ValueError:
        raise InvalidInput("dates are YYYY-MM-DD") from None
    if first >= last:
        raise InvalidInput("--from must come before --to")
    return datetime.combine(first, datetime.min.time()), datetime.combine(last, datetime.min.time())


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _segment(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise InvalidInput(f"bad --segment {one_line(text, 40)!r}: use FIELD=VALUE, e.g. tier=premium")
    return name.strip(), value.strip()


@report_group.command("kpi")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="Default: 30 days before --to.")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Up to and including this day. Default: today (UTC).")
@click.option(
    "--by",
    type=click.Choice(["agent", "org", "segment", "queue"]),
    default="agent",
    show_default=True,
    help="The per-group table.",
)
@click.option(
    "--segment-field",
    type=click.Choice(["tier", "industry", "region", "size_band", "revenue_band"]),
    default="tier",
    show_default=True,
    help="What --by segment groups on.",
)
@click.option("--queue", metavar="NAME", help="Only this queue's tickets.")
@click.option("--agent", metavar="LOGIN", help="Only tickets assigned to this agent.")
@click.option("--org", "organization", metavar="NAME", help="Only this organization's tickets.")
@click.option("--segment", metavar="FIELD=VALUE", help="Only organizations in this segment, e.g. tier=premium.")
@json_option
@pass_state
def report_kpi(state, start, end, by, segment_field, queue, agent, organization, segment, as_json) -> None:
    """Backlog, created vs resolved, response and resolution times (business hours), SLA compliance,
    reopen rate, satisfaction and complaints over a period — and per agent, organization or segment."""
    from models.reports import kpi

    first, last = _period(start, end, days=30)
    filters = kpi.Filters(queue=queue, agent=agent, organization=organization, segment=_segment(segment))
    with state.desk():
        state.actor()
        report = kpi.kpi_report(first, last, filters=filters, by=by, segment_field=segment_field)
    if as_json:
        echo_json(report.as_dict())
        return
    t = report.totals
    echo_line(
        f"KPIs {first:%Y-%m-%d} to {last - timedelta(days=1):%Y-%m-%d} (UTC days), {one_line(filters.describe(), 60)}"
    )
    echo_line("Backlog now: " + ", ".join(f"{status.replace('_', ' ')} {n}" for status, n in report.backlog.items()))
    echo_line(f"Created {t.created}, resolved {t.resolved}, complaints {t.complaints}")
    echo_line(
        f"First response: median {_hours(t.first_response.median)}, p90 {_hours(t.first_response.p90)} "
        f"({t.first_response.count} tickets, business hours)"
    )
    echo_line(
        f"Resolution:     median {_hours(t.resolution.median)}, p90 {_hours(t.resolution.p90)} "
        f"({t.resolution.count} tickets, business hours)"
    )
    echo_line(f"SLA compliance {_pct(t.sla_compliance)} of {t.sla_counted}; reopen rate {_pct(t.reopen_rate)}")
    average = "—" if t.csat_average is None else f"{t.csat_average:.2f}/5"
    echo_line(f"CSAT {average} from {t.answers} of {t.surveys} surveys (response rate {_pct(t.csat_response_rate)})")
    if report.complaints_by_segment:
        echo_line(
            f"Complaints by {segment_field.replace('_', ' ')}: "
            + ", ".join(f"{one_line(name, 30)} {n}" for name, n in report.complaints_by_segment)
        )
    echo_line("")
    echo_line(
        f"{'by ' + by:<24} {'created':>7} {'resolved':>8} {'FR med':>7} {'Res med':>8} {'SLA':>6} "
        f"{'reopen':>6} {'CSAT':>5} {'compl':>5}"
    )
    for name, f in report.groups:
        csat = "—" if f.csat_average is None else f"{f.csat_average:.1f}"
        echo_line(
            f"{one_line(name, 24):<24} {f.created:>7} {f.resolved:>8} {_hours(f.first_response.median):>7} "
            f"{_hours(f.resolution.median):>8} {_pct(f.sla_compliance):>6} {_pct(f.reopen_rate):>6} "
            f"{csat:>5} {f.complaints:>5}"
        )


@report_group.command("churn")
@json_option
@pass_state
def report_churn(state, as_json) -> None:
    """Organizations at risk of leaving, each with its reasons: complaints rising, satisfaction
    falling, repeated SLA misses, reopened tickets, a contract ending soon."""
    from models.reports import churn

    with state.desk():
        state.actor()
        risks = churn.at_risk(now=utcnow())
    if as_json:
        echo_json([{"id": r.id, "organization": r.organization, "tier": r.tier, "reasons": r.reasons,
                    "contract_valid_until": r.contract_valid_until.isoformat() if r.contract_valid_until else None}
                   for r in risks])  # fmt: skip
        return
    if not risks:
        echo_line("No organization shows a churn signal.")
        return
    for r in risks:
        echo_line(f"{one_line(r.organization, 60)} ({one_line(r.tier, 20)})")
        for reason in r.reasons:
            echo_line(textwrap.fill(one_line(reason, 300), 80, initial_indent="  - ", subsequent_indent="    "))
