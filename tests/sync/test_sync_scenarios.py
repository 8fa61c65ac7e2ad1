"""Sync scenarios against the real remotes on loopback (Roundup always; RT 5 where installed, and
always in CI): import, create here, change there, both change, offline edits."""

from __future__ import annotations

import pytest

from models.exchange import sync_state
from models.store.sync_tables import SyncConflict, SyncTicket
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from models.tickets.timeline import events_of
from support.remote_sides import make_far, unique
from support.roundup_server import roundup_server  # noqa: F401 - fixture
from support.rt_server import rt_server  # noqa: F401 - fixture
from sync import sync_one

pytestmark = pytest.mark.remote


@pytest.fixture(params=["roundup", "rt"])
def far(request, db):
    return make_far(request, request.param)


def start_from_now(far) -> None:
    """Skip what other tests left on the shared server: this desk's first pull starts now."""
    state = sync_state.remote_state(far.config.name, far.config.kind)
    sync_state.set_cursor(state, far.cursor_now())


def run(far, **kw):
    return sync_one(far.config, env=far.env, **kw)


def local_of(far, key: str) -> Ticket:
    link = SyncTicket.get(SyncTicket.remote_key == key)
    return Ticket.get_by_id(link.ticket_id)


def test_initial_import(admin, far):
    subject = unique("Initial import")
    key = far.other.create_ticket(subject=subject, body="Nothing works since Monday.", requestor=None,
                                  status=far.status("new"), priority=far.priority("high"))  # fmt: skip
    far.other.add_message(key, "Still broken.", public=True)
    summary = run(far)
    assert summary.errors == 0, summary.report
    ticket = local_of(far, key)
    assert ticket.subject == subject and ticket.priority == "high"
    bodies = [e.body for e in events_of(ticket.number) if e.body]
    assert bodies == ["Nothing works since Monday.", "Still broken."]
    assert all(e.origin == far.config.name for e in events_of(ticket.number))
    seen = len(events_of(ticket.number))
    assert run(far).errors == 0  # a second run brings nothing new (other tests share the server)
    assert len(events_of(ticket.number)) == seen and Ticket.select().where(Ticket.subject == subject).count() == 1


def test_created_here_appears_there_with_replies_and_notes(admin, far):
    start_from_now(far)
    run(far)
    subject = unique("Created here")
    t = tickets.create_ticket(admin, subject=subject, body="Scanner offline.", customer="ann@example.com")
    tickets.add_reply(admin, t.number, "Restart it, please.")
    tickets.add_note(admin, t.number, "Firmware 2.1 known bad.")
    summary = run(far)
    assert summary.errors == 0, summary.report
    key = SyncTicket.get(SyncTicket.ticket == t.number).remote_key
    there = far.other.get_ticket(key)
    assert there.subject == subject
    messages, _ = far.other.messages(key)
    got = [(m.body.strip(), m.public) for m in messages]
    expected = [("Scanner offline.", True), ("Restart it, please.", True)]
    if far.other.has_notes:
        expected.append(("Firmware 2.1 known bad.", False))
    assert got == expected
    again = run(far)
    assert (again.pushed, again.errors) == (0, 0)
    assert len(far.other.messages(key)[0]) == len(expected)


def test_changed_there_appears_here(admin, far):
    start_from_now(far)
    key = far.other.create_ticket(subject=unique("Changed there"), body="Help.", requestor=None,
                                  status=far.status("open"), priority=far.priority("normal"))  # fmt: skip
    run(far)
    fresh = far.other.get_ticket(key)
    far.other.update_ticket(key, {"priority": far.priority("urgent")}, etag=fresh.etag)
    far.other.add_message(key, "It is getting worse.", public=True)
    summary = run(far)
    assert summary.errors == 0, summary.report
    ticket = local_of(far, key)
    assert ticket.priority == "urgent"
    change = [e for e in events_of(ticket.number) if e.kind == "priority"][-1]
    assert change.origin == far.config.name and change.origin_actor
    assert "It is getting worse." in [(e.body or "").strip() for e in events_of(ticket.number)]


def test_both_sides_change_different_fields(admin, far):
    start_from_now(far)
    key = far.other.create_ticket(subject=unique("Both sides"), body="Hello.", requestor=None,
                                  status=far.status("open"), priority=far.priority("normal"))  # fmt: skip
    run(far)
    number = local_of(far, key).number
    tickets.set_status(admin, number, "pending")
    far.other.update_ticket(key, {"priority": far.priority("high")}, etag=far.other.get_ticket(key).etag)
    summary = run(far)
    assert (summary.errors, summary.conflicts) == (0, 0), summary.report
    assert local_of(far, key).priority == "high" and local_of(far, key).status == "pending"
    there = far.other.get_ticket(key)
    assert there.status == far.status("pending") and there.priority == far.priority("high")


def test_both_sides_change_the_same_field(admin, far):
    start_from_now(far)
    key = far.other.create_ticket(subject=unique("Same field"), body="Hello.", requestor=None,
                                  status=far.status("open"), priority=far.priority("normal"))  # fmt: skip
    run(far)
    number = local_of(far, key).number
    tickets.set_priority(admin, number, "low", reason="workaround", requested_by="own call")
    far.other.update_ticket(key, {"priority": far.priority("urgent")}, etag=far.other.get_ticket(key).etag)
    summary = run(far)
    assert summary.conflicts == 1 and summary.errors == 0, summary.report
    conflict = SyncConflict.get(SyncConflict.ticket == number)
    assert (conflict.local_value, conflict.remote_value) == ("low", "urgent")
    kinds = [(e.kind, e.old_value, e.new_value) for e in events_of(number)]
    assert ("sync_conflict", "low", "urgent") in kinds
    assert far.other.get_ticket(key).priority == far.priority("low")  # the deterministic default
    assert run(far).conflicts == 0


def test_offline_edits_are_pushed_later_exactly_once(admin, far, monkeypatch):
    start_from_now(far)
    key = far.other.create_ticket(subject=unique("Offline"), body="Hello.", requestor=None,
                                  status=far.status("open"), priority=far.priority("normal"))  # fmt: skip
    run(far)
    number = local_of(far, key).number
    tickets.add_reply(admin, number, "Written on the train.")
    offline = far.config.__class__(**{**far.config.__dict__, "url": "http://127.0.0.1:9/nowhere"})
    failed = sync_one(offline, env=far.env)
    assert failed.errors >= 1 and failed.pending >= 1
    summary = run(far)
    assert summary.errors == 0 and summary.pending == 0, summary.report
    bodies = [m.body.strip() for m in far.other.messages(key)[0]]
    assert bodies.count("Written on the train.") == 1
    assert run(far).pushed == 0
    mine = TicketEvent.select().where((TicketEvent.ticket == number) & (TicketEvent.body == "Written on the train."))
    assert mine.count() == 1  # (other desks' tests share the server: count this ticket's only)
