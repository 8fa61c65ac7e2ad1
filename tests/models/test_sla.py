"""SLA policies on both backends: explicit rules, deadlines stored on every change, pauses, re-evaluation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from models.directory import lookup as directory
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from models.sla import rules as sla
from models.store.tables import Organization, Ticket
from models.tickets import changes as tickets

H = timedelta(hours=1)
WEEKDAYS = {day: "09:00-13:00, 14:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def rules(admin):
    """Office hours in UTC; premium/high gets 1 h and 8 business hours; everyone else 4 h and 40 h."""
    sla.save_calendar(admin, "Office", timezone="UTC", hours=WEEKDAYS, holidays=["2026-12-25"])
    sla.save_policy(admin, "Premium high", tier="premium", priority="high", calendar="Office",
                    first_response=60, next_response=120, resolution=8 * 60)  # fmt: skip
    sla.save_policy(admin, "Standard", calendar="Office", first_response=240, resolution=40 * 60)
    return admin


def new(actor, org: str | None = None, tier: str = "standard", priority: str = "normal", **kw) -> Ticket:
    if org and Organization.get_or_none(Organization.name == org) is None:
        Organization.create(name=org, tier=tier)
    return tickets.create_ticket(
        actor, subject="Broken", body="It broke", customer="eva@example.com", organization=org, priority=priority, **kw
    )


def test_the_first_matching_rule_wins_and_says_so(rules):
    chosen = sla.policy_for("premium", "high", None)
    assert chosen.name == "Premium high"
    assert chosen.describe() == (
        "Premium / high: first response 1 business hour, next response 2 business hours, resolution 8 business hours (Office)"
    )
    assert sla.policy_for("premium", "low", None).name == "Standard"
    assert sla.policy_for(None, "urgent", None).name == "Standard"  # a private person: tier "none"
    assert [p.name for p in sla.policies()] == ["Premium high", "Standard"]


def test_deadlines_are_stored_when_the_ticket_is_created(rules):
    t = new(rules, "Acme", tier="premium", priority="high")
    found = sla.deadlines(t.number, now=t.created_at)
    assert found.policy.name == "Premium high"
    assert t.first_response_due == found.first_response.due
    assert t.due_at == min(t.first_response_due, t.resolution_due)
    assert t.sla_policy_id == found.policy.id


def test_a_reply_meets_the_first_response_and_a_customer_message_starts_the_next(rules, monkeypatch):
    t = new(rules, "Acme", tier="premium", priority="high")
    t = tickets.add_reply(rules, t.number, "On it")
    assert t.next_response_due is None and t.due_at == t.resolution_due
    t = tickets.add_reply(rules, t.number, "Still broken", from_customer=True)
    assert t.next_response_due is not None and t.due_at == min(t.next_response_due, t.resolution_due)
    t = tickets.add_reply(rules, t.number, "Fixed now?")
    assert t.next_response_due is None


def test_pending_pauses_the_clock_and_resolving_clears_the_queue_deadline(rules):
    t = new(rules)
    before = t.resolution_due
    t = tickets.set_status(rules, t.number, "pending")
    assert t.due_at is None  # paused: no deadline runs
    t = tickets.set_status(rules, t.number, "open")
    assert t.resolution_due >= before  # resumed later: the deadline moved by the pause
    t = tickets.set_status(rules, t.number, "resolved")
    assert t.due_at is None
    assert not sla.deadlines(t.number).resolution.breached  # resolved within the target


def test_changing_a_policy_re_evaluates_open_tickets(rules):
    t = new(rules, "Beta", tier="premium", priority="high")
    sla.save_policy(rules, "Premium high", tier="premium", priority="high", calendar="Office", first_response=30)
    fresh = Ticket.get_by_id(t.number)
    assert fresh.resolution_due is None and fresh.first_response_due is not None
    sla.remove_policy(rules, "Premium high")
    assert Ticket.get_by_id(t.number).sla_policy_id == sla.policy_for("premium", "high", None).id


def test_a_priority_change_can_move_a_ticket_to_another_policy(rules):
    t = new(rules, "Gamma", tier="premium", priority="normal")
    assert sla.deadlines(t.number).policy.name == "Standard"
    tickets.set_priority(rules, t.number, "high", reason="production down", requested_by="own call")
    assert sla.deadlines(t.number).policy.name == "Premium high"


def test_only_leads_and_admins_change_the_rules(rules, agent):
    with pytest.raises(PermissionDenied):
        sla.save_policy(agent, "Mine", first_response=1)
    with pytest.raises(PermissionDenied):
        sla.save_calendar(agent, "Night", timezone="UTC", hours={"mon": "00:00-06:00"})


def test_bad_rules_are_refused(rules):
    with pytest.raises(InvalidInput, match="at least one target"):
        sla.save_policy(rules, "Empty")
    with pytest.raises(InvalidInput, match="whole number of minutes"):
        sla.save_policy(rules, "Zero", first_response=0)
    with pytest.raises(NotFound, match="no SLA calendar"):
        sla.save_policy(rules, "Ghost", calendar="Nope", first_response=5)
    with pytest.raises(NotFound, match="no queue"):
        sla.save_policy(rules, "Ghost", queue="Nope", first_response=5)
    with pytest.raises(InvalidInput, match="unknown priority"):
        sla.save_policy(rules, "Ghost", priority="asap", first_response=5)
    with pytest.raises(Conflict, match="used by Premium high, Standard"):
        sla.remove_calendar(rules, "Office")


def test_a_desk_without_policies_has_no_deadlines(admin):
    t = new(admin)
    assert (t.due_at, t.first_response_due, t.sla_policy_id) == (None, None, None)


def test_queue_rules_match_only_their_queue(rules):
    directory.add_queue("Hardware", actor=rules)
    sla.save_policy(rules, "Hardware", queue="Hardware", first_response=15, position=0)
    assert sla.policy_for("standard", "normal", "Hardware").name == "Hardware"
    assert sla.policy_for("standard", "normal", None).name == "Standard"
    t = new(rules, queue="Hardware")
    assert sla.deadlines(t.number).first_response.target == timedelta(minutes=15)


def test_deadlines_skip_weekends_and_holidays(rules):
    t = new(rules)
    created = datetime(2026, 12, 24, 17, 0)  # Thursday before Christmas, one office hour left
    Ticket.update(created_at=created).where(Ticket.number == t.number).execute()
    found = sla.deadlines(t.number, now=created)
    assert found.first_response.due == datetime(2026, 12, 28, 12, 0)  # 1 h Thu + 3 h on Monday (25th closed)
    assert found.first_response.due - created > 3 * 24 * H


def test_breached_and_due_soon_filters(rules):
    from models.search.tickets import search_tickets
    from models.store.tables import utcnow

    late, soon, later = new(rules), new(rules), new(rules)
    now = utcnow()
    for t, due in ((late, now - H), (soon, now + 30 * timedelta(minutes=1)), (later, now + 5 * H)):
        Ticket.update(due_at=due).where(Ticket.number == t.number).execute()
    found = lambda q: [t.number for t in search_tickets(q).tickets]  # noqa: E731
    assert found("is:breached") == [late.number]
    assert found("is:due-soon") == [soon.number]
    assert set(found("-is:breached")) == {soon.number, later.number}
    assert found("sort:due")[:3] == [late.number, soon.number, later.number]


def test_the_sweep_writes_each_warning_and_breach_once(rules):
    from models.tickets import alerts as sla_alerts
    from models.tickets.timeline import describe, events_of

    t = new(rules, "Acme", tier="premium", priority="high")
    due = Ticket.get_by_id(t.number).first_response_due
    assert sla_alerts.sweep(now=due - 2 * H) == []
    warned = sla_alerts.sweep(now=due - 30 * timedelta(minutes=1))
    assert [(a.number, a.target, a.state) for a in warned] == [(t.number, "first_response", "warning")]
    assert sla_alerts.sweep(now=due - 20 * timedelta(minutes=1)) == []  # once
    breached = sla_alerts.sweep(now=due + timedelta(minutes=1))
    assert [(a.target, a.state) for a in breached] == [("first_response", "breached")]
    assert sla_alerts.sweep(now=due + 2 * timedelta(minutes=1)) == []
    last = events_of(t.number)[-1]
    assert (last.kind, last.visibility, last.actor_id) == ("sla", "internal", None)
    assert describe(last).startswith("SLA first response breached (due ")
    assert "Premium / high" in last.reason
    after = Ticket.get_by_id(t.number)
    assert after.version == 3 and after.updated_at == t.updated_at  # on the timeline, not an "update"
    assert sla_alerts.sweep(now=due + 2 * timedelta(minutes=1)) == []
    assert events_of(t.number, public_only=True)[-1].kind != "sla"  # never shown to the customer


def test_the_app_sweeper_looks_only_at_what_changed_and_misses_nothing(rules, monkeypatch):
    from models.tickets import alerts as sla_alerts

    monday = datetime(2026, 3, 2, 9, 0)
    clock = [monday]
    monkeypatch.setattr("models.tickets.pipeline.utcnow", lambda: clock[0])
    Organization.create(name="Acme", tier="premium")
    t2 = new(rules, "Acme")  # standard rule: first response by 13:00
    t3 = new(rules, "Acme")
    sweeper = sla_alerts.Sweeper()
    assert sweeper(now=monday.replace(hour=11, minute=30)) == []
    seen = []
    monkeypatch.setattr(sla, "deadlines", lambda *a, _real=sla.deadlines, **k: seen.append(a[0]) or _real(*a, **k))
    assert sweeper(now=monday.replace(hour=11, minute=35)) == [] and seen == []  # nothing new: nothing examined
    clock[0] = monday.replace(hour=11, minute=40)
    tickets.set_priority(rules, t2.number, "high", reason="outage", requested_by="own call")  # due 10:00: late
    alerts = sweeper(now=monday.replace(hour=11, minute=41))
    assert [(a.number, a.state) for a in alerts] == [(t2.number, "breached")] and seen == [t2.number]
    # a rule change moves t3's deadline without changing t3: the next sweep is a full one
    sla.save_policy(rules, "Standard", calendar="Office", first_response=60, resolution=40 * 60)
    alerts = sweeper(now=monday.replace(hour=11, minute=42))
    assert (t3.number, "breached") in [(a.number, a.state) for a in alerts]


def test_reuse_policies_reads_them_once_for_a_batch_and_fresh_after(rules, admin):
    names = lambda: [p.name for p in sla.policies()]  # noqa: E731
    before = names()
    with sla.reuse_policies():
        sla.save_policy(admin, "Added meanwhile", first_response=60, refresh=False)
        assert names() == before  # the batch goes on with what it started with
        ticket = new(admin)
        assert ticket.sla_policy_id is not None
    assert "Added meanwhile" in names()
