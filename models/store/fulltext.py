"""The full-text index over ticket subjects and message bodies, on either backend.

SQLite keeps it in the FTS5 table ``ticket_fts`` (rowid = ticket number); PostgreSQL in
``ticket_search`` (a tsvector per ticket, GIN-indexed, built through the SQL function
``sportello_search_text`` so that words split and fold as on SQLite; see migration 0002).
The service layer calls ``index_ticket`` and ``append_text`` inside the transaction that writes
the change, so the index never lags. Each message contributes its first ``MESSAGE_CHARS``
characters and a ticket at most ``TICKET_CHARS``: a huge paste stays stored and shown in full,
but cannot make a ticket slow to change or (on PostgreSQL) overflow its tsvector.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import reduce

import peewee as pw

from models.store.db import database, is_postgres

__all__ = [
    "ARTICLE_CHARS",
    "index_article",
    "rebuild_articles",
    "MESSAGE_CHARS",
    "TICKET_CHARS",
    "index_ticket",
    "append_text",
    "rebuild",
    "searchable",
    "fts5_expression",
    "pg_tsquery",
]

MESSAGE_CHARS = 100_000
TICKET_CHARS = 600_000
ARTICLE_CHARS = 600_000  # of an FAQ body; titles are always indexed whole

_LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # "_" is a word character, but a token on neither backend


def index_ticket(number: int, subject: str, body: str = "") -> None:
    """Add a new ticket to the index."""
    body = body[:MESSAGE_CHARS]
    if is_postgres():
        database.execute_sql(
            "INSERT INTO ticket_search (ticket_id, document) VALUES (%s, "
            "to_tsvector('simple', sportello_search_text(%s)) || to_tsvector('simple', sportello_search_text(%s)))",
            (number, subject, body),
        )
    else:
        database.execute_sql("INSERT INTO ticket_fts (rowid, subject, body) VALUES (?, ?, ?)", (number, subject, body))


def append_text(number: int, text: str) -> None:
    """Add a message body to a ticket's indexed text, while the ticket is under its limit."""
    text = text[:MESSAGE_CHARS]
    if not is_postgres():
        database.execute_sql(
            "UPDATE ticket_fts SET body = body || char(10) || ? WHERE rowid = ? AND length(body) < ?",
            (text, number, TICKET_CHARS),
        )
        return
    try:
        with database.atomic():  # a savepoint: a full tsvector must not undo the change itself
            database.execute_sql(
                "UPDATE ticket_search SET document = document || to_tsvector('simple', sportello_search_text(%s)) "
                "WHERE ticket_id = %s",
                (text, number),
            )
    except pw.DatabaseError as exc:
        if "too long for tsvector" not in str(exc):
            raise


def rebuild() -> None:
    """Rebuild the whole index from tickets and events (after a bulk load or an import)."""
    if is_postgres():
        database.execute_sql("TRUNCATE ticket_search")
        database.execute_sql(
            "INSERT INTO ticket_search (ticket_id, document) "
            "SELECT t.number, to_tsvector('simple', sportello_search_text(t.subject)) || "
            "to_tsvector('simple', sportello_search_text(left(COALESCE(b.text, ''), %s))) "
            "FROM ticket t LEFT JOIN (SELECT ticket_id, string_agg(left(body, %s), E'\\n' ORDER BY id) AS text "
            "FROM ticket_event WHERE body IS NOT NULL GROUP BY ticket_id) b ON b.ticket_id = t.number",
            (TICKET_CHARS, MESSAGE_CHARS),
        )
    else:
        database.execute_sql("DELETE FROM ticket_fts")
        database.execute_sql(
            "INSERT INTO ticket_fts (rowid, subject, body) "
            "SELECT t.number, t.subject, COALESCE(substr(b.text, 1, ?), '') FROM ticket t LEFT JOIN "
            "(SELECT ticket_id, group_concat(substr(body, 1, ?), char(10)) AS text FROM "
            "(SELECT ticket_id, body FROM ticket_event WHERE body IS NOT NULL ORDER BY ticket_id, id) "
            "GROUP BY ticket_id) b ON b.ticket_id = t.number",
            (TICKET_CHARS, MESSAGE_CHARS),
        )


def searchable(text: str) -> bool:
    """True when ``text`` holds a letter or digit: punctuation (and "_") alone matches nothing."""
    return bool(_LETTER_OR_DIGIT.search(text))


def pg_tsquery(phrases: Sequence[str], joiner: str) -> pw.Node:
    """A PostgreSQL tsquery matching each phrase (words in order), joined by ``&&`` or ``||``."""
    parts = [pw.fn.phraseto_tsquery(pw.SQL("'simple'"), pw.fn.sportello_search_text(p)) for p in phrases]
    return reduce(lambda a, b: pw.Expression(a, joiner, b), parts)


def fts5_expression(phrases: Sequence[str], joiner: str = "AND") -> str:
    """An FTS5 MATCH expression that treats every phrase literally (no operators, no column filters)."""
    quoted = ['"' + phrase.replace('"', '""') + '"' for phrase in phrases]
    return f" {joiner} ".join(quoted)


# --- FAQ articles: faq_fts (SQLite) / faq_search (PostgreSQL, title weighted A, body B) ---------

_PG_ARTICLE_DOCUMENT = (
    "setweight(to_tsvector('simple', sportello_search_text({title})), 'A') || "
    "setweight(to_tsvector('simple', sportello_search_text(left({body}, {chars}))), 'B')"
)


def index_article(article_id: int, title: str, body: str) -> None:
    """(Re)index an article's title and body; called in the transaction that saves them."""
    if is_postgres():
        document = _PG_ARTICLE_DOCUMENT.format(title="%s", body="%s", chars=ARTICLE_CHARS)
        database.execute_sql(
            f"INSERT INTO faq_search (article_id, document) VALUES (%s, {document}) "
            "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            (article_id, title, body),
        )
        return
    database.execute_sql("DELETE FROM faq_fts WHERE rowid = ?", (article_id,))
    database.execute_sql(
        "INSERT INTO faq_fts (rowid, title, body) VALUES (?, ?, ?)", (article_id, title, body[:ARTICLE_CHARS])
    )


def rebuild_articles() -> None:
    """Rebuild the FAQ index from the articles (after a bulk load or an import)."""
    if is_postgres():
        database.execute_sql("TRUNCATE faq_search")
        document = _PG_ARTICLE_DOCUMENT.format(title="title", body="body", chars=ARTICLE_CHARS)
        database.execute_sql(f"INSERT INTO faq_search (article_id, document) SELECT id, {document} FROM faq_article")
    else:
        database.execute_sql("DELETE FROM faq_fts")
        database.execute_sql(
            "INSERT INTO faq_fts (rowid, title, body) SELECT id, title, substr(body, 1, ?) FROM faq_article",
            (ARTICLE_CHARS,),
        )
