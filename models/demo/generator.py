"""``sportello demo``: fill an empty desk with a realistic, reproducible year of helpdesk work.

Everything is derived from ``random.Random(seed)`` and the moment the story ends (``at``: now
by default, so the newest work is minutes old): the same seed and ``at`` give the same desk,
byte for byte. This module makes the reference data (agents, queues,
organizations, customers, FAQ, saved views) and loads everything; the tickets' histories come
from ``models.demo.story``, which simulates them in Python (the service functions are far too
slow for a million tickets) so that every row equals the fold of its events by construction.
Rows are streamed to ``models.store.bulk.write_rows`` one chunk of tickets at a time, and the
full-text index is rebuilt once at the end.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta

from models.demo import text
from models.demo.story import (
    _WORKER_MIN_TICKETS,
    _WORKERS,
    ANCHOR,
    EVENT_COLUMNS,
    LOW_TAG,
    NULL,
    START,
    SURVEY_COLUMNS,
    TICKET_COLUMNS,
    DemoDesk,
    Span,
    TicketChunk,
    _chunk_count,
    _fill,
    _Generator,
    generate,
    timestamp,
)
from models.errors import RuleViolation
from models.store import bulk
from models.store.db import database, is_postgres, write_transaction
from models.store.tables import (
    Agent,
    Customer,
    FAQArticle,
    FAQCategory,
    FAQRevision,
    FAQTag,
    Organization,
    Queue,
    SavedView,
    SLACalendar,
    SLAPolicy,
    Survey,
    Tag,
    Ticket,
    TicketEvent,
    TicketFAQ,
    TicketTag,
    utcnow,
)

__all__ = ["ANCHOR", "DemoDesk", "START", "Span", "TicketChunk", "build_demo", "generate", "timestamp"]

# --- reference data ------------------------------------------------------------------------


def _next_id(model) -> int:
    pk = model._meta.primary_key
    return (model.select(pk).order_by(pk.desc()).limit(1).scalar() or 0) + 1


def _agents(
    rng: random.Random, admin_login: str, start: datetime
) -> tuple[list[int], list[str], list[str], list[str], list[bool]]:
    """Match the demo agents with those already on the desk by login; insert the missing ones."""
    wanted = [(admin_login, admin_login, "admin", True)] + [a for a in text.AGENTS if a[0] != admin_login]
    existing = dict(Agent.select(Agent.login, Agent.id).tuples())
    next_id = _next_id(Agent)
    ids, logins, names, roles, active, rows = [], [], [], [], [], []
    for position, (login, name, role, is_active) in enumerate(wanted):
        agent_id = existing.get(login)
        if agent_id is None:
            agent_id, next_id = next_id, next_id + 1
            joined = start - timedelta(days=400 - 30 * position, hours=rng.randrange(8, 18))
            rows.append((agent_id, login, name, role, is_active, joined))
        elif login == admin_login:
            Agent.update(role="admin", active=True).where(Agent.id == agent_id).execute()
        ids.append(agent_id)
        logins.append(login)
        names.append(name)
        roles.append(role)
        active.append(is_active)
    bulk.write_rows(Agent, ("id", "login", "name", "role", "active", "created_at"), rows)
    return ids, logins, names, roles, active


_REVENUE_BANDS = ("<1M", "1-10M", "10-50M", "50-250M", "250M+")
# The demo's SLA: office hours in Rome, four explicit rules (premium urgent first, private persons last).
_CALENDAR = ("Office", "Europe/Rome", {d: "09:00-13:00, 14:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")})
# Italian public holidays the office keeps (month, day), and Easter Monday.
_HOLIDAYS = ((1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (12, 8), (12, 25), (12, 26))
_HOLIDAYS_AHEAD = timedelta(days=30)  # the calendar also knows the coming month's holidays, for future deadlines


def _easter_monday(year: int) -> date:
    """The Monday after Western Easter (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1) + timedelta(days=1)


def _holidays(span: Span) -> list[str]:
    """The office's holidays from the story's first day to a month after its end, oldest first."""
    first, last = span.start.date(), (span.end + _HOLIDAYS_AHEAD).date()
    days = [_easter_monday(year) for year in range(first.year, last.year + 1)]
    days += [date(year, month, day) for year in range(first.year, last.year + 1) for month, day in _HOLIDAYS]
    return [str(day) for day in sorted(days) if first < day <= last]


_POLICIES = (  # name, tier, priority, first response, next response, resolution (business minutes)
    ("Premium urgent", "premium", "urgent", 60, 2 * 60, 8 * 60),
    ("Premium", "premium", None, 2 * 60, 4 * 60, 24 * 60),
    ("Standard", "standard", None, 4 * 60, 8 * 60, 40 * 60),
    ("Private persons", "none", None, 8 * 60, 16 * 60, 80 * 60),
)


def _sla(span: Span) -> list:
    """The calendar and policies, written; returns them as ``models.sla.policy.Policy`` (the generator applies them)."""
    from models.sla import rules as sla  # noqa: PLC0415 - sla imports the ticket tables; demo loads them anyway

    name, zone, hours = _CALENDAR
    if not SLACalendar.select().where(SLACalendar.name == name).exists():
        calendar = _next_id(SLACalendar)
        created = span.start - timedelta(days=30)
        bulk.write_rows(
            SLACalendar,
            ("id", "name", "timezone", "hours", "holidays", "created_at"),
            [(calendar, name, zone, json.dumps(hours), json.dumps(_holidays(span)), created)],
        )
        first = _next_id(SLAPolicy)
        rows = [(first + i, policy, i, tier, priority, calendar, fr, nr, res, created)
                for i, (policy, tier, priority, fr, nr, res) in enumerate(_POLICIES)]  # fmt: skip
        bulk.write_rows(SLAPolicy, ("id", "name", "position", "tier", "priority", "calendar", "first_response_minutes",
                                    "next_response_minutes", "resolution_minutes", "created_at"), rows)  # fmt: skip
    return sla.policies()


def _organizations(rng: random.Random, count: int, today: date) -> list[tuple[int, bool, str, str]]:
    """``count`` organizations in every segment; some contracts expired before ``today``."""
    names: set[str] = set()
    rows = []
    first = _next_id(Organization)
    while len(rows) < count:
        name = f"{rng.choice(text.ORG_STEMS)} {rng.choice(text.ORG_SUFFIXES)} {rng.choice(text.ORG_FORMS)}"
        if name in names:
            continue
        names.add(name)
        tier = rng.choices(("none", "standard", "premium"), (15, 60, 25))[0]
        since = until = None
        if tier != "none":
            until = today + timedelta(days=rng.randrange(-200, 600))  # a negative offset: expired
            since = until - timedelta(days=rng.choice((365, 730, 1095)) - 1)
        size = rng.choices(range(len(text.SIZE_BANDS)), (30, 30, 20, 15, 5))[0]
        rows.append(
            (
                first + len(rows),
                name,
                tier,
                rng.choice(text.INDUSTRIES),
                rng.choice(text.REGIONS),
                text.SIZE_BANDS[size],
                _REVENUE_BANDS[min(len(_REVENUE_BANDS) - 1, max(0, size + rng.choice((-1, 0, 0, 1))))],
                since,
                until,
            )
        )
    columns = ("id", "name", "tier", "industry", "region", "size_band", "revenue_band", "contract_valid_from",
               "contract_valid_until")  # fmt: skip
    bulk.write_rows(Organization, columns, rows)
    return [
        (row[0], row[2] == "premium", re.sub(r"[^a-z0-9]+", "-", row[1].lower()).strip("-") + ".example", row[2])
        for row in rows
    ]


def _customers(
    rng: random.Random, count: int, orgs: list[tuple[int, bool, str, str]], start: datetime
) -> list[tuple[int, int | None, bool]]:
    """``count`` customers; about one in five is a private person without an organization."""
    rows, result, seen = [], [], set()
    first = _next_id(Customer)
    while len(rows) < count:
        given, family = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
        org = orgs[int(len(orgs) * rng.random() ** 1.3)] if rng.random() < 0.8 else None
        local = f"{given}.{family}".lower().replace(" ", "").replace("ü", "u").replace("á", "a")
        domain = org[2] if org is not None else rng.choice(text.MAIL_DOMAINS)
        email = f"{local}@{domain}"
        if email in seen:
            email = f"{local}{len(rows)}@{domain}"
        seen.add(email)
        phone = (
            f"+39 3{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
            if rng.random() < 0.7
            else ""
        )
        joined = start - timedelta(days=rng.randrange(1, 900), seconds=rng.randrange(86_400))
        customer_id = first + len(rows)
        rows.append((customer_id, f"{given} {family}", email, phone, org[0] if org else None, joined))
        result.append((customer_id, org[0] if org else None, bool(org and org[1])))
    bulk.write_rows(Customer, ("id", "name", "email", "phone", "organization", "created_at"), rows)
    return result


def _named(model, names: tuple[str, ...], extra: Callable[[str], tuple] = lambda name: ()) -> list[int]:
    """Ids of rows with these unique names, inserting the missing ones (queues and tags)."""
    existing = dict(model.select(model.name, model._meta.primary_key).tuples())
    next_id = _next_id(model)
    ids, rows = [], []
    for name in names:
        if name not in existing:
            existing[name], next_id = next_id, next_id + 1
            rows.append((existing[name], name, *extra(name)))
        ids.append(existing[name])
    columns = ("id", "name") + (("description",) if model is Queue else ())
    bulk.write_rows(model, columns, rows)
    return ids


def _faq(rng: random.Random, authors: list[int], tag_ids: dict[str, int], start: datetime) -> dict[str, list[int]]:
    """About forty articles with their categories, tags and first revision; returns the published ones per topic."""
    names = sorted({category for category, _ in text.FAQ_TITLES})
    first_category = _next_id(FAQCategory)
    bulk.write_rows(
        FAQCategory, ("id", "name", "created_at"),
        [(first_category + i, name, start - timedelta(days=400)) for i, name in enumerate(names)],
    )  # fmt: skip
    first = _next_id(FAQArticle)
    articles, revisions, links, published = [], [], [], {t: [] for t in text.TOPICS}
    revision_id = _next_id(FAQRevision)
    tag_names = sorted(tag_ids)
    for i, (category, title) in enumerate(text.FAQ_TITLES):
        status = rng.choices(("published", "draft", "archived"), (75, 15, 10))[0]
        body = _fill(rng, text.FAQ_BODY.replace("{title}", title))
        author = authors[i % len(authors)]
        at = start - timedelta(days=rng.randrange(5, 300), seconds=rng.randrange(86_400))
        article_id = first + i
        pick = random.Random(f"sportello-demo:faq-tags:{i}")  # its own stream: the desk's stays as it was
        tags = sorted(pick.sample(tag_names, k=min(len(tag_names), pick.randrange(0, 3))))
        articles.append((article_id, title, body, category, status, author, at, at, 1))
        revisions.append((revision_id + i, article_id, 1, at, author, title, body, "first version", category,
                          " ".join(tags), status))  # fmt: skip
        links += [(article_id, tag_ids[name]) for name in tags]
        if status == "published":
            published[category.lower()].append(article_id)
    bulk.write_rows(
        FAQArticle,
        ("id", "title", "body", "category", "status", "author", "created_at", "updated_at", "version"),
        articles,
    )
    bulk.write_rows(
        FAQRevision,
        ("id", "article", "number", "at", "author", "title", "body", "note", "category", "tags", "status"),
        revisions,
    )
    bulk.write_rows(FAQTag, ("article", "tag"), links)
    return published


def _saved_views(start: datetime) -> None:
    first = _next_id(SavedView)
    rows = [
        (first + i, name, query, None, i, start - timedelta(days=30))
        for i, (name, query) in enumerate(text.SAVED_VIEWS)
    ]
    bulk.write_rows(SavedView, ("id", "name", "query", "owner", "position", "created_at"), rows)


def _reference_data(rng: random.Random, admin_login: str, tickets: int, span: Span) -> DemoDesk:
    ids, logins, names, roles, active = _agents(rng, admin_login, span.start)
    orgs = _organizations(rng, max(60, tickets // 400), span.end.date())
    customers = _customers(rng, max(600, tickets // 20), orgs, span.start)
    queues = _named(Queue, tuple(q[0] for q in text.QUEUES), lambda name: (dict(text.QUEUES)[name],))
    tags = _named(Tag, text.TAGS)
    csat_tag = _named(Tag, (LOW_TAG,))[0]
    policies = _sla(span)
    faqs = _faq(rng, ids[: max(1, len(ids) - 1)], dict(zip(text.TAGS, tags)), span.start)
    _saved_views(span.start)
    departed = next((i for i, is_active in enumerate(active) if not is_active), None)
    return DemoDesk(
        agent_ids=ids,
        agent_logins=logins,
        signatures=["\n" + name.split()[0] for name in names],
        workers=list(range(len(ids))),
        leads=[i for i, role in enumerate(roles) if role in ("lead", "admin")],
        departed=departed,
        queue_ids=queues,
        customers=customers,
        tag_ids={**dict(zip(text.TAGS, tags)), LOW_TAG: csat_tag},
        faqs=faqs,
        policies=policies,
        org_tiers={org[0]: org[3] for org in orgs},
        souring=frozenset(org[0] for org in orgs if org[3] != "none" and rng.random() < 0.06),
        end=span.end,
    )


# --- loading -------------------------------------------------------------------------------


def _refuse_non_empty() -> None:
    if Ticket.select().exists():
        raise RuleViolation("this desk already has tickets; demo needs an empty database")
    for model in (Organization, Customer, FAQCategory, FAQArticle, SavedView):
        if model.select().exists():
            raise RuleViolation(f"this desk already has {model._meta.table_name} rows; demo needs an empty database")


def _restart_event_ids() -> None:
    """Make the next event id MAX(id) + 1 on PostgreSQL too (a sequence may have run ahead), for reproducible ids."""
    if is_postgres():
        database.execute_sql(
            "SELECT setval(pg_get_serial_sequence('\"ticket_event\"', 'id'), COALESCE(MAX(id), 0) + 1, false) "
            'FROM "ticket_event"'
        )


def _write_chunk(chunk: TicketChunk) -> None:
    bulk.write_rows(Ticket, TICKET_COLUMNS, chunk.tickets, null=NULL)
    bulk.write_rows(TicketEvent, EVENT_COLUMNS, chunk.events, null=NULL)
    bulk.write_rows(TicketTag, ("ticket", "tag"), chunk.tags)
    bulk.write_rows(TicketFAQ, ("ticket", "article", "linked_at", "linked_by"), chunk.faqs)
    bulk.write_rows(Survey, SURVEY_COLUMNS, chunk.surveys, null=NULL)


def _worker(sender, desk: DemoDesk, tickets: int, seed: int, first_number: int, worker: int, workers: int) -> None:
    """A generator process: sends its share of the chunks down the pipe, then None (or what stopped it)."""
    try:
        generator = _Generator(seed, desk, tickets, first_number)
        for position in range(worker, _chunk_count(tickets), workers):
            sender.send(generator.chunk(position))
        sender.send(None)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        sender.send(RuntimeError(f"the demo generator failed: {exc!r}"))
    finally:
        sender.close()


def _receive(receiver, process) -> TicketChunk | None:
    while not receiver.poll(1.0):
        if not process.is_alive() and not receiver.poll(0):
            raise RuntimeError(f"a demo generator process stopped (exit code {process.exitcode})")
    item = receiver.recv()
    if isinstance(item, BaseException):
        raise item
    return item


def _chunks(desk: DemoDesk, *, tickets: int, seed: int, first_number: int) -> Iterator[TicketChunk]:
    """``generate``'s chunks; for a large desk they come from ``_WORKERS`` forked processes while this one writes.

    A worker only computes and sends: it never touches the inherited database connection (and
    multiprocessing ends a forked child with ``os._exit``, so nothing of the parent's is cleaned
    up there). Where fork is unavailable or unsafe (other threads running, which a fork would copy
    mid-flight), generation stays in this process.
    """
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if tickets < _WORKER_MIN_TICKETS or not forkable:
        yield from generate(desk, tickets=tickets, seed=seed, first_number=first_number)
        return
    context = multiprocessing.get_context("fork")
    pipes, processes = [], []
    try:
        for worker in range(_WORKERS):
            receiver, sender = context.Pipe(duplex=False)
            args = (sender, desk, tickets, seed, first_number, worker, _WORKERS)
            process = context.Process(target=_worker, args=args, daemon=True)
            process.start()
            sender.close()
            pipes.append(receiver)
            processes.append(process)
        for position in range(_chunk_count(tickets)):
            worker = position % _WORKERS
            chunk = _receive(pipes[worker], processes[worker])
            if chunk is None:
                raise RuntimeError("a demo generator process ended early")
            yield chunk
    finally:
        for receiver in pipes:
            receiver.close()
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def build_demo(
    *,
    tickets: int = 2000,
    seed: int = 7,
    admin_login: str,
    progress: Callable[[int, int], None] | None = None,
    at: datetime | None = None,
) -> dict[str, int]:
    """Fill this empty desk with a year of realistic work ending at ``at``; return how many rows of
    each kind were written.

    ``at`` (naive UTC, or aware) defaults to now: the newest tickets are minutes old, some due
    soon, some just overdue. Give it for a desk that is the same on every run (``ANCHOR`` is the
    one the tests and screenshots use). ``progress(done, total)`` is called after each chunk of
    tickets. Refuses a desk that already has tickets (``RuleViolation``). Agents already on the
    desk are kept and matched by login; ``admin_login`` becomes an admin.
    """
    if tickets < 0:
        raise ValueError("tickets must be zero or more")
    if at is None:
        at = utcnow()
    elif at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    span = Span.ending(at)
    rng = random.Random(f"sportello-demo:{seed}")
    counts = {"tickets": 0, "events": 0, "ticket_tags": 0, "ticket_faqs": 0, "surveys": 0}
    with bulk.load_settings(foreign_keys=False), write_transaction():
        _refuse_non_empty()
        desk = _reference_data(rng, admin_login, tickets, span)
        first_number = _next_id(Ticket)
        _restart_event_ids()
        chunks = _chunks(desk, tickets=tickets, seed=seed, first_number=first_number)
        with bulk.without_indexes(Ticket, TicketEvent, Survey), closing(chunks):
            for chunk in chunks:
                _write_chunk(chunk)
                counts["tickets"] += len(chunk.tickets)
                counts["events"] += len(chunk.events)
                counts["ticket_tags"] += len(chunk.tags)
                counts["ticket_faqs"] += len(chunk.faqs)
                counts["surveys"] += len(chunk.surveys)
                if progress is not None:
                    progress(counts["tickets"], tickets)
        bulk.rebuild_fulltext()
        bulk.reset_sequences()
        bulk.analyze()
    return {
        "agents": len(desk.agent_ids),
        "queues": len(desk.queue_ids),
        "organizations": Organization.select().count(),
        "customers": len(desk.customers),
        "tags": len(desk.tag_ids),
        "faq_articles": FAQArticle.select().count(),
        **counts,
    }
