"""The demo desk: realistic coverage, the fold invariant for every ticket, reproducibility, and the
generator's inline state tracker proven equal to ``models.tickets.fold``."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from models.demo import generator as demo
from models.demo import story as demo_story
from models.demo import text as demo_text
from models.directory import agents
from models.enums import TRANSITIONS, Channel, Priority, Status
from models.errors import RuleViolation
from models.search.query import parse_query
from models.sla import rules as sla
from models.store import fulltext
from models.store.db import database, is_postgres
from models.store.tables import (
    Agent,
    Customer,
    FAQArticle,
    FAQRevision,
    Organization,
    Queue,
    SavedView,
    Survey,
    Tag,
    Ticket,
    TicketEvent,
    TicketFAQ,
    TicketTag,
)
from models.tickets import changes as tickets
from models.tickets.fold import TicketState, created_payload, replay
from models.tickets.timeline import events_of
from support.databases import export_text, other_desk

DEMO_TICKETS = 300
#: A Wednesday morning in Rome: the office is at work, so the story ends with the day in progress.
LIVE = datetime(2027, 3, 10, 10, 40)


@pytest.fixture
def demo_desk(db) -> dict[str, int]:
    return demo.build_demo(tickets=DEMO_TICKETS, seed=7, admin_login="ada", at=LIVE)


# --- the desk as a whole -------------------------------------------------------------------


def test_summary_and_reference_data(demo_desk):
    assert demo_desk["tickets"] == Ticket.select().count() == DEMO_TICKETS
    assert demo_desk["events"] == TicketEvent.select().count()
    assert 8 * DEMO_TICKETS < demo_desk["events"] < 14 * DEMO_TICKETS  # about ten per ticket
    assert Agent.get(Agent.login == "ada").role == "admin"
    roles = [a.role for a in Agent.select()]
    assert roles.count("admin") == 1 and 1 <= roles.count("lead") <= 2 and 7 <= len(roles) <= 10
    assert Agent.select().where(~Agent.active).count() == 1  # someone left the company
    assert {q.name for q in Queue.select()} == {"Billing", "Technical", "Accounts", "Shipping", "General"}
    assert 50 <= Organization.select().count() <= 70
    assert {o.tier for o in Organization.select()} == {"none", "standard", "premium"}
    expired = Organization.select().where(Organization.contract_valid_until < LIVE.date())
    assert expired.count() > 0
    assert 550 <= Customer.select().count() <= 650
    assert Customer.select().where(Customer.organization.is_null()).count() > 50  # private persons
    assert Customer.select().where(Customer.organization.is_null(False)).count() > 300
    reserved = (".example", "@example.com", "@example.org", "@example.net")
    assert all(customer.email.endswith(reserved) for customer in Customer.select())  # no real mailbox
    assert 35 <= FAQArticle.select().count() <= 45
    assert {a.status for a in FAQArticle.select()} == {"draft", "published", "archived"}
    assert len({a.category for a in FAQArticle.select()}) >= 4
    revisions = FAQRevision.select()
    assert revisions.count() == FAQArticle.select().count() and {r.number for r in revisions} == {1}
    assert Tag.select().count() == len(demo_text.TAGS) + 1  # and csat-low, which low scores add
    assert [p.name for p in sla.policies()] == ["Premium urgent", "Premium", "Standard", "Private persons"]
    assert Organization.select().where(Organization.contract_valid_from.is_null(False)).count() > 30
    assert {o.revenue_band for o in Organization.select()} > {"1-10M"}
    for view in SavedView.select():
        parse_query(view.query)


def test_every_status_priority_and_channel(demo_desk):
    assert {t.status for t in Ticket.select()} == {s.value for s in Status}
    assert {t.priority for t in Ticket.select()} == {p.value for p in Priority}
    assert {t.channel for t in Ticket.select()} == {c.value for c in Channel}
    assert TicketTag.select().count() > 0 and TicketFAQ.select().count() > 0
    old = Ticket.select().where(Ticket.number <= DEMO_TICKETS // 2)
    assert sum(t.status in ("resolved", "closed") for t in old) > 0.85 * old.count()
    recent = Ticket.select().where(Ticket.number > DEMO_TICKETS - 12)
    assert sum(t.status in ("new", "open", "pending", "on_hold") for t in recent) > 0.6 * recent.count()


def test_histories_are_believable(demo_desk):
    status_events = TicketEvent.select().where(TicketEvent.kind == "status")
    holds = [e for e in status_events if e.new_value == "on_hold"]
    assert holds and all(e.reason for e in holds)
    priorities = TicketEvent.select().where(TicketEvent.kind == "priority")
    assert priorities.count() > 0 and all(e.reason for e in priorities)
    reopened = [e for e in status_events if e.old_value == "resolved" and e.new_value == "open"]
    assert reopened and all(e.customer_id is not None and e.actor_id is None for e in reopened)
    pending = [e for e in status_events if e.new_value == "pending"]
    assert pending
    kinds = {e.kind for e in TicketEvent.select(TicketEvent.kind)}
    assert {"created", "reply", "note", "status", "priority", "assignee", "tags", "faq_linked"} <= kinds
    customer_replies = TicketEvent.select().where((TicketEvent.kind == "reply") & TicketEvent.customer.is_null(False))
    assert customer_replies.count() > 0


def test_hostile_text_is_there_verbatim(demo_desk):
    subjects = "\n".join(t.subject for t in Ticket.select())
    needles = ("[bold]x[/bold]", "[@click=app.quit]", "[link=file:///etc/passwd]x[/link]", "\x1b[31m", "\x1b]0;")
    for needle in (*needles, "\u202e", "\x07"):
        assert needle in subjects, repr(needle)
    bodies = [e.body for e in TicketEvent.select().where(TicketEvent.kind == "created")]
    assert any(max(map(len, body.split())) >= 10_000 for body in bodies)


def test_events_follow_the_service_layer_conventions(demo_desk):
    logins = {a.id: a.login for a in Agent.select()}
    visibility = {
        "created": "public", "reply": "public", "status": "public", "note": "internal",
        "priority": "internal", "assignee": "internal", "tags": "internal", "faq_linked": "internal",
        "csat": "internal", "override": "internal",
    }  # fmt: skip
    hostile = _hostile_numbers()
    by_ticket = defaultdict(list)
    for event in TicketEvent.select().order_by(TicketEvent.id):
        by_ticket[event.ticket_id].append(event)
    for number, events in by_ticket.items():
        created = events[0]
        assert created.kind == "created" and created.version == 1 and created.body
        first = json.loads(created.new_value)
        assert first["status"] == "new"
        status = "new"
        previous = None
        for event in events:
            assert event.at < LIVE
            assert event.visibility == visibility[event.kind]
            if previous is not None:
                assert event.at >= previous.at
                assert event.version in (previous.version, previous.version + 1)
            if event.kind == "reply":
                assert (event.actor_id is None) == (event.customer_id is not None)
            if event.kind == "assignee":
                assert event.new_value in logins.values() and event.field == "assignee"
            if event.kind == "tags":
                assert event.old_value == " ".join(sorted(event.old_value.split()))
            if event.kind in ("priority", "override") or event.new_value == "on_hold":
                assert event.reason
            if event.kind == "status":
                assert event.old_value == status and Status(event.new_value) in TRANSITIONS[Status(status)]
                status = event.new_value
            if event.body is not None and number not in hostile and not event.body.startswith("Low satisfaction"):
                assert 80 <= len(event.body) <= 400, event.body
            previous = event
        # the automatic rules of tickets.add_reply, within one version
        for i, event in enumerate(events[:-1]):
            nxt = events[i + 1]
            if nxt.kind == "status" and nxt.reason == "first reply":
                assert event.kind == "reply" and event.customer_id is None and event.version == nxt.version
            if nxt.kind == "status" and nxt.reason and nxt.reason.startswith("the customer replied"):
                assert event.kind == "reply" and event.customer_id == nxt.customer_id and event.version == nxt.version


def _hostile_numbers() -> set[int]:
    return {t.number for t in Ticket.select() if t.subject in {s for s, _ in demo_text.HOSTILE}}


def test_every_ticket_is_the_fold_of_its_events(demo_desk):
    count = 0
    for ticket in Ticket.select().order_by(Ticket.number):
        assert tickets.state_of(ticket) == replay(ticket.number, events_of(ticket.number)), ticket.number
        count += 1
    assert count == DEMO_TICKETS


def test_sla_measures_and_surveys_are_what_the_service_derives(demo_desk):
    """Each row's deadlines and measures equal ``sla.refresh`` after its last change; surveys as csat keeps them."""
    fields = ("sla_policy_id", "first_response_due", "next_response_due", "resolution_due", "due_at",
              "first_response_minutes", "resolution_minutes", "reopen_count", "sla_breached")  # fmt: skip
    stored = {t.number: tuple(getattr(t, f) for f in fields) for t in Ticket.select()}
    among = sla.policies()
    with database.atomic() as transaction:
        for ticket in Ticket.select():
            sla.refresh(ticket.number, now=ticket.updated_at, among=among)
        derived = {t.number: tuple(getattr(t, f) for f in fields) for t in Ticket.select()}
        transaction.rollback()
    assert derived == stored
    assert {t for t in Ticket.select(Ticket.ticket_type).tuples()} == {("question",), ("incident",), ("request",),
                                                                        ("complaint",)}  # fmt: skip
    assert Ticket.select().where(Ticket.sla_breached == True).exists()  # noqa: E712
    assert Ticket.select().where(Ticket.reopen_count > 0).exists()
    surveys = list(Survey.select())
    ever_resolved = {e.ticket_id for e in TicketEvent.select().where((TicketEvent.kind == "status")
                                                                     & (TicketEvent.new_value == "resolved"))}  # fmt: skip
    assert sorted(s.ticket_id for s in surveys) == sorted(ever_resolved)  # one each: the first stays waiting
    rows = {t.number: t for t in Ticket.select()}
    assert all(
        (s.queue_id, s.organization_id) == (rows[s.ticket_id].queue_id, rows[s.ticket_id].organization_id)
        for s in surveys
    )  # whose ticket it was when the survey opened
    answered = [s for s in surveys if s.score is not None]
    assert answered and all(1 <= s.score <= 5 and s.answered_at >= s.opened_at for s in answered)
    scores = {e.ticket_id: int(e.new_value) for e in TicketEvent.select().where(TicketEvent.kind == "csat")}
    assert scores == {s.ticket_id: s.score for s in answered}
    low = {s.ticket_id for s in answered if s.score <= 2}
    tagged = {
        number for (number,) in TicketTag.select(TicketTag.ticket).join(Tag).where(Tag.name == "csat-low").tuples()
    }
    assert low == tagged


def test_full_text_finds_a_word_from_a_reply(demo_desk):
    replies = TicketEvent.select().where(TicketEvent.kind == "reply").order_by(TicketEvent.id.desc()).limit(5)
    for reply in replies:
        word = max(re.findall(r"[A-Za-z]{5,}", reply.body), key=len)
        if is_postgres():
            found = database.execute_sql(
                "SELECT ticket_id FROM ticket_search WHERE document @@ to_tsquery('simple', %s)", (word.lower(),)
            ).fetchall()
        else:
            found = database.execute_sql(
                "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?", (fulltext.fts5_expression([word]),)
            ).fetchall()
        assert reply.ticket_id in {number for (number,) in found}, word


def test_the_service_layer_works_on_the_demo_desk(demo_desk):
    ada = Agent.get(Agent.login == "ada")
    open_ticket = Ticket.select().where(Ticket.status == "open").first()
    tickets.add_reply(ada, open_ticket.number, "Following up on the demo ticket.")
    new = tickets.create_ticket(ada, subject="After the demo", body="A brand new ticket")
    assert new.number == DEMO_TICKETS + 1
    assert tickets.state_of(new) == replay(new.number, events_of(new.number))


# --- reproducibility and refusal -----------------------------------------------------------


def test_same_seed_same_desk_other_seed_other_desk(db, tmp_path):
    demo.build_demo(tickets=120, seed=11, admin_login="ada", at=LIVE)
    first = export_text()
    postgres = is_postgres()
    with other_desk(tmp_path, postgres):
        demo.build_demo(tickets=120, seed=11, admin_login="ada", at=LIVE)
        assert export_text() == first
    with other_desk(tmp_path, postgres):
        demo.build_demo(tickets=120, seed=12, admin_login="ada", at=LIVE)
        assert export_text() != first
    with other_desk(tmp_path, postgres):
        demo.build_demo(tickets=120, seed=11, admin_login="ada", at=LIVE + timedelta(days=1))
        assert export_text() != first


def test_worker_processes_build_the_same_desk(db, tmp_path, monkeypatch):
    monkeypatch.setattr(demo_story, "CHUNK_TICKETS", 40)  # four chunks …
    demo.build_demo(tickets=150, seed=3, admin_login="ada", at=LIVE)
    in_process = export_text()
    monkeypatch.setattr(demo, "_WORKER_MIN_TICKETS", 0)  # … now from two forked workers
    received = []
    receive = demo._receive
    monkeypatch.setattr(demo, "_receive", lambda *args: received.append(1) or receive(*args))
    with other_desk(tmp_path, is_postgres()):
        demo.build_demo(tickets=150, seed=3, admin_login="ada", at=LIVE)
        assert export_text() == in_process
    assert len(received) == 4


def test_refuses_a_desk_with_tickets(admin):
    tickets.create_ticket(admin, subject="Real work", body="Already here")
    with pytest.raises(RuleViolation) as info:
        demo.build_demo(tickets=10, admin_login="ada")
    assert str(info.value) == "this desk already has tickets; demo needs an empty database"
    assert Ticket.select().count() == 1


def test_existing_agents_are_kept(admin):
    other = agents.add_agent(admin, "marco.bianchi", "Marco B.")
    demo.build_demo(tickets=30, admin_login="ada")
    assert Agent.get(Agent.login == "ada").id == admin.id and Agent.get(Agent.login == "ada").is_admin
    assert Agent.get(Agent.login == "marco.bianchi").id == other.id
    assert Agent.select().where(Agent.login == "marco.bianchi").count() == 1
    for ticket in Ticket.select():
        assert tickets.state_of(ticket) == replay(ticket.number, events_of(ticket.number))


def test_sqlite_settings_are_restored(db):
    if is_postgres():
        pytest.skip("SQLite pragmas")
    pragmas = ("journal_mode", "synchronous", "foreign_keys", "cache_size")
    before = [database.execute_sql(f"PRAGMA {p}").fetchone()[0] for p in pragmas]
    indexes = database.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
    fts = database.execute_sql("SELECT k, v FROM ticket_fts_config ORDER BY k").fetchall()
    demo.build_demo(tickets=40, admin_login="ada")
    after = [database.execute_sql(f"PRAGMA {p}").fetchone()[0] for p in pragmas]
    assert after == before
    assert (
        database.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
        == indexes
    )
    config = dict(database.execute_sql("SELECT k, v FROM ticket_fts_config").fetchall())
    assert {k: v for k, v in config.items() if k in dict(fts)} == dict(fts)
    assert config.get("automerge", 4) == 4 and config.get("crisismerge", 16) == 16


# --- the generator's tracker equals the fold (no database) ---------------------------------


def _fake_desk() -> demo.DemoDesk:
    logins = ["ada"] + [a[0] for a in demo_text.AGENTS]
    return demo.DemoDesk(
        agent_ids=list(range(1, len(logins) + 1)),
        agent_logins=logins,
        signatures=["\nSomeone"] * len(logins),
        workers=list(range(len(logins))),
        leads=[0, 1, 2],
        departed=len(logins) - 1,
        queue_ids=[11, 12, 13, 14, 15],
        customers=[(i, (i % 60) + 1 if i % 5 else None, i % 7 == 0) for i in range(1, 601)],
        tag_ids={name: i for i, name in enumerate((*demo_text.TAGS, "csat-low"), 1)},
        faqs={topic: [1, 2, 3] for topic in demo_text.TOPICS},
    )


def _clean(row: tuple) -> tuple:
    return tuple(None if type(v) is int and v == demo_story.NULL else v for v in row)


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def test_the_inline_tracker_equals_the_fold():
    desk = _fake_desk()
    login = dict(zip(desk.agent_ids, desk.agent_logins))
    tag_name = {i: name for name, i in desk.tag_ids.items()}
    names = [f"{c}_id" if c in ("ticket", "actor", "customer") else c for c in demo_story.EVENT_COLUMNS]
    checked = 0
    for chunk in demo.generate(desk, tickets=4000, seed=5):
        events, tags, faqs = defaultdict(list), defaultdict(list), defaultdict(list)
        for raw in chunk.events:
            event = SimpleNamespace(**dict(zip(names, _clean(raw))))
            event.at = _dt(event.at)
            events[event.ticket_id].append(event)
        for number, tag in chunk.tags:
            tags[number].append(tag_name[tag])
        for number, article, _, _ in chunk.faqs:
            faqs[number].append(article)
        for raw in chunk.tickets:
            row = dict(zip(demo_story.TICKET_COLUMNS, _clean(raw)))
            number = row["number"]
            mine = TicketState(
                number=number,
                subject=row["subject"],
                status=row["status"],
                priority=list(Priority)[row["priority"]].value,
                channel=row["channel"],
                customer_id=row["customer"],
                organization_id=row["organization"],
                queue_id=row["queue"],
                assignee=login.get(row["assignee"]),
                tags=tuple(sorted(tags[number])),
                faqs=tuple(sorted(faqs[number])),
                created_at=_dt(row["created_at"]),
                updated_at=_dt(row["updated_at"]),
                first_response_at=_dt(row["first_response_at"]),
                resolved_at=_dt(row["resolved_at"]),
                closed_at=_dt(row["closed_at"]),
                version=row["version"],
                ticket_type=row["ticket_type"],
            )
            assert replay(number, events[number]) == mine, number
            first = json.loads(events[number][0].new_value)
            assert events[number][0].new_value == created_payload(
                subject=first["subject"],
                status="new",
                priority=first["priority"],
                channel=first["channel"],
                customer_id=first["customer"],
                organization_id=first["organization"],
                queue_id=first["queue"],
                assignee=first["assignee"],
                tags=tuple(first["tags"]),
                ticket_type=first.get("type", "question"),
            )
            checked += 1
    assert checked == 4000


def test_timestamps_are_what_sqlite_stores():
    assert demo.timestamp(0) == "2025-11-01 00:00:00"
    assert demo.timestamp(86_400 * 365 - 1) == "2026-10-31 23:59:59"
    assert str(datetime(2026, 3, 4, 5, 6, 7)) == demo.timestamp(
        int((datetime(2026, 3, 4, 5, 6, 7) - demo_story.START).total_seconds())
    )
