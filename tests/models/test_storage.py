"""Opening databases: SQLite settings, file mode, schema upgrades and refusals."""

from __future__ import annotations

import os
import stat

import pytest

from models import close_database, open_database
from models.errors import StorageError
from models.store.db import schema_status, upgrade_schema
from models.store.tables import Agent, utcnow


def test_sqlite_settings_and_private_file(tmp_path):
    path = tmp_path / "nested" / "desk.db"
    db = open_database(f"sqlite:///{path}", create=True)
    try:
        pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
        assert pragma("synchronous") == 1  # NORMAL
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        close_database()


def test_missing_database_points_at_init(tmp_path):
    with pytest.raises(StorageError, match="sportello init"):
        open_database(f"sqlite:///{tmp_path}/nope.db")
    assert not (tmp_path / "nope.db").exists()


def test_corrupt_file_is_reported_not_crashed(tmp_path):
    path = tmp_path / "desk.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="corrupt"):
        open_database(f"sqlite:///{path}")


def test_foreign_database_is_refused(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE stuff (x)").connection.close()
    with pytest.raises(StorageError, match="not a Sportello desk"):
        open_database(f"sqlite:///{path}")


def test_opening_an_older_database_upgrades_it(db_url):
    db = open_database(db_url, create=True, upgrade=False)
    upgrade_schema(db, create=True, target="0001_initial")
    applied, pending, _ = schema_status(db)
    assert applied == ["0001_initial"] and pending
    # A desk written by the first schema, before full-text search existed.
    # Written with the columns of that schema only: today's models have more.
    agent = Agent.create(login="old", name="Old Timer", role="admin")
    now = utcnow()
    mark = "%s" if db_url.startswith("postgres") else "?"
    db.execute_sql(
        f"INSERT INTO ticket (subject, status, priority, channel, created_at, updated_at, version) "
        f"VALUES ({', '.join([mark] * 7)})",
        ("Legacy fax machine", "new", 1, "phone", now, now, 1),
    )
    number = db.execute_sql("SELECT MAX(number) FROM ticket").fetchone()[0]
    db.execute_sql(
        f"INSERT INTO ticket_event (ticket_id, at, version, actor_id, kind, visibility, body) "
        f"VALUES ({', '.join([mark] * 7)})",
        (number, now, 1, agent.id, "reply", "internal", "the thermal paper curls"),
    )
    close_database()

    db = open_database(db_url)
    applied, pending, unknown = schema_status(db)
    assert pending == [] and unknown == [] and "0002_fulltext" in applied
    from models.search.tickets import search_tickets

    assert [t.number for t in search_tickets("thermal curls", me=agent).tickets] == [number]
    close_database()


def test_a_newer_database_is_refused(db_url):
    db = open_database(db_url, create=True)
    db.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('9999_from_the_future', '2030-01-01')")
    close_database()
    with pytest.raises(StorageError, match="newer Sportello"):
        open_database(db_url)


def test_empty_database_needs_init(db_url):
    if db_url.startswith("sqlite"):
        path = db_url.split("///", 1)[1]
        open(path, "wb").close()
    with pytest.raises(StorageError, match="sportello init"):
        open_database(db_url)
    close_database()


def test_init_refuses_a_foreign_database_and_leaves_it_alone(tmp_path):
    import sqlite3

    path = tmp_path / "invoices.db"
    sqlite3.connect(path).execute("CREATE TABLE invoices (x)").connection.close()
    with pytest.raises(StorageError, match="not a Sportello desk"):
        open_database(f"sqlite:///{path}", create=True)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert tables == [("invoices",)]


def test_readers_do_not_wait_for_a_writer(tmp_path):
    import sqlite3
    import time

    url = f"sqlite:///{tmp_path}/desk.db"
    open_database(url, create=True)
    close_database()
    writer = sqlite3.connect(tmp_path / "desk.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO queue (name, description) VALUES ('busy', '')")
    try:
        start = time.monotonic()
        open_database(url)
        from models.search.tickets import search_tickets

        assert search_tickets("").tickets == []
        assert time.monotonic() - start < 2  # WAL readers never wait for the busy timeout
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        close_database()


def test_a_bad_url_is_one_clear_error_without_its_password(tmp_path):
    with pytest.raises(StorageError) as caught:
        open_database("postgresql://u:hunter2@localhost")
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)
    with pytest.raises(StorageError, match="bad database URL"):
        open_database(f"sqlite:///{tmp_path}/x.db?nonsense=1", create=True)
    assert not (tmp_path / "x.db").exists()
