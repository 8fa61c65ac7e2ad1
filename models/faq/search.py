"""Finding FAQ articles: the FAQ query language and full-text search (suggestions for a ticket:
:mod:`models.faq.suggestions`, named here too for the callers of this module).

The language is the tickets' (see :mod:`models.search.query`): words and "phrases" match the title
and body (the title weighs more), a leading ``-`` excludes, and the filters are
``category:`` ``status:`` ``tag:`` ``id:`` (or ``#12``) and ``sort:``. Archived articles are
left out unless a ``status:`` filter asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from models.enums import FAQStatus
from models.errors import QueryError
from models.faq.hits import FAQHit, read_hits, word_errors
from models.faq.suggestions import suggest_for_ticket
from models.faq.words import STOP_WORDS, folded_words
from models.search.query import MAX_QUERY_ITEMS, MAX_QUERY_LENGTH, Term, _show, _tokens, drop_bad_characters
from models.store import fulltext
from models.store.db import is_postgres
from models.store.tables import FAQArticle, FAQTag, Tag

__all__ = [
    "FAQ_FILTERS",
    "FAQ_QUERY_HELP",
    "FAQQuery",
    "FAQHit",
    "parse_faq_query",
    "search_faq",
    "count_faq",
    "suggest_for_ticket",
    "folded_words",
    "STOP_WORDS",
]

FAQ_FILTERS = ("category", "status", "tag", "id", "sort")
_FIELDS = {name: name for name in FAQ_FILTERS} | {"cat": "category"}
_SORTS = ("title", "updated", "created", "relevance")

FAQ_QUERY_HELP = """\
Words match the title and body (the title weighs more); "quoted words" match a phrase.
Filters: category:NAME (category:none for uncategorised)  status:draft|published|archived|any
  tag:NAME  #12 or id:12,14  sort:title|updated|created|relevance
A comma means OR (tag:vpn,login); a leading - excludes (-tag:old -"legacy portal").
Archived articles show only when status: asks for them."""


@dataclass(frozen=True)
class FAQQuery:
    """A parsed FAQ query; every part is ANDed with the others."""

    terms: tuple[Term, ...] = ()
    categories: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (values, negated)
    statuses: tuple[tuple[tuple[str, ...], bool], ...] = ()
    tags: tuple[tuple[tuple[str, ...], bool], ...] = ()
    ids: tuple[tuple[tuple[int, ...], bool], ...] = ()
    sort: str | None = None
    text: str = ""


def parse_faq_query(text: str) -> FAQQuery:
    """Parse ``text``; raises only QueryError, whose message names the offending token. NUL and
    lone surrogates are dropped first, as in :func:`models.search.query.parse_query`."""
    if not isinstance(text, str):
        raise QueryError("a query must be text")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"query is too long ({len(text)} characters; at most {MAX_QUERY_LENGTH})")
    tokens = _tokens(drop_bad_characters(text), _FIELDS, FAQ_FILTERS)
    if len(tokens) > MAX_QUERY_ITEMS:
        raise QueryError(f"too many words and filters ({len(tokens)}; at most {MAX_QUERY_ITEMS})")
    terms, parts, sort = [], {"category": [], "status": [], "tag": [], "id": []}, None
    for token in tokens:
        if token.field is None:
            terms.append(Term(token.values[0], token.phrase, token.negated))
            continue
        if not all(v.strip() for v in token.values):
            raise QueryError(f"empty value in {_show(token.raw)} (e.g. category:Billing or tag:vpn,login)")
        if token.field == "sort":
            if sort is not None or token.negated or len(token.values) > 1:
                raise QueryError(f"one sort, not negated, with one value: {_show(token.raw)}")
            sort = token.values[0].lower()
            if sort not in _SORTS:
                raise QueryError(f"unknown sort {_show(sort)} (one of: {', '.join(_SORTS)})")
            continue
        values = tuple(_value(token.field, v) for v in token.values)
        parts[token.field].append((tuple(dict.fromkeys(values)), token.negated))
    return FAQQuery(
        tuple(terms),
        tuple(parts["category"]),
        tuple(parts["status"]),
        tuple(parts["tag"]),
        tuple(parts["id"]),
        sort,
        text,
    )


def _value(field: str, value: str):
    value = value.strip()
    if field == "status":
        low = value.lower()
        if low != "any" and low not in {s.value for s in FAQStatus}:
            raise QueryError(f"unknown FAQ status {_show(value)} (one of: draft, published, archived, any)")
        return low
    if field == "id":
        digits = value.removeprefix("#")
        if not digits.isascii() or not digits.isdigit() or not 0 < int(digits) < 2**31:
            raise QueryError(f"id: takes article numbers, not {_show(value)}")
        return int(digits)
    if field == "tag":
        return value.lower()
    return value


# --- conditions --------------------------------------------------------------------------


def _either(node: pw.Node, negated: bool) -> pw.Node:
    return ~node if negated else node


def _conditions(query: FAQQuery) -> list[pw.Node]:
    out: list[pw.Node] = []
    for values, negated in query.categories:
        names = [v.casefold() for v in values if v.casefold() != "none"]
        parts = ([pw.fn.LOWER(FAQArticle.category).in_(names)] if names else []) + (
            [FAQArticle.category == ""] if len(names) < len(values) else []
        )
        out.append(_either(_any(parts), negated))
    statuses = [(v, n) for v, n in query.statuses]
    if not any("any" in values or not negated for values, negated in statuses):
        out.append(FAQArticle.status != FAQStatus.ARCHIVED.value)  # archived only when asked for
    for values, negated in statuses:
        if "any" not in values:
            out.append(_either(FAQArticle.status.in_(list(values)), negated))
    for values, negated in query.tags:
        tagged = FAQTag.select(FAQTag.article).join(Tag, on=(FAQTag.tag == Tag.id)).where(Tag.name.in_(list(values)))
        out.append(_either(FAQArticle.id.in_(tagged), negated))
    for values, negated in query.ids:
        out.append(_either(FAQArticle.id.in_(list(values)), negated))
    return out


def _any(parts: list[pw.Node]) -> pw.Node:
    node = parts[0]
    for part in parts[1:]:
        node = node | part
    return node


def _phrases(query: FAQQuery, negated: bool) -> list[str]:
    return [t.text.replace("\x00", " ") for t in query.terms if t.negated == negated and fulltext.searchable(t.text)]


def _text_match(phrases: list[str], joiner: str) -> tuple[pw.Node, pw.Node, pw.Node, pw.Table]:
    """(article id column, match condition, score: higher is better, index table) for ``phrases``."""
    if is_postgres():
        table = pw.Table("faq_search", ("article_id", "document"))
        tsquery = fulltext.pg_tsquery(phrases, "&&" if joiner == "AND" else "||")
        score = pw.Cast(pw.fn.ts_rank(table.document, tsquery), "float8")
        return table.article_id, pw.Expression(table.document, "@@", tsquery), score, table
    table = pw.Table("faq_fts", ("rowid", "faq_fts", "title", "body"))
    match = pw.Expression(table.faq_fts, "MATCH", fulltext.fts5_expression(phrases, joiner))
    score = 0 - pw.fn.bm25(pw.SQL("faq_fts"), 5.0, 1.0)  # bm25: lower is better; the title weighs 5×
    return table.rowid, match, score, table


def _select(query: FAQQuery, *, any_word: list[str] | None = None) -> tuple[pw.ModelSelect, bool]:
    """The articles matching ``query`` (or, with ``any_word``, any of those words), with a score column."""
    columns = [FAQArticle.id, FAQArticle.title, FAQArticle.category, FAQArticle.status, FAQArticle.updated_at,
               FAQArticle.version]  # fmt: skip
    words, joiner = (any_word, "OR") if any_word else (_phrases(query, False), "AND")
    excluded = _phrases(query, True)
    where = _conditions(query)
    if excluded:
        column, match, _, table = _text_match(excluded, "OR")
        where.append(FAQArticle.id.not_in(table.select(column).where(match)))
    if not words:
        select = FAQArticle.select(*columns, pw.Value(None).alias("score"))
    else:
        column, match, score, table = _text_match(words, joiner)
        hits = table.select(column.alias("id"), score.alias("score")).where(match).alias("hits")
        select = FAQArticle.select(*columns, hits.c.score.alias("score")).join(hits, on=(hits.c.id == FAQArticle.id))
    if where:
        select = select.where(*where)
    return select, bool(words)


def _ordered(select: pw.ModelSelect, sort: str | None, has_words: bool) -> pw.ModelSelect:
    sort = sort or ("relevance" if has_words else "title")
    if sort == "relevance" and has_words:
        return select.order_by(pw.SQL("score").desc(), FAQArticle.id)
    if sort == "updated":
        return select.order_by(FAQArticle.updated_at.desc(), FAQArticle.id.desc())
    if sort == "created":
        return select.order_by(FAQArticle.created_at.desc(), FAQArticle.id.desc())
    return select.order_by(pw.fn.LOWER(FAQArticle.title), FAQArticle.id)


def _parsed(query: str | FAQQuery) -> FAQQuery:
    return query if isinstance(query, FAQQuery) else parse_faq_query(query)


def search_faq(query: str | FAQQuery = "", *, limit: int = 100, offset: int = 0) -> list[FAQHit]:
    """The articles matching ``query``: by relevance when it has words, else by title."""
    if type(limit) is not int or not 0 < limit <= 1000:
        raise QueryError("the limit must be a whole number from 1 to 1000")
    if type(offset) is not int or offset < 0:
        raise QueryError("the offset must be a whole number from 0 up")
    parsed = _parsed(query)
    select, has_words = _select(parsed)
    with word_errors():
        return read_hits(_ordered(select, parsed.sort, has_words).limit(limit).offset(offset or None))


def count_faq(query: str | FAQQuery = "") -> int:
    select, _ = _select(_parsed(query))
    with word_errors():
        return select.count()
