"""Unsent replies and notes: one ``draft`` per agent, ticket and kind, kept until sent or discarded.

``faq_ids`` lists (space-separated) the FAQ articles inserted into the draft with ``i``: they are
linked to the ticket when the reply is sent, not before.
"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    serial = "SERIAL" if isinstance(db, PostgresqlDatabase) else "INTEGER"
    for sql in (
        f"""CREATE TABLE draft (
            id {serial} NOT NULL PRIMARY KEY, agent_id INTEGER NOT NULL REFERENCES agent (id),
            ticket_id INTEGER NOT NULL REFERENCES ticket (number), kind VARCHAR(8) NOT NULL,
            body TEXT NOT NULL, faq_ids VARCHAR(400) NOT NULL DEFAULT '', updated_at TIMESTAMP NOT NULL)""",
        "CREATE UNIQUE INDEX draft_agent_ticket_kind ON draft (agent_id, ticket_id, kind)",
    ):
        db.execute_sql(sql)


def down(migrator, db):
    db.execute_sql("DROP TABLE draft")
