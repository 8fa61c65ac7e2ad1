"""Sync with remote helpdesks: per-remote state, the ticket and message maps, delivery, runs, conflicts.

``ticket_event`` gains ``origin`` (the remote a change was synced from; NULL for changes made
here) and ``origin_actor`` (who made it there). The outbox is not a table of its own: it is the
events after a remote's ``push_from`` mark without a ``sync_delivery`` row for that remote.
"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    serial = "SERIAL" if isinstance(db, PostgresqlDatabase) else "INTEGER"
    boolean = "BOOLEAN" if isinstance(db, PostgresqlDatabase) else "INTEGER"
    for sql in (
        "ALTER TABLE ticket_event ADD COLUMN origin VARCHAR(64)",
        "ALTER TABLE ticket_event ADD COLUMN origin_actor VARCHAR(200)",
        f"""CREATE TABLE sync_remote (
            id {serial} NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL,
            cursor VARCHAR(64), push_from INTEGER NOT NULL, created_at TIMESTAMP NOT NULL,
            last_run_at TIMESTAMP, last_ok_at TIMESTAMP)""",
        "CREATE UNIQUE INDEX sync_remote_name ON sync_remote (name)",
        f"""CREATE TABLE sync_ticket (
            id {serial} NOT NULL PRIMARY KEY, remote_id INTEGER NOT NULL REFERENCES sync_remote (id),
            ticket_id INTEGER NOT NULL REFERENCES ticket (number), remote_key VARCHAR(64) NOT NULL,
            base TEXT NOT NULL, etag VARCHAR(128), remote_updated TIMESTAMP, seen_at TIMESTAMP)""",
        "CREATE UNIQUE INDEX sync_ticket_remote_key ON sync_ticket (remote_id, remote_key)",
        "CREATE UNIQUE INDEX sync_ticket_local ON sync_ticket (remote_id, ticket_id)",
        f"""CREATE TABLE sync_message (
            id {serial} NOT NULL PRIMARY KEY, remote_id INTEGER NOT NULL REFERENCES sync_remote (id),
            event_id INTEGER NOT NULL REFERENCES ticket_event (id), remote_key VARCHAR(64) NOT NULL)""",
        "CREATE UNIQUE INDEX sync_message_remote_key ON sync_message (remote_id, remote_key)",
        "CREATE UNIQUE INDEX sync_message_local ON sync_message (remote_id, event_id)",
        f"""CREATE TABLE sync_delivery (
            id {serial} NOT NULL PRIMARY KEY, remote_id INTEGER NOT NULL REFERENCES sync_remote (id),
            event_id INTEGER NOT NULL REFERENCES ticket_event (id), state VARCHAR(16) NOT NULL,
            started_at TIMESTAMP NOT NULL, done_at TIMESTAMP, note TEXT NOT NULL DEFAULT '')""",
        "CREATE UNIQUE INDEX sync_delivery_event ON sync_delivery (remote_id, event_id)",
        f"""CREATE TABLE sync_run (
            id {serial} NOT NULL PRIMARY KEY, remote_id INTEGER NOT NULL REFERENCES sync_remote (id),
            started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, mode VARCHAR(16) NOT NULL,
            pulled INTEGER NOT NULL DEFAULT 0, pushed INTEGER NOT NULL DEFAULT 0,
            conflicts INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,
            report TEXT NOT NULL DEFAULT '[]')""",
        "CREATE INDEX sync_run_remote ON sync_run (remote_id, started_at)",
        f"""CREATE TABLE sync_conflict (
            id {serial} NOT NULL PRIMARY KEY, remote_id INTEGER NOT NULL REFERENCES sync_remote (id),
            ticket_id INTEGER NOT NULL REFERENCES ticket (number), field VARCHAR(32) NOT NULL,
            local_value TEXT, remote_value TEXT, kept VARCHAR(8) NOT NULL, created_at TIMESTAMP NOT NULL,
            resolved {boolean} NOT NULL DEFAULT {"FALSE" if isinstance(db, PostgresqlDatabase) else "0"},
            resolved_at TIMESTAMP, resolved_by_id INTEGER REFERENCES agent (id))""",
        "CREATE INDEX sync_conflict_open ON sync_conflict (resolved, created_at)",
    ):
        db.execute_sql(sql)


def down(migrator, db):
    for table in ("sync_conflict", "sync_run", "sync_delivery", "sync_message", "sync_ticket", "sync_remote"):
        db.execute_sql(f"DROP TABLE {table}")
    migrator.migrate(
        migrator.drop_column("ticket_event", "origin_actor"), migrator.drop_column("ticket_event", "origin")
    )
