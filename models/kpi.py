"""KPIs over a period: the figures a lead watches, aggregated by the database.

Every figure is a SQL aggregate over the ticket measures that :func:`models.sla.refresh` keeps
on each row (business minutes to first response and to resolution, reopens, SLA missed), so a
year of a large desk is a handful of grouped scans, never tickets loaded into Python. Python
only adds up the grouped rows (a day × group grid) and reads percentiles off ranked rows.

Definitions (the period is ``start <= t < end``, UTC):

* created / complaints: tickets created in the period (complaints: of type complaint);
* resolved: tickets resolved in the period and still resolved or closed;
* first response: median and p90 business hours, of tickets first answered in the period;
* resolution: median and p90 business hours, of tickets resolved in the period;
* SLA compliance: of tickets resolved in the period under a policy, the share that met both
  their first-response and their resolution targets;
* reopen rate: of tickets resolved in the period, the share that had been reopened;
* CSAT: surveys opened in the period; response rate = answered / opened, average of the scores;
* backlog: open tickets now, by status (the period does not apply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import peewee as pw

from .db import is_postgres
from .enums import OPEN_STATUSES, Status, TicketType
from .errors import InvalidInput, NotFound
from .tables import Agent, Organization, Queue, Survey, Ticket

__all__ = ["GROUPINGS", "SEGMENT_FIELDS", "Filters", "Spread", "Figures", "KPIReport", "kpi_report", "period"]

GROUPINGS = ("agent", "org", "segment", "queue")
SEGMENT_FIELDS = ("tier", "industry", "region", "size_band", "revenue_band")
_ALL = "all"
_NOBODY = {"agent": "(unassigned)", "org": "(private persons)", "segment": "(private persons)", "queue": "(no queue)"}
_EMPTY = "(none)"  # an organization with this segment field empty


@dataclass(frozen=True)
class Filters:
    """Which tickets count: each filter is optional; ``segment`` is (field, value), e.g. ("tier", "premium")."""

    queue: str | None = None
    agent: str | None = None
    organization: str | None = None
    segment: tuple[str, str] | None = None

    def describe(self) -> str:
        parts = [f"{name} {value}" for name, value in
                 (("queue", self.queue), ("agent", self.agent), ("organization", self.organization)) if value]  # fmt: skip
        if self.segment:
            parts.append(f"{self.segment[0]} {self.segment[1]}")
        return ", ".join(parts) or "all tickets"


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile (nearest rank) in business hours, over ``count`` tickets."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass
class Figures:
    created: int = 0
    resolved: int = 0
    complaints: int = 0
    first_response: Spread = field(default_factory=Spread)
    resolution: Spread = field(default_factory=Spread)
    sla_counted: int = 0  # resolved under a policy
    sla_met: int = 0
    reopened: int = 0  # of the resolved
    surveys: int = 0
    answers: int = 0
    score_total: int = 0

    @property
    def sla_compliance(self) -> float | None:
        return 100 * self.sla_met / self.sla_counted if self.sla_counted else None

    @property
    def reopen_rate(self) -> float | None:
        return 100 * self.reopened / self.resolved if self.resolved else None

    @property
    def csat_average(self) -> float | None:
        return self.score_total / self.answers if self.answers else None

    @property
    def csat_response_rate(self) -> float | None:
        return 100 * self.answers / self.surveys if self.surveys else None

    def as_dict(self) -> dict:
        rounded = lambda value, digits=1: None if value is None else round(value, digits)  # noqa: E731
        spread = lambda s: {"count": s.count, "median_hours": rounded(s.median, 2), "p90_hours": rounded(s.p90, 2)}  # noqa: E731
        return {
            "created": self.created,
            "resolved": self.resolved,
            "complaints": self.complaints,
            "first_response": spread(self.first_response),
            "resolution": spread(self.resolution),
            "sla_compliance_pct": rounded(self.sla_compliance),
            "sla_counted": self.sla_counted,
            "reopen_rate_pct": rounded(self.reopen_rate),
            "csat_average": rounded(self.csat_average, 2),
            "csat_response_rate_pct": rounded(self.csat_response_rate),
            "surveys": self.surveys,
            "answers": self.answers,
        }


@dataclass(frozen=True)
class KPIReport:
    start: datetime
    end: datetime
    filters: Filters
    by: str | None
    segment_field: str
    totals: Figures
    backlog: dict[str, int]  # open tickets now, by status
    per_day: list[tuple[date, int, int]]  # (day, created, resolved), every day of the period
    complaints_by_segment: list[tuple[str, int]]  # most first
    groups: list[tuple[str, Figures]]  # by ``by``, most tickets first

    def as_dict(self) -> dict:
        return {
            "from": self.start.date().isoformat(),
            "to": (self.end - timedelta(days=1)).date().isoformat(),
            "filters": self.filters.describe(),
            "by": self.by,
            "totals": self.totals.as_dict(),
            "backlog": self.backlog,
            "per_day": [{"day": d.isoformat(), "created": c, "resolved": r} for d, c, r in self.per_day],
            "complaints_by_segment": {name: count for name, count in self.complaints_by_segment},
            "groups": [{"name": name, **figures.as_dict()} for name, figures in self.groups],
        }


def period(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants of the days ``start``..``end`` inclusive; refuses an empty or reversed period."""
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days > 3660:
        raise InvalidInput("the period is longer than ten years")
    return datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1), datetime.min.time())


# --- the pieces of SQL ------------------------------------------------------------------------


def _where(filters: Filters) -> list[pw.Expression]:
    conditions = []
    if filters.queue:
        queue = Queue.get_or_none(Queue.name == filters.queue)
        if queue is None:
            raise NotFound(f"no queue {filters.queue[:60]!r}")
        conditions.append(Ticket.queue == queue.id)
    if filters.agent:
        agent = Agent.get_or_none(Agent.login == filters.agent)
        if agent is None:
            raise NotFound(f"no agent {filters.agent[:60]!r}")
        conditions.append(Ticket.assignee == agent.id)
    if filters.organization:
        org = Organization.get_or_none(Organization.name == filters.organization)
        if org is None:
            raise NotFound(f"no organization {filters.organization[:60]!r}")
        conditions.append(Ticket.organization == org.id)
    if filters.segment:
        name, value = filters.segment
        if name not in SEGMENT_FIELDS:
            raise InvalidInput(f"unknown segment field {name!r}; one of: {', '.join(SEGMENT_FIELDS)}")
        orgs = Organization.select(Organization.id).where(getattr(Organization, name) == value)
        conditions.append(Ticket.organization.in_(orgs))
    return conditions


def _group(by: str, segment_field: str) -> pw.Node:
    """The grouping expression: an id (mapped to a name afterwards) or the segment value."""
    if by == "agent":
        return Ticket.assignee
    if by == "org":
        return Ticket.organization
    if by == "queue":
        return Ticket.queue
    return Organization.select(getattr(Organization, segment_field)).where(Organization.id == Ticket.organization)


def _label(group, by: str, names: dict) -> str:
    if group is None:
        return _NOBODY[by]
    if group == "":
        return _EMPTY
    return names.get(group, str(group))


def _names(by: str) -> dict:
    if by == "agent":
        return dict(Agent.select(Agent.id, Agent.login).tuples())
    if by == "org":
        return dict(Organization.select(Organization.id, Organization.name).tuples())
    if by == "queue":
        return dict(Queue.select(Queue.id, Queue.name).tuples())
    return {}


def _day(column: pw.Field) -> pw.Node:
    return pw.Cast(column, "date") if is_postgres() else pw.fn.DATE(column)


def _as_date(value) -> date:
    if isinstance(value, datetime):  # Peewee reads DATE(a datetime column) back as a datetime
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _grouping(group: pw.Node | None) -> tuple[pw.Node, list]:
    """What to select and what to group by; ``None`` groups everything as "all"."""
    if group is None:
        return pw.Value(_ALL), []
    return group, [group]


def _spreads(column: pw.Field, when: pw.Field, start, end, conditions, group) -> dict:
    """Median and p90 of ``column`` per group, by rank over the tickets whose ``when`` is in the period."""
    label, parts = _grouping(group)
    ranked = (
        Ticket.select(
            label.alias("grp"),
            column.alias("minutes"),
            pw.fn.ROW_NUMBER().over(partition_by=parts, order_by=[column]).alias("rn"),
            pw.fn.COUNT(pw.SQL("*")).over(partition_by=parts).alias("n"),
        )
        .where(when >= start, when < end, column.is_null(False), *conditions)
        .alias("ranked")
    )
    rn, n = pw.Column(ranked, "rn"), pw.Column(ranked, "n")
    median_rank, p90_rank = (n * 50 + 99) / 100, (n * 90 + 99) / 100
    rows = (
        pw.Select([ranked], [pw.Column(ranked, "grp"), pw.Column(ranked, "minutes"), rn, median_rank, p90_rank, n])
        .where((rn == median_rank) | (rn == p90_rank))
        .bind(Ticket._meta.database)
        .tuples()
    )
    spreads: dict = {}
    for grp, minutes, rank, at_median, at_p90, count in rows:
        current = spreads.get(grp, Spread(count))
        hours = minutes / 60
        spreads[grp] = Spread(
            count, hours if rank == at_median else current.median, hours if rank == at_p90 else current.p90
        )
    return spreads


def _figures(start, end, conditions, group: pw.Node | None) -> tuple[dict, dict]:
    """Figures per value of ``group`` and the per-day created/resolved counts of each."""
    figures: dict = {}
    daily: dict = {}
    label, parts = _grouping(group)
    one = lambda grp: figures.setdefault(grp, Figures())  # noqa: E731
    complaint = pw.Case(None, [(Ticket.ticket_type == TicketType.COMPLAINT.value, 1)], 0)
    created = (
        Ticket.select(label, _day(Ticket.created_at), pw.fn.COUNT(Ticket.number), pw.fn.SUM(complaint))
        .where(Ticket.created_at >= start, Ticket.created_at < end, *conditions)
        .group_by(*parts, _day(Ticket.created_at))
        .tuples()
    )
    for grp, day, count, complaints in created:
        f = one(grp)
        f.created += count
        f.complaints += complaints or 0
        daily.setdefault(_as_date(day), [0, 0])[0] += count
    met = pw.Case(None, [(Ticket.sla_breached == False, 1)], 0)  # noqa: E712
    counted = pw.Case(None, [(Ticket.sla_breached.is_null(False), 1)], 0)
    reopened = pw.Case(None, [(Ticket.reopen_count > 0, 1)], 0)
    resolved = (
        Ticket.select(label, _day(Ticket.resolved_at), pw.fn.COUNT(Ticket.number), pw.fn.SUM(counted),
                      pw.fn.SUM(met), pw.fn.SUM(reopened))  # fmt: skip
        .where(Ticket.resolved_at >= start, Ticket.resolved_at < end, *conditions)
        .group_by(*parts, _day(Ticket.resolved_at))
        .tuples()
    )
    for grp, day, count, sla_counted, sla_met, reopens in resolved:
        f = one(grp)
        f.resolved += count
        f.sla_counted += sla_counted or 0
        f.sla_met += sla_met or 0
        f.reopened += reopens or 0
        daily.setdefault(_as_date(day), [0, 0])[1] += count
    answered = pw.Case(None, [(Survey.score.is_null(False), 1)], 0)
    surveys = (
        Survey.select(label, pw.fn.COUNT(Survey.id), pw.fn.SUM(answered), pw.fn.SUM(pw.fn.COALESCE(Survey.score, 0)))
        .join(Ticket, on=(Survey.ticket == Ticket.number))
        .where(Survey.opened_at >= start, Survey.opened_at < end, *conditions)
        .group_by(*parts)
        .tuples()
    )
    for grp, count, answers, total in surveys:
        f = one(grp)
        f.surveys, f.answers, f.score_total = count, answers or 0, total or 0
    for name, column, when in (("first_response", Ticket.first_response_minutes, Ticket.first_response_at),
                               ("resolution", Ticket.resolution_minutes, Ticket.resolved_at)):  # fmt: skip
        for grp, spread in _spreads(column, when, start, end, conditions, group).items():
            setattr(one(grp), name, spread)
    return figures, daily


def kpi_report(
    start: datetime,
    end: datetime,
    *,
    filters: Filters = Filters(),
    by: str | None = "agent",
    segment_field: str = "tier",
) -> KPIReport:
    """The KPIs of the tickets matching ``filters`` over ``start <= t < end``, also per ``by`` group
    (``by=None``: no groups)."""
    if by is not None and by not in GROUPINGS:
        raise InvalidInput(f"unknown grouping {by!r}; one of: {', '.join(GROUPINGS)}")
    if segment_field not in SEGMENT_FIELDS:
        raise InvalidInput(f"unknown segment field {segment_field!r}; one of: {', '.join(SEGMENT_FIELDS)}")
    conditions = _where(filters)
    totals, daily = _figures(start, end, conditions, None)
    grouped, _ = _figures(start, end, conditions, _group(by, segment_field)) if by else ({}, {})
    names = _names(by) if by else {}
    groups = [(_label(grp, by, names), figures) for grp, figures in grouped.items()]
    groups.sort(key=lambda item: (-(item[1].created + item[1].resolved), item[0]))
    backlog = dict(
        Ticket.select(Ticket.status, pw.fn.COUNT(Ticket.number))
        .where(Ticket.status.in_(list(OPEN_STATUSES)), *conditions)
        .group_by(Ticket.status)
        .tuples()
    )
    segment = _group("segment", segment_field)
    complaints = (
        Ticket.select(segment, pw.fn.COUNT(Ticket.number))
        .where(Ticket.created_at >= start, Ticket.created_at < end,
               Ticket.ticket_type == TicketType.COMPLAINT.value, *conditions)
        .group_by(segment)
        .order_by(pw.fn.COUNT(Ticket.number).desc(), segment)
        .tuples()
    )  # fmt: skip
    days = (end - start).days
    per_day = [
        (day, *daily.get(day, (0, 0)))
        for day in (start.date() + timedelta(days=offset) for offset in range(days))
    ]
    return KPIReport(
        start, end, filters, by, segment_field,
        totals.get(_ALL, Figures()),
        {s.value: backlog.get(s.value, 0) for s in Status if s.value in OPEN_STATUSES},
        per_day,
        [(_label(name, "segment", {}), count) for name, count in complaints],
        groups,
    )  # fmt: skip
