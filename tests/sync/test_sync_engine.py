"""The sync engine against an in-memory remote, on SQLite and PostgreSQL: import, push, both
sides changing, conflicts, offline edits, cut-off runs — nothing lost, nothing twice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models.exchange import sync_state
from models.store.config import Config
from models.store.sync_tables import SyncConflict, SyncDelivery, SyncMessage, SyncTicket
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from models.tickets.timeline import events_of, who
from support.fake_remote import Crash, FakeRemote
from sync.config import remotes_from
from sync.engine import Engine


@pytest.fixture
def remote(db):
    return FakeRemote("fake")


@pytest.fixture
def config():
    table = {"type": "rt", "url": "http://127.0.0.1:1/rt", "user": "sportello", "token_env": "X"}
    return remotes_from(Config(remotes={"fake": table}))["fake"]


def sync(config, remote, **kw):
    summary = Engine(config, remote).run(**kw)
    return summary


def local_of(key: str) -> Ticket:
    link = SyncTicket.get(SyncTicket.remote_key == key)
    return Ticket.get_by_id(link.ticket_id)


def bodies(number: int) -> list[str]:
    return [e.body for e in events_of(number) if e.body]


def test_initial_import_brings_tickets_messages_and_fields(admin, config, remote):
    a = remote.remote_create("VPN drops", "It drops every hour.", priority="100")
    remote.remote_say(a, "Logs attached.", author="ann@example.com")
    remote.remote_say(a, "Checking with the network team.", public=False, author="carla")
    remote.remote_set(a, status="open")
    b = remote.remote_create("Invoice copy", "Please resend invoice 12.")
    summary = sync(config, remote)
    assert summary.errors == 0
    ta, tb = local_of(a), local_of(b)
    assert (ta.subject, ta.priority, ta.status) == ("VPN drops", "urgent", "open")
    assert tb.status == "new" and tb.customer.email == "ann@example.com"
    assert bodies(ta.number) == ["It drops every hour.", "Logs attached.", "Checking with the network team."]
    events = events_of(ta.number)
    assert all(e.origin == "fake" for e in events)
    note = next(e for e in events if e.kind == "note")
    assert who(note) == "carla (synced from fake)" and note.visibility == "internal"
    reply = next(e for e in events if e.kind == "reply")
    assert reply.customer_id == ta.customer_id  # the requestor wrote it
    # Nothing synced from the remote goes back to it.
    assert sync_state.outbox_count(sync_state.find_remote("fake")) == 0


def test_running_twice_creates_nothing_twice(admin, config, remote):
    key = remote.remote_create("Printer", "Jams on page 3.")
    sync(config, remote)
    events, writes = TicketEvent.select().count(), remote.writes
    again = sync(config, remote)
    assert (again.pulled, again.pushed, again.errors) == (0, 0, 0)
    assert TicketEvent.select().count() == events and remote.writes == writes
    assert Ticket.select().count() == 1 and len(remote.thread_of[key]) == 1


def test_local_ticket_and_messages_are_pushed_once(admin, config, remote):
    sync(config, remote)  # the remote is added: the outbox starts now
    t = tickets.create_ticket(admin, subject="New laptop", body="Need a laptop for Rita.", customer="rita@example.com")
    tickets.add_reply(admin, t.number, "Ordered, arrives Monday.")
    tickets.add_note(admin, t.number, "PO 4411")
    tickets.set_priority(admin, t.number, "high", reason="exec", requested_by="own call")
    summary = sync(config, remote)
    assert summary.errors == 0 and summary.pushed == 5  # created, reply, its status open, note, priority
    (key,) = remote.tickets
    there = remote.tickets[key]
    assert there.subject == "New laptop" and there.requestor == "rita@example.com" and there.priority == "75"
    assert there.status == "open"  # the first reply opened it here; the status change went there too
    msgs = remote.thread_of[key]
    assert [(m.body, m.public) for m in msgs] == [
        ("Need a laptop for Rita.", True),
        ("Ordered, arrives Monday.", True),
        ("PO 4411", False),
    ]
    again = sync(config, remote)
    assert again.pushed == 0 and again.pulled == 0 and len(remote.thread_of[key]) == 3
    assert Ticket.select().count() == 1 and TicketEvent.select().where(TicketEvent.origin == "fake").count() == 0


def test_offline_edits_wait_in_the_outbox_and_go_once(admin, config, remote):
    key = remote.remote_create("Wifi", "Slow wifi.")
    sync(config, remote)
    number = local_of(key).number
    remote.down = True
    tickets.add_reply(admin, number, "Try channel 11.")
    tickets.set_status(admin, number, "pending")
    failed = sync(config, remote)
    assert failed.errors == 1 and failed.pending == 3  # reply, the first reply's open, pending
    remote.down = False
    ok = sync(config, remote)
    assert ok.errors == 0 and ok.pending == 0
    assert [m.body for m in remote.thread_of[key]].count("Try channel 11.") == 1
    assert remote.tickets[key].status == "stalled"


def test_remote_changes_land_on_the_local_timeline(admin, config, remote):
    key = remote.remote_create("Backup", "Backup failed.")
    sync(config, remote)
    remote.remote_set(key, status="resolved", by="carla")
    remote.remote_say(key, "Fixed the disk quota.", author="carla")
    summary = sync(config, remote)
    t = local_of(key)
    assert summary.errors == 0 and t.status == "resolved"
    change = [e for e in events_of(t.number) if e.kind == "status"][-1]
    assert (change.new_value, change.origin, change.origin_actor) == ("resolved", "fake", "carla")
    assert "Fixed the disk quota." in bodies(t.number)


def test_both_change_different_fields_both_are_kept(admin, config, remote):
    key = remote.remote_create("Mail", "No mail since 9.")
    sync(config, remote)
    number = local_of(key).number
    tickets.set_priority(admin, number, "urgent", reason="CEO", requested_by="sales: Rossi")
    remote.remote_set(key, status="open")
    summary = sync(config, remote)
    assert summary.conflicts == 0 and summary.errors == 0
    assert local_of(key).status == "open" and local_of(key).priority == "urgent"
    assert remote.tickets[key].status == "open" and remote.tickets[key].priority == "100"


def test_both_change_the_same_field_is_a_recorded_conflict(admin, config, remote):
    key = remote.remote_create("Disk", "Disk full.")
    sync(config, remote)
    number = local_of(key).number
    tickets.set_priority(admin, number, "low", reason="workaround given", requested_by="own call")
    remote.remote_set(key, priority="100", by="carla")
    summary = sync(config, remote)
    assert summary.conflicts == 1 and summary.errors == 0
    (conflict,) = SyncConflict.select()
    assert (conflict.field, conflict.local_value, conflict.remote_value, conflict.kept) == (
        "priority",
        "low",
        "urgent",
        "local",
    )
    event = [e for e in events_of(number) if e.kind == "sync_conflict"][0]
    assert (event.old_value, event.new_value) == ("low", "urgent")  # both values on the timeline
    # Deterministic: the local value stands and is sent; the next run is quiet.
    assert local_of(key).priority == "low" and remote.tickets[key].priority == "0"
    again = sync(config, remote)
    assert (again.conflicts, again.pulled, again.pushed) == (0, 0, 0)
    assert len(sync_state.open_conflicts()) == 1


def test_stale_write_is_retried_after_a_fresh_read(admin, config, remote):
    key = remote.remote_create("Phone", "Phone dead.")
    sync(config, remote)
    number = local_of(key).number
    tickets.set_priority(admin, number, "high", reason="VIP", requested_by="own call")
    remote.remote_say(key, "Any news?", author="ann@example.com")  # a new ETag there
    summary = sync(config, remote, pull=False)  # push with the old ETag: 412, re-read, write
    assert summary.errors == 0 and remote.tickets[key].priority == "75"


@pytest.mark.parametrize("step", range(6))
def test_a_run_cut_off_after_any_remote_write_loses_and_doubles_nothing(admin, config, remote, step):
    key = remote.remote_create("Badge", "Badge does not open door 4.")
    sync(config, remote)
    number = local_of(key).number
    new = tickets.create_ticket(admin, subject="Parking", body="Need a parking pass.", customer="ann@example.com")
    tickets.add_reply(admin, number, "A new badge is ready.")
    tickets.add_note(admin, number, "Badge 7781")
    tickets.add_reply(admin, new.number, "Pass on its way.")
    writes_before = remote.writes
    # Let ``step`` writes through, then cut the run off right after the next one was stored remotely.
    remote_writes = []
    original = remote._wrote

    def counting():
        remote_writes.append(1)
        if len(remote_writes) == step + 1:
            remote.crash_after_write = True
        original()

    remote._wrote = counting
    with pytest.raises(Crash):
        sync(config, remote)
    remote._wrote = original
    final = sync(config, remote)
    assert final.errors == 0 and final.pending == 0
    assert Ticket.select().count() == 2 and len(remote.tickets) == 2
    msgs = [m.body for ms in remote.thread_of.values() for m in ms]
    for body in ("A new badge is ready.", "Badge 7781", "Pass on its way.", "Need a parking pass."):
        assert msgs.count(body) == 1, body
    local_bodies = [e.body for e in TicketEvent.select() if e.body]
    assert sorted(local_bodies) == sorted(set(local_bodies))
    assert remote.writes > writes_before
    assert SyncDelivery.select().where(SyncDelivery.state == "sending").count() == 0
    assert SyncMessage.select().count() == len(msgs)


def test_malformed_saved_cursor_is_reported_not_trusted(admin, config, remote):
    remote.remote_create("A", "a")
    sync(config, remote)
    state = sync_state.find_remote("fake")
    sync_state.set_cursor(state, "2026-12-01T09:00:00Z")
    summary = sync(config, remote)
    assert any("not a valid date" in item["problem"] for item in summary.report)
    assert Ticket.select().count() == 1


def test_dry_run_changes_nothing(admin, config, remote):
    remote.remote_create("A", "a")
    summary = sync(config, remote, dry_run=True)
    assert summary.pulled == 1 and Ticket.select().count() == 0
    assert sync_state.find_remote("fake").cursor is None


def test_runs_are_recorded(admin, config, remote):
    remote.remote_create("A", "a")
    sync(config, remote)
    remote.down = True
    sync(config, remote)
    latest, first = sync_state.recent_runs(2)
    assert (first.pulled, first.errors) == (1, 0) and latest.errors == 1 and latest.finished_at is not None


def test_empty_remote_messages_are_left_out(admin, config, remote):
    key = remote.remote_create("Blank", "Real text.")
    remote.remote_say(key, "   ")
    remote.remote_say(key, "")
    first = sync(config, remote)
    assert first.errors == 0 and bodies(local_of(key).number) == ["Real text."]
    assert sync(config, remote).errors == 0


def test_messages_are_read_a_page_at_a_time_and_not_at_all_when_idle(admin, config, remote):
    keys = [remote.remote_create(f"Ticket {n}", f"Body {n}") for n in range(5)]  # the fake's pages hold 2
    first = sync(config, remote)
    assert first.pulled == 5 and remote.bulk_reads == 3  # pages of 2, 2 and 1: one bulk read each
    assert [bodies(local_of(k).number) for k in keys] == [[f"Body {n}"] for n in range(5)]
    remote.bulk_reads = 0
    idle = sync(config, remote)
    assert (idle.pulled, idle.errors, remote.bulk_reads) == (0, 0, 0)
    remote.remote_say(keys[2], "One more thing.")
    later = sync(config, remote)
    assert later.pulled == 1 and remote.bulk_reads == 1
    assert bodies(local_of(keys[2]).number) == ["Body 2", "One more thing."]


def test_remote_down_mid_pull_keeps_the_pages_before(admin, config, remote):
    keys = [remote.remote_create(f"Ticket {n}", f"Body {n}") for n in range(5)]
    calls = {"n": 0}
    real = remote.messages_of

    def flaky(tickets):
        calls["n"] += 1
        if calls["n"] == 2:
            remote.down = True  # the second page's read fails: the first page is kept, the cursor after it
        return real(tickets)

    remote.messages_of = flaky
    summary = sync(config, remote)
    assert summary.errors == 1 and summary.pulled == 2
    assert SyncTicket.select().count() == 2
    remote.down = False
    assert sync(config, remote).pulled == 3 and sorted(local_of(k).subject for k in keys) == [
        f"Ticket {n}" for n in range(5)
    ]


def test_progress_knows_the_totals(admin, config, remote):
    for n in range(3):
        remote.remote_create(f"Ticket {n}", f"Body {n}")
    seen = []
    Engine(config, remote, progress=lambda stage, done, total: seen.append((stage, done, total))).run()
    assert seen == [("pull", 2, 3), ("pull", 3, 3)]
    number = local_of("1").number
    tickets.add_reply(admin, number, "First answer.")
    tickets.add_note(admin, number, "Internal.")
    waiting = sync_state.outbox_count(sync_state.find_remote("fake"))
    assert waiting >= 2  # the reply, the note (and the status the reply moved)
    seen.clear()
    Engine(config, remote, progress=lambda stage, done, total: seen.append((stage, done, total))).run()
    assert [s for s in seen if s[0] == "push"] == [("push", n, waiting) for n in range(1, waiting + 1)]


def late_write(admin, config, remote) -> tuple[int, str]:
    """A ticket sent in a run that timed out: the remote stores it, but only "later" (hidden from
    the next run's recovery), as a write held up on the way may land."""
    sync(config, remote)  # the remote is known: what is created from now on is pushed
    number = tickets.create_ticket(admin, subject="Badge for Pia", body="Her badge does not open door 3.").number
    remote.crash_after_write = True
    with pytest.raises(Crash):
        sync(config, remote)
    (key,) = [k for k, t in remote.tickets.items() if t.subject == "Badge for Pia"]
    return number, key


def test_a_late_landing_ticket_is_linked_on_pull_not_imported(admin, config, remote):
    number, key = late_write(admin, config, remote)
    remote.find_ticket = lambda **kw: None  # the recovery does not see it yet
    pulled = sync(config, remote, push=False)
    assert pulled.errors == 0
    assert local_of(key).number == number  # linked to the ticket it came from
    assert Ticket.select().where(Ticket.subject == "Badge for Pia").count() == 1
    again = sync(config, remote)
    assert again.pushed == 0 and again.pending == 0
    assert [t.subject for t in remote.tickets.values()].count("Badge for Pia") == 1


def test_a_late_landing_copy_after_a_resend_is_not_imported(admin, config, remote):
    number, key = late_write(admin, config, remote)
    late = remote.tickets.pop(key)  # not there yet: the recovery finds nothing and the push sends again
    second = sync(config, remote)
    assert second.errors == 0 and local_of(next(k for k, t in remote.tickets.items()
                                                 if t.subject == "Badge for Pia")).number == number  # fmt: skip
    remote.tickets[key] = replace(late, updated=remote.tick())  # now it lands
    third = sync(config, remote)
    assert Ticket.select().where(Ticket.subject == "Badge for Pia").count() == 1
    assert any("second copy of ticket #" in item["problem"] for item in third.report)


def test_a_late_landing_copy_of_a_reply_is_not_imported(admin, config, remote):
    key = remote.remote_create("Parking", "Where do I park?")
    sync(config, remote)
    number = local_of(key).number
    tickets.add_reply(admin, number, "Level -2, any bay.")
    remote.crash_after_write = True
    with pytest.raises(Crash):
        sync(config, remote)
    late = remote.thread_of[key].pop()  # held up on the way: the next run sends the reply again
    resent = sync(config, remote)
    assert resent.errors == 0 and [m.body for m in remote.thread_of[key]].count("Level -2, any bay.") == 1
    remote.thread_of[key].append(replace(late, created=remote.tick()))  # the first write lands
    remote.tickets[key] = replace(remote.tickets[key], updated=remote.clock, etag="late")
    pulled = sync(config, remote)
    assert bodies(number).count("Level -2, any bay.") == 1
    assert any("second copy of a reply" in item["problem"] for item in pulled.report)


def test_messages_of_one_second_keep_the_remote_order_past_nine(admin, config, remote):
    from sync.remotes.base import RemoteMessage

    key = remote.remote_create("Order", "First.")
    at = remote.tick()
    remote.thread_of[key] += [RemoteMessage("9", key, True, "Ninth.", "carla", at),
                              RemoteMessage("10", key, True, "Tenth.", "carla", at)]  # fmt: skip
    remote.tickets[key] = replace(remote.tickets[key], updated=at)
    sync(config, remote)
    assert bodies(local_of(key).number) == ["First.", "Ninth.", "Tenth."]
