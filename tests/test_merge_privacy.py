"""Merging one customer's ticket into another's (issue 15.3), on SQLite and PostgreSQL.

A merge across customers must be meant; after it, Alice's replies land on Bob's ticket as
Alice's, and Bob's page — the status page, the app's customer view, ``timeline --public`` — never
shows her words, her name or her contact details. Replies pulled by sync follow the same way.
"""

from __future__ import annotations

import pytest

from models.directory import lookup as directory
from models.errors import Conflict
from models.reports.customer_view import customer_status
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from models.tickets.timeline import events_of, who

ALICE_WORDS = "Still broken. Call me on +39 333 1234567, Via Roma 1, Milano."
ALICE_TRACES = ("Alice", "alice@example.com", "333 1234567", "Via Roma")


@pytest.fixture
def pair(admin):
    """(Alice's ticket, Bob's ticket): two customers of the same organization, same problem."""
    org = directory.add_organization("Acme Srl")
    alice = directory.add_customer("alice@example.com", "Alice Rossi", organization=org)
    bob = directory.add_customer("bob@example.com", "Bob Bianchi", organization=org)
    a = tickets.create_ticket(admin, subject="VPN drops", body="My VPN drops every hour.", customer=alice)
    b = tickets.create_ticket(admin, subject="VPN down", body="The VPN is down for me.", customer=bob)
    return a.number, b.number


def page_text(number: int) -> str:
    page = customer_status(number)
    return "\n".join(f"{e.who} {e.text}" for e in page.entries)


def test_a_merge_across_customers_is_refused_unless_meant(admin, pair):
    a, b = pair
    with pytest.raises(tickets.AcrossCustomers) as refused:
        tickets.merge_tickets(admin, a, b)
    message = refused.value.message
    assert refused.value.exit_code == 3 and "\n" not in message
    assert "Alice Rossi <alice@example.com>" in message and "Bob Bianchi <bob@example.com>" in message
    assert "shown to Bob Bianchi" in message  # and why it matters
    assert [t.status for t in (tickets.get_ticket(a), tickets.get_ticket(b))] == ["new", "new"]
    assert len(events_of(a)) == len(events_of(b)) == 1  # nothing written
    source, target = tickets.merge_tickets(admin, a, b, across_customers=True)
    assert source.merged_into_id == b and source.status == "closed" and target.number == b


def test_a_merge_of_one_customers_tickets_asks_nothing(admin, pair):
    a, b = pair
    again = tickets.create_ticket(admin, subject="VPN again", body="Dropped again.", customer="alice@example.com")
    assert tickets.merge_warning(tickets.get_ticket(again.number), tickets.get_ticket(a)) is None
    tickets.merge_tickets(admin, again.number, a)
    walk_in = tickets.create_ticket(admin, subject="At the desk", body="Walked in.", channel="walk-in")
    tickets.merge_tickets(admin, walk_in.number, b)  # no customer on one side: nobody's words move


def test_a_merge_confirmed_for_other_customers_is_refused_naming_the_change(admin, pair):
    """The app asks "merge Alice's into Bob's?"; meanwhile #b is moved to Carol (by an admin's fix, an
    import): the yes given for Alice and Bob must not merge Alice's ticket into Carol's."""
    a, b = pair
    seen = (tickets.get_ticket(a).customer_id, tickets.get_ticket(b).customer_id)
    carol = directory.add_customer("carol@example.com", "Carol Verdi")
    Ticket.update(customer=carol.id).where(Ticket.number == b).execute()
    with pytest.raises(Conflict) as refused:
        tickets.merge_tickets(admin, a, b, across_customers=True, customers=seen)
    message = refused.value.message
    assert refused.value.exit_code == 3 and "\n" not in message
    assert f"#{b} now belongs to Carol Verdi <carol@example.com>, not Bob Bianchi <bob@example.com>" in message
    assert f"#{a}" not in message.replace(f"#{b}", "")  # Alice's ticket did not change: not named
    assert [t.status for t in (tickets.get_ticket(a), tickets.get_ticket(b))] == ["new", "new"]
    assert len(events_of(a)) == len(events_of(b)) == 1  # nothing written
    Ticket.update(customer=None).where(Ticket.number == a).execute()
    with pytest.raises(Conflict, match=f"#{a} now belongs to no customer, not Alice Rossi <alice@example.com>"):
        tickets.merge_tickets(admin, a, b, customers=seen)
    source, _ = tickets.merge_tickets(admin, a, b, customers=(None, carol.id))  # asked anew: as now
    assert source.merged_into_id == b


def test_a_reply_to_the_merged_ticket_keeps_its_real_author(admin, pair):
    a, b = pair
    tickets.merge_tickets(admin, a, b, across_customers=True)
    tickets.set_status(admin, b, "resolved")
    landed = tickets.add_reply(admin, a, ALICE_WORDS, from_customer=True)
    assert landed.number == b and landed.status == "open"  # reopened, on the surviving ticket
    reply, reopened = events_of(b)[-2:]
    alice = tickets.get_ticket(a).customer_id
    assert reply.body == ALICE_WORDS and reply.customer_id == alice
    assert who(reply) == "Alice Rossi <alice@example.com>"
    assert reopened.kind == "status" and reopened.customer_id == alice


def test_bobs_page_never_shows_alices_words_name_or_contact(admin, pair):
    a, b = pair
    tickets.merge_tickets(admin, a, b, across_customers=True)
    tickets.add_reply(admin, b, "We are restarting the VPN gateway.")
    tickets.set_status(admin, b, "pending", reason="waiting for your test")
    tickets.add_reply(admin, a, ALICE_WORDS, from_customer=True)  # lands on Bob's ticket
    tickets.add_reply(admin, b, "It works again for me.", from_customer=True)  # Bob himself
    page = page_text(b)
    for trace in ALICE_TRACES:
        assert trace not in page
    # Bob's own messages, the desk's replies and status changes are all still his to see.
    assert "The VPN is down for me." in page and "It works again for me." in page
    assert "Support (Ada Admin) We are restarting the VPN gateway." in page
    assert "waiting for your test" in page
    # Alice's reply is on the agents' timeline, as hers.
    assert any(e.body == ALICE_WORDS and "Alice" in who(e) for e in events_of(b))
    # Alice's own page keeps her words.
    assert "My VPN drops every hour." in page_text(a)


def test_the_rule_is_one_for_every_view_of_the_customer(admin, pair):
    """The status page, the app's customer view and ``timeline --public`` show the same events."""
    from models.tickets.timeline import customer_timeline
    from tui.desk.desk import Desk

    a, b = pair
    tickets.merge_tickets(admin, a, b, across_customers=True)
    tickets.add_reply(admin, a, ALICE_WORDS, from_customer=True)
    tickets.add_reply(admin, b, "Fixed, please check.")
    shown = customer_timeline(b)
    assert [e.body for e in shown if e.body] == ["The VPN is down for me.", "Fixed, please check."]
    desk = Desk("unused", admin, where="test", user_host="ada@test")
    view = desk.ticket(b, customer_view=True)
    assert [e.id for e in view.events] == [e.id for e in shown]
    assert not any(trace in f"{e.who} {e.body}" for e in view.events for trace in ALICE_TRACES)
    full = desk.ticket(b)  # the agents' view keeps everything, Alice's reply as hers
    assert any(e.body == ALICE_WORDS and e.who.startswith("Alice Rossi") for e in full.events)


# --- the command line -------------------------------------------------------------------------


def test_cli_merge_across_customers_needs_the_flag(desk):
    def ticket(email: str, name: str, body: str) -> int:
        made = desk("ticket", "new", "--subject", "VPN", "--body", body, "--customer", email, "--customer-name", name)
        assert made.exit_code == 0, made.output
        return int(made.stdout.strip())

    a = ticket("alice@example.com", "Alice Rossi", "My VPN drops.")
    b = ticket("bob@example.com", "Bob Bianchi", "VPN down.")
    refused = desk("ticket", "merge", str(a), str(b))
    assert refused.exit_code == 3 and refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert line.startswith("sportello: ") and "Alice Rossi <alice@example.com>" in line
    assert "Bob Bianchi <bob@example.com>" in line and line.endswith("add --across-customers to merge anyway")
    assert desk("ticket", "show", str(a), "--json").stdout.count('"closed"') == 0
    merged = desk("ticket", "merge", str(a), str(b), "--across-customers")
    assert merged.exit_code == 0 and merged.stdout.strip() == f"merged #{a} into #{b}"
    assert desk("ticket", "reply", str(a), "--customer", "--body", ALICE_WORDS).exit_code == 0
    public = desk("timeline", str(b), "--public")
    assert public.exit_code == 0 and "VPN down." in public.stdout
    assert not any(trace in public.stdout for trace in ALICE_TRACES)
    assert ALICE_WORDS in desk("timeline", str(b)).stdout  # the agents' timeline has it
    html = desk("status", str(b), "--format", "html")
    assert html.exit_code == 0 and not any(trace in html.stdout for trace in ALICE_TRACES)


# --- sync -------------------------------------------------------------------------------------


def test_a_reply_pulled_for_a_merged_ticket_lands_as_its_authors(admin):
    from models.store.config import Config
    from models.store.sync_tables import SyncTicket
    from support.fake_remote import FakeRemote
    from sync.config import remotes_from
    from sync.engine import Engine

    remote = FakeRemote("fake")
    table = {"type": "rt", "url": "http://127.0.0.1:1/rt", "user": "sportello", "token_env": "X"}
    config = remotes_from(Config(remotes={"fake": table}))["fake"]

    def sync() -> None:
        summary = Engine(config, remote).run()
        assert summary.errors == 0, summary.report

    def local(key: str) -> int:
        return SyncTicket.get(SyncTicket.remote_key == key).ticket_id

    ka = remote.remote_create("VPN drops", "My VPN drops.", requestor="alice@example.com", author="alice@example.com")
    kb = remote.remote_create("VPN down", "VPN down.", requestor="bob@example.com", author="bob@example.com")
    sync()
    a, b = local(ka), local(kb)
    tickets.merge_tickets(admin, a, b, across_customers=True)
    sync()
    remote.remote_say(ka, ALICE_WORDS, author="alice@example.com")
    sync()
    alice = Ticket.get_by_id(a).customer_id
    landed = [e for e in events_of(b) if e.body == ALICE_WORDS]
    assert [(e.kind, e.customer_id) for e in landed] == [("reply", alice)]  # on the surviving ticket, as Alice's
    assert not any(trace in page_text(b) for trace in ALICE_TRACES)
    # The next pull of Alice's remote ticket brings her new message once, and the first one not again.
    remote.remote_say(ka, "Any news?", author="alice@example.com")
    sync()
    bodies = [e.body for e in TicketEvent.select().where(TicketEvent.body.is_null(False))]
    assert bodies.count(ALICE_WORDS) == 1 and bodies.count("Any news?") == 1
    assert "Any news?" not in page_text(b)


@pytest.mark.parametrize("has_notes", [True, False])
def test_a_pushed_reply_of_another_customer_never_reaches_the_requestor(admin, pair, has_notes):
    """Bob's ticket is synced; Alice's ticket is merged into it and Alice writes again. The remote
    shows public messages to Bob (its requestor): her words go there as an internal note, or, on a
    remote without notes, not at all — while the agent's own reply still goes out public."""
    from models.store.config import Config
    from support.fake_remote import FakeRemote
    from sync.config import remotes_from
    from sync.engine import Engine

    a, _ = pair
    remote = FakeRemote("fake")
    remote.has_notes = has_notes
    table = {"type": "rt", "url": "http://127.0.0.1:1/rt", "user": "sportello", "token_env": "X"}
    config = remotes_from(Config(remotes={"fake": table}))["fake"]
    assert Engine(config, remote).run().errors == 0  # the first run pushes only what comes after it
    b = tickets.create_ticket(
        admin, subject="VPN down", body="The VPN is down for me.", customer="bob@example.com"
    ).number
    summary = Engine(config, remote).run()
    assert summary.errors == 0, summary.report
    (key,) = [k for k, t in remote.tickets.items() if t.subject == "VPN down"]
    tickets.merge_tickets(admin, a, b, across_customers=True)
    tickets.add_reply(admin, a, ALICE_WORDS, from_customer=True)  # lands on Bob's ticket
    tickets.add_reply(admin, b, "We are restarting the VPN gateway.")
    summary = Engine(config, remote).run()
    assert summary.errors == 0, summary.report
    thread = {m.body: m.public for m in remote.thread_of[key]}
    assert thread["We are restarting the VPN gateway."] is True
    if has_notes:
        assert thread[ALICE_WORDS] is False
    else:
        assert ALICE_WORDS not in thread
    assert not any(m.public and trace in m.body for m in remote.thread_of[key] for trace in ALICE_TRACES)
