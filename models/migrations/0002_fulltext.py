"""Full-text search over ticket subjects and every message body.

SQLite: an FTS5 table ``ticket_fts`` whose rowid is the ticket number.
PostgreSQL: a ``ticket_search`` table holding one tsvector per ticket, with a GIN index.
Both use no stemming and no stop words, so the same words match on either backend.
Existing tickets are indexed as part of the upgrade.
"""
from peewee import PostgresqlDatabase

_SQLITE = [
    "CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO ticket_fts (rowid, subject, body) "
    "SELECT t.number, t.subject, COALESCE((SELECT group_concat(e.body, char(10)) FROM ticket_event e "
    "WHERE e.ticket_id = t.number AND e.body IS NOT NULL), '') FROM ticket t",
]

_POSTGRES = [
    "CREATE TABLE ticket_search (ticket_id INTEGER PRIMARY KEY REFERENCES ticket (number), "
    "document TSVECTOR NOT NULL)",
    "INSERT INTO ticket_search (ticket_id, document) "
    "SELECT t.number, to_tsvector('simple', t.subject) || to_tsvector('simple', COALESCE(("
    "SELECT string_agg(e.body, E'\\n' ORDER BY e.id) FROM ticket_event e "
    "WHERE e.ticket_id = t.number AND e.body IS NOT NULL), '')) FROM ticket t",
    "CREATE INDEX ticket_search_document ON ticket_search USING GIN (document)",
]


def up(migrator, db):
    for sql in _POSTGRES if isinstance(db, PostgresqlDatabase) else _SQLITE:
        db.execute_sql(sql)


def down(migrator, db):
    db.execute_sql("DROP TABLE ticket_search" if isinstance(db, PostgresqlDatabase) else "DROP TABLE ticket_fts")
