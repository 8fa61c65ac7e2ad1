"""KPIs on both backends: the measures kept on each ticket and the figures aggregated from them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models.directory import lookup as directory
from models.errors import InvalidInput, NotFound
from models.reports import kpi
from models.sla import rules as sla
from models.store.tables import Organization, Ticket
from models.tickets import changes as tickets
from models.tickets import csat

MON = datetime(2026, 3, 2, 9, 0)  # a Monday, 09:00 UTC
WEEKDAYS = {day: "09:00-13:00, 14:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(MON)
    for module in ("models.tickets.pipeline", "models.tickets.csat"):
        monkeypatch.setattr(f"{module}.utcnow", clock)
    return clock


@pytest.fixture
def office(admin):
    sla.save_calendar(admin, "Office", timezone="UTC", hours=WEEKDAYS)
    sla.save_policy(admin, "Premium", tier="premium", calendar="Office", first_response=60, resolution=8 * 60)
    sla.save_policy(admin, "Standard", calendar="Office", first_response=240, resolution=40 * 60)
    Organization.create(name="Acme", tier="premium", industry="retail")
    Organization.create(name="Beta", tier="standard", industry="energy")
    return admin


def new(actor, org=None, **kw) -> Ticket:
    return tickets.create_ticket(actor, subject="Printer jam", body="It jams", customer="eva@example.com",
                                 organization=org, **kw)  # fmt: skip


def test_measures_count_business_time_only_while_the_ticket_runs(office, clock):
    clock.at = MON.replace(hour=17)  # one business hour before the evening
    t = new(office, "Acme")
    clock.advance(hours=16, minutes=30)  # Tuesday 09:30: 1.5 business hours later
    t = tickets.add_reply(office, t.number, "Looking into it")
    assert t.first_response_minutes == 90
    assert t.sla_breached is True  # the first response was due within 1 business hour
    t = tickets.set_status(office, t.number, "pending")
    clock.advance(hours=3)  # paused: does not count
    t = tickets.set_status(office, t.number, "open")
    clock.advance(minutes=30)
    t = tickets.set_status(office, t.number, "resolved")
    assert t.resolution_minutes == 90 + 30
    assert t.reopen_count == 0
    t = tickets.add_reply(office, t.number, "Still jams", from_customer=True)
    assert t.reopen_count == 1 and t.resolution_minutes is None  # open again: not resolved
    t = tickets.set_status(office, t.number, "resolved")
    assert t.reopen_count == 1 and t.resolution_minutes == 120


def test_without_a_policy_time_is_wall_clock_and_sla_is_not_counted(admin, clock):
    t = new(admin)
    clock.advance(hours=30)
    t = tickets.add_reply(admin, t.number, "Hello")
    assert t.first_response_minutes == 30 * 60 and t.sla_breached is None


def _desk(office, clock):
    """Four tickets on Monday: two Acme (premium) by agent ann, two Beta (standard) unassigned."""
    directory  # noqa: B018 - the module is used by the fixtures
    from models.directory import agents

    agents.add_agent(office, "ann", "Ann Agent")
    made = []
    for org, who, kind in (("Acme", "ann", "complaint"), ("Acme", "ann", "question"),
                           ("Beta", None, "complaint"), ("Beta", None, "incident")):  # fmt: skip
        made.append(new(office, org, assignee=who, ticket_type=kind))
        clock.advance(minutes=10)
    return made


def test_the_report_aggregates_a_period(office, clock):
    a1, a2, b1, b2 = _desk(office, clock)
    clock.at = MON.replace(hour=10)
    tickets.add_reply(office, a1.number, "On it")  # 60 min after a1: met (1 h)
    tickets.add_reply(office, b1.number, "On it")  # 40 min: met (4 h)
    clock.at = MON.replace(hour=11)
    tickets.set_status(office, a1.number, "resolved")  # 120 min: met (8 h)
    clock.at = MON.replace(hour=15)
    tickets.add_reply(office, a2.number, "Sorry for the wait")  # 5 business hours: first response missed
    tickets.set_status(office, a2.number, "resolved")
    clock.advance(minutes=5)
    tickets.set_status(office, b1.number, "resolved")
    tickets.add_reply(office, b1.number, "Not fixed", from_customer=True)  # reopened
    tickets.set_status(office, b1.number, "resolved")
    csat.record(office, a1.number, 5)
    csat.record(office, a2.number, 2)

    start, end = kpi.period(date(2026, 3, 2), date(2026, 3, 8))
    report = kpi.kpi_report(start, end)
    t = report.totals
    assert (t.created, t.resolved, t.complaints) == (4, 3, 2)
    assert (t.sla_counted, t.sla_met) == (3, 2)
    assert round(t.sla_compliance, 1) == 66.7
    assert t.reopened == 1 and round(t.reopen_rate, 1) == 33.3
    assert (t.surveys, t.answers) == (3, 2)  # b1 resolved twice: its unanswered survey stays the one
    assert t.csat_average == 3.5 and round(t.csat_response_rate, 1) == 66.7
    assert t.first_response.count == 3  # b2 was never answered
    assert t.first_response.median == 1.0  # ranks: 40 min, 60 min, 4 h 50 -> the 2nd
    assert t.first_response.p90 == pytest.approx(4 + 50 / 60)  # 09:10-15:00 less the lunch hour
    assert report.backlog == {"new": 1, "open": 0, "pending": 0, "on_hold": 0}
    assert report.per_day[0] == (date(2026, 3, 2), 4, 3) and len(report.per_day) == 7
    assert sum(c for _, c, _ in report.per_day) == 4
    assert dict(report.complaints_by_segment) == {"premium": 1, "standard": 1}
    groups = dict(report.groups)
    assert groups["ann"].created == 2 and groups["ann"].sla_met == 1 and groups["ann"].csat_average == 3.5
    assert groups["(unassigned)"].created == 2 and groups["(unassigned)"].reopened == 1


def test_filters_and_groupings(office, clock):
    _desk(office, clock)
    start, end = kpi.period(date(2026, 3, 1), date(2026, 3, 31))
    acme = kpi.kpi_report(start, end, filters=kpi.Filters(organization="Acme"))
    assert acme.totals.created == 2
    assert kpi.kpi_report(start, end, filters=kpi.Filters(agent="ann")).totals.created == 2
    energy = kpi.kpi_report(start, end, filters=kpi.Filters(segment=("industry", "energy")), by="org")
    assert energy.totals.created == 2 and [name for name, _ in energy.groups] == ["Beta"]
    by_segment = kpi.kpi_report(start, end, by="segment")
    assert {name: f.complaints for name, f in by_segment.groups} == {"premium": 1, "standard": 1}
    outside = kpi.kpi_report(*kpi.period(date(2026, 4, 1), date(2026, 4, 30)))
    assert outside.totals.created == 0 and outside.totals.sla_compliance is None
    assert outside.backlog["new"] == 4  # the backlog is now, whatever the period


def test_bad_reports_are_refused_clearly(office):
    with pytest.raises(InvalidInput, match="ends"):
        kpi.period(date(2026, 3, 2), date(2026, 3, 1))
    start, end = kpi.period(date(2026, 3, 1), date(2026, 3, 2))
    with pytest.raises(NotFound, match="no agent"):
        kpi.kpi_report(start, end, filters=kpi.Filters(agent="ghost"))
    with pytest.raises(InvalidInput, match="grouping"):
        kpi.kpi_report(start, end, by="colour")
    with pytest.raises(InvalidInput, match="segment field"):
        kpi.kpi_report(start, end, filters=kpi.Filters(segment=("shoe_size", "42")))


def test_the_json_form_holds_every_figure(office, clock):
    _desk(office, clock)
    data = kpi.kpi_report(*kpi.period(date(2026, 3, 2), date(2026, 3, 2))).as_dict()
    assert data["from"] == data["to"] == "2026-03-02"
    assert data["totals"]["created"] == 4 and data["totals"]["sla_compliance_pct"] is None
    assert data["per_day"] == [{"day": "2026-03-02", "created": 4, "resolved": 0}]
