"""The service layer: every change is an event, written with the new state in one transaction."""

from __future__ import annotations

import peewee
import pytest

from models.errors import Conflict, InvalidInput, NotFound, RuleViolation
from models.store import fulltext
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from models.tickets.fold import replay
from models.tickets.timeline import events_of


@pytest.fixture
def customer(db):
    from models.directory import lookup as directory

    org = directory.add_organization("Acme Srl", tier="premium")
    return directory.add_customer("ann@example.com", "Ann Rossi", organization=org)


@pytest.fixture
def ticket(admin, customer):
    return tickets.create_ticket(admin, subject="Printer jams", body="Page 3 always jams.", customer=customer)


def kinds(number):
    return [(e.kind, e.field, e.old_value, e.new_value) for e in events_of(number)]


def assert_folds(number):
    row = tickets.get_ticket(number)
    assert tickets.state_of(row) == replay(number, events_of(number))


def test_create_writes_row_and_public_created_event(ticket, customer):
    assert ticket.status == "new" and ticket.version == 1
    assert ticket.organization_id == customer.organization_id
    (event,) = events_of(ticket.number)
    assert event.kind == "created" and event.visibility == "public"
    assert event.body == "Page 3 always jams." and event.customer_id == customer.id
    assert_folds(ticket.number)


def test_each_change_appends_event_with_old_and_new(admin, agent, ticket):
    n = ticket.number
    tickets.set_assignee(admin, n, "bob")
    tickets.set_priority(admin, n, "high", reason="CEO's printer", requested_by="own call")
    tickets.change_tags(admin, n, add=["hardware", "printer"])
    tickets.set_status(admin, n, "open")
    tickets.change_tags(admin, n, remove=["printer"])
    assert kinds(n)[1:] == [
        ("assignee", "assignee", None, "bob"),
        ("priority", "priority", "normal", "high"),
        ("tags", "tags", "", "hardware printer"),
        ("status", "status", "new", "open"),
        ("tags", "tags", "hardware printer", "hardware"),
    ]
    row = tickets.get_ticket(n)
    assert (row.status, row.priority, row.assignee.login, row.version) == ("open", "high", "bob", 6)
    assert tickets.state_of(row).tags == ("hardware",)
    priority_event = events_of(n)[2]
    assert priority_event.reason == "CEO's printer" and priority_event.actor.login == "ada"
    assert_folds(n)


def test_no_op_change_writes_nothing(admin, ticket):
    same = tickets.set_priority(admin, ticket.number, "normal", reason="no change", requested_by="own call")
    assert same.version == 1 and len(events_of(ticket.number)) == 1


def test_priority_change_and_on_hold_need_a_reason(admin, ticket):
    with pytest.raises(InvalidInput, match="reason"):
        tickets.set_priority(admin, ticket.number, "urgent", reason="  ", requested_by="own call")
    with pytest.raises(InvalidInput, match="reason"):
        tickets.set_status(admin, ticket.number, "on_hold")
    held = tickets.set_status(admin, ticket.number, "on_hold", reason="waiting for the vendor")
    assert held.status == "on_hold" and events_of(ticket.number)[-1].reason == "waiting for the vendor"
    assert len(events_of(ticket.number)) == 2


def test_transition_table_is_enforced(admin, ticket):
    with pytest.raises(RuleViolation, match="cannot go from new to closed"):
        tickets.set_status(admin, ticket.number, "closed")
    tickets.set_status(admin, ticket.number, "resolved")
    closed = tickets.set_status(admin, ticket.number, "closed")
    assert closed.closed_at is not None
    with pytest.raises(RuleViolation, match="closed"):
        tickets.set_status(admin, ticket.number, "open")
    with pytest.raises(RuleViolation, match="closed"):
        tickets.add_reply(admin, ticket.number, "hello?", from_customer=True)
    assert tickets.add_note(admin, ticket.number, "closed tickets still take notes").version == closed.version + 1


def test_agent_first_reply_opens_and_sets_first_response(admin, ticket):
    replied = tickets.add_reply(admin, ticket.number, "Have you tried turning it off and on?")
    assert replied.status == "open" and replied.first_response_at is not None
    reply, status = events_of(ticket.number)[-2:]
    assert (reply.kind, reply.visibility, status.kind, status.new_value) == ("reply", "public", "status", "open")
    assert reply.version == status.version == 2
    assert_folds(ticket.number)


def test_customer_reply_reopens_resolved_ticket_as_an_event(admin, ticket):
    tickets.set_status(admin, ticket.number, "resolved")
    reopened = tickets.add_reply(admin, ticket.number, "It jams again!", from_customer=True)
    assert reopened.status == "open" and reopened.resolved_at is None
    status = events_of(ticket.number)[-1]
    assert (status.old_value, status.new_value, status.customer_id) == ("resolved", "open", ticket.customer_id)
    assert "customer replied" in status.reason
    assert reopened.first_response_at is None  # a customer's message is not a response
    assert_folds(ticket.number)


def test_customer_reply_on_pending_returns_it_to_open(admin, ticket):
    tickets.set_status(admin, ticket.number, "pending")
    assert tickets.add_reply(admin, ticket.number, "Here are the logs", from_customer=True).status == "open"


def test_stale_version_is_a_conflict_naming_who_changed_what(admin, agent, ticket):
    seen = ticket.version
    tickets.set_status(agent, ticket.number, "pending")
    with pytest.raises(Conflict) as caught:
        tickets.set_priority(
            admin, ticket.number, "urgent", reason="escalated", expect_version=seen, requested_by="own call"
        )
    message = str(caught.value)
    assert "bob" in message and "status new → pending" in message
    assert caught.value.current_version == 2
    assert tickets.get_ticket(ticket.number).priority == "normal"


def test_right_version_is_accepted(admin, ticket):
    assert tickets.add_note(admin, ticket.number, "checked", expect_version=1).version == 2


def test_unknown_ticket_agent_and_values(admin, ticket):
    with pytest.raises(NotFound):
        tickets.set_status(admin, 99999, "open")
    with pytest.raises(NotFound, match="nobody"):
        tickets.set_assignee(admin, ticket.number, "nobody")
    with pytest.raises(InvalidInput, match="unknown status"):
        tickets.set_status(admin, ticket.number, "done")
    with pytest.raises(InvalidInput, match="unknown priority"):
        tickets.set_priority(admin, ticket.number, "critical", reason="x", requested_by="own call")
    with pytest.raises(InvalidInput, match="bad tag"):
        tickets.change_tags(admin, ticket.number, add=["two words"])


@pytest.mark.parametrize("subject", ["", "   ", "x" * 501])
def test_bad_subject_refused_and_nothing_written(admin, subject):
    with pytest.raises(InvalidInput, match="subject"):
        tickets.create_ticket(admin, subject=subject, body="body")
    assert Ticket.select().count() == 0 and TicketEvent.select().count() == 0


def test_body_over_one_megabyte_refused(admin, ticket):
    with pytest.raises(InvalidInput, match="1 MB"):
        tickets.add_note(admin, ticket.number, "x" * 1_000_001)
    assert len(events_of(ticket.number)) == 1


def test_failure_mid_change_leaves_nothing_half_written(admin, ticket, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fulltext, "append_text", broken)
    with pytest.raises(RuntimeError):
        tickets.add_reply(admin, ticket.number, "lost?")
    row = tickets.get_ticket(ticket.number)
    assert row.version == 1 and row.status == "new" and len(events_of(ticket.number)) == 1


def test_events_are_append_only(db, admin, ticket):
    event = events_of(ticket.number)[0]
    with pytest.raises(peewee.IntegrityError):
        event.body = "rewritten"
        event.save()
    with pytest.raises(peewee.IntegrityError):
        event.delete_instance()
    # Not even raw SQL gets past the database's own guard.
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        with db.atomic():
            TicketEvent.update(body="rewritten").execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        with db.atomic():
            TicketEvent.delete().execute()
    assert events_of(ticket.number)[0].body == "Page 3 always jams."


def test_link_faq_is_an_internal_event_once(admin, ticket):
    from models.store.tables import FAQArticle

    article = FAQArticle.create(title="Paper jams", body="Open tray 2.")
    tickets.link_faq(admin, ticket.number, article.id)
    tickets.link_faq(admin, ticket.number, article.id)
    linked = [e for e in events_of(ticket.number) if e.kind == "faq_linked"]
    assert len(linked) == 1 and linked[0].visibility == "internal"
    assert tickets.state_of(tickets.get_ticket(ticket.number)).faqs == (article.id,)
    with pytest.raises(NotFound):
        tickets.link_faq(admin, ticket.number, 4242)


def test_merge_closes_source_and_records_both_sides(admin, ticket, customer):
    other = tickets.create_ticket(admin, subject="Printer again", body="Same jam.", customer=customer)
    source, target = tickets.merge_tickets(admin, other.number, ticket.number, reason="duplicate")
    assert source.status == "closed" and source.merged_into_id == ticket.number
    assert [e.kind for e in events_of(other.number)][-2:] == ["merged_into", "status"]
    assert events_of(ticket.number)[-1].kind == "merged_from"
    assert target.version == 2
    with pytest.raises(InvalidInput):
        tickets.merge_tickets(admin, ticket.number, ticket.number)
    with pytest.raises(RuleViolation):
        tickets.merge_tickets(admin, other.number, ticket.number)
    assert_folds(other.number)
    assert_folds(ticket.number)


def test_replies_and_notes_are_indexed_for_search(db, admin, ticket):
    tickets.add_note(admin, ticket.number, "firmware zebra42 update fixes it")
    if fulltext.is_postgres():
        sql = "SELECT ticket_id FROM ticket_search WHERE document @@ phraseto_tsquery('simple', %s)"
    else:
        sql = "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?"
    assert [r[0] for r in db.execute_sql(sql, ("zebra42",)).fetchall()] == [ticket.number]


def test_update_ticket_is_one_change_with_one_version(admin, agent, ticket):
    row = tickets.update_ticket(
        admin, ticket.number, status="on_hold", priority="high", assignee="bob", add_tags=["vendor"],
        reason="waiting for the vendor", requested_by="own call", expect_version=1,
    )  # fmt: skip
    assert row.version == 2
    changed = [(e.kind, e.version, e.reason) for e in events_of(ticket.number)[1:]]
    assert changed == [
        ("status", 2, "waiting for the vendor"),
        ("priority", 2, "waiting for the vendor"),
        ("assignee", 2, None),
        ("tags", 2, None),
    ]
    assert_folds(ticket.number)


def test_update_ticket_is_all_or_nothing(admin, ticket):
    with pytest.raises(NotFound):
        tickets.update_ticket(
            admin, ticket.number, status="open", priority="high", reason="x", requested_by="me", assignee="ghost"
        )
    with pytest.raises(RuleViolation, match="closed"):
        tickets.update_ticket(admin, ticket.number, status="resolved")
        tickets.update_ticket(admin, ticket.number, status="closed", assignee="ada")
    row = tickets.get_ticket(ticket.number)
    assert (row.status, row.priority, row.assignee_id) == ("resolved", "normal", None)
    assert [e.kind for e in events_of(ticket.number)] == ["created", "status"]


def test_a_refused_ticket_adds_no_customer_or_organization(admin):
    from models.store.tables import Customer, Organization

    with pytest.raises(NotFound, match="queue"):
        tickets.create_ticket(admin, subject="Hi", body="x", customer="new@x.co", organization="NewCo", queue="nope")
    with pytest.raises(InvalidInput, match="subject"):
        tickets.create_ticket(admin, subject="", body="x", customer="new@x.co", organization="NewCo")
    assert Customer.select().count() == 0 and Organization.select().count() == 0
    made = tickets.create_ticket(admin, subject="Hi", body="x", customer="New@X.co", organization="NewCo")
    assert made.customer.email == "new@x.co" and made.organization.name == "NewCo"
    assert made.customer.organization.name == "NewCo"


def test_empty_assignee_means_unassigned_in_row_and_timeline(admin):
    made = tickets.create_ticket(admin, subject="Hi", body="x", assignee="")
    assert made.assignee_id is None
    assert_folds(made.number)


def test_a_version_from_the_future_is_named_as_such(admin, ticket):
    with pytest.raises(Conflict, match="version 99 does not exist"):
        tickets.add_note(admin, ticket.number, "x", expect_version=99)


def test_every_reason_is_limited(admin, ticket):
    with pytest.raises(InvalidInput, match="limit"):
        tickets.set_status(admin, ticket.number, "pending", reason="r" * 1001)


def test_customer_reply_to_a_merged_ticket_lands_on_the_surviving_one(admin, ticket, customer):
    other = tickets.create_ticket(admin, subject="Dup", body="Same.", customer=customer)
    tickets.merge_tickets(admin, other.number, ticket.number)
    landed = tickets.add_reply(admin, other.number, "Any news?", from_customer=True)
    assert landed.number == ticket.number
    assert events_of(ticket.number)[-1].body == "Any news?"
    with pytest.raises(RuleViolation, match="closed"):
        tickets.add_reply(admin, other.number, "agents reply on the open ticket")


# --- what each call wrote -------------------------------------------------------------------------


def _event_row(e):
    return (e.id, e.ticket_id, e.kind, e.field, e.old_value, e.new_value, e.body, e.reason, e.version, e.at,
            e.actor_id, e.customer_id)  # fmt: skip


def test_each_change_returns_exactly_the_events_it_appended(admin, agent, customer):
    """The ticket a service function returns carries in ``written`` the events that call appended:
    the same rows, in the order of the timeline, with their ids; none when it changed nothing."""
    from datetime import datetime

    from models.faq import articles as faq
    from models.tickets import csat, drafts, overrides

    def check(number, call):
        seen = {e.id for e in events_of(number)}
        result = call()
        appended = [_event_row(e) for e in events_of(number) if e.id not in seen]
        assert [_event_row(e) for e in result.written] == appended
        return result, appended

    created = tickets.create_ticket(agent, subject="VPN down", body="Since this morning.", customer=customer)
    assert [_event_row(e) for e in created.written] == [_event_row(e) for e in events_of(created.number)]
    assert [e.kind for e in created.written] == ["created"]
    n = created.number
    article = faq.create_article(admin, title="VPN", body="Restart the client.", status="published")
    other = faq.create_article(admin, title="Tokens", body="Renew the token.", status="published")

    steps = [
        lambda: tickets.set_assignee(agent, n, "bob"),
        lambda: tickets.add_reply(agent, n, "Looking into it.", faq_links=[article.id]),  # reply, status, link
        lambda: tickets.set_priority(admin, n, "high", reason="outage", requested_by="own call"),
        lambda: tickets.change_tags(agent, n, add=["vpn", "outage"]),
        lambda: tickets.add_note(agent, n, "Checked the gateway."),
        lambda: tickets.link_faq(agent, n, other.id, reason="related"),
        lambda: tickets.add_reply(None, n, "Still down.", from_customer=True),
        lambda: tickets.update_ticket(
            agent, n, status="pending", unassign=True, remove_tags=["outage"], reason="waiting for the customer"
        ),
        lambda: overrides.override_due(admin, n, datetime(2030, 1, 1), reason="promised", requested_by="sales: Rossi"),
        lambda: tickets.set_status(agent, n, "open"),
        lambda: drafts.send_draft(agent, n, "note", "From a draft."),
        lambda: tickets.set_status(agent, n, "resolved", reason="gateway restarted"),
        lambda: csat.record(admin, n, 1, "Too slow"),  # answer, note, csat-low tag
    ]
    for step in steps:
        assert check(n, step)[1]
    linked_again, appended = check(n, lambda: tickets.link_faq(agent, n, article.id))
    assert linked_again.written == () and appended == []  # linked already: nothing written
    assert tickets.set_status(agent, n, "resolved").written == ()  # already resolved: nothing written
    assert tickets.get_ticket(n).written == ()  # a row that was only read

    target = tickets.create_ticket(agent, subject="VPN again", body="Same problem.", customer=customer)
    seen = {t: {e.id for e in events_of(t)} for t in (n, target.number)}
    source, kept = tickets.merge_tickets(agent, n, target.number, reason="same outage")
    for ticket in (source, kept):
        appended = [_event_row(e) for e in events_of(ticket.number) if e.id not in seen[ticket.number]]
        assert [_event_row(e) for e in ticket.written] == appended and appended
