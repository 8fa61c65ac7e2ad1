"""FAQ revisions: every saved state of an article, never rewritten, and the differences between two.

A revision holds the whole article as that change left it (title, body, category, tags,
status) with who, when and a short note; a revert is a new revision equal to an old one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from models.errors import NotFound
from models.store.tables import Agent, FAQArticle, FAQRevision

__all__ = ["Revision", "revisions", "get_revision", "diff_revisions"]


@dataclass(frozen=True)
class Revision:
    """One saved state of an article."""

    article: int
    number: int
    at: datetime
    author: str | None
    note: str
    title: str
    body: str
    category: str
    tags: tuple[str, ...]
    status: str


def _must_exist(article_id: int) -> None:
    if not FAQArticle.select().where(FAQArticle.id == article_id).exists():
        raise NotFound(f"no FAQ article #{article_id}")


def _revision(row: FAQRevision, author: str | None) -> Revision:
    return Revision(
        article=row.article_id,
        number=row.number,
        at=row.at,
        author=author,
        note=row.note,
        title=row.title,
        body=row.body,
        category=row.category,
        tags=tuple(row.tags.split()),
        status=row.status,
    )


def revisions(article_id: int) -> list[Revision]:
    """Every revision of an article, newest first."""
    _must_exist(article_id)
    return [_revision(row, login) for row, login in _with_authors(FAQRevision.article == article_id)]


def _with_authors(condition) -> list[tuple[FAQRevision, str | None]]:
    """Revisions matching ``condition``, newest first, each with its author's login (one query)."""
    rows = (
        FAQRevision.select(FAQRevision, Agent.login.alias("author_login"))
        .join(Agent, pw.JOIN.LEFT_OUTER, on=(FAQRevision.author == Agent.id))
        .where(condition)
        .order_by(FAQRevision.number.desc())
        .objects()
    )
    return [(row, row.author_login) for row in rows]


def get_revision(article_id: int, number: int) -> Revision:
    found = _with_authors((FAQRevision.article == article_id) & (FAQRevision.number == number))
    if not found:
        _must_exist(article_id)
        raise NotFound(f"FAQ #{article_id} has no revision {number}")
    return _revision(*found[0])


def _as_text(revision: Revision) -> list[str]:
    head = [
        f"Title: {revision.title}",
        f"Category: {revision.category or '—'}",
        f"Tags: {' '.join(revision.tags) or '—'}",
        f"Status: {revision.status}",
        "",
    ]
    return [line + "\n" for line in head] + [line + "\n" for line in revision.body.splitlines()]


def diff_revisions(article_id: int, old: int, new: int) -> str:
    """A unified diff from revision ``old`` to ``new`` (title, category, tags and status included)."""
    before, after = get_revision(article_id, old), get_revision(article_id, new)
    lines = difflib.unified_diff(
        _as_text(before), _as_text(after), fromfile=f"FAQ #{article_id} revision {old}", tofile=f"revision {new}"
    )
    return "".join(lines)


def write_revision(actor: Agent | None, article, note: str, at: datetime) -> None:
    """Add ``article`` (a ``models.faq.articles.Article``) as its revision ``article.version``."""
    FAQRevision.insert(
        article=article.id,
        number=article.version,
        at=at,
        author=actor.id if actor is not None else None,
        title=article.title,
        body=article.body,
        note=note,
        category=article.category,
        tags=" ".join(article.tags),
        status=article.status,
    ).execute()
