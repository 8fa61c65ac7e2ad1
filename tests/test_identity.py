"""Identity on both backends: an existing desk upgrades to migration 0012 and acts as before; database
roles are PostgreSQL's, and a SQLite desk says so (issue 15.1, 15.2)."""

from __future__ import annotations

import sqlite3

import peewee
import pytest

from models import close_database, open_database
from models.directory import agents
from models.store.db import is_postgres, schema_status, upgrade_schema
from models.tickets import changes as tickets
from models.tickets.timeline import events_of


def test_an_existing_desk_upgrades_and_gets_the_guards(db_url, login):
    db = open_database(db_url, create=True, upgrade=False)
    upgrade_schema(db, create=True, target="0011_drafts")
    ada = agents.ensure_admin("ada", "Ada Admin")
    number = tickets.create_ticket(ada, subject="Printer jams", body="Page 3.").number
    tickets.add_note(ada, number, "checked the tray")
    close_database()

    db = open_database(db_url)  # what the next start does
    try:
        applied, pending, _ = schema_status(db)
        assert "0012_identity" in applied and pending == []
        assert agents.acting_agent().login == "ada"  # no agent has a role: the OS login acts, as before
        assert db.execute_sql("SELECT db_role FROM agent").fetchall() == [(None,)]
        assert [e.body for e in events_of(number)] == ["Page 3.", "checked the tray"]
        first = events_of(number)[0]
        if is_postgres():
            with pytest.raises(peewee.DatabaseError, match="append-only"), db.atomic():
                db.execute_sql("TRUNCATE ticket_event CASCADE")
        else:
            raw = sqlite3.connect(db_url.split("///", 1)[1])  # no recursive_triggers here
            try:
                with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                    raw.execute("INSERT OR REPLACE INTO ticket_event (id, ticket_id, at, version, kind, visibility) "
                                "VALUES (?, ?, ?, 1, 'note', 'internal')", (first.id, number, "2026-01-01"))  # fmt: skip
            finally:
                raw.close()
        tickets.add_note(ada, number, "still works")
        assert [e.body for e in events_of(number)][-1] == "still works"
    finally:
        close_database()


def test_database_roles_are_refused_on_sqlite(tmp_path, run, login):
    url = f"sqlite:///{tmp_path}/desk.db"
    assert run("init", db=url).exit_code == 0
    added = run("agent", "add", "bob", "--db-role", db=url)
    assert added.exit_code == 2
    assert added.output.strip() == (
        "sportello: database roles exist only on PostgreSQL; a SQLite desk is as safe as its file (see README)"
    )
    assert "bob" not in run("agent", "list", db=url).output  # all or nothing
    granted = run("agent", "grant", db=url)
    assert granted.exit_code == 2 and "no agent has a database role" in granted.output


def test_a_bad_role_name_is_refused_before_anything_is_written(desk):
    for name in ("pg_monitor", "robert'); DROP TABLE agent; --", "x" * 64, "two words"):
        result = desk("agent", "add", "bob", "--db-role", name)
        assert result.exit_code == 2 and "bad database role" in result.output, result.output
    assert "bob" not in desk("agent", "list").output
