"""Organizations: an expired contract is flagged in the queue and on the ticket, never demoted."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from models.directory import lookup as directory
from models.errors import PermissionDenied
from models.search import tickets as search
from models.sla import rules as sla
from models.store.tables import Organization, utcnow
from models.tickets import changes as tickets
from support.cli import one_error_line


def test_contract_expiry_and_the_filter(admin):
    today = utcnow().date()
    Organization.create(name="Old Co", tier="premium", contract_valid_until=today - timedelta(days=1))
    Organization.create(name="New Co", tier="premium", contract_valid_until=today + timedelta(days=30))
    old = tickets.create_ticket(admin, subject="x", body="y", organization="Old Co")
    new = tickets.create_ticket(admin, subject="x", body="y", organization="New Co")
    assert directory.contract_expired(today - timedelta(days=1)) and not directory.contract_expired(today)
    assert [t.number for t in search.search_tickets("is:contract-expired").tickets] == [old.number]
    assert [t.number for t in search.search_tickets("-is:contract-expired").tickets] == [new.number]
    # the same rule for both: an expired contract changes no deadline
    sla.save_policy(admin, "Premium", tier="premium", first_response=60)
    assert sla.deadlines(old.number).first_response.target == sla.deadlines(new.number).first_response.target


def test_only_leads_change_organizations_and_a_tier_change_moves_the_policy(admin, agent):
    Organization.create(name="Acme", tier="standard")
    t = tickets.create_ticket(admin, subject="x", body="y", organization="Acme")
    sla.save_policy(admin, "Premium", tier="premium", first_response=60)
    assert sla.deadlines(t.number).policy is None
    with pytest.raises(PermissionDenied):
        directory.update_organization(agent, "acme", tier="premium")
    directory.update_organization(admin, "acme", tier="Premium", contract_valid_until=date(2030, 1, 1))
    assert tickets.get_ticket(t.number).sla_policy_id == sla.policy_for("premium", "normal", None).id
    assert Organization.get(Organization.name == "Acme").contract_valid_until == date(2030, 1, 1)


def test_org_from_the_command_line(desk):
    desk("ticket", "new", "--subject", "x", "--body", "y", "--org", "Acme")
    assert desk("org", "set", "Acme", "--tier", "premium", "--contract-until", "2020-01-31").exit_code == 0
    shown = json.loads(desk("org", "show", "acme", "--json").stdout)
    assert (shown["tier"], shown["contract_valid_until"], shown["contract_expired"]) == ("premium", "2020-01-31", True)
    assert "bad --contract-until" in one_error_line(desk("org", "set", "Acme", "--contract-until", "soon"), 2)
    assert "no organization" in one_error_line(desk("org", "show", "Nope"), 4)


# --- tiers, profiles, churn --------------------------------------------------------------------


def test_tiers_are_configurable_and_checked(admin, agent):
    from models.errors import Conflict, InvalidInput
    from models.sla import tiers as organizations

    assert organizations.tiers() == ["none", "standard", "premium"]
    assert organizations.add_tier(admin, "Gold", after="standard") == ["none", "standard", "gold", "premium"]
    with pytest.raises(PermissionDenied):
        organizations.add_tier(agent, "platinum")
    with pytest.raises(Conflict, match="already exists"):
        organizations.add_tier(admin, "gold")
    Organization.create(name="Acme")
    with pytest.raises(InvalidInput, match="unknown tier 'diamond'; known tiers: none, standard, gold, premium"):
        directory.update_organization(admin, "Acme", tier="diamond")
    directory.update_organization(admin, "Acme", tier="gold")
    with pytest.raises(Conflict, match="in use"):
        organizations.remove_tier(admin, "gold")
    directory.update_organization(admin, "Acme", tier="premium")
    assert organizations.remove_tier(admin, "gold") == ["none", "standard", "premium"]


def test_contract_dates_must_be_in_order(admin):
    from models.errors import InvalidInput

    Organization.create(name="Acme")
    directory.update_organization(admin, "Acme", contract_valid_from=date(2026, 1, 1), revenue_band="1-10M")
    with pytest.raises(InvalidInput, match="end .* before it starts"):
        directory.update_organization(admin, "Acme", contract_valid_until=date(2025, 12, 31))
    org = Organization.get(Organization.name == "Acme")
    assert (org.contract_valid_from, org.contract_valid_until, org.revenue_band) == (date(2026, 1, 1), None, "1-10M")


def test_the_list_and_the_profile(admin):
    from models.reports import organizations
    from models.tickets import csat

    today = utcnow().date()
    Organization.create(name="Acme", tier="premium", industry="retail", contract_valid_until=today - timedelta(days=3))
    Organization.create(name="Beta", tier="standard", industry="energy")
    first = tickets.create_ticket(admin, subject="Printer", body="jams", customer="eva@acme.test", organization="Acme")
    tickets.create_ticket(admin, subject="Scanner", body="stuck", customer="bob@acme.test", organization="Acme",
                          ticket_type="complaint")  # fmt: skip
    tickets.set_status(admin, first.number, "resolved")
    csat.record(admin, first.number, 4)
    rows = organizations.list_organizations()
    assert [(r.name, r.open_tickets, r.expired) for r in rows] == [("Acme", 1, True), ("Beta", 0, False)]
    assert [r.name for r in organizations.list_organizations("ENERGY")] == ["Beta"]
    assert [r.name for r in organizations.list_organizations("premium")] == ["Acme"]
    p = organizations.profile("acme", now=utcnow())
    assert p.expired and p.open_tickets == 1 and p.contact_count == 2
    assert [name for _, name in p.contacts] == ["bob@acme.test", "eva@acme.test"]
    assert (p.figures.created, p.figures.resolved, p.figures.complaints, p.figures.csat_average) == (2, 1, 1, 4.0)
    assert [t.subject for t in p.tickets] == ["Printer", "Scanner"]  # latest activity first


def test_churn_risk_lists_reasons(admin, monkeypatch):
    from models.reports import churn
    from models.tickets import csat

    now = utcnow()
    Organization.create(name="Calm", tier="standard")
    Organization.create(name="Stormy", tier="premium", contract_valid_until=now.date() + timedelta(days=20))
    for _ in range(3):
        tickets.create_ticket(admin, subject="Angry", body="again", customer="x@stormy.test", organization="Stormy",
                              ticket_type="complaint")  # fmt: skip
    for score in (1, 2, 2, 1, 3, 2, 1, 2):
        t = tickets.create_ticket(admin, subject="Slow", body="very", customer="y@stormy.test", organization="Stormy")
        tickets.set_status(admin, t.number, "resolved")
        csat.record(admin, t.number, score)
    calm = tickets.create_ticket(admin, subject="Question", body="?", customer="z@calm.test", organization="Calm")
    tickets.set_status(admin, calm.number, "resolved")
    csat.record(admin, calm.number, 5)
    risks = churn.at_risk(now=utcnow() + timedelta(minutes=1))
    assert [r.organization for r in risks] == ["Stormy"]
    reasons = " | ".join(risks[0].reasons)
    assert "complaints rising: 3 in the last 90 days, 0 before" in reasons
    assert "satisfaction low: 1.8/5 over 8 answers" in reasons
    assert "contract ends" in reasons and "in 20 days" in reasons


def test_org_list_show_tiers_and_reports_from_the_command_line(desk):
    desk("ticket", "new", "--subject", "x", "--body", "y", "--org", "[bold]Acme[/bold]\x1b]0;pwn\x07")
    listed = desk("org", "list")
    assert listed.exit_code == 0 and "[bold]Acme[/bold]" in listed.stdout and "\x1b" not in listed.stdout
    assert desk("org", "set", "1", "--revenue", "1-10M", "--contract-from", "2026-01-01").exit_code == 0
    shown = json.loads(desk("org", "show", "1", "--json").stdout)
    assert (shown["revenue_band"], shown["contract_valid_from"], shown["open_tickets"]) == ("1-10M", "2026-01-01", 1)
    assert shown["figures"]["created"] == 1
    assert "unknown tier" in one_error_line(desk("org", "set", "1", "--tier", "diamond"), 2)
    assert desk("org", "tiers", "--add", "gold", "--after", "standard").exit_code == 0
    assert json.loads(desk("org", "tiers", "--json").stdout) == ["none", "standard", "gold", "premium"]
    assert "--after goes with --add" in one_error_line(desk("org", "tiers", "--after", "none"), 2)
    kpi = json.loads(desk("report", "kpi", "--by", "org", "--json").stdout)
    assert kpi["totals"]["created"] == 1 and kpi["groups"][0]["name"].startswith("[bold]Acme[/bold]")
    text = desk("report", "kpi", "--by", "org").stdout
    assert "Created 1, resolved 0" in text and "\x1b" not in text and "[bold]Acme[/bold]" in text
    assert "use FIELD=VALUE" in one_error_line(desk("report", "kpi", "--segment", "premium"), 2)
    assert "no agent" in one_error_line(desk("report", "kpi", "--agent", "ghost"), 4)
    assert desk("report", "churn").stdout.strip() == "No organization shows a churn signal."
