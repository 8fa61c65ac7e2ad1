"""The full-text index over ticket subjects and message bodies, on either backend.

SQLite keeps it in the FTS5 table ``ticket_fts`` (rowid = ticket number); PostgreSQL in
``ticket_search`` (a tsvector per ticket, GIN-indexed). The service layer calls ``index_ticket``
and ``append_text`` inside the transaction that writes the change, so the index never lags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .db import database, is_postgres

__all__ = ["index_ticket", "append_text", "rebuild", "searchable", "fts5_expression"]

_WORDLIKE = re.compile(r"\w", re.UNICODE)


def index_ticket(number: int, subject: str, body: str = "") -> None:
    """Add a new ticket to the index."""
    if is_postgres():
        database.execute_sql(
            "INSERT INTO ticket_search (ticket_id, document) "
            "VALUES (%s, to_tsvector('simple', %s) || to_tsvector('simple', %s))",
            (number, subject, body),
        )
    else:
        database.execute_sql("INSERT INTO ticket_fts (rowid, subject, body) VALUES (?, ?, ?)", (number, subject, body))


def append_text(number: int, text: str) -> None:
    """Add a message body to a ticket's indexed text."""
    if is_postgres():
        database.execute_sql(
            "UPDATE ticket_search SET document = document || to_tsvector('simple', %s) WHERE ticket_id = %s",
            (text, number),
        )
    else:
        database.execute_sql(
            "UPDATE ticket_fts SET body = body || char(10) || ? WHERE rowid = ?",
            (text, number),
        )


def rebuild() -> None:
    """Rebuild the whole index from tickets and events (after a bulk load or an import)."""
    if is_postgres():
        database.execute_sql("TRUNCATE ticket_search")
        database.execute_sql(
            "INSERT INTO ticket_search (ticket_id, document) "
            "SELECT t.number, to_tsvector('simple', t.subject) || to_tsvector('simple', COALESCE(b.text, '')) "
            "FROM ticket t LEFT JOIN (SELECT ticket_id, string_agg(body, E'\\n' ORDER BY id) AS text "
            "FROM ticket_event WHERE body IS NOT NULL GROUP BY ticket_id) b ON b.ticket_id = t.number"
        )
    else:
        database.execute_sql("DELETE FROM ticket_fts")
        database.execute_sql(
            "INSERT INTO ticket_fts (rowid, subject, body) "
            "SELECT t.number, t.subject, COALESCE(b.text, '') FROM ticket t LEFT JOIN "
            "(SELECT ticket_id, group_concat(body, char(10)) AS text FROM "
            "(SELECT ticket_id, body FROM ticket_event WHERE body IS NOT NULL ORDER BY ticket_id, id) "
            "GROUP BY ticket_id) b ON b.ticket_id = t.number"
        )


def searchable(text: str) -> bool:
    """True when ``text`` holds at least one indexable character (punctuation alone matches nothing)."""
    return bool(_WORDLIKE.search(text))


def fts5_expression(phrases: Sequence[str], joiner: str = "AND") -> str:
    """An FTS5 MATCH expression that treats every phrase literally (no operators, no column filters)."""
    quoted = ['"' + phrase.replace('"', '""') + '"' for phrase in phrases]
    return f" {joiner} ".join(quoted)
