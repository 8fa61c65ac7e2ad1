"""KPIs over a period: the figures a lead watches, aggregated by the database.

Every figure is a SQL aggregate over the ticket measures that :func:`models.sla.deadline.refresh` keeps
on each row (business minutes to first response and to resolution, reopens, SLA missed), so a
year of a large desk is a handful of grouped scans, never tickets loaded into Python. The
database groups by agent, queue or organization (segments are folded from organizations);
Python adds the grouped rows up into totals and reads the percentiles off counts of tickets by
minute value, exact (nearest rank) and the same on SQLite and PostgreSQL.

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

from models.enums import OPEN_STATUSES, Status
from models.errors import InvalidInput, NotFound
from models.store.db import database
from models.store.tables import Agent, Organization, Queue

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
        rounded = lambda value, digits=1: None if value is None else round(value, digits)  # noqa: E731, B023 - called within this iteration
        spread = lambda s: {"count": s.count, "median_hours": rounded(s.median, 2), "p90_hours": rounded(s.p90, 2)}  # noqa: E731, B023 - called within this iteration
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


def _where(filters: Filters) -> tuple[str, list, dict[str, int]]:
    """The filters as SQL on the columns every KPI index carries (queue, assignee, organization),
    its parameters, and the ids named (by column)."""
    sql, params, ids = [], [], {}
    for column, what, named, wanted in (("queue_id", "queue", Queue.name, filters.queue),
                                        ("assignee_id", "agent", Agent.login, filters.agent),
                                        ("organization_id", "organization", Organization.name, filters.organization)):  # fmt: skip
        if not wanted:
            continue
        found = named.model.select(named.model.id).where(pw.fn.LOWER(named) == wanted.lower()).scalar()
        if found is None:
            raise NotFound(f"no {what} {wanted[:60]!r}")
        # The unary plus keeps the planner on the slice's covering index: without statistics,
        # SQLite would as soon walk this column's own index and fetch every row it names.
        sql.append(f"+{column} = {{p}}")
        params.append(found)
        ids[column] = found
    if filters.segment:
        name, value = filters.segment
        if name not in SEGMENT_FIELDS:
            raise InvalidInput(f"unknown segment field {name!r}; one of: {', '.join(SEGMENT_FIELDS)}")
        sql.append(f"+organization_id IN (SELECT id FROM organization WHERE {name} = {{p}})")
        params.append(value.lower() if name == "tier" else value)
    return "".join(f" AND {part}" for part in sql), params, ids


def _labels(by: str | None, segment_field: str) -> dict:
    """Group value → group name (a segment: the organization's value of the segment field)."""
    if by == "agent":
        return dict(Agent.select(Agent.id, Agent.login).tuples())
    if by == "queue":
        return dict(Queue.select(Queue.id, Queue.name).tuples())
    if by == "org":
        return dict(Organization.select(Organization.id, Organization.name).tuples())
    if by == "segment":
        field_ = getattr(Organization, segment_field)
        return {i: value or _EMPTY for i, value in Organization.select(Organization.id, field_).tuples()}
    return {}


def _spread(histogram: dict[int, int]) -> Spread:
    """Nearest-rank median and p90 (in hours) of minutes counted by value."""
    count = sum(histogram.values())
    if not count:
        return Spread()
    # A list, not a dict keyed by rank: for one ticket both ranks are 1, and both must be read.
    ranks = [((count * 50 + 99) // 100, "median"), ((count * 90 + 99) // 100, "p90")]
    found, seen = {}, 0
    for minutes in sorted(histogram):
        before, seen = seen, seen + histogram[minutes]
        for rank, name in ranks:
            if before < rank <= seen:
                found[name] = minutes / 60
    return Spread(count, found.get("median"), found.get("p90"))


@dataclass
class _Tally:
    """Figures being added up, with the minute histograms the spreads are read from."""

    figures: Figures = field(default_factory=Figures)
    first: dict = field(default_factory=dict)
    resolution: dict = field(default_factory=dict)

    def add(self, other: _Tally) -> None:
        a, b = self.figures, other.figures
        for name in ("created", "resolved", "complaints", "sla_counted", "sla_met", "reopened", "surveys", "answers",
                     "score_total"):  # fmt: skip
            setattr(a, name, getattr(a, name) + getattr(b, name))
        for mine, theirs in ((self.first, other.first), (self.resolution, other.resolution)):
            for minutes, count in theirs.items():
                mine[minutes] = mine.get(minutes, 0) + count

    def done(self) -> Figures:
        self.figures.first_response, self.figures.resolution = _spread(self.first), _spread(self.resolution)
        return self.figures


# The reads, one slice (one agent, or one organization) at a time: ``{slice}`` is "column = value"
# or "column IS NULL", ``{group}`` the finer grouping inside a slice (or nothing), ``{where}`` the
# filters. Each walks one range of one KPI index (see models.store.tables.KPI_INDEXES), in order.
_READS = {
    "created": "SELECT {group} COUNT(*), SUM(CASE WHEN ticket_type = 'complaint' THEN 1 ELSE 0 END) FROM ticket "
               "WHERE {slice} AND created_at >= {p} AND created_at < {p}{where}",
    # the resolved tickets by resolution time: their sums and the histogram in one walk
    "resolved": "SELECT {group} resolution_minutes, COUNT(*), SUM(CASE WHEN sla_breached IS NOT NULL THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN sla_breached = {p} THEN 1 ELSE 0 END), SUM(CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END) "
                "FROM ticket WHERE {slice} AND resolved_at >= {p} AND resolved_at < {p}{where}",
    "first": "SELECT {group} first_response_minutes, COUNT(*) FROM ticket WHERE {slice} "
             "AND first_response_minutes IS NOT NULL AND first_response_at >= {p} AND first_response_at < {p}{where}",
    "surveys": "SELECT {group} COUNT(*), SUM(CASE WHEN score IS NOT NULL THEN 1 ELSE 0 END), SUM(COALESCE(score, 0)) "
               "FROM survey WHERE {slice} AND opened_at >= {p} AND opened_at < {p}{where}",
}  # fmt: skip
_MINUTES = {"first": "first_response_minutes", "resolved": "resolution_minutes"}


def _read(name: str, column: str, value, group: str | None, start, end, where: str, params: list) -> list[tuple]:
    """One read of one slice; rows start with the group value (the slice's value without ``group``)."""
    mark = database.param
    sql = _READS[name].format(
        group=f"{group}, " if group else "",
        slice=f"{column} IS NULL" if value is None else f"{column} = {mark}",
        p=mark,
        where=where.format(p=mark),
    )
    keys = [group] if group else []
    if name in _MINUTES:
        keys.append(_MINUTES[name])
    if keys:
        sql += " GROUP BY " + ", ".join(keys)
    args = ([False] if name == "resolved" else []) + ([] if value is None else [value]) + [start, end] + params
    rows = database.execute_sql(sql, args).fetchall()
    return rows if group else [(value, *row) for row in rows]


def _tallies(start, end, where: str, params: list, column: str, values: list, group: str | None) -> dict:
    """A tally per group value, read slice by slice."""
    tallies: dict = {}
    one = lambda k: tallies.setdefault(k, _Tally())  # noqa: E731
    for value in values:
        read = lambda name: _read(name, column, value, group, start, end, where, params)  # noqa: E731, B023 - called within this iteration
        for k, count, complaints in read("created"):
            if not count:  # an aggregate without GROUP BY answers one row even for nothing
                continue
            f = one(k).figures
            f.created += count
            f.complaints += complaints or 0
        for k, minutes, count, counted, met, reopens in read("resolved"):
            tally = one(k)
            f = tally.figures
            f.resolved += count
            f.sla_counted += counted or 0
            f.sla_met += met or 0
            f.reopened += reopens or 0
            if minutes is not None:
                tally.resolution[minutes] = tally.resolution.get(minutes, 0) + count
        for k, count, answers, total in read("surveys"):
            if not count:
                continue
            f = one(k).figures
            f.surveys += count
            f.answers += answers or 0
            f.score_total += total or 0
        for k, minutes, count in read("first"):
            histogram = one(k).first
            histogram[minutes] = histogram.get(minutes, 0) + count
    return tallies


def _slicing(by: str | None, filters: Filters, ids: dict[str, int]) -> tuple[str, list, str | None]:
    """Which column to read slice by slice, its values, and the grouping inside a slice."""
    by_org = filters.organization or by in ("org", "segment") and not filters.agent
    column = "organization_id" if by_org else "assignee_id"
    if column in ids:  # a filter names the one slice to read
        values = [ids[column]]
    else:
        model = Organization if column == "organization_id" else Agent
        values = [None, *(i for (i,) in model.select(model.id).order_by(model.id).tuples())]
    group = {"agent": "assignee_id", "org": "organization_id", "segment": "organization_id",
             "queue": "queue_id"}.get(by)  # fmt: skip
    return column, values, None if group == column else group


def _per_day(start: datetime, end: datetime, where: str, params: list) -> dict[date, list[int]]:
    """Created and resolved per day: a count over one index range per day (no sort of the period)."""
    mark = database.param
    daily: dict[date, list[int]] = {}
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    for index, column in enumerate(("created_at", "resolved_at")):
        sql = f"SELECT COUNT(*) FROM ticket WHERE {column} >= {mark} AND {column} < {mark}" + where.format(p=mark)
        for day in days:
            (count,) = database.execute_sql(sql, [day, day + timedelta(days=1), *params]).fetchone()
            daily.setdefault(day.date(), [0, 0])[index] = count
    return daily


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
    where, params, ids = _where(filters)
    column, values, group = _slicing(by, filters, ids)
    tallies = _tallies(start, end, where, params, column, values, group)
    labels = _labels(by, segment_field)
    totals, grouped = _Tally(), {}
    for k, tally in tallies.items():
        totals.add(tally)
        if by is not None:
            name = labels.get(k, str(k)) if k is not None else _NOBODY[by]
            grouped.setdefault(name, _Tally()).add(tally)
    groups = [(name, tally.done()) for name, tally in grouped.items()]
    groups.sort(key=lambda item: (-(item[1].created + item[1].resolved), item[0]))
    mark = database.param
    backlog = dict(
        database.execute_sql(
            f"SELECT status, COUNT(*) FROM ticket WHERE status IN ('new', 'open', 'pending', 'on_hold')"
            f"{where.format(p=mark)} GROUP BY status",
            params,
        ).fetchall()
    )
    segments = labels if by == "segment" else _labels("segment", segment_field)
    complaints: dict[str, int] = {}
    for org, count in database.execute_sql(
        f"SELECT organization_id, COUNT(*) FROM ticket WHERE ticket_type = 'complaint' AND created_at >= {mark} "
        f"AND created_at < {mark}{where.format(p=mark)} GROUP BY organization_id",
        [start, end, *params],
    ).fetchall():
        name = segments.get(org, _EMPTY) if org is not None else _NOBODY["segment"]
        complaints[name] = complaints.get(name, 0) + count
    daily = _per_day(start, end, where, params)
    per_day = [
        (day, *daily.get(day, (0, 0))) for day in (start.date() + timedelta(days=n) for n in range((end - start).days))
    ]
    return KPIReport(
        start, end, filters, by, segment_field,
        totals.done(),
        {s.value: backlog.get(s.value, 0) for s in Status if s.value in OPEN_STATUSES},
        per_day,
        sorted(complaints.items(), key=lambda item: (-item[1], item[0])),
        groups,
    )  # fmt: skip
