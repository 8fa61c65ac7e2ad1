"""FAQ articles: reading them, and writing them, every change as a new revision.

The article row is its latest revision (:mod:`models.faq.revisions`). ``article.version`` is the
number of that revision, so a save that names the version it started from (``expect_version``)
is refused with ``Conflict`` when someone else saved meanwhile — the caller keeps its text and
can try again. An article can also be drafted from a ticket's reply (:func:`extract_from_ticket`).

The revisions, the categories (:mod:`models.faq.categories`), the limits of the checks
(:mod:`models.faq.checks`) and :func:`~models.faq.salutations.without_salutations` are named here
too, so that callers keep one import (``from models.faq import articles as faq``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from models.enums import EventKind, FAQStatus
from models.errors import Conflict, NotFound
from models.faq import checks
from models.faq.categories import add_category, categories, known_category
from models.faq.checks import MAX_NOTE, MAX_TITLE
from models.faq.revisions import Revision, diff_revisions, get_revision, revisions, write_revision
from models.faq.salutations import without_salutations
from models.store import fulltext
from models.store.db import database, is_postgres, write_transaction
from models.store.tables import (
    Agent,
    FAQArticle,
    FAQCategory,
    FAQTag,
    Tag,
    Ticket,
    TicketEvent,
    TicketFAQ,
    utcnow,
)
from models.tickets import changes as tickets

__all__ = [
    "MAX_TITLE",
    "MAX_NOTE",
    "Article",
    "Revision",
    "get_article",
    "create_article",
    "save_article",
    "set_article_status",
    "revert_article",
    "revisions",
    "get_revision",
    "diff_revisions",
    "categories",
    "add_category",
    "linked_articles",
    "extract_from_ticket",
    "without_salutations",
]


@dataclass(frozen=True)
class Article:
    """An article as its latest revision left it."""

    id: int
    title: str
    body: str
    category: str
    tags: tuple[str, ...]
    status: str
    author: str | None  # login of who wrote the first revision
    created_at: datetime
    updated_at: datetime
    version: int
    source_ticket: int | None = None  # the ticket it was drafted from

    def content(self) -> tuple:
        """What a revision records of the article, for "did anything change?"."""
        return (self.title, self.body, self.category, self.tags, self.status)


# --- reading --------------------------------------------------------------------------------


def _tags_of(article_id: int) -> tuple[str, ...]:
    rows = Tag.select(Tag.name).join(FAQTag, on=(FAQTag.tag == Tag.id)).where(FAQTag.article == article_id).tuples()
    return tuple(sorted(name for (name,) in rows))


def _read(row: FAQArticle) -> Article:
    author = Agent.get_by_id(row.author_id).login if row.author_id else None
    return Article(
        id=row.id,
        title=row.title,
        body=row.body,
        category=row.category,
        tags=_tags_of(row.id),
        status=row.status,
        author=author,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        source_ticket=row.source_ticket_id,
    )


def get_article(article_id: int) -> Article:
    row = FAQArticle.get_or_none(FAQArticle.id == article_id)
    if row is None:
        raise NotFound(f"no FAQ article #{article_id}")
    return _read(row)


def linked_articles(number: int) -> list[Article]:
    """The articles linked to ticket ``number``, in the order they were linked."""
    rows = (
        FAQArticle.select()
        .join(TicketFAQ, on=(TicketFAQ.article == FAQArticle.id))
        .where(TicketFAQ.ticket == number)
        .order_by(TicketFAQ.linked_at, FAQArticle.id)
    )
    return [_read(row) for row in rows]


# --- writing --------------------------------------------------------------------------------


def _lock(article_id: int) -> FAQArticle:
    query = FAQArticle.select().where(FAQArticle.id == article_id)
    if is_postgres():
        query = query.for_update()
    row = query.get_or_none()
    if row is None:
        raise NotFound(f"no FAQ article #{article_id}")
    return row


def _conflict(article: Article, seen: int) -> Conflict:
    if seen > article.version:
        return Conflict(
            f"FAQ #{article.id} is at revision {article.version}; revision {seen} does not exist yet",
            current_version=article.version,
        )
    newer = [r for r in revisions(article.id) if r.number > seen]
    lines = [
        f"revision {r.number} by {r.author or 'system'} at {r.at:%Y-%m-%d %H:%M} UTC"
        + (f" ({r.note})" if r.note else "")
        for r in reversed(newer)
    ]
    shown = "; ".join(lines[:3]) + (f"; and {len(lines) - 3} more" if len(lines) > 3 else "")
    return Conflict(
        f"FAQ #{article.id} changed since you opened it (revision {seen}, now {article.version}): {shown}",
        changes=lines,
        current_version=article.version,
    )


def _write_tags(article_id: int, tags: tuple[str, ...]) -> None:
    FAQTag.delete().where(FAQTag.article == article_id).execute()
    for name in tags:
        tag, _ = Tag.get_or_create(name=name)
        FAQTag.insert(article=article_id, tag=tag.id).execute()


def create_article(
    actor: Agent,
    *,
    title: str,
    body: str,
    category: str = "",
    tags: Iterable[str] = (),
    status: str = FAQStatus.DRAFT.value,
    note: str = "",
    source_ticket: int | None = None,
    article_id: int | None = None,
) -> Article:
    """A new article and its first revision. ``article_id`` keeps an id (an import); it must be free."""
    checks.active(actor)
    title, body, status, tags, note = (
        checks.title(title),
        checks.body(body),
        checks.status(status),
        checks.tags(tags),
        checks.note(note),
    )
    with write_transaction():
        category = known_category(category)
        if source_ticket is not None and Ticket.get_or_none(Ticket.number == source_ticket) is None:
            raise NotFound(f"no ticket #{source_ticket}")
        if article_id is not None and FAQArticle.get_or_none(FAQArticle.id == article_id) is not None:
            raise Conflict(f"FAQ #{article_id} already exists")
        at = utcnow()
        fields = dict(
            title=title, body=body, category=category, status=status, author=actor.id,
            created_at=at, updated_at=at, version=1, source_ticket=source_ticket,
        )  # fmt: skip
        if article_id is not None:
            fields["id"] = article_id
        new_id = FAQArticle.insert(**fields).execute()
        if article_id is not None:
            new_id = article_id
            _continue_ids()
        _write_tags(new_id, tags)
        article = _read(FAQArticle.get_by_id(new_id))
        write_revision(actor, article, note or "created", at)
        fulltext.index_article(article.id, article.title, article.body)
    return article


def _continue_ids() -> None:
    """After an insert with an explicit id, PostgreSQL's sequence must continue past it."""
    if is_postgres():
        database.execute_sql(
            "SELECT setval(pg_get_serial_sequence('faq_article', 'id'), (SELECT MAX(id) FROM faq_article))"
        )


def _change(actor: Agent, article_id: int, expect_version: int | None, build, note: str) -> Article:
    """Lock the article, check the version, write the revision ``build`` makes (if it changes anything)."""
    checks.active(actor)
    with write_transaction():
        before = _read(_lock(article_id))
        if expect_version is not None and before.version != expect_version:
            raise _conflict(before, expect_version)
        after = build(before)
        if after.content() == before.content():
            return before
        at = max(utcnow(), before.updated_at)
        after = replace(after, version=before.version + 1, updated_at=at)
        FAQArticle.update(
            title=after.title, body=after.body, category=after.category, status=after.status,
            updated_at=at, version=after.version,
        ).where(FAQArticle.id == article_id).execute()  # fmt: skip
        if after.tags != before.tags:
            _write_tags(article_id, after.tags)
        write_revision(actor, after, note, at)
        if (after.title, after.body) != (before.title, before.body):
            fulltext.index_article(article_id, after.title, after.body)
    return after


def save_article(
    actor: Agent,
    article_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    category: str | None = None,
    tags: Iterable[str] | None = None,
    status: str | None = None,
    note: str = "",
    expect_version: int | None = None,
) -> Article:
    """Save new text (and/or category, tags, status) as a new revision; unchanged fields stay.

    Saving exactly what is there writes nothing and returns the article as it is.
    """
    changes = {}
    if title is not None:
        changes["title"] = checks.title(title)
    if body is not None:
        changes["body"] = checks.body(body)
    if tags is not None:
        changes["tags"] = checks.tags(tags)
    if status is not None:
        changes["status"] = checks.status(status)
    note = checks.note(note)

    def build(before: Article) -> Article:
        extra = {"category": known_category(category)} if category is not None else {}
        return replace(before, **changes, **extra)

    return _change(actor, article_id, expect_version, build, note or "edited")


def set_article_status(
    actor: Agent, article_id: int, status: str, *, note: str = "", expect_version: int | None = None
) -> Article:
    """Publish, archive or return to draft: a revision too, so the history says who did it."""
    status, note = checks.status(status), checks.note(note)
    return _change(actor, article_id, expect_version, lambda before: replace(before, status=status), note or status)


def revert_article(
    actor: Agent, article_id: int, number: int, *, note: str = "", expect_version: int | None = None
) -> Article:
    """A new revision with the title, body, category and tags of revision ``number``; the status stays."""
    old = get_revision(article_id, number)
    note = checks.note(note) or f"reverted to revision {number}"

    def build(before: Article) -> Article:
        category = old.category
        if category and FAQCategory.get_or_none(FAQCategory.name == category) is None:
            category = ""  # the category was removed since; the article is filed under none
        return replace(before, title=old.title, body=old.body, category=category, tags=old.tags)

    return _change(actor, article_id, expect_version, build, note)


def extract_from_ticket(
    actor: Agent, number: int, *, event_id: int | None = None, category: str = "", title: str | None = None
) -> Article:
    """A draft article prefilled from ticket ``number``: its subject, and the reply ``event_id``
    (default: the latest agent reply, else the first message). The ticket links to the draft."""
    ticket = tickets.get_ticket(number)
    messages = (
        TicketEvent.select()
        .where((TicketEvent.ticket == number) & TicketEvent.body.is_null(False))
        .order_by(TicketEvent.id)
    )
    chosen = None
    if event_id is not None:
        chosen = next((e for e in messages if e.id == event_id), None)
        if chosen is None:
            raise NotFound(f"ticket #{number} has no message {event_id}")
    else:
        replies = [e for e in messages if e.kind == EventKind.REPLY and e.customer_id is None]
        chosen = replies[-1] if replies else next(iter(messages), None)
    body = without_salutations(chosen.body) if chosen is not None else ""
    body = body or f"(write the answer to: {ticket.subject})"
    with write_transaction():  # the draft and the ticket's link to it, or neither
        article = create_article(
            actor,
            title=title or ticket.subject,
            body=body,
            category=category,
            note=f"drafted from ticket #{number}",
            source_ticket=number,
        )
        tickets.link_faq(actor, number, article.id, reason="drafted from this ticket")
    return article
