"""Drafts kept in the desk, FAQ links written with the reply, and SLA alerts that are not updates
(issue 14, points 2, 3 and 8), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from models import open_database
from models.errors import Conflict, RuleViolation
from models.exchange import jsonl as exchange
from models.faq import articles as faq
from models.faq.health import faq_health
from models.store.tables import TicketFAQ
from models.tickets import alerts as sla_alerts
from models.tickets import changes as tickets
from models.tickets import drafts
from models.tickets.timeline import events_of


@pytest.fixture
def ticket(admin):
    return tickets.create_ticket(admin, subject="Printer jams", body="Page 3 always jams.", customer="ann@example.com")


@pytest.fixture
def article(admin):
    made = faq.create_article(
        admin, title="Clearing a paper jam", body="Open tray 2 and pull gently.", status="published"
    )
    return made.id


def test_a_draft_is_kept_per_agent_ticket_and_kind_and_replaced_not_duplicated(admin, agent, ticket):
    n = ticket.number
    drafts.save_draft(admin, n, "reply", "Dear Ann,")
    drafts.save_draft(admin, n, "reply", "Dear Ann, try tray 2.", faq_ids=[4, 4, 9])
    drafts.save_draft(admin, n, "note", "ask bob")
    drafts.save_draft(agent, n, "reply", "bob's own words")
    mine = [(d.ticket, d.kind, d.body, d.faq_ids) for d in drafts.drafts_of(admin)]
    assert mine == [(n, "note", "ask bob", ()), (n, "reply", "Dear Ann, try tray 2.", (4, 9))]
    assert [d.body for d in drafts.drafts_of(agent)] == ["bob's own words"]  # never another agent's
    drafts.save_draft(admin, n, "note", "  \n")  # emptied: gone
    drafts.discard_draft(admin, n, "reply")
    assert drafts.drafts_of(admin) == []
    assert [d.body for d in drafts.drafts_of(agent)] == ["bob's own words"]


def test_sending_a_reply_links_its_faqs_and_deletes_its_draft_in_one_change(admin, ticket, article):
    n = ticket.number
    drafts.save_draft(admin, n, "reply", "Open tray 2.", faq_ids=[article])
    assert not TicketFAQ.select().where(TicketFAQ.ticket == n).exists()  # a draft links nothing
    sent = drafts.send_draft(admin, n, "reply", "Open tray 2.", faq_ids=[article], expect_version=1)
    assert sent.version == 2
    last = [(e.kind, e.new_value, e.reason, e.version) for e in events_of(n)][-3:]
    assert last == [("reply", None, None, 2), ("status", "open", "first reply", 2),
                    ("faq_linked", str(article), "inserted in a reply", 2)]  # fmt: skip
    assert TicketFAQ.select().where(TicketFAQ.ticket == n).count() == 1
    assert drafts.drafts_of(admin) == []


def test_a_refused_send_keeps_the_draft_and_links_nothing(admin, ticket, article):
    n = ticket.number
    tickets.set_status(admin, n, "open")
    drafts.save_draft(admin, n, "reply", "Open tray 2.", faq_ids=[article])
    with pytest.raises(Conflict):
        drafts.send_draft(admin, n, "reply", "Open tray 2.", faq_ids=[article], expect_version=1)
    assert [d.body for d in drafts.drafts_of(admin)] == ["Open tray 2."]
    assert not TicketFAQ.select().where(TicketFAQ.ticket == n).exists()


def test_a_discarded_draft_leaves_no_link_and_no_faq_usage(admin, ticket, article):
    n = ticket.number
    drafts.save_draft(admin, n, "reply", "Open tray 2.", faq_ids=[article])
    drafts.discard_draft(admin, n, "reply")
    assert [e.kind for e in events_of(n)] == ["created"]
    (row,) = [a for a in faq_health().never_used if a.id == article]  # still never used
    assert row.id == article


def test_a_reply_skips_faqs_archived_or_linked_meanwhile(admin, ticket, article):
    n = ticket.number
    other = faq.create_article(admin, title="Toner", body="Shake it.", status="published").id
    tickets.link_faq(admin, n, article, reason="by hand")
    faq.set_article_status(admin, other, "archived")
    tickets.add_reply(admin, n, "Both, please.", faq_links=[article, other])
    assert [e.kind for e in events_of(n)].count("faq_linked") == 1


def test_a_draft_on_a_closed_ticket_is_refused_when_sent_and_kept(admin, ticket):
    n = ticket.number
    drafts.save_draft(admin, n, "reply", "Late words")
    tickets.set_status(admin, n, "resolved")
    tickets.set_status(admin, n, "closed")
    with pytest.raises(RuleViolation):
        drafts.send_draft(admin, n, "reply", "Late words")
    assert [d.body for d in drafts.drafts_of(admin)] == ["Late words"]


def test_drafts_stay_out_of_the_export(admin, ticket):
    import io

    drafts.save_draft(admin, ticket.number, "reply", "SECRET-DRAFT-TEXT")
    out = io.StringIO()
    exchange.export_jsonl(out)
    assert "SECRET-DRAFT-TEXT" not in out.getvalue() and '"type":"draft"' not in out.getvalue()


def _alert(number: int, state: str = "warning") -> None:
    due = datetime(2030, 1, 1, 9, 0)
    assert sla_alerts._record(sla_alerts.Alert(number, "resolution", state, due), "Premium")


def test_sla_alerts_since_the_version_seen_do_not_refuse_a_change(admin, ticket):
    n = ticket.number
    _alert(n)
    _alert(n, "breached")
    assert tickets.get_ticket(n).version == 3
    changed = tickets.set_status(admin, n, "open", expect_version=1)  # only the system's alerts came between
    assert changed.version == 4
    tickets.add_note(admin, n, "seen", expect_version=4)


def test_a_real_change_among_sla_alerts_still_refuses(admin, agent, ticket):
    n = ticket.number
    _alert(n)
    tickets.set_assignee(agent, n, "bob")
    _alert(n, "breached")
    with pytest.raises(Conflict) as refused:
        tickets.set_status(admin, n, "open", expect_version=1)
    assert "bob assignee" in refused.value.message
    with pytest.raises(Conflict):
        tickets.set_status(admin, n, "open", expect_version=9)  # a version that does not exist yet
    with pytest.raises(Conflict):  # merging checks the same way
        other = tickets.create_ticket(admin, subject="Other", body="x")
        tickets.merge_tickets(admin, n, other.number, expect_version=1)


def test_cli_expect_version_ignores_sla_alerts(desk):
    created = desk("ticket", "new", "--subject", "Printer jams", "--body", "It jams.")
    assert created.exit_code == 0, created.output
    number = int(created.stdout.strip())
    open_database(desk.url)
    _alert(number)
    result = desk("ticket", "set", str(number), "--status", "open", "--expect-version", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3"
    assert desk("ticket", "note", str(number), "--body", "late", "--expect-version", "1").exit_code == 3
