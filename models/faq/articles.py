"""FAQ articles: every change is a revision, and the article row is the latest one.

A revision holds the whole article as that change left it (title, body, category, tags,
status) with who, when and a short note; revisions are never rewritten, and a revert is a new
revision equal to an old one. ``article.version`` is the number of its latest revision, so a
save that names the version it started from (``expect_version``) is refused with ``Conflict``
when someone else saved meanwhile — the caller keeps its text and can try again.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import peewee as pw

from models import validate
from models.enums import EventKind, FAQStatus
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from models.store import fulltext
from models.store.db import is_postgres, write_transaction
from models.store.tables import (
    Agent,
    FAQArticle,
    FAQCategory,
    FAQRevision,
    FAQTag,
    Tag,
    Ticket,
    TicketEvent,
    TicketFAQ,
    utcnow,
)

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

MAX_TITLE = 300
MAX_NOTE = 500


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


# --- checks ---------------------------------------------------------------------------------


def _title(value: str) -> str:
    return validate.line(value, "title", MAX_TITLE, required=True)


def _body(value: str) -> str:
    return validate.body(value, "article body")


def _status(value: str) -> str:
    try:
        return FAQStatus(str(value).strip().lower()).value
    except ValueError:
        names = ", ".join(s.value for s in FAQStatus)
        raise InvalidInput(f"unknown FAQ status {str(value)[:40]!r} (one of: {names})") from None


def _category(value: str) -> str:
    """A known category's stored spelling (matched without regard to case), or "" for none."""
    cleaned = " ".join(validate.text(value or "").split())
    if not cleaned:
        return ""
    found = FAQCategory.get_or_none(FAQCategory.name == cleaned)
    if found is None:
        for (name,) in FAQCategory.select(FAQCategory.name).tuples():
            if name.casefold() == cleaned.casefold():
                return name
        known = ", ".join(name for name, _ in categories()) or "none yet"
        raise InvalidInput(
            f"unknown category {cleaned[:60]!r} (known: {known}; add one with `sportello faq category add NAME`)"
        )
    return found.name


def _tags(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({validate.tag(v) for v in values if str(v).strip()}))


def _note(value: str | None) -> str:
    return validate.line(value, "change note", MAX_NOTE)


def _active(actor: Agent) -> Agent:
    if actor is None or not actor.active:
        raise PermissionDenied("only an active agent may change the FAQ")
    return actor


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
    get_article(article_id)
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
        get_article(article_id)
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


def categories(*, archived: bool = True) -> list[tuple[str, int]]:
    """Every category with how many articles are filed under it (archived ones too unless ``archived=False``)."""
    counted = FAQArticle.select(FAQArticle.category, pw.fn.COUNT(FAQArticle.id)).group_by(FAQArticle.category)
    if not archived:
        counted = counted.where(FAQArticle.status != FAQStatus.ARCHIVED.value)
    counts = dict(counted.tuples())
    names = [name for (name,) in FAQCategory.select(FAQCategory.name).tuples()]
    return sorted(((name, counts.get(name, 0)) for name in names), key=lambda item: item[0].casefold())


def add_category(actor: Agent, name: str) -> str:
    _active(actor)
    cleaned = validate.line(name, "category name", 100, required=True)
    with write_transaction():
        for (existing,) in FAQCategory.select(FAQCategory.name).tuples():
            if existing.casefold() == cleaned.casefold():
                raise Conflict(f"category {existing!r} already exists")
        FAQCategory.create(name=cleaned)
    return cleaned


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


def _write_revision(actor: Agent | None, article: Article, note: str, at: datetime) -> None:
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
    _active(actor)
    title, body, status, tags, note = _title(title), _body(body), _status(status), _tags(tags), _note(note)
    with write_transaction():
        category = _category(category)
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
        _write_revision(actor, article, note or "created", at)
        fulltext.index_article(article.id, article.title, article.body)
    return article


def _continue_ids() -> None:
    """After an insert with an explicit id, PostgreSQL's sequence must continue past it."""
    if is_postgres():
        from models.store.db import database

        database.execute_sql(
            "SELECT setval(pg_get_serial_sequence('faq_article', 'id'), (SELECT MAX(id) FROM faq_article))"
        )


def _change(actor: Agent, article_id: int, expect_version: int | None, build, note: str) -> Article:
    """Lock the article, check the version, write the revision ``build`` makes (if it changes anything)."""
    _active(actor)
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
        _write_revision(actor, after, note, at)
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
        changes["title"] = _title(title)
    if body is not None:
        changes["body"] = _body(body)
    if tags is not None:
        changes["tags"] = _tags(tags)
    if status is not None:
        changes["status"] = _status(status)
    note = _note(note)

    def build(before: Article) -> Article:
        extra = {"category": _category(category)} if category is not None else {}
        return replace(before, **changes, **extra)

    return _change(actor, article_id, expect_version, build, note or "edited")


def set_article_status(
    actor: Agent, article_id: int, status: str, *, note: str = "", expect_version: int | None = None
) -> Article:
    """Publish, archive or return to draft: a revision too, so the history says who did it."""
    status, note = _status(status), _note(note)
    return _change(actor, article_id, expect_version, lambda before: replace(before, status=status), note or status)


def revert_article(
    actor: Agent, article_id: int, number: int, *, note: str = "", expect_version: int | None = None
) -> Article:
    """A new revision with the title, body, category and tags of revision ``number``; the status stays."""
    old = get_revision(article_id, number)
    note = _note(note) or f"reverted to revision {number}"

    def build(before: Article) -> Article:
        category = old.category
        if category and FAQCategory.get_or_none(FAQCategory.name == category) is None:
            category = ""  # the category was removed since; the article is filed under none
        return replace(before, title=old.title, body=old.body, category=category, tags=old.tags)

    return _change(actor, article_id, expect_version, build, note)


# A line that only greets, perhaps naming someone: "Hi Anna,", "Dear support team,", "Ciao!", "Buongiorno Sig. Rossi,".
_GREETING = re.compile(
    r"(?i:hi|hello|hey|dear|greetings|good\s+(?:morning|afternoon|evening)|ciao|salve|buongiorno|buonasera|"
    r"gentile|gentili|egregi[oa]|spett\.?(?:abile|\.le)?|car[oa]|hallo|bonjour|"
    r"thanks?(?:\s+you)?\s+for\s+(?:getting\s+in\s+touch|contacting\s+us|your\s+(?:message|patience)))"
    r"(?:\s+[^\s,!:;?]+){0,4}\s*[,!:.]?"
)
# A line that closes a message, perhaps with a name: "Best regards", "Kind regards, Ada", "Cordiali saluti".
_CLOSING = re.compile(
    r"(?i:(?:best|kind|warm|warmest)\s+(?:regards|wishes)|regards|best|cheers|sincerely|yours(?:\s+\w+)?|"
    r"many\s+thanks|thanks?(?:\s+you)?(?:\s+(?:again|so\s+much|in\s+advance))?|have\s+a\s+(?:nice|good|great)\s+\w+|"
    r"(?:cordiali|distinti|cari|un)\s+salut[io]|saluti|grazie(?:\s+mille|\s+ancora|\s+in\s+anticipo)?|"
    r"buona\s+(?:giornata|serata)|a\s+presto)"
    r"[,.!]*(?:\s+[A-ZÀ-Ý][^\s,!:;?]*){0,3}\s*[.!]?"
)
_SIGNATURE_LINES = 5  # at most this many short lines (name, role, company, phone) after the closing


def without_salutations(body: str) -> str:
    """``body`` without its greeting line and its signature: what an FAQ article can reuse.

    The signature starts at a ``--`` line, or at a closing line ("Best regards", "Cordiali
    saluti") after the text and followed only by a few short lines. A greeting alone gives "".
    """
    lines = body.strip().splitlines()
    if lines and _GREETING.fullmatch(lines[0].strip()):
        lines = lines[1:]
    for index, line in enumerate(lines):
        if line.rstrip() == "--":
            lines = lines[:index]
            break
    for index in range(len(lines) - 1, 0, -1):  # a closing after some text, not the first line
        rest = [line for line in lines[index + 1 :] if line.strip()]
        if len(rest) > _SIGNATURE_LINES or any(len(line.strip()) > 80 for line in rest):
            break
        if _CLOSING.fullmatch(lines[index].strip()):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def extract_from_ticket(
    actor: Agent, number: int, *, event_id: int | None = None, category: str = "", title: str | None = None
) -> Article:
    """A draft article prefilled from ticket ``number``: its subject, and the reply ``event_id``
    (default: the latest agent reply, else the first message). The ticket links to the draft."""
    from models.tickets import (
        changes as tickets,  # tickets imports nothing from here; the cycle is avoided all the same
    )

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
