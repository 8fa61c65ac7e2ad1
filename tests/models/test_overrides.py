"""Fairness: manual favours need a reason and who asked, land on the timeline, and are reported."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from models.errors import InvalidInput, RuleViolation
from models.search.tickets import search_tickets
from models.sla import rules as sla
from models.store.tables import Organization, utcnow
from models.tickets import changes as tickets
from models.tickets.overrides import override_due, override_report
from models.tickets.timeline import describe, events_of
from support.cli import one_error_line


@pytest.fixture
def desk_rules(admin):
    sla.save_policy(admin, "Everyone", first_response=240, resolution=2400)
    Organization.create(name="Acme", tier="premium")
    Organization.create(name="Beta", tier="standard")
    return admin


def new(admin, org):
    return tickets.create_ticket(admin, subject=f"{org} problem", body="x", organization=org)


def test_jumping_the_queue_needs_a_reason_and_a_requester_and_orders_the_queue(desk_rules):
    admin = desk_rules
    first, second = new(admin, "Acme"), new(admin, "Beta")
    with pytest.raises(InvalidInput, match="needs a reason"):
        override_due(admin, second.number, utcnow(), reason="", requested_by="sales: Rossi")
    with pytest.raises(InvalidInput, match="who asked"):
        override_due(admin, second.number, utcnow(), reason="big deal", requested_by=" ")
    soon = utcnow() + timedelta(minutes=5)
    t = override_due(admin, second.number, soon, reason="contract renewal call", requested_by="sales: Rossi")
    assert t.due_at == soon.replace(microsecond=0)
    assert [x.number for x in search_tickets("sort:due").tickets][:2] == [second.number, first.number]
    event = events_of(second.number)[-1]
    assert event.requested_by == "sales: Rossi" and "asked by sales: Rossi" in describe(event)
    back = override_due(admin, second.number, None, reason="done", requested_by="sales: Rossi")
    assert back.due_at == sla.deadlines(second.number).due_at and back.due_at != soon
    tickets.set_status(admin, first.number, "resolved")
    with pytest.raises(RuleViolation):
        override_due(admin, first.number, soon, reason="x", requested_by="y")


def test_the_report_counts_favours_by_requester_and_organization(desk_rules):
    admin = desk_rules
    a, b, c = new(admin, "Acme"), new(admin, "Acme"), new(admin, "Beta")
    start = utcnow() - timedelta(seconds=1)
    tickets.set_priority(admin, a.number, "urgent", reason="CEO called", requested_by="sales: Rossi")
    override_due(admin, b.number, utcnow(), reason="renewal", requested_by="sales: Rossi")
    with pytest.raises(InvalidInput, match="who asked"):
        tickets.set_priority(admin, c.number, "high", reason="outage")
    tickets.set_priority(admin, c.number, "high", reason="outage", requested_by="own call")  # the agent's own call
    report = override_report(start, utcnow() + timedelta(seconds=1))
    assert report.by_requester == [("sales: Rossi", 2), ("own call", 1)]
    assert report.by_organization == [("Acme", 2), ("Beta", 1)]
    assert [(o.ticket, o.what) for o in report.items] == [(c.number, "priority"), (b.number, "deadline"),
                                                          (a.number, "priority")]  # fmt: skip
    assert override_report(start - timedelta(days=9), start).items == []


def test_overrides_from_the_command_line(desk):
    desk("sla", "policy", "set", "Everyone", "--first-response", "4h")
    number = desk("ticket", "new", "--subject", "x", "--body", "y", "--org", "Acme").stdout.strip()
    result = desk("ticket", "set", number, "--priority", "urgent", "--reason", "CEO", "--requested-by", "sales: Rossi")
    assert result.exit_code == 0, result.output
    assert desk("sla", "override", number, "--due", "2030-01-01T09:00", "--reason", "agreed",
                "--requested-by", "customer: Bianchi").exit_code == 0  # fmt: skip
    assert "who asked" in one_error_line(desk("sla", "override", number, "--due", "2030-01-02", "--reason", "r"), 2)
    report = json.loads(desk("report", "overrides", "--json").stdout)
    assert {r["requested_by"] for r in report["items"]} == {"sales: Rossi", "customer: Bianchi"}
    assert report["by_organization"] == [{"organization": "Acme", "count": 2}]
    assert "sales: Rossi" in desk("report", "overrides").stdout
