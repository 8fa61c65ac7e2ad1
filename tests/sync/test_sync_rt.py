"""The RT adapter: against a real Request Tracker 5 (tests/rt_server.py), and against scripted answers.

RT's SQLite database is shared by every test and every ``pytest -n`` worker (and survives test
sessions), so each test makes its own tickets with unique subjects, takes cursors from "now", and
only asserts about its own tickets.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import stamina

from support.rt_server import rt_server  # noqa: F401
from sync.remotes.base import BadItem, RemoteError, RemoteRefused, RemoteTicket, RemoteUnavailable, StaleWrite
from sync.remotes.rt import RTRemote, format_cursor, parse_date


def unique(word: str) -> str:
    return f"{word} {uuid.uuid4().hex[:8]}"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def remote(rt_server):  # noqa: F811
    r = RTRemote(name="rt", url=rt_server.url, user=rt_server.user, secret=rt_server.token)
    yield r
    r.close()


@pytest.fixture
def other(rt_server):  # noqa: F811
    """The same RT as another user ("remoteagent", password auth), to make remote changes."""
    user, password = rt_server.as_other()
    r = RTRemote(name="rt-other", url=rt_server.url, user=user, secret=password, secret_kind="password")
    yield r
    r.close()


def new_ticket(remote: RTRemote, word: str = "ticket", **kwargs) -> tuple[str, str]:
    subject = unique(word)
    args = {"body": f"body of {subject}", "requestor": "alice@example.com", "status": "open", "priority": "10"}
    return remote.create_ticket(subject=subject, **{**args, **kwargs}), subject


# --- against the real server ----------------------------------------------------------------------


def test_create_and_read_back(remote):
    before = utcnow().replace(microsecond=0)
    tid, subject = new_ticket(remote, "create", status="new", priority="30")
    assert tid.isdigit()
    ticket = remote.get_ticket(tid)
    assert (ticket.remote_id, ticket.subject, ticket.status, ticket.priority) == (tid, subject, "new", "30")
    assert ticket.requestor == "alice@example.com"
    assert ticket.etag and ticket.etag.strip('"').isdigit()
    assert ticket.created.tzinfo is None and before - timedelta(seconds=2) <= ticket.created <= utcnow()
    assert ticket.updated >= ticket.created and not ticket.deleted and ticket.updated_by == "root"
    messages, bad = remote.messages(tid)
    assert bad == []
    assert [(m.public, m.body, m.author, m.ticket_id) for m in messages] == [(True, f"body of {subject}", "root", tid)]


def test_password_auth_and_requestor_address(other):
    tid, _subject = new_ticket(other, "as other", requestor="remoteagent@example.com")
    ticket = other.get_ticket(tid)
    # RT links the requestor to the user "remoteagent": the adapter reports its address, not its name.
    assert ticket.requestor == "remoteagent@example.com"
    assert ticket.updated_by == "remoteagent"
    tid, _subject = new_ticket(other, "no requestor", requestor=None)
    assert other.get_ticket(tid).requestor is None  # REST2 does not make the creator one


def test_update_and_stale_etag(remote, other):
    tid, _subject = new_ticket(remote, "update")
    etag = remote.get_ticket(tid).etag
    new_subject = unique("renamed")
    remote.update_ticket(tid, {"subject": new_subject, "status": "stalled", "priority": "50"}, etag=etag)
    fresh = remote.get_ticket(tid)
    assert (fresh.subject, fresh.status, fresh.priority) == (new_subject, "stalled", "50")
    assert fresh.etag != etag  # RT's ETag is the newest transaction's id
    with pytest.raises(StaleWrite):
        remote.update_ticket(tid, {"status": "open"}, etag=etag)
    other.update_ticket(tid, {"priority": "60"}, etag=None)  # "the remote side changed it"
    with pytest.raises(StaleWrite):
        remote.update_ticket(tid, {"status": "open"}, etag=fresh.etag)
    changed = remote.get_ticket(tid)
    assert (changed.status, changed.priority, changed.updated_by) == ("stalled", "60", "remoteagent")
    remote.update_ticket(tid, {"status": "resolved"}, etag=changed.etag)
    assert remote.get_ticket(tid).status == "resolved"


def test_refused_values_and_unknown_fields(remote):
    tid, _subject = new_ticket(remote, "refused")
    with pytest.raises(RemoteRefused, match="valid status"):
        remote.update_ticket(tid, {"status": "no-such-status"}, etag=None)
    with pytest.raises(RemoteError, match="owner"):
        remote.update_ticket(tid, {"owner": "root"}, etag=None)
    remote.update_ticket(tid, {}, etag=None)  # nothing to do
    with pytest.raises(RemoteRefused):
        remote.get_ticket("999999999")


def test_correspond_and_comment_show_up_in_messages(remote, other):
    tid, subject = new_ticket(remote, "messages")
    reply = remote.add_message(tid, "a public reply\nwith two lines", public=True)
    note = other.add_message(tid, "an internal note", public=False)
    assert reply.isdigit() and note.isdigit() and int(note) > int(reply)
    messages, bad = remote.messages(tid)
    assert bad == []
    got = [(m.remote_id, m.public, m.body, m.author) for m in messages]
    assert got[1:] == [
        (reply, True, "a public reply\nwith two lines", "root"),
        (note, False, "an internal note", "remoteagent"),
    ]
    assert got[0][1:] == (True, f"body of {subject}", "root")
    # RT's own mail (autoreply, notifications: EmailRecord transactions) is not a message.
    assert len(messages) == 3
    assert [m.created for m in messages] == sorted(m.created for m in messages)


def test_messages_of_many_tickets_come_in_two_searches(remote, other):
    made = [new_ticket(remote, "bulk") for _ in range(3)]
    reply = other.add_message(made[1][0], "bulk reply", public=True)
    note = remote.add_message(made[2][0], "bulk note", public=False)
    tickets = [remote.get_ticket(tid) for tid, _ in made]
    before = remote.requests
    found, bad = remote.messages_of(tickets)
    assert bad == [] and remote.requests == before + 2
    assert [[m.body for m in found[tid]] for tid, _ in made] == [
        [f"body of {made[0][1]}"],
        [f"body of {made[1][1]}", "bulk reply"],
        [f"body of {made[2][1]}", "bulk note"],
    ]
    assert [(m.remote_id, m.public, m.author) for m in found[made[1][0]][1:]] == [(reply, True, "remoteagent")]
    assert [(m.remote_id, m.public) for m in found[made[2][0]][1:]] == [(note, False)]
    assert found[made[1][0]] == remote.messages(made[1][0])[0]


def test_changed_since_cursor_returns_only_newer(remote, other):
    first, _ = new_ticket(remote, "older")
    older = remote.get_ticket(first)
    while utcnow() < older.updated + timedelta(seconds=1.1):
        time.sleep(0.1)
    cursor = format_cursor(older.updated)  # strict ">": older is not in it
    second, _ = new_ticket(remote, "newer")

    def pull(since):
        pages = list(remote.changed_since(since, max_pages=50))
        assert all(p.bad == [] for p in pages) and not pages[-1].more
        return pages, [t for p in pages for t in p.tickets]

    pages, tickets = pull(cursor)
    ids = [t.remote_id for t in tickets]
    assert second in ids and first not in ids
    assert all(t.updated > parse_date(older.updated.isoformat() + "Z") for t in tickets)
    assert [t.updated for t in tickets] == sorted(t.updated for t in tickets)
    newest = max(t.updated for t in tickets)
    assert pages[-1].next_cursor == format_cursor(newest - timedelta(seconds=1))
    assert next(t for t in tickets if t.remote_id == second).requestor == "alice@example.com"

    # The other user changes the older ticket: it comes back, after the newer one, naming who did it.
    while utcnow() < newest + timedelta(seconds=1.1):
        time.sleep(0.1)
    other.update_ticket(first, {"status": "stalled"}, etag=None)
    _pages, tickets = pull(pages[-1].next_cursor)
    changed = next(t for t in tickets if t.remote_id == first)
    assert (changed.status, changed.updated_by) == ("stalled", "remoteagent")
    assert changed.etag is None  # searches carry no ETag; get_ticket reads it


def test_changed_since_without_cursor_reads_the_queue(remote):
    tid, _ = new_ticket(remote, "all")
    remote.page_size = 100
    pages = list(remote.changed_since(None, max_pages=10_000))
    assert tid in {t.remote_id for p in pages for t in p.tickets}


@pytest.mark.parametrize("cursor", ["2026-11-22T23:21:09Z", "2026-11-22 23:21", "yesterday", "2026-13-01 00:00:00",
                                    "2026-11-22 23:21:09' OR id > '0", " 2026-11-22 23:21:09", ""])  # fmt: skip
def test_malformed_cursor_refused(remote, cursor):
    with pytest.raises(RemoteError, match="cursor"):
        remote.check_cursor(cursor)
    with pytest.raises(RemoteError, match="cursor"):
        next(remote.changed_since(cursor, max_pages=1))


def test_paging_with_max_pages(remote):
    start = format_cursor(utcnow() - timedelta(seconds=2))
    mine = {new_ticket(remote, "page")[0] for _ in range(3)}
    remote.page_size = 2
    pages = list(remote.changed_since(start, max_pages=1))
    assert len(pages) == 1 and len(pages[0].tickets) == 2 and pages[0].more
    assert pages[0].next_cursor is not None
    pages = list(remote.changed_since(start, max_pages=100))
    assert not pages[-1].more and len(pages) >= 2
    assert mine <= {t.remote_id for p in pages for t in p.tickets}
    assert all(len(p.tickets) <= 2 for p in pages)


def test_find_ticket(remote, other):
    since = utcnow()
    tid, subject = new_ticket(remote, "find it's \\ odd")
    new_ticket(other, "find")  # someone else's
    assert remote.find_ticket(subject=subject, since=since) == tid
    assert remote.find_ticket(subject=subject + " ", since=since) is None
    assert remote.find_ticket(subject=subject.upper(), since=since) is None
    assert remote.find_ticket(subject=subject, since=utcnow() + timedelta(seconds=5)) is None
    assert other.find_ticket(subject=subject, since=since) is None  # created by root, not by remoteagent


def test_wrong_secret_is_refused_without_leaking_it(rt_server):  # noqa: F811
    for kind in ("token", "password"):
        secret = f"wrong-{kind}-s3cret"
        bad = RTRemote(name="rt", url=rt_server.url, user=rt_server.user, secret=secret, secret_kind=kind)
        with pytest.raises(RemoteRefused) as info:
            bad.get_ticket("1")
        assert secret not in str(info.value) and "401" in str(info.value)
        assert secret not in repr(bad)
        bad.close()


def test_request_timings(remote, capsys):
    """Not a benchmark: the per-request costs the report quotes (bcrypt cost 4)."""
    tid, _ = new_ticket(remote, "timing")
    costs = {}
    for name, call in [("get_ticket", lambda: remote.get_ticket(tid)), ("messages (2 requests)", lambda: remote.messages(tid)),
                       ("search page", lambda: next(remote.changed_since(None, max_pages=1))),
                       ("add_message", lambda: remote.add_message(tid, "timing", public=False)),
                       ("create_ticket", lambda: new_ticket(remote, "timing"))]:  # fmt: skip
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            call()
            runs.append(time.perf_counter() - t)
        costs[name] = min(runs) * 1000
    with capsys.disabled():
        print("\nRT request costs (ms, best of 3):", ", ".join(f"{k} {v:.0f}" for k, v in costs.items()))


# --- against scripted answers --------------------------------------------------------------------

URL = "http://rt.invalid/rt"

GOOD = {"id": "7", "Subject": "fine", "Status": "open", "Priority": "10", "Created": "2026-11-20T10:00:00Z",
        "LastUpdated": "2026-11-21T11:00:05Z", "LastUpdatedBy": {"type": "user", "id": "bob"},
        "Requestor": [{"type": "user", "id": "carol", "EmailAddress": "carol@example.com"}]}  # fmt: skip


def mock_remote(handler, **kwargs) -> RTRemote:
    return RTRemote(name="mock", url=URL, user="root", secret="s3cret-token", http=httpx.MockTransport(handler),
                    **kwargs)  # fmt: skip


def test_auth_headers_and_search_query():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/ticket/7"):
            return httpx.Response(200, json=GOOD)
        return httpx.Response(200, json={"items": [GOOD], "page": 1})

    remote = mock_remote(handler)
    [page] = list(remote.changed_since("2026-11-21 00:00:00", max_pages=5))
    request = seen[0]
    assert request.headers["Authorization"] == "token s3cret-token"
    assert request.url.path == "/rt/REST/2.0/tickets"
    assert request.url.params["query"] == "Queue = 'General' AND LastUpdated > '2026-11-21 00:00:00'"
    assert request.url.params["per_page"] == "100" and request.url.params["page"] == "1"
    assert set(request.url.params["fields"].split(",")) >= {"Subject", "Status", "Priority", "Requestor", "Created",
                                                            "LastUpdated"}  # fmt: skip
    [ticket] = page.tickets
    assert ticket.requestor == "carol@example.com" and ticket.updated == datetime(2026, 11, 21, 11, 0, 5)
    assert page.next_cursor == "2026-11-21 11:00:04" and not page.more

    basic = RTRemote(name="m", url=URL, user="root", secret="pw", secret_kind="password",
                     http=httpx.MockTransport(handler))  # fmt: skip
    basic.get_ticket("7")
    assert seen[-1].headers["Authorization"].startswith("Basic ")


def test_malformed_items_become_bad_items():
    items = [GOOD, "not an object", {**GOOD, "id": "8", "Created": "yesterday"}, {**GOOD, "id": "9", "Subject": None},
             {**GOOD, "id": "10", "Requestor": "x"}, {"id": "11"}, {**GOOD, "id": "12"}]  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": items})

    [page] = list(mock_remote(handler).changed_since(None, max_pages=3))
    assert [t.remote_id for t in page.tickets] == ["7", "12"]
    assert len(page.bad) == 5 and all(isinstance(b, BadItem) for b in page.bad)
    assert {b.where for b in page.bad} >= {"ticket 8", "ticket 9", "ticket 10", "ticket 11"}


def test_bad_envelope_is_a_bad_item_not_an_exception():
    def handler(request: httpx.Request) -> httpx.Response:
        if "/transactions" in request.url.path:
            return httpx.Response(200, json=[1, 2])
        return httpx.Response(200, json={"unexpected": True})

    remote = mock_remote(handler)
    [page] = list(remote.changed_since(None, max_pages=3))
    assert page.tickets == [] and len(page.bad) == 1 and "page 1" in page.bad[0].where
    messages, bad = remote.messages("7")
    assert messages == [] and len(bad) == 1 and "transactions" in bad[0].where


def test_messages_pick_plain_text_bodies():
    history = [
        {"id": "1", "Type": "Create", "Creator": {"id": "root"}, "Created": "2026-11-20T10:00:00Z"},
        {"id": "2", "Type": "EmailRecord", "Creator": {"id": "RT_System"}, "Created": "2026-11-20T10:00:00Z"},
        {"id": "3", "Type": "Comment", "Creator": {"id": "bob"}, "Created": "2026-11-20T10:00:09Z"},
        {"id": "4", "Type": "Correspond", "Creator": {"id": "bob"}, "Created": "2026-11-20T10:00:10Z"},
        {"id": "5", "Type": "Status", "Creator": {"id": "bob"}, "Created": "2026-11-20T10:00:11Z"},
    ]
    history = [{**item, "ObjectId": "7"} for item in history]
    attachments = [
        {"id": "1", "TransactionId": "1", "ContentType": "text/plain", "Content": "first"},
        {"id": "2", "TransactionId": "2", "ContentType": "text/plain", "Content": "autoreply"},
        {"id": "3", "TransactionId": "3", "ContentType": "multipart/mixed", "Content": ""},
        {"id": "4", "TransactionId": "3", "ContentType": "text/plain", "Content": "note"},
        {"id": "5", "TransactionId": "3", "ContentType": "text/plain", "Filename": "a.txt", "Content": "f"},
        {"id": "6", "TransactionId": "4", "ContentType": "text/html", "Content": "<p>only html</p>"},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        items = history if request.url.path.endswith("/transactions") else attachments
        return httpx.Response(200, json={"items": items})

    messages, bad = mock_remote(handler).messages("7")
    assert [(m.remote_id, m.public, m.body, m.author) for m in messages] == [("1", True, "first", "root"),
                                                                            ("3", False, "note", "bob")]  # fmt: skip
    assert [b.where for b in bad] == ["transaction 4 of ticket 7"]


def test_messages_of_many_tickets_take_two_searches_not_two_requests_a_ticket():
    transactions = [
        {
            "id": str(n),
            "ObjectId": str(t),
            "Type": "Create",
            "Creator": {"id": "root"},
            "Created": f"2026-11-20T10:00:{n:02d}Z",
        }
        for n, t in ((1, 7), (2, 8), (3, 9))
    ]
    transactions.append(
        {"id": "4", "ObjectId": "8", "Type": "Correspond", "Creator": {"id": "bob"}, "Created": "2026-11-20T10:00:30Z"}
    )
    transactions.append(
        {
            "id": "5",
            "ObjectId": "99",
            "Type": "Create",
            "Creator": {"id": "x"},  # not asked for
            "Created": "2026-11-20T10:00:31Z",
        }
    )
    attachments = [
        {"id": str(n), "TransactionId": str(n), "ContentType": "text/plain", "Content": f"body {n}"}
        for n in range(1, 6)
    ]
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, json.loads(request.content)))
        items = transactions if request.url.path.endswith("/transactions") else attachments
        return httpx.Response(200, json={"items": items})

    remote = mock_remote(handler)
    tickets = [RemoteTicket(t, "s", "new", "0", None, datetime(2026, 11, 20), datetime(2026, 11, 20)) for t in "789"]
    found, bad = remote.messages_of(tickets)
    assert bad == [] and remote.requests == 2
    assert {t: [m.body for m in ms] for t, ms in found.items()} == {"7": ["body 1"], "8": ["body 2", "body 4"],
                                                                    "9": ["body 3"]}  # fmt: skip
    (m1, p1, q1), (m2, p2, q2) = seen
    assert (m1, m2) == ("POST", "POST") and p1.endswith("/transactions") and p2.endswith("/attachments")
    assert {"field": "ObjectId", "operator": "IN", "value": [7, 8, 9]} in q1
    assert q2 == [{"field": "TransactionId", "operator": "IN", "value": [1, 2, 3, 4]}]


def test_500_then_200_succeeds_and_500s_give_up():
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(500, text="boom")
        return httpx.Response(200, json=GOOD, headers={"ETag": '"42"'})

    with stamina.set_testing(True, attempts=3):
        remote = mock_remote(flaky)
        assert remote.get_ticket("7").etag == '"42"' and remote.requests == 2
    with stamina.set_testing(True, attempts=3), pytest.raises(RemoteUnavailable, match="500") as info:
        mock_remote(lambda request: httpx.Response(500)).get_ticket("7")
    assert "s3cret" not in str(info.value)


def test_writes_send_json_if_match_and_read_ids():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST" and request.url.path.endswith("/ticket"):
            return httpx.Response(
                201, json={"id": "15", "type": "ticket"}, headers={"Location": "/rt/REST/2.0/ticket/15"}
            )
        if request.method == "POST":
            return httpx.Response(201, json=["Message recorded"], headers={"Location": "/rt/REST/2.0/transaction/99"})
        if request.headers.get("If-Match") == '"1"':
            return httpx.Response(412)
        return httpx.Response(200, json=["Ticket 15: Status changed from 'open' to 'stalled'"])

    remote = mock_remote(handler, queue="Support")
    assert remote.create_ticket(subject="s", body="b", requestor=None, status="new", priority="0") == "15"
    body = json.loads(seen[-1].content)
    assert body["Queue"] == "Support" and body["Content"] == "b" and "Requestor" not in body
    assert seen[-1].headers["Content-Type"] == "application/json"
    assert remote.add_message("15", "hi", public=False) == "99" and seen[-1].url.path.endswith("/ticket/15/comment")
    assert remote.add_message("15", "hi", public=True) == "99" and seen[-1].url.path.endswith("/ticket/15/correspond")
    remote.update_ticket("15", {"status": "stalled"}, etag='"2"')
    assert seen[-1].method == "PUT" and seen[-1].headers["If-Match"] == '"2"'
    assert json.loads(seen[-1].content) == {"Status": "stalled"}
    with pytest.raises(StaleWrite):
        remote.update_ticket("15", {"status": "stalled"}, etag='"1"')
    with pytest.raises(RemoteError):
        remote.get_ticket("15/../../users")
