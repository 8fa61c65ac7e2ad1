"""State is the fold of events: random sequences of service calls, then replay the timeline."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.directory import lookup as directory
from models.errors import SportelloError
from models.store.tables import FAQArticle
from models.tickets import changes as tickets
from models.tickets.fold import replay
from models.tickets.timeline import events_of

STATUSES = ["new", "open", "pending", "on_hold", "resolved", "closed"]
PRIORITIES = ["low", "normal", "high", "urgent"]
TAGS = ["billing", "vip", "bug", "hw"]
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("status"), st.sampled_from(STATUSES), st.sampled_from([None, "because"])),
        st.tuples(st.just("priority"), st.sampled_from(PRIORITIES), st.sampled_from([None, "asked by sales"])),
        st.tuples(st.just("assign"), st.sampled_from([None, "ada", "bob"])),
        st.tuples(st.just("tags"), st.sets(st.sampled_from(TAGS)), st.sets(st.sampled_from(TAGS))),
        st.tuples(st.just("reply"), TEXT, st.booleans()),
        st.tuples(st.just("note"), TEXT),
        st.tuples(st.just("faq"), st.integers(0, 2)),
        st.tuples(st.just("merge"), st.booleans()),
        st.tuples(st.just("type"), st.sampled_from(["question", "incident", "request", "complaint"])),
    ),
    max_size=25,
)


def run(actor, number, other, faqs, op):
    kind = op[0]
    if kind == "status":
        tickets.set_status(actor, number, op[1], reason=op[2])
    elif kind == "priority":
        tickets.set_priority(actor, number, op[1], reason=op[2], requested_by="own call")
    elif kind == "assign":
        tickets.set_assignee(actor, number, op[1])
    elif kind == "tags":
        tickets.change_tags(actor, number, add=op[1] - op[2], remove=op[2] - op[1])
    elif kind == "reply":
        tickets.add_reply(actor, number, op[1], from_customer=op[2])
    elif kind == "note":
        tickets.add_note(actor, number, op[1])
    elif kind == "faq":
        tickets.link_faq(actor, number, faqs[op[1]])
    elif kind == "type":
        tickets.update_ticket(actor, number, ticket_type=op[1])
    elif kind == "merge":
        source, target = (number, other) if op[1] else (other, number)
        tickets.merge_tickets(actor, source, target)


@pytest.mark.parametrize("examples", [100])
def test_replaying_events_reproduces_every_ticket_row(db, admin, agent, examples):
    customer = directory.add_customer("fold@example.com", "Fold Tester")
    faqs = [FAQArticle.create(title=f"FAQ {i}", body="text").id for i in range(3)]

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        ops=operations,
        first_priority=st.sampled_from(PRIORITIES),
        tags=st.sets(st.sampled_from(TAGS)),
        first_type=st.sampled_from(["question", "complaint"]),
    )
    def check(ops, first_priority, tags, first_type):
        ticket = tickets.create_ticket(
            admin,
            subject="Property",
            body="first",
            customer=customer,
            priority=first_priority,
            tags=tags,
            ticket_type=first_type,
        )
        other = tickets.create_ticket(admin, subject="Other", body="second", customer=customer)
        for op in ops:
            before = tickets.get_ticket(ticket.number).version
            try:
                run(admin, ticket.number, other.number, faqs, op)
            except SportelloError:
                # A refused change leaves no trace at all.
                assert tickets.get_ticket(ticket.number).version == before
        for number in (ticket.number, other.number):
            row = tickets.get_ticket(number)
            events = events_of(number)
            assert tickets.state_of(row) == replay(number, events)
            versions = sorted({e.version for e in events})
            assert versions == list(range(1, row.version + 1))

    check()
