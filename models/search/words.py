"""Matching a query's words against the tickets' full-text index (``models.store.fulltext``).

FTS5 ``MATCH`` on SQLite, ``tsvector @@ tsquery`` on PostgreSQL. User text only ever travels as
a bound parameter, and each word is quoted for FTS5, so nothing typed is read as SQL or as FTS5
syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

import peewee as pw

from models.store import fulltext
from models.store.db import is_postgres

__all__ = []  # serves models.search.tickets only


def _fts() -> pw.Table:
    return pw.Table("ticket_fts", ("rowid", "ticket_fts", "rank"))  # ticket_fts: the MATCH column


def _ts() -> pw.Table:
    return pw.Table("ticket_search", ("ticket_id", "document"))


def text_match(words: Sequence[str], excluded: Sequence[str] = ()) -> tuple[pw.Table, pw.Node, pw.Node, pw.Node]:
    """(index table, its ticket-number column, the match condition, score: higher is better).

    Every word must match and no excluded word may: the index itself does the excluding.
    """
    if is_postgres():
        table, tsquery = _ts(), fulltext.pg_tsquery(words, "&&")
        if excluded:
            tsquery = pw.Expression(tsquery, "&&", pw.fn.tsquery_not(fulltext.pg_tsquery(excluded, "||")))
        score = pw.Cast(pw.fn.ts_rank(table.document, tsquery), "float8")  # a float4 would not round-trip
        return table, table.ticket_id, pw.Expression(table.document, "@@", tsquery), score
    table, expression = _fts(), fulltext.fts5_expression(words)
    if excluded:  # every phrase is quoted, so these parentheses and NOT are the only operators
        expression = f"({expression}) NOT ({fulltext.fts5_expression(excluded, 'OR')})"
    match = pw.Expression(table.ticket_fts, "MATCH", expression)
    return table, table.rowid, match, 0 - table.rank  # rank is bm25: lower is better


def matching_any(words: Sequence[str]) -> pw.Select:
    """Numbers of the tickets whose text matches any of ``words``."""
    if is_postgres():
        table = _ts()
        return table.select(table.ticket_id).where(
            pw.Expression(table.document, "@@", fulltext.pg_tsquery(words, "||"))
        )
    table = _fts()
    return table.select(table.rowid).where(
        pw.Expression(table.ticket_fts, "MATCH", fulltext.fts5_expression(words, "OR"))
    )
