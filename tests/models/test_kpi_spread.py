"""Median and p90 (nearest rank) are both given for groups of any size, on both backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models.directory import agents
from models.reports import kpi
from models.tickets import changes as tickets

MON = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def clock(monkeypatch):
    now = {"at": MON}
    monkeypatch.setattr("models.tickets.pipeline.utcnow", lambda: now["at"])
    return now


def _resolved_after(actor, clock, assignee: str, hours: int) -> None:
    """A ticket answered and resolved ``hours`` after it was created (wall clock: no SLA policy)."""
    clock["at"] = MON
    ticket = tickets.create_ticket(actor, subject="Printer jam", body="It jams", customer="eva@example.com",
                                   assignee=assignee)  # fmt: skip
    clock["at"] = MON + timedelta(hours=hours)
    tickets.add_reply(actor, ticket.number, "Fixed")
    tickets.set_status(actor, ticket.number, "resolved")


def test_groups_of_one_two_and_three_tickets_have_a_median_and_a_p90(admin, clock):
    for login, hours in (("one", [1]), ("two", [1, 2]), ("three", [1, 2, 3])):
        agents.add_agent(admin, login, login.title())
        for h in hours:
            _resolved_after(admin, clock, login, h)

    report = kpi.kpi_report(*kpi.period(date(2026, 3, 1), date(2026, 3, 8)), by="agent")
    groups = {name: figures for name, figures in report.groups}
    # nearest rank: the ceil(p * n)-th smallest
    expected = {"one": (1.0, 1.0), "two": (1.0, 2.0), "three": (2.0, 3.0)}
    for login, (median, p90) in expected.items():
        for spread in (groups[login].resolution, groups[login].first_response):
            assert (spread.median, spread.p90) == (median, p90), login
    as_json = {g["name"]: g["resolution"] for g in report.as_dict()["groups"]}
    assert as_json["one"] == {"count": 1, "median_hours": 1.0, "p90_hours": 1.0}
    assert (report.totals.resolution.median, report.totals.resolution.p90) == (1.0, 3.0)  # of 1,1,1,2,2,3
