"""Satisfaction surveys: one opened each time a ticket is resolved, answered with a score 1-5."""

from peewee import PostgresqlDatabase


def up(migrator, db):
    serial, stamp = ("SERIAL", "TIMESTAMP") if isinstance(db, PostgresqlDatabase) else ("INTEGER", "DATETIME")
    for sql in (
        f"CREATE TABLE survey (id {serial} NOT NULL PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES ticket (number), "
        f"opened_at {stamp} NOT NULL, score SMALLINT, comment TEXT, answered_at {stamp}, "
        "recorded_by_id INTEGER REFERENCES agent (id))",
        "CREATE INDEX survey_ticket_id_opened_at ON survey (ticket_id, opened_at)",
        "CREATE INDEX survey_answered_at ON survey (answered_at)",
        "CREATE INDEX survey_recorded_by_id ON survey (recorded_by_id)",
    ):
        db.execute_sql(sql)


def down(migrator, db):
    db.execute_sql("DROP TABLE survey")
