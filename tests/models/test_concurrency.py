"""No lost update: several processes hammer the same tickets at once.

Each worker reads a ticket, then changes it carrying the version it saw. Every change the
service accepted must be on the timeline with exactly the version it was given; every refused
one must have been refused because someone else got there first; nothing is overwritten
silently, on SQLite (WAL) and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import random

import pytest

from models import close_database, open_database
from models.directory import agents
from models.errors import Conflict
from models.tickets import changes as tickets
from models.tickets.fold import replay
from models.tickets.timeline import events_of

WORKERS = 4
ROUNDS = 40


def _hammer(args):
    url, login, numbers, seed = args
    open_database(url)
    rng = random.Random(seed)
    actor = agents.get_agent(login)
    accepted, conflicts = [], 0
    for i in range(ROUNDS):
        number = rng.choice(numbers)
        seen = tickets.get_ticket(number).version
        op = rng.choice(["note", "priority", "tag"])
        try:
            if op == "note":
                value = f"{login}-{i}"
                row = tickets.add_note(actor, number, value, expect_version=seen)
            elif op == "priority":
                value = rng.choice(["low", "normal", "high", "urgent"])
                row = tickets.set_priority(
                    actor, number, value, reason=f"{login} round {i}", expect_version=seen, requested_by="own call"
                )
                if row.version == seen:  # already at that priority: nothing to record
                    continue
            else:
                value = f"{login}-{i}"
                row = tickets.change_tags(actor, number, add=[value], expect_version=seen)
        except Conflict as conflict:
            assert conflict.current_version > seen
            conflicts += 1
            continue
        accepted.append((number, row.version, op, value))
    close_database()
    return accepted, conflicts


def _blind_tagger(args):
    url, login, number = args
    open_database(url)
    actor = agents.get_agent(login)
    for i in range(ROUNDS):
        tickets.change_tags(actor, number, add=[f"{login}-{i}"])  # no expected version: must retry, never overwrite
    close_database()


@pytest.fixture
def desk(db_url, db, admin):
    logins = [f"w{i}" for i in range(WORKERS)]
    for login in logins:
        agents.add_agent(admin, login)
    numbers = [tickets.create_ticket(admin, subject=f"Hot {i}", body="contended").number for i in range(3)]
    close_database()
    yield db_url, logins, numbers
    open_database(db_url)


def _pool():
    return multiprocessing.get_context("fork").Pool(WORKERS)


def test_every_accepted_change_is_on_the_timeline(desk):
    url, logins, numbers = desk
    with _pool() as pool:
        results = pool.map(_hammer, [(url, login, numbers, seed) for seed, login in enumerate(logins)])
    open_database(url)
    accepted = [change for changes, _ in results for change in changes]
    conflicts = sum(count for _, count in results)
    assert accepted, "no change was accepted at all"
    assert conflicts > 0, "the workers never raced; the test proves nothing"

    # No two accepted changes share a ticket version: none overwrote another.
    assert len({(number, version) for number, version, _, _ in accepted}) == len(accepted)
    for number in numbers:
        events = events_of(number)
        by_version = {e.version: e for e in events}
        mine = [c for c in accepted if c[0] == number]
        # Every version after creation was produced by exactly one accepted change.
        assert sorted(v for _, v, _, _ in mine) == list(range(2, tickets.get_ticket(number).version + 1))
        for _, version, op, value in mine:
            event = by_version[version]
            if op == "note":
                assert (event.kind, event.body) == ("note", value)
            elif op == "priority":
                assert (event.kind, event.new_value) == ("priority", value)
            else:
                assert event.kind == "tags" and value in event.new_value.split()
        assert tickets.state_of(tickets.get_ticket(number)) == replay(number, events)


def test_changes_without_a_version_are_retried_not_lost(desk):
    url, logins, numbers = desk
    with _pool() as pool:
        pool.map(_blind_tagger, [(url, login, numbers[0]) for login in logins])
    open_database(url)
    row = tickets.get_ticket(numbers[0])
    expected = {f"{login}-{i}" for login in logins for i in range(ROUNDS)}
    assert set(tickets.state_of(row).tags) == expected
    assert row.version == 1 + WORKERS * ROUNDS
    assert sum(1 for e in events_of(numbers[0]) if e.kind == "tags") == WORKERS * ROUNDS
