"""The demo desk's reference data: agents, organizations and customers, queues and tags, the SLA calendar
and policies, the FAQ and the shared views, made from ``random.Random(seed)`` and written in bulk.

What the ticket histories need of it comes back as a ``DemoDesk`` (``models.demo.rows``).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from models.demo import text
from models.demo.rows import LOW_TAG, DemoDesk
from models.demo.span import Span
from models.demo.wording import fill
from models.sla.policy import policies
from models.store import bulk
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
    Tag,
)

__all__ = ["next_free_id", "reference_data"]


def next_free_id(model) -> int:
    pk = model._meta.primary_key
    return (model.select(pk).order_by(pk.desc()).limit(1).scalar() or 0) + 1


def _agents(
    rng: random.Random, admin_login: str, start: datetime
) -> tuple[list[int], list[str], list[str], list[str], list[bool]]:
    """Match the demo agents with those already on the desk by login; insert the missing ones."""
    wanted = [(admin_login, admin_login, "admin", True)] + [a for a in text.AGENTS if a[0] != admin_login]
    existing = dict(Agent.select(Agent.login, Agent.id).tuples())
    next_id = next_free_id(Agent)
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
    name, zone, hours = _CALENDAR
    if not SLACalendar.select().where(SLACalendar.name == name).exists():
        calendar = next_free_id(SLACalendar)
        created = span.start - timedelta(days=30)
        bulk.write_rows(
            SLACalendar,
            ("id", "name", "timezone", "hours", "holidays", "created_at"),
            [(calendar, name, zone, json.dumps(hours), json.dumps(_holidays(span)), created)],
        )
        first = next_free_id(SLAPolicy)
        rows = [(first + i, policy, i, tier, priority, calendar, fr, nr, res, created)
                for i, (policy, tier, priority, fr, nr, res) in enumerate(_POLICIES)]  # fmt: skip
        bulk.write_rows(SLAPolicy, ("id", "name", "position", "tier", "priority", "calendar", "first_response_minutes",
                                    "next_response_minutes", "resolution_minutes", "created_at"), rows)  # fmt: skip
    return policies()


def _organizations(rng: random.Random, count: int, today: date) -> list[tuple[int, bool, str, str]]:
    """``count`` organizations in every segment; some contracts expired before ``today``."""
    names: set[str] = set()
    rows = []
    first = next_free_id(Organization)
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
    first = next_free_id(Customer)
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
    next_id = next_free_id(model)
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
    first_category = next_free_id(FAQCategory)
    bulk.write_rows(
        FAQCategory, ("id", "name", "created_at"),
        [(first_category + i, name, start - timedelta(days=400)) for i, name in enumerate(names)],
    )  # fmt: skip
    first = next_free_id(FAQArticle)
    articles, revisions, links, published = [], [], [], {t: [] for t in text.TOPICS}
    revision_id = next_free_id(FAQRevision)
    tag_names = sorted(tag_ids)
    for i, (category, title) in enumerate(text.FAQ_TITLES):
        status = rng.choices(("published", "draft", "archived"), (75, 15, 10))[0]
        body = fill(rng, text.FAQ_BODY.replace("{title}", title))
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
    first = next_free_id(SavedView)
    rows = [
        (first + i, name, query, None, i, start - timedelta(days=30))
        for i, (name, query) in enumerate(text.SAVED_VIEWS)
    ]
    bulk.write_rows(SavedView, ("id", "name", "query", "owner", "position", "created_at"), rows)


def reference_data(rng: random.Random, admin_login: str, tickets: int, span: Span) -> DemoDesk:
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
