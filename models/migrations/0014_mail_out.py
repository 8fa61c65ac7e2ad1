"""Mail out (issue 18): an outgoing message is a ``mail_message`` row with ``direction = 'out'``,
made from one timeline event for one purpose (a reply, an acknowledgement, a status change, the
resolution with its survey, an answer to "status"), at most once: a unique index on (event, purpose).
``mail_mark`` holds where the outbox starts: events before it were never meant to be mailed.
"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    serial = "SERIAL" if pg else "INTEGER"
    big = "BIGINT" if pg else "INTEGER"
    for sql in (
        "ALTER TABLE mail_message ADD COLUMN purpose VARCHAR(16)",
        "ALTER TABLE mail_message ADD COLUMN recipients TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE mail_message ADD COLUMN next_attempt_at TIMESTAMP",
        "ALTER TABLE mail_message ADD COLUMN answer TEXT NOT NULL DEFAULT ''",
        "CREATE UNIQUE INDEX mail_message_out_event ON mail_message (event_id, purpose) WHERE direction = 'out'",
        "CREATE INDEX mail_message_out_due ON mail_message (direction, state, next_attempt_at)",
        f"CREATE TABLE mail_mark (id {serial} NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL, value {big} NOT NULL)",
        "CREATE UNIQUE INDEX mail_mark_name ON mail_mark (name)",
    ):
        db.execute_sql(sql)


def down(migrator, db):
    db.execute_sql("DROP TABLE mail_mark")
    db.execute_sql("DROP INDEX mail_message_out_due")
    db.execute_sql("DROP INDEX mail_message_out_event")
    migrator.migrate(
        migrator.drop_column("mail_message", "answer"),
        migrator.drop_column("mail_message", "next_attempt_at"),
        migrator.drop_column("mail_message", "recipients"),
        migrator.drop_column("mail_message", "purpose"),
    )
