"""Organizations at risk of leaving, each with the reasons that put it on the list.

Two windows of ``WINDOW_DAYS`` are compared — the latest and the one before — with one grouped
query per signal: complaints rising, satisfaction falling, repeated SLA misses, reopened tickets,
and a contract ending soon. An organization is listed when at least one signal fires; the list
is ordered by how many fired, and every entry says why in words a lead can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import peewee as pw

from models.enums import TicketType
from models.store.tables import Organization, Survey, Ticket

__all__ = ["WINDOW_DAYS", "CONTRACT_DAYS", "Risk", "at_risk"]

WINDOW_DAYS = 90
CONTRACT_DAYS = 60  # a contract ending within this many days is a signal
MIN_COMPLAINTS = 3  # complaints rising: at least this many lately, and half as many again as before
CSAT_DROP = 0.75  # satisfaction falling: the latest average this much below the previous one…
CSAT_LOW = 2.5  # …or at most this; either over at least MIN_ANSWERS answers (fewer is noise)
MIN_ANSWERS = 8
# SLA misses and reopens count when they are frequent for this organization: at least this many,
# at a rate of at least RATE_FLOOR and twice the desk's own rate over the same days.
MIN_BREACHES = 3
MIN_REOPENED = 3
RATE_FLOOR = 0.2


@dataclass(frozen=True)
class Risk:
    id: int
    organization: str
    tier: str
    reasons: list[str]
    contract_valid_until: date | None


def _by_org(query) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in query.tuples()}


def _windowed(column: pw.Field, latest: datetime) -> tuple[pw.Node, pw.Node]:
    recent = pw.fn.SUM(pw.Case(None, [(column >= latest, 1)], 0))
    before = pw.fn.SUM(pw.Case(None, [(column < latest, 1)], 0))
    return recent, before


def at_risk(*, now: datetime) -> list[Risk]:
    """The organizations showing at least one churn signal as of ``now``, most signals first."""
    latest = now - timedelta(days=WINDOW_DAYS)
    previous = latest - timedelta(days=WINDOW_DAYS)
    reasons: dict[int, list[str]] = {}
    say = lambda org, text: reasons.setdefault(org, []).append(text)  # noqa: E731

    recent, before = _windowed(Ticket.created_at, latest)
    complaints = (
        Ticket.select(Ticket.organization, recent, before)
        .where(Ticket.ticket_type == TicketType.COMPLAINT.value, Ticket.created_at >= previous,
               Ticket.created_at < now, Ticket.organization.is_null(False))
        .group_by(Ticket.organization)
    )  # fmt: skip
    for org, (now_count, then_count) in _by_org(complaints).items():
        if now_count >= MIN_COMPLAINTS and now_count >= 1.5 * then_count + 1:
            say(org, f"complaints rising: {now_count} in the last {WINDOW_DAYS} days, {then_count} before")

    score_now = pw.fn.AVG(pw.Case(None, [(Survey.answered_at >= latest, Survey.score)], None))
    score_then = pw.fn.AVG(pw.Case(None, [(Survey.answered_at < latest, Survey.score)], None))
    answers_now = pw.fn.SUM(pw.Case(None, [(Survey.answered_at >= latest, 1)], 0))
    answers_then = pw.fn.SUM(pw.Case(None, [(Survey.answered_at < latest, 1)], 0))
    csat = (
        Survey.select(Ticket.organization, score_now, score_then, answers_now, answers_then)
        .join(Ticket, on=(Survey.ticket == Ticket.number))
        .where(Survey.answered_at >= previous, Survey.answered_at < now, Ticket.organization.is_null(False))
        .group_by(Ticket.organization)
    )
    for org, (average, earlier, answers, answered_before) in _by_org(csat).items():
        if average is None or (answers or 0) < MIN_ANSWERS:
            continue
        average = float(average)
        if (answered_before or 0) >= MIN_ANSWERS and average <= float(earlier) - CSAT_DROP:
            say(
                org,
                f"satisfaction falling: {average:.1f}/5 in the last {WINDOW_DAYS} days, {float(earlier):.1f} before",
            )
        elif average <= CSAT_LOW:
            say(org, f"satisfaction low: {average:.1f}/5 over {answers} answers in the last {WINDOW_DAYS} days")

    missed = pw.fn.SUM(pw.Case(None, [(Ticket.sla_breached == True, 1)], 0))  # noqa: E712
    counted = pw.fn.SUM(pw.Case(None, [(Ticket.sla_breached.is_null(False), 1)], 0))
    reopened = pw.fn.SUM(pw.Case(None, [(Ticket.reopen_count > 0, 1)], 0))
    resolved = _by_org(
        Ticket.select(Ticket.organization, missed, counted, reopened, pw.fn.COUNT(Ticket.number))
        .where(Ticket.resolved_at >= latest, Ticket.resolved_at < now)
        .group_by(Ticket.organization)
    )
    totals = [sum(row[i] or 0 for row in resolved.values()) for i in range(4)]
    desk_miss_rate = totals[0] / totals[1] if totals[1] else 0.0
    desk_reopen_rate = totals[2] / totals[3] if totals[3] else 0.0
    for org, (misses, under_policy, reopens, count) in resolved.items():
        misses, reopens = misses or 0, reopens or 0
        if org is None:
            continue
        if misses >= MIN_BREACHES and misses / under_policy >= max(RATE_FLOOR, 2 * desk_miss_rate):
            say(org, f"SLA missed on {misses} of {under_policy} tickets resolved in the last {WINDOW_DAYS} days "
                     f"({100 * misses / under_policy:.0f}%, desk {100 * desk_miss_rate:.0f}%)")  # fmt: skip
        if reopens >= MIN_REOPENED and reopens / count >= max(RATE_FLOOR, 2 * desk_reopen_rate):
            say(org, f"{reopens} of {count} tickets resolved in the last {WINDOW_DAYS} days had been reopened "
                     f"({100 * reopens / count:.0f}%, desk {100 * desk_reopen_rate:.0f}%)")  # fmt: skip

    today = now.date()
    ending = Organization.select(Organization.id, Organization.contract_valid_until).where(
        Organization.contract_valid_until.between(today, today + timedelta(days=CONTRACT_DAYS))
    )
    for org, (until,) in _by_org(ending).items():
        days = (until - today).days
        say(org, f"contract ends {until.isoformat()} ({'today' if days == 0 else f'in {days} days'})")

    orgs = {o.id: o for o in Organization.select().where(Organization.id.in_(list(reasons)))} if reasons else {}
    risks = [
        Risk(i, orgs[i].name, orgs[i].tier, why, orgs[i].contract_valid_until)
        for i, why in reasons.items()
        if i in orgs
    ]
    return sorted(risks, key=lambda r: (-len(r.reasons), r.organization))
