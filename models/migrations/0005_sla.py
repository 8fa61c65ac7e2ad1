"""SLA policies and business calendars; each ticket remembers its policy and its next-response deadline.

``sla_calendar``: weekly hours (JSON) in a timezone, holidays (JSON list of dates).
``sla_policy``: an ordered rule (tier, priority, queue; NULL matches anything) with its targets in
business minutes and the calendar they count in (NULL: around the clock).
``ticket.next_response_due`` and ``ticket.sla_policy_id`` join the deadlines reserved in 0001.
"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    serial, stamp = ("SERIAL", "TIMESTAMP") if isinstance(db, PostgresqlDatabase) else ("INTEGER", "DATETIME")
    for sql in (
        f"CREATE TABLE sla_calendar (id {serial} NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, "
        f"timezone VARCHAR(64) NOT NULL, hours TEXT NOT NULL, holidays TEXT NOT NULL, created_at {stamp} NOT NULL)",
        "CREATE UNIQUE INDEX sla_calendar_name ON sla_calendar (name)",
        f"CREATE TABLE sla_policy (id {serial} NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, "
        "position INTEGER NOT NULL, tier VARCHAR(32), priority VARCHAR(16), "
        "queue_id INTEGER REFERENCES queue (id), calendar_id INTEGER REFERENCES sla_calendar (id), "
        "first_response_minutes INTEGER, next_response_minutes INTEGER, resolution_minutes INTEGER, "
        f"created_at {stamp} NOT NULL)",
        "CREATE UNIQUE INDEX sla_policy_name ON sla_policy (name)",
        "CREATE INDEX sla_policy_queue_id ON sla_policy (queue_id)",
        "CREATE INDEX sla_policy_calendar_id ON sla_policy (calendar_id)",
        f"ALTER TABLE ticket ADD COLUMN next_response_due {stamp}",
        "ALTER TABLE ticket ADD COLUMN sla_policy_id INTEGER REFERENCES sla_policy (id)",
    ):
        db.execute_sql(sql)


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("ticket", "sla_policy_id"), migrator.drop_column("ticket", "next_response_due")
    )
    db.execute_sql("DROP TABLE sla_policy")
    db.execute_sql("DROP TABLE sla_calendar")
