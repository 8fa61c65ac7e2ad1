"""FAQ articles to suggest for a ticket: ranked by how well they match what its subject and messages say."""

from __future__ import annotations

import math
import operator
import re
from functools import reduce

import peewee as pw

from models.enums import EventKind, FAQStatus
from models.faq.hits import FAQHit, read_hits, word_errors
from models.faq.words import STOP_WORDS, folded_words
from models.store import fulltext
from models.store.db import is_postgres
from models.store.tables import FAQArticle, TicketEvent, TicketFAQ
from models.tickets.changes import get_ticket

__all__ = ["suggest_for_ticket"]

_MAX_SUGGEST_WORDS = 24


def suggest_for_ticket(number: int, *, limit: int = 5) -> list[FAQHit]:
    """Published articles ranked by how well they match ticket ``number``'s subject and messages.

    Each word weighs by where the ticket says it (the subject most, then the customer's own
    messages, the agents' replies least: the customer's words name the problem) and by how rare it
    is among the articles; an article scores the weights of the words it holds, five times over
    for a word in its title. Words of four letters or more also find their longer forms (``reset``
    finds "Resetting"). Articles already linked to the ticket are included and marked ``linked``.
    """
    ticket = get_ticket(number)
    words = _ticket_words(number, ticket.subject)
    if not words:
        return []
    with word_errors():
        weights = _with_rarity(words)
        hits = read_hits(_weighted_select(weights).limit(limit)) if weights else []
    linked = {a for (a,) in TicketFAQ.select(TicketFAQ.article).where(TicketFAQ.ticket == number).tuples()}
    return [FAQHit(**{**h.__dict__, "linked": h.id in linked}) for h in hits]


_SUBJECT_WEIGHT, _CUSTOMER_WEIGHT, _AGENT_WEIGHT = 3.0, 1.0, 0.3
_PREFIX_MIN = 4  # shorter stems would find too much (ran* finds "random")
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
_TITLE_WEIGHT = 5.0  # a word in the title counts this many times one in the body (as in search)


def _ticket_words(number: int, subject: str) -> dict[str, float]:
    """The ticket's words (as searched: see :func:`_stem`) and their weights, the heaviest ``_MAX_SUGGEST_WORDS``."""
    weights: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for word in dict.fromkeys(_stem(w) for w in folded_words(text[:5_000], numbers=True)):
            if word in STOP_WORDS:
                continue  # a stem can be one: requested → request
            weights[word] = weights.get(word, 0.0) + weight

    add(subject, _SUBJECT_WEIGHT)
    messages = (
        TicketEvent.select(TicketEvent.kind, TicketEvent.customer, TicketEvent.body)
        .where((TicketEvent.ticket == number) & TicketEvent.body.is_null(False)
               & (TicketEvent.kind.in_([EventKind.CREATED.value, EventKind.REPLY.value])))
        .order_by(TicketEvent.id)
        .limit(20)
        .tuples()
    )  # fmt: skip
    for kind, customer, body in messages:
        by_customer = kind == EventKind.CREATED.value or customer is not None
        add(body, _CUSTOMER_WEIGHT if by_customer else _AGENT_WEIGHT)
    heaviest = sorted(weights.items(), key=lambda item: -item[1])[:_MAX_SUGGEST_WORDS]  # stable: first said first
    return dict(heaviest)


def _stem(word: str) -> str:
    """``word`` without a plain English ending, so that its prefix finds the other forms:
    resetting → reset, charged → charg, passwords → password; numbers and short words stay."""
    if not word.isalpha() or len(word) < _PREFIX_MIN + 2:
        return word
    stem = _SUFFIX.sub("", word)
    if len(stem) > _PREFIX_MIN and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
        stem = stem[:-1]  # resett → reset, but "install" and "access" keep theirs
    return stem if len(stem) >= _PREFIX_MIN else word


def _word_match(word: str, *, title: bool = False) -> tuple[pw.Node, pw.Node, pw.Table]:
    """(article id column, match condition, index table) for one word, in the title only when ``title``,
    by prefix when it is long enough. A folded word is letters and digits: quoted, it is one term."""
    prefix = len(word) >= _PREFIX_MIN and not word.isdigit()
    if is_postgres():
        table = pw.Table("faq_search", ("article_id", "document"))
        term = "'" + word.replace("'", "''") + "':" + ("*" if prefix else "") + ("A" if title else "")  # A: the title
        tsquery = pw.fn.to_tsquery(pw.SQL("'simple'"), term.rstrip(":"))  # a parameter, never SQL
        return table.article_id, pw.Expression(table.document, "@@", tsquery), table
    table = pw.Table("faq_fts", ("rowid", "faq_fts", "title", "body"))
    expression = ("title : " if title else "") + fulltext.fts5_expression([word]) + (" *" if prefix else "")
    return table.rowid, pw.Expression(table.faq_fts, "MATCH", expression), table


def _with_rarity(words: dict[str, float]) -> dict[str, tuple[float, bool]]:
    """Each word's weight times its rarity among the articles (its inverse document frequency, as
    bm25 counts it), and whether it is common (in over a quarter of them); words no article holds
    are left out."""
    counts = []
    for word in words:
        column, match, table = _word_match(word)
        counts.append(table.select(pw.fn.COUNT(column)).where(match))
    total = FAQArticle.select(pw.fn.COUNT(FAQArticle.id))
    row = FAQArticle.select(*[query.alias(f"n{i}") for i, query in enumerate([total, *counts])]).limit(1).tuples()
    found = next(iter(row), None)
    if found is None:
        return {}
    articles, *frequencies = (int(n or 0) for n in found)
    return {
        word: (weight * math.log(1 + (articles - df + 0.5) / (df + 0.5)), df * 4 > articles)
        for (word, weight), df in zip(words.items(), frequencies) if df
    }  # fmt: skip


def _weighted_select(weights: dict[str, tuple[float, bool]]) -> pw.ModelSelect:
    """Published articles by the sum of the weights of the words they hold (the title's count ``_TITLE_WEIGHT``×).

    One UNION ALL of plain matches summed in SQL, then joined to the articles: no per-row ranking
    function, which on a large FAQ costs more than the matching. A common word counts in titles
    only: in bodies it says little and would bring most of the FAQ into the sum.
    """
    parts = []
    for word, (weight, common) in weights.items():
        # Any match (title or body) scores the weight, a title match the rest of _TITLE_WEIGHT on top.
        scored = [(True, weight * _TITLE_WEIGHT)] if common else [(False, weight), (True, weight * (_TITLE_WEIGHT - 1))]
        for title, points in scored:
            column, match, table = _word_match(word, title=title)
            parts.append(table.select(column.alias("id"), pw.SQL(f"{points:.6f}").alias("score")).where(match))
    union = reduce(operator.add, parts).alias("matches")  # UNION ALL
    score = pw.fn.SUM(union.c.score)
    hits = pw.Select([union], [union.c.id, score.alias("score")]).group_by(union.c.id).alias("hits")
    columns = [FAQArticle.id, FAQArticle.title, FAQArticle.category, FAQArticle.status, FAQArticle.updated_at,
               FAQArticle.version]  # fmt: skip
    return (
        FAQArticle.select(*columns, hits.c.score.alias("score"))
        .join(hits, on=(hits.c.id == FAQArticle.id))
        .where(FAQArticle.status == FAQStatus.PUBLISHED.value)
        .order_by(pw.SQL("score").desc(), FAQArticle.id)
    )
