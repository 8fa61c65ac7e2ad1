"""The demo desk is alive on the day it is built: its story ends at ``at`` (default now), with work
minutes old, deadlines due within the hour and missed by hours, and KPIs for every period; and
every message of a ticket fits the question its subject asks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from models.demo import generator as demo
from models.demo import text as demo_text
from models.reports import kpi
from models.search import tickets as search
from models.store.tables import Ticket, TicketEvent, utcnow

OPEN = ("new", "open", "pending", "on_hold")


def at_work_today() -> datetime:
    """Today (or the last working day before it) at 11:00 in Rome: the office is at work."""
    day = utcnow().date()
    while day.weekday() >= 5 or (day.month, day.day) in {(1, 1), (1, 6), (12, 8), (12, 25), (12, 26)}:
        day -= timedelta(days=1)
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=10)


def kpi_totals(now: datetime, days: int) -> kpi.Figures:
    start, end = kpi.period((now - timedelta(days=days - 1)).date(), now.date())
    return kpi.kpi_report(start, end, by=None).totals


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(None, id="today"),
        pytest.param(datetime(2027, 3, 8, 8, 20), id="monday-09:20-rome"),
        pytest.param(datetime(2027, 3, 12, 16, 30), id="friday-17:30-rome"),
    ],
)
def test_the_working_day_is_in_progress(db, when):
    now = when or at_work_today()
    demo.build_demo(tickets=300, seed=7, admin_login="ada", at=now)
    rows = list(Ticket.select())
    assert max(t.updated_at for t in rows) <= now
    assert sum(now - t.updated_at < timedelta(hours=1) for t in rows) >= 2  # minutes-old work
    dues = [t.due_at - now for t in rows if t.status in OPEN and t.due_at is not None]
    assert any(timedelta(0) < due <= timedelta(hours=1) for due in dues)  # due within the hour
    assert any(-timedelta(hours=6) <= due < timedelta(0) for due in dues)  # overdue by hours, not weeks
    assert search.count_tickets("updated:<7d", now=now) > 0
    for days in (7, 30, 90, 365):
        totals = kpi_totals(now, days)
        assert totals.created > 0 and totals.resolved > 0, days


def test_a_desk_built_now_ends_now(db):
    before = utcnow()
    demo.build_demo(tickets=2000, seed=7, admin_login="ada")
    now = utcnow()
    newest = max(t.updated_at for t in Ticket.select())
    assert before - timedelta(days=3) < newest <= now  # whatever the hour: the story ended at the build
    assert search.count_tickets("updated:<7d", now=now) > 0
    for days in (7, 30, 90, 365):
        totals = kpi_totals(now, days)
        assert totals.created > 0 and totals.resolved > 0, days
    created = [t.created_at for t in Ticket.select()]
    assert min(created) >= now - timedelta(days=366)


def test_a_quiet_hour_stays_quiet(db):
    """On a Sunday night nobody works: the reference desk's story has no deadline set by hand."""
    demo.build_demo(tickets=300, seed=7, admin_login="ada", at=demo.ANCHOR)
    assert not TicketEvent.select().where(TicketEvent.kind == "override").exists()
    assert max(e.at for e in TicketEvent.select()) < demo.ANCHOR


def test_holidays_follow_the_year_of_the_story(db):
    from models.sla import rules as sla

    demo.build_demo(tickets=20, seed=7, admin_login="ada", at=datetime(2028, 5, 1, 9))
    holidays = {str(day) for day in sla.policies()[0].hours.holidays}
    assert {"2027-12-25", "2028-04-17", "2028-04-25"} <= holidays  # Easter Monday 2028 is 17 April
    assert not any(day.startswith("2026") for day in holidays)


# --- every message fits its ticket's question ---------------------------------------------------


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{\w+\}", template)
    return re.compile("^" + ".+".join(map(re.escape, parts)) + "$", re.S)


def _starts(template: str) -> str:
    """The words a filled template begins with (up to its first slot)."""
    return template.split("{")[0].strip()


def test_every_message_answers_the_question_its_subject_asks(db):
    demo.build_demo(tickets=600, seed=7, admin_login="ada", at=datetime(2027, 3, 10, 10, 40))
    subjects = [(_pattern(s), kind) for topic, templates in demo_text.SUBJECTS.items()
                for s, kind in zip(templates, demo_text.SUBJECT_KINDS[topic])]  # fmt: skip
    starts = {kind: {_starts(t) for part in parts for t in part if len(_starts(t)) >= 12}
              for kind, parts in demo_text.QUESTIONS.items()}  # fmt: skip
    whole: dict[str, list[re.Pattern]] = {}  # a template's first words -> the templates, whole
    for parts in demo_text.QUESTIONS.values():
        for template in (t for part in parts for t in part):
            parts_ = re.split(r"\{\w+\}", template)
            whole.setdefault(_starts(template), []).append(re.compile(".+?".join(map(re.escape, parts_))))
    hostile = {s for s, _ in demo_text.HOSTILE}
    checked = 0
    for ticket in Ticket.select():
        if ticket.subject in hostile:
            continue
        kinds = {kind for pattern, kind in subjects if pattern.match(ticket.subject)}
        if len(kinds) != 1:
            continue
        (kind,) = kinds
        others = set().union(*(s for k, s in starts.items() if k != kind)) - starts[kind]
        events = TicketEvent.select().where((TicketEvent.ticket == ticket.number) & TicketEvent.body.is_null(False)
                                            & (TicketEvent.kind.in_(("created", "reply"))))  # fmt: skip
        for event in events:
            sentences = {sentence.strip() for sentence in re.split(r"(?<=[.!?:,])\s+|\n", event.body)}
            wrong = [start for start in others if any(sentence.startswith(start) for sentence in sentences)
                     and any(pattern.search(event.body) for pattern in whole[start])]  # fmt: skip
            assert not wrong, (ticket.subject, event.body)
            checked += 1
    assert checked > 2000
    tracking = Ticket.select().where(Ticket.subject.contains("tracking not updating")).first()
    answers = " ".join(e.body for e in TicketEvent.select().where((TicketEvent.ticket == tracking.number)
                                                                  & (TicketEvent.kind == "reply")))  # fmt: skip
    assert "damage" not in answers.lower()
