"""Organizations: an expired contract is flagged in the queue and on the ticket, never demoted."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from models import directory, search, sla, tickets
from models.errors import PermissionDenied
from models.tables import Organization, utcnow
from tests.test_cli import one_error_line


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
