"""The record cannot be rewritten by the back door: REPLACE on SQLite, TRUNCATE on PostgreSQL (issue 15.2).

Events and FAQ revisions are append-only (migration 0001, 0012). ``INSERT OR REPLACE`` (Peewee's
``replace()``) used to delete the old row without firing the delete trigger, and TRUNCATE fires
no row trigger at all; both now fail and leave the record as it was.
"""

from __future__ import annotations

import sqlite3

import peewee
import pytest

from models.faq import articles as faq
from models.store.db import is_postgres
from models.store.tables import FAQRevision, TicketEvent
from models.tickets import changes as tickets
from models.tickets.timeline import events_of


@pytest.fixture
def ticket(admin):
    number = tickets.create_ticket(admin, subject="Printer jams", body="Page 3 always jams.").number
    tickets.add_note(admin, number, "checked the tray")
    return number


@pytest.fixture
def article(admin):
    created = faq.create_article(admin, title="Paper jams", body="Open tray 2.")
    return faq.save_article(admin, created.id, title="Paper jams", body="Open tray 2, then 3.", note="more trays",
                            expect_version=created.version)  # fmt: skip


def _bodies(number: int) -> list[str | None]:
    return [e.body for e in events_of(number)]


def _event_row(event: TicketEvent) -> dict:
    return {f.name: getattr(event, f.name) for f in TicketEvent._meta.sorted_fields}


def test_peewee_replace_cannot_rewrite_an_event(db, ticket):
    if is_postgres():
        pytest.skip("Peewee has no replace() on PostgreSQL; its upsert is tested below")
    before = _bodies(ticket)
    first = events_of(ticket)[0]
    forged = _event_row(first) | {"body": "I never said the printer jams", "ticket": first.ticket_id}
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        with db.atomic():
            TicketEvent.replace(**forged).execute()
    assert _bodies(ticket) == before


def test_insert_or_replace_is_refused_even_without_recursive_triggers(db, db_url, ticket):
    """A connection of its own (the sqlite3 shell, say) that never turned recursive_triggers on."""
    if is_postgres():
        pytest.skip("INSERT OR REPLACE is SQLite's; PostgreSQL's upsert fires the update guard (below)")
    before = _bodies(ticket)
    first = events_of(ticket)[0]
    raw = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)
    try:
        assert raw.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(
                "INSERT OR REPLACE INTO ticket_event (id, ticket_id, at, version, kind, visibility, body) "
                "VALUES (?, ?, ?, ?, 'note', 'internal', 'rewritten')",
                (first.id, ticket, first.at.isoformat(" "), first.version),
            )
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("REPLACE INTO ticket_event SELECT * FROM ticket_event")
    finally:
        raw.close()
    assert _bodies(ticket) == before


def test_every_connection_turns_recursive_triggers_on(db):
    if is_postgres():
        pytest.skip("a SQLite setting")
    assert db.execute_sql("PRAGMA recursive_triggers").fetchone()[0] == 1


def test_upsert_is_refused(db, ticket):
    first = events_of(ticket)[0]
    before = _bodies(ticket)
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        with db.atomic():
            (TicketEvent.insert(**_event_row(first) | {"ticket": first.ticket_id})
             .on_conflict(conflict_target=[TicketEvent.id], update={TicketEvent.body: "rewritten"}).execute())  # fmt: skip
    assert _bodies(ticket) == before


def test_truncate_is_refused(db, ticket):
    if not is_postgres():
        pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE fires the delete guard")
    before = _bodies(ticket)
    for sql in ("TRUNCATE ticket_event CASCADE", "TRUNCATE ticket CASCADE", "TRUNCATE faq_revision CASCADE"):
        with pytest.raises(peewee.DatabaseError, match="append-only"):
            with db.atomic():
                db.execute_sql(sql)
    assert _bodies(ticket) == before


def test_faq_revisions_are_append_only(db, article):
    revisions = lambda: [(r.number, r.body, r.note) for r in FAQRevision.select().order_by(FAQRevision.id)]  # noqa: E731
    before = revisions()
    assert len(before) == 2
    first = FAQRevision.select().order_by(FAQRevision.id).first()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        with db.atomic():
            FAQRevision.update(body="it never said tray 2").execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        with db.atomic():
            FAQRevision.delete().execute()
    row = {f.name: getattr(first, f.name) for f in FAQRevision._meta.sorted_fields} | {"article": first.article_id}
    if is_postgres():
        with pytest.raises(peewee.DatabaseError, match="append-only"):
            with db.atomic():
                FAQRevision.insert(**row).on_conflict(conflict_target=[FAQRevision.id],
                                                      update={FAQRevision.body: "rewritten"}).execute()  # fmt: skip
        with pytest.raises(peewee.DatabaseError, match="append-only"):
            with db.atomic():
                db.execute_sql("TRUNCATE faq_revision")
    else:
        with pytest.raises(peewee.DatabaseError, match="append-only"):
            with db.atomic():
                FAQRevision.replace(**row | {"body": "rewritten"}).execute()
        with pytest.raises(peewee.DatabaseError, match="append-only"):  # a new id, the same revision number
            with db.atomic():
                FAQRevision.replace(**{k: v for k, v in row.items() if k != "id"} | {"body": "rewritten"}).execute()
    assert revisions() == before


def test_a_revert_is_still_a_new_revision(db, admin, article):
    faq.revert_article(admin, article.id, 1)
    assert [(r.number, r.body) for r in FAQRevision.select().order_by(FAQRevision.number)] == [
        (1, "Open tray 2."), (2, "Open tray 2, then 3."), (3, "Open tray 2."),
    ]  # fmt: skip
