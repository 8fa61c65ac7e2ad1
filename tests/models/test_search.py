"""Searching the desk as an agent does: filters, words, sort orders and keyset paging.

Every test that takes ``db`` runs on SQLite and on PostgreSQL. Tickets are made through the
service functions; the paging and volume tests insert rows with ``insert_many`` to get exact
timestamps, ties and due dates quickly, and then rebuild the full-text index.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models.tickets.pipeline as ticket_service
from models.directory import lookup as directory
from models.errors import QueryError
from models.search.query import Filter, Query, Sort, Term, parse_query
from models.search.tickets import MAX_PAGE_SIZE, Page, count_tickets, saved_view_queries, search_tickets
from models.store import fulltext
from models.store.db import is_postgres
from models.store.tables import Ticket
from models.tickets import changes as tickets

T0 = datetime(2026, 3, 2, 9, 0)
FOREIGN = "this page cursor does not belong to this query"


# --- helpers -------------------------------------------------------------------------


class Clock:
    """A controllable ``utcnow`` for the service layer: each reading is one second later."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ticket_service, "utcnow", clock)
    return clock


def new(actor, subject: str, body: str = "Hello, something is wrong.", **fields) -> int:
    return tickets.create_ticket(actor, subject=subject, body=body, **fields).number


def found(query, **kwargs) -> list[int]:
    """The numbers of every matching ticket, walking all pages (3 at a time)."""
    numbers: list[int] = []
    cursor = None
    while True:
        page = search_tickets(query, limit=3, after=cursor, **kwargs)
        assert len(page.tickets) <= 3
        numbers += [t.number for t in page.tickets]
        if page.next_cursor is None:
            assert count_tickets(query, me=kwargs.get("me"), now=kwargs.get("now")) == len(numbers)
            return numbers
        cursor = page.next_cursor


def matches(query, **kwargs) -> set[int]:
    return set(found(query, **kwargs))


def insert_tickets(rows: list[dict]) -> list[Ticket]:
    """Insert ticket rows in bulk (numbers follow the list) and index their subjects."""
    defaults = {"status": "open", "priority": "normal", "channel": "email", "version": 1}
    defaults |= {"due_at": None, "assignee": None}  # insert_many takes its columns from the first row
    rows = [{**defaults, "created_at": row.get("updated_at", T0), **row} for row in rows]
    for start in range(0, len(rows), 500):
        Ticket.insert_many(rows[start : start + 500]).execute()
    fulltext.rebuild()
    return list(Ticket.select().order_by(Ticket.number))


def cursor_of(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def payload_of(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


# --- saved views ---------------------------------------------------------------------


def test_saved_views_are_the_built_in_ones_in_order(db, agent):
    views = saved_view_queries()
    assert list(views.items()) == [
        ("Unassigned", "is:unassigned is:open"),
        ("Mine", "is:mine is:open"),
        ("Open", "status:open"),
        ("Pending", "status:pending"),
        ("On hold", "status:on_hold"),
        ("Recently resolved", "status:resolved sort:updated"),
        ("All", ""),
    ]
    views["All"] = "changed"
    assert saved_view_queries()["All"] == ""


def test_saved_views_select_what_their_names_say(db, admin, agent, clock):
    mine = new(admin, "Mine", assignee="bob")
    unassigned = new(admin, "Nobody's")
    pending = new(admin, "Pending", assignee="ada")
    tickets.set_status(admin, pending, "pending")
    held = new(admin, "Held")
    tickets.set_status(admin, held, "on_hold", reason="waiting for the vendor")
    solved = new(admin, "Solved", assignee="bob")
    tickets.set_status(admin, solved, "resolved")
    opened = new(admin, "Opened")
    tickets.add_reply(admin, opened, "On it.")
    views = saved_view_queries()
    assert found(views["Unassigned"], me=agent) == [opened, held, unassigned]  # newest update first
    assert found(views["Mine"], me=agent) == [mine]
    assert found(views["Open"]) == [opened]
    assert found(views["Pending"]) == [pending]
    assert found(views["On hold"]) == [held]
    assert found(views["Recently resolved"]) == [solved]
    assert found(views["All"]) == [opened, solved, held, pending, unassigned, mine]
    assert found("is:open") == [opened, held, pending, unassigned, mine]


# --- filters -------------------------------------------------------------------------


def test_status_filter_or_within_and_negation(db, admin):
    a, b, c = new(admin, "A"), new(admin, "B"), new(admin, "C")
    tickets.set_status(admin, b, "pending")
    tickets.set_status(admin, c, "resolved")
    assert matches("status:new") == {a}
    assert matches("status:new,pending") == {a, b}
    assert matches("-status:new") == {b, c}
    assert matches("-status:new,pending") == {c}
    assert matches("status:closed") == set()


def test_priority_and_channel_filters(db, admin):
    low = new(admin, "Low", priority="low", channel="phone")
    urgent = new(admin, "Urgent", priority="urgent", channel="chat")
    normal = new(admin, "Normal")
    assert matches("prio:urgent") == {urgent}
    assert matches("prio:low,urgent") == {low, urgent}
    assert matches("-prio:normal") == {low, urgent}
    assert matches("channel:phone,chat") == {low, urgent}
    assert matches("-channel:email") == {low, urgent}
    assert matches("channel:email prio:normal") == {normal}


def test_tag_filter(db, admin):
    vip = new(admin, "VIP", tags=["vip", "billing"])
    spam = new(admin, "Spam", tags=["spam"])
    plain = new(admin, "Plain")
    assert matches("tag:vip") == {vip}
    assert matches("tag:VIP,spam") == {vip, spam}
    assert matches("-tag:spam") == {vip, plain}
    assert matches("tag:vip tag:billing") == {vip}
    assert matches("tag:vip tag:spam") == set()
    assert matches("tag:unknown") == set()


def test_queue_filter_is_case_insensitive_and_negation_keeps_tickets_without_queue(db, admin):
    billing, support = directory.add_queue("Billing", actor=admin), directory.add_queue("Tech Support", actor=admin)
    a = new(admin, "A", queue=billing)
    b = new(admin, "B", queue=support)
    none = new(admin, "None")
    assert matches("queue:billing") == {a}
    assert matches('queue:"tech  support",BILLING') == {a, b}
    assert matches("-queue:billing") == {b, none}
    with pytest.raises(QueryError, match='^no queue matches "nowhere"$'):  # issue 14.5: said, not an empty list
        matches("queue:nowhere")


def test_org_filter_by_name_or_id(db, admin):
    acme, initech = directory.add_organization("Acme Srl"), directory.add_organization("Initech")
    a = new(admin, "A", organization=acme)
    b = new(admin, "B", organization=initech)
    none = new(admin, "None")
    assert matches('org:"acme srl"') == {a}
    assert matches(f"org:{initech.id}") == {b}
    assert matches(f"org:{acme.id},initech") == {a, b}
    assert matches("-org:initech") == {a, none}
    assert matches("org:acme") == {a}  # issue 14.5: a unique prefix of the name matches
    with pytest.raises(QueryError, match='^no organization matches "99999999999999999999999999"$'):
        matches("org:99999999999999999999999999")


def test_customer_filter_by_email_id_or_name(db, admin):
    anna = directory.add_customer("anna.bianchi@example.com", "Anna Bianchi")
    marco = directory.add_customer("marco@example.com", "Marco Rossi")
    a = new(admin, "A", customer=anna)
    m = new(admin, "M", customer=marco)
    none = new(admin, "None")
    assert matches("customer:Anna.Bianchi@Example.com") == {a}
    assert matches(f"customer:{marco.id}") == {m}
    assert matches("customer:rossi") == {m}
    assert matches("customer:BIANCHI,marco@example.com") == {a, m}
    assert matches("-customer:anna") == {m, none}
    assert matches("customer:%") == set()  # LIKE wildcards are literal
    assert matches("customer:_") == set()
    assert matches("customer:99999999999999999999999999") == set()


def test_assignee_filter(db, admin, agent):
    bobs = new(admin, "Bob's", assignee="bob")
    adas = new(admin, "Ada's", assignee="ada")
    nobodys = new(admin, "Nobody's")
    assert matches("assignee:bob") == {bobs}
    assert matches("assignee:me", me=agent) == {bobs}
    assert matches("assignee:none") == {nobodys}
    assert matches("assignee:none,ada") == {nobodys, adas}
    assert matches("-assignee:bob") == {adas, nobodys}  # unassigned is "not Bob's"
    assert matches("-assignee:me", me=agent) == {adas, nobodys}
    assert matches("-assignee:none") == {bobs, adas}
    assert matches("-assignee:none,ada") == {bobs}


def test_assignee_errors(db, admin):
    new(admin, "A")
    with pytest.raises(QueryError, match="^assignee:me needs an acting agent$"):
        search_tickets("assignee:me")
    with pytest.raises(QueryError, match="^is:mine needs an acting agent$"):
        count_tickets("is:mine")
    with pytest.raises(QueryError, match='^no agent matches "carla"$'):
        search_tickets("assignee:carla")


def test_is_filters(db, admin, agent):
    mine = new(admin, "Mine", assignee="bob")
    free = new(admin, "Free")
    done = new(admin, "Done", assignee="ada")
    tickets.set_status(admin, done, "resolved")
    gone = new(admin, "Gone")
    tickets.set_status(admin, gone, "resolved")
    tickets.set_status(admin, gone, "closed")
    assert matches("is:mine", me=agent) == {mine}
    assert matches("is:unassigned") == {free, gone}
    assert matches("is:open") == {mine, free}
    assert matches("is:closed") == {done, gone}
    assert matches("-is:open") == {done, gone}
    assert matches("-is:mine", me=agent) == {free, done, gone}
    assert matches("is:unassigned,mine is:open", me=agent) == {mine, free}


def test_date_ranges(db, admin, clock):
    early = new(admin, "Early")
    clock.now += timedelta(days=3)
    late = new(admin, "Late")
    clock.now += timedelta(days=3)
    tickets.add_note(admin, early, "Touched much later.")
    now = clock.now + timedelta(hours=1)
    assert matches("created:2026-03-02", now=now) == {early}
    assert matches("created:>2026-03-02", now=now) == {late}
    assert matches("-created:2026-03-02", now=now) == {late}
    assert matches("updated:<1d", now=now) == {early}
    assert matches("updated:>1d", now=now) == {late}
    assert matches("created:2026-03-01..2026-03-05", now=now) == {early, late}
    assert matches("created:<2026-03-02", now=now) == set()


def test_filters_and_dates_are_anded(db, admin):
    a = new(admin, "A", priority="high", tags=["vip"])
    new(admin, "B", priority="high")
    new(admin, "C", tags=["vip"])
    assert matches("prio:high tag:vip status:new") == {a}


# --- words ---------------------------------------------------------------------------


def test_words_match_subject_and_every_message(db, admin):
    printer = new(admin, "Printer on fire", "It smells of smoke.")
    tickets.add_reply(admin, printer, "Please replace the toner cartridge.")
    tickets.add_note(admin, printer, "Vendor ticket opened.")
    other = new(admin, "Toner order", "We need more paper.")
    assert matches("printer toner") == {printer}  # subject word AND a later reply's word
    assert matches("smoke vendor") == {printer}  # first message AND an internal note
    assert matches("toner") == {printer, other}
    assert matches("TONER Printer") == {printer}
    assert matches("printer paper") == set()


def test_phrases_match_adjacent_words(db, admin):
    card = new(admin, "Gift card refused", "The gift card was not accepted.")
    apart = new(admin, "Card for a gift", "A gift of a card.")
    assert matches('"gift card"') == {card}
    assert matches("gift card") == {card, apart}
    assert matches('"card gift"') == set()


def test_negated_words_and_phrases_exclude(db, admin):
    refund = new(admin, "Refund please", "The gift card does not work.")
    printer = new(admin, "Printer broken", "No refund needed.")
    plain = new(admin, "Question", "How do I log in?")
    assert matches("refund") == {refund, printer}
    assert matches("-refund") == {plain}
    assert matches('-"gift card"') == {printer, plain}
    assert matches("printer -refund") == set()
    assert matches('refund -"gift card"') == {printer}
    assert matches("-refund -question") == set()


def test_fts_syntax_is_taken_literally(db, admin):
    near = new(admin, "NEAR and OR are words here", "Look at the subject: x marks it")
    star = new(admin, "printers everywhere", "caret ^ and star * and (parentheses)")
    for text in ("NEAR", "near", "AND", "OR", "NOT", "near AND or", '"subject: x"', '"subject:x"', "(parentheses)"):
        assert isinstance(search_tickets(text), Page)
    assert matches("NEAR") == {near}
    assert matches("AND OR") == {near}
    assert matches('"subject: x"') == {near}
    assert matches("printer*") == set()  # no prefix search: "printer*" is the word "printer"
    assert matches("printers*") == {star}
    assert matches("^printers") == {star}
    assert matches("NEAR(printers)") == set()
    assert matches('"\\"subject\\""') == {near}  # a quote inside a phrase
    for term in ('"', "*", "^", "subject:x", "col:x", "NEAR/2", "a OR b", '"x" NOT "y"'):
        query = Query(terms=(Term(term, phrase=False),))
        assert isinstance(search_tickets(query), Page)
        assert isinstance(count_tickets(query), int)


def test_typed_fts_syntax_the_parser_rejects_is_a_query_error(db, admin):
    new(admin, "A")
    for text in ('"', 'say "hi', "subject:x", "subject:"):
        with pytest.raises(QueryError):
            search_tickets(text)


def test_punctuation_only_terms_are_ignored(db, admin):
    a = new(admin, "Printer", "x")
    b = new(admin, "Phone", "y")
    assert matches("... ?? !!! _ *") == {a, b}
    assert matches("printer ... -!!! -_ --") == {a}
    assert search_tickets("...").next_cursor is None


def test_control_characters_and_odd_text_never_leak_driver_errors(db, admin):
    a = new(admin, "Printer", "x")
    odd = ("printer\x00", "\x00", "printer \x00x", "pr\x00inter", "a" * 1500, "日本語 printer", "'; DROP TABLE t; --")
    for text in odd:
        assert isinstance(search_tickets(text), Page)
    assert matches("printer\x00") == {a}
    assert search_tickets(Query(filters=(Filter("customer", ("\ud800",)),))).tickets == []
    for field, value in (("queue", "\x00"), ("org", "%\x00")):  # issue 14.5: an unknown name is said
        with pytest.raises(QueryError, match=f"^no {'queue' if field == 'queue' else 'organization'} matches"):
            search_tickets(Query(filters=(Filter(field, (value,)),)))
    with pytest.raises(QueryError):
        search_tickets(Query(filters=(Filter("assignee", ("b\x00b",)),)))


# --- sort orders ---------------------------------------------------------------------


def test_default_order_is_most_recently_updated_first(db, admin, clock):
    a, b, c = new(admin, "A"), new(admin, "B"), new(admin, "C")
    tickets.add_note(admin, a, "bump")
    assert found("") == [a, c, b]
    assert found("sort:updated-asc") == [b, c, a]


def test_created_sort_uses_the_ticket_number(db, admin, clock):
    a, b, c = new(admin, "A"), new(admin, "B"), new(admin, "C")
    tickets.add_note(admin, a, "bump")
    assert found("sort:created") == [c, b, a]
    assert found("sort:created-asc") == [a, b, c]


def test_priority_sort_then_most_recent(db, admin, clock):
    low = new(admin, "Low", priority="low")
    urgent1 = new(admin, "Urgent 1", priority="urgent")
    urgent2 = new(admin, "Urgent 2", priority="urgent")
    high = new(admin, "High", priority="high")
    assert found("sort:priority") == [urgent2, urgent1, high, low]
    assert found("sort:prio-asc") == [low, high, urgent1, urgent2]


def test_due_sort_puts_tickets_without_due_date_last(db):
    rows = insert_tickets(
        [
            {"subject": "no due 1", "updated_at": T0},
            {"subject": "due later", "updated_at": T0, "due_at": T0 + timedelta(days=2)},
            {"subject": "no due 2", "updated_at": T0},
            {"subject": "due soon", "updated_at": T0, "due_at": T0 + timedelta(days=1)},
            {"subject": "due soon too", "updated_at": T0, "due_at": T0 + timedelta(days=1)},
        ]
    )
    n = [t.number for t in rows]
    assert found("sort:due") == [n[3], n[4], n[1], n[0], n[2]]
    assert found("sort:due-desc") == [n[1], n[4], n[3], n[2], n[0]]
    for limit in (1, 2, 3, 4, 5, 6):
        assert [t.number for t in search_tickets("sort:due", limit=limit).tickets] == found("sort:due")[:limit]


def test_relevance_when_there_are_words(db, admin):
    once = new(admin, "A question about the printer", "Lots of other words in a longer message body here.")
    often = new(admin, "printer printer printer", "printer")
    tie_a = new(admin, "toner", "toner")
    tie_b = new(admin, "toner", "toner")
    assert found("printer") == [often, once]
    assert found("toner") == [tie_b, tie_a]  # equal scores: newest number first
    assert found("printer sort:created-asc") == [once, often]  # an explicit sort wins
    assert found("-printer") == [tie_b, tie_a]  # only negated words: most recently updated


# --- keyset paging -------------------------------------------------------------------


def _sort_key(sort: str):
    def key(t: Ticket):
        rank = ["low", "normal", "high", "urgent"].index(t.priority)
        return {
            "updated": (t.updated_at, t.number),
            "created": (t.number,),
            "priority": (rank, t.updated_at, t.number),
        }[sort]

    return key


def _expected(rows: list[Ticket], sort: str, descending: bool) -> list[int]:
    if sort == "due":
        dated = sorted((t for t in rows if t.due_at), key=lambda t: (t.due_at, t.number), reverse=descending)
        undated = sorted((t for t in rows if not t.due_at), key=lambda t: t.number, reverse=descending)
        return [t.number for t in dated + undated]
    return [t.number for t in sorted(rows, key=_sort_key(sort), reverse=descending)]


@pytest.fixture
def crowd(db):
    """40 tickets with many identical timestamps, priorities and due dates."""
    rows = [
        {
            "subject": f"printer {'toner ' * (i % 3)}number {i}",
            "updated_at": T0 + timedelta(minutes=i % 4, microseconds=(i % 2)),
            "priority": ["low", "normal", "high", "urgent"][i % 4],
            "due_at": None if i % 3 == 0 else T0 + timedelta(days=i % 5),
            "status": "open" if i % 2 else "pending",
        }
        for i in range(40)
    ]
    return insert_tickets(rows)


@pytest.mark.parametrize("sort", ["updated", "created", "priority", "due"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 7, 13])
@pytest.mark.parametrize("words", ["", "printer number"])  # every subject has both words
def test_paging_walks_every_ticket_once_in_order(crowd, sort, direction, limit, words):
    expected = _expected(crowd, sort, direction == "desc")
    query = f"{words} sort:{sort}-{direction}"
    seen: list[int] = []
    cursor, pages = None, 0
    while True:
        page = search_tickets(query, limit=limit, after=cursor)
        seen += [t.number for t in page.tickets]
        pages += 1
        if page.next_cursor is None:
            break
        assert len(page.tickets) == limit
        cursor = page.next_cursor
    assert seen == expected
    assert pages >= 3
    assert count_tickets(query) == len(expected)


def test_paging_a_filtered_relevance_search(crowd):
    everything = [t.number for t in search_tickets("printer status:open", limit=MAX_PAGE_SIZE).tickets]
    assert len(everything) == 20
    assert found("printer status:open") == everything
    toner_first = found("toner printer")
    assert sorted(toner_first) == sorted(t.number for t in crowd if "toner" in t.subject)


@pytest.mark.parametrize(
    "query",
    [
        "sort:updated-desc",
        "sort:due-asc",
        "sort:priority-asc",
        "status:open sort:due-desc",
        "printer number sort:created-desc",
        "printer",
        "toner printer",
    ],
)
def test_an_offset_page_is_that_slice_of_the_walk_and_its_cursor_goes_on(crowd, query, monkeypatch):
    import models.search.tickets as search

    monkeypatch.setattr(search, "RELEVANCE_WINDOW", 9)  # relevance: offsets inside and past the window
    walk = found(query)
    for offset in (0, 1, 5, 8, 9, 10, 17, len(walk) - 3, len(walk) - 1, len(walk), len(walk) + 5):
        page = search_tickets(query, limit=4, offset=offset)
        assert [t.number for t in page.tickets] == walk[offset : offset + 4], offset
        rest = []
        cursor = page.next_cursor
        while cursor is not None:
            more = search_tickets(query, limit=4, after=cursor)
            rest += [t.number for t in more.tickets]
            cursor = more.next_cursor
        assert [t.number for t in page.tickets] + rest == walk[offset:], offset


@pytest.mark.parametrize(
    "query",
    [
        "sort:updated-desc",
        "sort:created-asc",
        "sort:due-asc",
        "status:open sort:priority-desc",
        "printer",
        "toner printer",
    ],
)
def test_a_page_from_the_end_is_the_same_slice_counted_backwards(crowd, query, monkeypatch):
    import models.search.tickets as search

    monkeypatch.setattr(search, "RELEVANCE_WINDOW", 9)
    walk = found(query)
    for back in (0, 1, 3, 9, len(walk) - 4, len(walk) - 1, len(walk), len(walk) + 5):
        end = max(len(walk) - back, 0)
        page = search_tickets(query, limit=4, offset=back, from_end=True)
        assert [t.number for t in page.tickets] == walk[max(end - 4, 0) : end], back
        rest, cursor = [], page.next_cursor
        while cursor is not None:  # the cursor goes on forwards, to the very end
            more = search_tickets(query, limit=4, after=cursor)
            rest += [t.number for t in more.tickets]
            cursor = more.next_cursor
        assert [t.number for t in page.tickets] + rest == (walk[max(end - 4, 0) :] if end else []), back


def test_offset_is_checked(db, admin):
    new(admin, "Printer on fire")
    first = search_tickets("", limit=1)
    for bad in (-1, 1.5, "3", 2**40):
        with pytest.raises(QueryError, match="offset"):
            search_tickets("", offset=bad)
    with pytest.raises(QueryError, match="either after a cursor or at an offset"):
        search_tickets("", offset=1, after=first.next_cursor or cursor_of({"q": "x", "s": "y", "k": []}))
    with pytest.raises(QueryError, match="either after a cursor or at an offset"):
        search_tickets("", from_end=True, after=first.next_cursor or cursor_of({"q": "x", "s": "y", "k": []}))


def test_cursor_keeps_microseconds(db):
    rows = insert_tickets([{"subject": f"t{i}", "updated_at": T0 + timedelta(microseconds=i % 3)} for i in range(9)])
    expected = _expected(rows, "updated", True)
    assert found("") == expected
    cursor = search_tickets("", limit=1).next_cursor
    assert payload_of(cursor)["k"][0].endswith(".000002")


def test_bad_cursors_are_query_errors(db, admin):
    for i in range(3):
        new(admin, f"printer {i}")
    good = search_tickets("", limit=1).next_cursor
    payload = payload_of(good)
    bad = [
        "", "garbage", "!!!!", "e30", cursor_of([]), cursor_of({"q": payload["q"]}),
        cursor_of({**payload, "k": []}), cursor_of({**payload, "k": ["yesterday", 1]}),
        cursor_of({**payload, "k": [payload["k"][0], "1"]}), cursor_of({**payload, "k": [payload["k"][0], True]}),
        cursor_of({**payload, "k": [payload["k"][0], 2**70]}), cursor_of({**payload, "k": [payload["k"][0] + "+02:00", 1]}),
        cursor_of({**payload, "s": "created-desc"}), base64.b64encode(b"\xff\xfe").decode(), "\x00", "é",
    ]  # fmt: skip
    for cursor in bad:
        with pytest.raises(QueryError, match=f"^{FOREIGN}$"):
            search_tickets("", after=cursor)
    with pytest.raises(QueryError, match=f"^{FOREIGN}$"):
        search_tickets("sort:created", after=good)  # another sort
    with pytest.raises(QueryError, match=f"^{FOREIGN}$"):
        search_tickets("status:new", after=good)  # another query
    relevance = search_tickets("printer", limit=1).next_cursor
    with pytest.raises(QueryError, match=f"^{FOREIGN}$"):
        search_tickets("printer sort:updated", after=relevance)
    for score in ("0.5", float("nan"), float("inf"), None):
        with pytest.raises(QueryError, match=f"^{FOREIGN}$"):
            search_tickets("printer", after=cursor_of({**payload_of(relevance), "k": [score, 1]}))
    assert search_tickets("printer", after=relevance).tickets
    assert search_tickets("", after=good).tickets  # the good one still works


def test_page_size_is_clamped(db, admin):
    for i in range(3):
        new(admin, f"T{i}")
    assert len(search_tickets("", limit=0).tickets) == 1
    assert len(search_tickets("", limit=-5).tickets) == 1
    assert len(search_tickets("", limit=10**9).tickets) == 3
    with pytest.raises(QueryError):
        search_tickets("", limit="many")


def test_query_objects_and_bad_input(db, admin, agent):
    a = new(admin, "Printer", assignee="bob")
    assert found(parse_query("printer")) == [a]
    assert found(Query(filters=(Filter("is", ("mine",)),), sort=Sort("created", False)), me=agent) == [a]
    with pytest.raises(QueryError):
        search_tickets(42)
    with pytest.raises(QueryError):
        search_tickets(Query(filters=(Filter("colour", ("red",)),)))
    with pytest.raises(QueryError):
        search_tickets(Query(filters=(Filter("priority", ("extreme",)),)))


def test_related_rows_are_loaded_by_the_same_query(db, admin, agent, monkeypatch):
    queue = directory.add_queue("Billing", actor=admin)
    org = directory.add_organization("Acme")
    customer = directory.add_customer("anna@example.com", "Anna", organization=org)
    new(admin, "Loaded", customer=customer, queue=queue, assignee="bob")
    new(admin, "Bare")
    statements: list[str] = []
    execute = db.execute_sql
    monkeypatch.setattr(db, "execute_sql", lambda sql, *a, **k: statements.append(sql) or execute(sql, *a, **k))
    loaded, bare = search_tickets("sort:created-asc").tickets
    assert len(statements) == 1
    assert (loaded.customer.email, loaded.organization.name, loaded.assignee.login, loaded.queue.name) == (
        "anna@example.com", "Acme", "bob", "Billing",
    )  # fmt: skip
    assert (bare.customer, bare.organization, bare.assignee, bare.queue) == (None, None, None, None)
    assert len(statements) == 1


# --- volume and plans ----------------------------------------------------------------


@pytest.fixture
def volume(db, agent):
    """5,000 tickets: recent ones open, older ones closed, some unassigned."""
    rows = []
    for i in range(5000):
        recent = i >= 4700
        rows.append(
            {
                "subject": f"{'printer' if i % 7 == 0 else 'laptop'} issue {i}",
                "updated_at": T0 + timedelta(minutes=i),
                "status": ["new", "open", "pending", "on_hold"][i % 4] if recent else ["resolved", "closed"][i % 2],
                "assignee": None if i % 5 == 0 else agent.id,
                "priority": ["low", "normal", "high", "urgent"][i % 4],
                "due_at": T0 + timedelta(days=i % 30) if i % 2 else None,
            }
        )
    insert_tickets(rows)
    db.execute_sql("ANALYZE ticket")  # this desk's table only: a bare ANALYZE waits on every schema
    return agent


def test_bulk_paging_and_counts(volume):
    seen: list[int] = []
    cursor = None
    while True:
        page = search_tickets("", limit=MAX_PAGE_SIZE, after=cursor)
        seen += [t.number for t in page.tickets]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 5000 == count_tickets("")
    assert seen == sorted(seen, reverse=True)
    assert count_tickets("is:unassigned is:open") == 60
    assert count_tickets("is:mine is:open", me=volume) == 240
    assert count_tickets("printer") == len(range(0, 5000, 7))
    assert count_tickets("printer is:open") == len([i for i in range(4700, 5000) if i % 7 == 0])
    assert len(found("is:unassigned is:open")) == 60


def _plan(db, query: str, me) -> str:
    statements: list[tuple] = []
    execute = db.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return execute(sql, params, *args, **kwargs)

    db.execute_sql = spy
    try:
        first = search_tickets(query, me=me)
        search_tickets(query, me=me, after=first.next_cursor)
    finally:
        del db.execute_sql
    sql, params = statements[-1]
    if is_postgres():
        return "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
    return "\n".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize("view", list(saved_view_queries()))
def test_saved_views_walk_an_index_in_order(volume, db, view):
    plan = _plan(db, saved_view_queries()[view], volume)
    if is_postgres():
        assert "Seq Scan on ticket" not in plan
        if view in ("Unassigned", "Mine"):
            assert "ticket_open_assignee" in plan
    else:
        assert "TEMP B-TREE" not in plan
        assert "SCAN t1" not in plan or view == "All"
        if view in ("Unassigned", "Mine"):
            assert "ticket_open_assignee" in plan


# --- never anything but a Page or a QueryError ----------------------------------------

_TOKENS = st.sampled_from(
    [
        "status:open", "-status:closed", "status:on-hold,pending", "prio:high,urgent", "-prio:low", "tag:vip",
        "-tag:x", "queue:Billing", "-queue:billing", "org:1", "org:Acme", "customer:99999999999999999999999",
        "customer:%", "assignee:me", "assignee:none", "-assignee:bob", "assignee:nobody", "is:mine", "is:open",
        "-is:closed", "is:unassigned", "created:<7d", "updated:2026-01-01..2026-02-01", "created:>2026-13-01",
        "sort:due", "sort:created-asc", "sort:priority", "sort:bogus", "sort:updated sort:due", "printer", "toner",
        "-printer", '"gift card"', '-"gift card"', '"', '""', "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "*", "^",
        "(", ")", "col:x", "subject:x", "a*", "-", "---", "...", "_", "\x00", "é", "日本", "a_b", "%", "'", ";",
        "DROP TABLE ticket;", "10:30", "http://x.y/z", "\\", "{", "}", ":", ",", "colour:red",
    ]
)  # fmt: skip
_QUERIES = st.lists(st.one_of(_TOKENS, st.text(max_size=8)), max_size=6).map(" ".join)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_QUERIES, as_me=st.booleans(), after=st.one_of(st.none(), st.text(max_size=12)))
def test_any_query_gives_a_page_or_a_query_error(db, admin, agent, text, as_me, after):
    if not Ticket.select().exists():
        for i, subject in enumerate(["printer toner", "gift card", "NEAR AND OR", "laptop"]):
            new(admin, subject, assignee="bob" if i % 2 else None, tags=["vip"] if i == 1 else ())
    me = agent if as_me else None
    try:
        page = search_tickets(text, me=me, limit=2, after=after)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(page, Page)
    if after is None:
        assert count_tickets(text, me=me) == len(found(text, me=me))


def test_relevance_ranks_the_newest_matches_then_walks_older_ones(db, admin, monkeypatch):
    import models.search.tickets as search

    monkeypatch.setattr(search, "RELEVANCE_WINDOW", 6)
    # Older tickets say "toner" many times (more relevant), newer ones once.
    numbers = [new(admin, "toner " * (10 if i < 8 else 1) + f"case {i}") for i in range(14)]
    new(admin, "unrelated paper jam")
    walked, cursor = [], None
    while True:
        page = search_tickets("toner", limit=4, after=cursor)
        walked += page.tickets
        cursor = page.next_cursor
        if cursor is None:
            break
    got = [t.number for t in walked]
    assert sorted(got) == sorted(numbers) and len(got) == len(set(got))
    window, older = walked[:6], walked[6:]
    assert {t.number for t in window} == set(numbers[-6:])  # the six newest matches are ranked first
    scores = [t.search_score for t in window]
    assert scores == sorted(scores, reverse=True)
    assert [t.number for t in older] == sorted(numbers[:-6], reverse=True)  # then the rest, newest first
    assert count_tickets("toner") == len(numbers)


@pytest.mark.parametrize(
    "text, word",
    [
        ("Please write to mario.rossi@acme.it", "mario"),
        ("Please write to mario.rossi@acme.it", "acme"),
        ("Login fails at https://portal.example.com/login", "portal"),
        ("The screen says ERR-4012 then nothing", "4012"),
        ("Il Caffè è freddo", "caffe"),
        ("Il caffe è freddo", "caffè"),
        ("WiFi DOWN on floor_3", "floor"),
    ],
)
def test_words_split_and_fold_the_same_on_both_backends(db, admin, text, word):
    number = new(admin, "Something", text)
    assert found(word) == [number]


def test_huge_messages_are_kept_but_cannot_break_or_stall_a_ticket(db, admin):
    number = new(admin, "Logs attached")
    distinct = " ".join(f"w{i:06d}" for i in range(120_000))  # ~960 KB of all-different words
    for _ in range(3):
        tickets.add_note(admin, number, distinct)
    tickets.add_note(admin, number, "final zebra42 remark")
    assert len(events_of_bodies(number)) == 4
    assert found("w000001") == [number]  # the start of a huge message is indexed


def events_of_bodies(number):
    from models.tickets.timeline import events_of

    return [e.body for e in events_of(number) if e.kind == "note"]


def test_page_tickets_are_the_same_objects_the_orm_loads(db, admin, agent):
    from models.directory import lookup as directory

    org = directory.add_organization("Acme Srl", tier="premium")
    customer = directory.add_customer("ann@acme.it", "Ann", organization=org)
    directory.add_queue("Billing", actor=admin)
    number = tickets.create_ticket(
        admin, subject="Invoice twice", body="charged twice", customer=customer, queue="Billing", assignee="bob"
    ).number
    tickets.set_status(admin, number, "resolved")
    plain = new(admin, "No customer at all")
    for query in ("", "invoice"):
        for ticket in search_tickets(query).tickets:
            loaded = Ticket.get_by_id(ticket.number)
            assert ticket.__data__ == loaded.__data__
            for attr in ("customer", "organization", "assignee", "queue"):
                got, want = getattr(ticket, attr), getattr(loaded, attr)
                assert (got and got.__data__) == (want and want.__data__)
    assert {t.number for t in search_tickets("").tickets} == {number, plain}


def test_ticket_numbers_find_tickets(db, admin):
    first, second, third = (new(admin, f"Printer {i}") for i in range(3))
    assert matches(f"#{second}") == {second}
    assert matches(f"id:{first},#{third}") == {first, third}
    assert matches(f"printer -#{first}") == {second, third}
    assert matches("#999999") == set()
    for bad in ("id:abc", "id:0", "id:-3", "id:99999999999"):
        with pytest.raises(QueryError, match="ticket numbers"):
            search_tickets(bad)
