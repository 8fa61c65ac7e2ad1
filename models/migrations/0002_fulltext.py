"""Full-text search over ticket subjects and every message body.

SQLite: an FTS5 table ``ticket_fts`` whose rowid is the ticket number (unicode61 tokenizer:
lower case, accents folded, anything but letters and digits separates words).
PostgreSQL: a ``ticket_search`` table holding one tsvector per ticket, with a GIN index, built
from ``sportello_search_text(text)``, which folds case and accents and splits on punctuation
the way unicode61 does, so that the same words find the same tickets on either backend
(``mario`` finds mario.rossi@acme.it, ``4012`` finds ERR-4012, ``cafe`` finds Café).
Existing tickets are indexed as part of the upgrade; each message contributes its first
100,000 characters and a ticket at most 600,000 (PostgreSQL cannot hold a tsvector over 1 MB). PostgreSQL databases must be UTF-8.
"""

from peewee import PostgresqlDatabase

_SQLITE = [
    "CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO ticket_fts (rowid, subject, body) "
    "SELECT t.number, t.subject, COALESCE(substr((SELECT group_concat(substr(e.body, 1, 100000), char(10)) "
    "FROM ticket_event e WHERE e.ticket_id = t.number AND e.body IS NOT NULL), 1, 600000), '') FROM ticket t",
]

_POSTGRES = [
    # Accents: decompose (NFD) and drop the combining marks, as unicode61's remove_diacritics does.
    "CREATE FUNCTION sportello_search_text(value text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    "AS $$ SELECT regexp_replace(regexp_replace(normalize(lower(value), NFD), '[\\u0300-\\u036f]+', '', 'g'), "
    "'[[:punct:]]+', ' ', 'g') $$",
    "CREATE TABLE ticket_search (ticket_id INTEGER PRIMARY KEY REFERENCES ticket (number), document TSVECTOR NOT NULL)",
    "INSERT INTO ticket_search (ticket_id, document) "
    "SELECT t.number, to_tsvector('simple', sportello_search_text(t.subject)) || to_tsvector('simple', "
    "sportello_search_text(left(COALESCE((SELECT string_agg(left(e.body, 100000), E'\\n' ORDER BY e.id) "
    "FROM ticket_event e WHERE e.ticket_id = t.number AND e.body IS NOT NULL), ''), 600000))) FROM ticket t",
    "CREATE INDEX ticket_search_document ON ticket_search USING GIN (document)",
]


def up(migrator, db):
    for sql in _POSTGRES if isinstance(db, PostgresqlDatabase) else _SQLITE:
        db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TABLE ticket_search")
        db.execute_sql("DROP FUNCTION sportello_search_text(text)")
    else:
        db.execute_sql("DROP TABLE ticket_fts")
