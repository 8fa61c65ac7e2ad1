"""Sync through a proxy that injects 500s, 429s with Retry-After, stalls past the timeout,
dropped connections and truncated JSON: runs may report errors, but repeated runs converge to
the same result as a clean sync, with nothing twice on either side."""

from __future__ import annotations

import dataclasses

import pytest

from models import close_database, open_database
from models.directory import agents
from models.exchange import sync_state
from models.store.sync_tables import SyncTicket
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from support.fault_proxy import FaultProxy
from support.remote_sides import make_far, unique
from support.roundup_server import roundup_server  # noqa: F401 - fixture
from support.rt_server import rt_server  # noqa: F401 - fixture
from sync import sync_one

pytestmark = pytest.mark.remote


@pytest.fixture
def sqlite_desk(tmp_path):
    """The faults are the remote's: one backend is enough here."""
    open_database(f"sqlite:///{tmp_path / 'desk.db'}", create=True)
    yield agents.ensure_admin("ada", "Ada Admin")
    close_database()


@pytest.fixture(params=["roundup", "rt"])
def far(request, sqlite_desk):
    return make_far(request, request.param)


def test_sync_through_faults_converges(sqlite_desk, far):
    admin = sqlite_desk
    proxy = FaultProxy(far.config.url, rate=0.3, seed=11, stall=0.8)
    try:
        faulty = dataclasses.replace(far.config, url=proxy.url, timeout=0.4)
        state = sync_state.remote_state(far.config.name, far.config.kind)
        sync_state.set_cursor(state, far.cursor_now())
        subjects = [unique("Faulty") for _ in range(3)]
        for subject in subjects:
            t = tickets.create_ticket(admin, subject=subject, body=f"first of {subject}", customer="ann@example.com")
            tickets.add_reply(admin, t.number, f"reply of {subject}")
        keys = [far.other.create_ticket(subject=unique("Far"), body=f"far body {n}", requestor=None,
                                        status=far.status("open"), priority=far.priority("high"))
                for n in range(2)]  # fmt: skip
        clean = None
        for runs in range(1, 13):  # noqa: B007 - reported after the loop
            summary = sync_one(faulty, env=far.env)
            if summary.errors == 0 and summary.pending == 0:
                clean = summary
                break
        print(f"converged after {runs} runs; faults injected: {dict(proxy.seen)}")
        assert clean is not None, "12 runs through the faults did not converge"
        assert sum(proxy.seen[f] for f in ("500", "429", "drop_after", "truncate")) > 0, proxy.seen
    finally:
        proxy.close()
    for subject in subjects:
        (local,) = Ticket.select().where(Ticket.subject == subject)
        key = SyncTicket.get(SyncTicket.ticket == local.number).remote_key
        bodies = sorted(m.body.strip() for m in far.other.messages(key)[0])
        assert bodies == sorted([f"first of {subject}", f"reply of {subject}"])
    for n, key in enumerate(keys):
        link = SyncTicket.get(SyncTicket.remote_key == key)
        local = Ticket.get_by_id(link.ticket_id)
        assert local.priority == "high"
        assert [e.body for e in TicketEvent.select().where(TicketEvent.ticket == local.number) if e.body] == [
            f"far body {n}"
        ]
