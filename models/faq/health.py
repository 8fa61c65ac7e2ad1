"""Keeping the FAQ alive: how often each article is used, what waits, and what is missing.

*Usage* counts the tickets an article was linked to (inserted in a reply or linked by hand) in
the last 30 and 90 days; the ticket an article was drafted from does not count. *Gaps* are the
words and word pairs that recur most in the subjects of recently resolved tickets that were
closed without any FAQ link: what the team keeps answering by hand, so what to write next.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee as pw

from models.enums import FAQStatus, Status
from models.faq.search import FAQQuery, search_faq
from models.faq.words import folded_words
from models.search.query import Term
from models.store.tables import Agent, FAQArticle, Ticket, TicketFAQ, utcnow

__all__ = ["Usage", "Draft", "Gap", "FAQHealth", "faq_health", "faq_gaps", "GAP_SAMPLE"]

GAP_SAMPLE = 20_000  # the most recently resolved tickets whose subjects the gaps are counted from

# Order numbers, invoice numbers, error codes (INV-2024-0031, ORD12345, ERR-4012): not topics.
_CODE = re.compile(r"\b[^\W\d_]{1,5}[-_#/]?\d[\w\-/]*")


@dataclass(frozen=True)
class Usage:
    id: int
    title: str
    category: str
    status: str
    uses_30: int
    uses_90: int
    uses: int  # ever
    last_used: datetime | None


@dataclass(frozen=True)
class Draft:
    id: int
    title: str
    author: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Gap:
    topic: str  # a word or a pair of words, as folded for search
    tickets: int  # resolved tickets without an FAQ link whose subject has it
    examples: tuple[int, ...]  # a few of those tickets, newest first
    covered_by: int | None = None  # a published article that matches it (linked nowhere there)


@dataclass(frozen=True)
class FAQHealth:
    at: datetime
    usage: list[Usage]  # published and draft articles, most used (90 days) first
    never_used: list[Usage]  # published articles no ticket was ever linked to
    drafts: list[Draft]  # oldest first
    gaps: list[Gap]
    gap_days: int
    gap_tickets: int  # how many tickets the gaps were counted from


def faq_health(*, now: datetime | None = None, gap_days: int = 90, gap_limit: int = 15) -> FAQHealth:
    """The whole report; ``now`` (naive UTC) anchors the 30/90-day windows."""
    at = now or utcnow()
    usage = _usage(at)
    drafts = [
        Draft(i, title, author, updated)
        for i, title, author, updated in FAQArticle.select(
            FAQArticle.id, FAQArticle.title, Agent.login, FAQArticle.updated_at
        )
        .join(Agent, pw.JOIN.LEFT_OUTER, on=(FAQArticle.author == Agent.id))
        .where(FAQArticle.status == FAQStatus.DRAFT.value)
        .order_by(FAQArticle.updated_at, FAQArticle.id)
        .tuples()
    ]
    gaps, considered = faq_gaps(now=at, days=gap_days, limit=gap_limit)
    return FAQHealth(
        at=at,
        usage=sorted(usage, key=lambda u: (-u.uses_90, -u.uses_30, -u.uses, u.title.casefold())),
        never_used=[u for u in usage if u.uses == 0 and u.status == FAQStatus.PUBLISHED.value],
        drafts=drafts,
        gaps=gaps,
        gap_days=gap_days,
        gap_tickets=considered,
    )


def _usage(at: datetime) -> list[Usage]:
    d30, d90 = at - timedelta(days=30), at - timedelta(days=90)
    link = TicketFAQ.alias("link")
    counted = (link.article == FAQArticle.id) & (
        FAQArticle.source_ticket.is_null() | (link.ticket != FAQArticle.source_ticket)
    )
    within = lambda start: pw.fn.SUM(pw.Case(None, [(link.linked_at >= start, 1)], 0))  # noqa: E731
    rows = (
        FAQArticle.select(
            FAQArticle.id,
            FAQArticle.title,
            FAQArticle.category,
            FAQArticle.status,
            within(d30),
            within(d90),
            pw.fn.COUNT(link.ticket),
            pw.fn.MAX(link.linked_at),
        )  # fmt: skip
        .join(link, pw.JOIN.LEFT_OUTER, on=counted)
        .where(FAQArticle.status != FAQStatus.ARCHIVED.value)
        .group_by(FAQArticle.id, FAQArticle.title, FAQArticle.category, FAQArticle.status)
        .tuples()
    )
    return [
        Usage(i, title, category, status, int(u30 or 0), int(u90 or 0), int(uses or 0), _as_datetime(last))
        for i, title, category, status, u30, u90, uses, last in rows
    ]


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))  # SQLite's MAX() of a datetime column is text


def faq_gaps(
    *, now: datetime | None = None, days: int = 90, limit: int = 15, sample: int = GAP_SAMPLE
) -> tuple[list[Gap], int]:
    """The topics of recently resolved tickets that no FAQ covered; returns (gaps, tickets counted)."""
    at = now or utcnow()
    linked = TicketFAQ.select(TicketFAQ.ticket).where(TicketFAQ.ticket == Ticket.number)
    # Newest first along the resolved_at index; the status is checked here, not in SQL, so that
    # no planner is tempted to walk the (much larger) status index instead.
    rows = (
        Ticket.select(Ticket.number, Ticket.subject, Ticket.status)
        .where((Ticket.resolved_at >= at - timedelta(days=days)) & (Ticket.resolved_at <= at) & ~pw.fn.EXISTS(linked))
        .order_by(Ticket.resolved_at.desc())
        .tuples()
        .iterator()
    )
    done = (Status.RESOLVED.value, Status.CLOSED.value)
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    examples: dict[str, list[int]] = {}
    considered = 0
    for number, subject, status in rows:
        if status not in done:
            continue  # resolved once, reopened since
        considered += 1
        folded = folded_words(_CODE.sub(" ", subject))
        seen = set(folded) | {f"{a} {b}" for a, b in zip(folded, folded[1:])}
        for topic in seen:
            (pairs if " " in topic else words)[topic] += 1
            shown = examples.setdefault(topic, [])
            if len(shown) < 3:
                shown.append(number)
        if considered >= sample:
            break
    chosen: list[tuple[str, int]] = []
    for pair, count in pairs.most_common():
        if count < 2 or len(chosen) >= limit:
            break
        chosen.append((pair, count))
    covered = {w for pair, _ in chosen for w in pair.split()}
    for word, count in words.most_common():
        if len(chosen) >= limit * 2 or count < 2:
            break
        best_pair = max((c for p, c in chosen if word in p.split()), default=0)
        if word not in covered or count > best_pair:  # also asked about in other words
            chosen.append((word, count))
    chosen.sort(key=lambda item: (-item[1], item[0]))
    gaps = [Gap(topic, count, tuple(examples[topic]), _covering(topic)) for topic, count in chosen[:limit]]
    return gaps, considered


def _covering(topic: str) -> int | None:
    """A published article whose text has ``topic`` (the most relevant), if any."""
    query = FAQQuery(terms=(Term(topic, phrase=True),), statuses=(((FAQStatus.PUBLISHED.value,), False),))
    hits = search_faq(query, limit=1)
    return hits[0].id if hits else None
