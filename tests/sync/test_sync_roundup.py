"""The Roundup adapter: against a real Roundup 2.6 tracker, and against scripted answers (httpx.MockTransport).

The real tracker is shared by the tests of one process, so each test makes its own issues with
unique titles and only asserts about those.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import httpx
import pytest
import stamina

from support.roundup_server import roundup_server  # noqa: F401
from sync.remotes.base import RemoteError, RemoteRefused, RemoteUnavailable, StaleWrite
from sync.remotes.roundup import RoundupRemote, format_date


def unique(word: str) -> str:
    return f"{word} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def remote(roundup_server):  # noqa: F811
    r = RoundupRemote(name="rup", url=roundup_server.url, user=roundup_server.user, secret=roundup_server.password)
    yield r
    r.close()


@pytest.fixture
def other(roundup_server):  # noqa: F811
    """The same tracker as another user ("remoteagent"), to make remote changes."""
    user, password = roundup_server.add_user("remoteagent")
    r = RoundupRemote(name="rup-other", url=roundup_server.url, user=user, secret=password)
    yield r
    r.close()


def new_ticket(remote: RoundupRemote, subject: str | None = None, **kw) -> str:
    args = {"body": "first words", "requestor": None, "status": "unread", "priority": "bug", **kw}
    return remote.create_ticket(subject=subject or unique("Printer"), **args)


# --- the real tracker --------------------------------------------------------------------------


def test_create_and_read_back(remote):
    subject = unique("Printer on fire")
    rid = new_ticket(remote, subject, body="It burns.\nSecond line.", priority="urgent")
    assert rid.isdigit()
    ticket = remote.get_ticket(rid)
    assert (ticket.remote_id, ticket.subject, ticket.priority, ticket.requestor) == (rid, subject, "urgent", "admin")
    assert ticket.status == "unread"
    assert ticket.etag and ticket.created.tzinfo is None and ticket.updated >= ticket.created
    msgs, bad = remote.messages(rid)
    assert bad == []
    read = [(m.body, m.author, m.public, m.ticket_id) for m in msgs]
    assert read == [("It burns.\nSecond line.", "admin", True, rid)]
    assert abs(msgs[0].created - ticket.created) < timedelta(seconds=5)


def test_create_as_requestor_and_unknown_names(remote, other):
    rid = new_ticket(remote, requestor="remoteagent")
    msgs, _ = remote.messages(rid)
    assert msgs[0].author == "remoteagent"
    assert remote.messages(new_ticket(remote, requestor="nobody-here"))[0][0].author == "admin"
    with pytest.raises(RemoteRefused, match="no status named 'open'"):
        new_ticket(remote, status="open")


def test_update_and_stale_etag(remote, other):
    rid = new_ticket(remote)
    before = remote.get_ticket(rid)
    remote.update_ticket(rid, {"subject": "Renamed", "status": "in-progress", "priority": "feature"}, etag=before.etag)
    after = remote.get_ticket(rid)
    assert (after.subject, after.status, after.priority) == ("Renamed", "in-progress", "feature")
    assert after.etag != before.etag
    with pytest.raises(StaleWrite):
        remote.update_ticket(rid, {"subject": "Too late"}, etag=before.etag)
    other.update_ticket(rid, {"status": "resolved"}, etag=None)  # a remote change by another actor
    with pytest.raises(StaleWrite):
        remote.update_ticket(rid, {"subject": "Too late"}, etag=after.etag)
    remote.update_ticket(rid, {"subject": "Fine"}, etag=None)
    final = remote.get_ticket(rid)
    assert (final.subject, final.status) == ("Fine", "resolved")
    with pytest.raises(RemoteError, match="cannot change"):
        remote.update_ticket(rid, {"owner": "x"}, etag=None)


def test_add_message(remote, other):
    rid = new_ticket(remote)
    etag = remote.get_ticket(rid).etag
    mid = remote.add_message(rid, "Have you tried turning it off?", public=True)
    other.add_message(rid, "Yes.", public=True)
    msgs, bad = remote.messages(rid)
    assert bad == []
    read = [(m.body, m.author) for m in msgs][1:]
    assert read == [("Have you tried turning it off?", "admin"), ("Yes.", "remoteagent")]
    assert msgs[1].remote_id == mid
    assert remote.get_ticket(rid).etag != etag
    with pytest.raises(RemoteError, match="no internal notes"):
        remote.add_message(rid, "secret", public=False)


def test_messages_of_a_page_come_in_bulk(remote, other):
    first = remote.get_ticket(new_ticket(remote, body="one"))
    second = new_ticket(remote, body="two")
    other.add_message(second, "two, a reply", public=True)
    third = new_ticket(remote, body="three")
    pages = list(remote.changed_since(format_date(first.updated), max_pages=5))
    tickets = [t for p in pages for t in p.tickets if t.remote_id in (first.remote_id, second, third)]
    assert len(tickets) == 3 and all(t.message_ids for t in tickets)  # the feed lists their msgs
    before = remote.requests
    found, bad = remote.messages_of(tickets)
    assert bad == [] and remote.requests == before + 1  # 4 msgs of 3 issues: one request
    assert {k: [(m.body, m.author) for m in v] for k, v in found.items()} == {
        first.remote_id: [("one", "admin")], second: [("two", "admin"), ("two, a reply", "remoteagent")],
        third: [("three", "admin")]}  # fmt: skip
    assert found[second] == remote.messages(second)[0]
    # Without the feed's lists (get_ticket), the lists are read 100 issues a request.
    plain = [remote.get_ticket(first.remote_id), remote.get_ticket(second)]
    before = remote.requests
    assert remote.messages_of(plain) == ({first.remote_id: found[first.remote_id], second: found[second]}, [])
    assert remote.requests == before + 2


def test_changed_since_cursor_returns_only_newer(remote):
    old = remote.get_ticket(new_ticket(remote))
    time.sleep(1.1)  # activity has one-second resolution
    new = remote.get_ticket(new_ticket(remote))
    assert new.updated > old.updated
    pages = list(remote.changed_since(format_date(new.updated), max_pages=5))
    ids = [t.remote_id for p in pages for t in p.tickets]
    assert new.remote_id in ids and old.remote_id not in ids
    assert pages[-1].next_cursor == format_date(max(t.updated for p in pages for t in p.tickets))
    assert not pages[-1].more and all(not p.bad for p in pages)
    everything = [t.remote_id for p in remote.changed_since(None, max_pages=50) for t in p.tickets]
    assert old.remote_id in everything and new.remote_id in everything


@pytest.mark.parametrize(
    "cursor",
    [
        "2026-11-22T23:21:09Z",
        "2026-11-22 23:21:09",
        "2026-02-30.10:00:00",
        "2026-11-22.23:21:09;",
        "2026-11-22.23:21",
        "yesterday",
        "",
    ],
)
def test_malformed_cursor_refused(remote, cursor):
    with pytest.raises(RemoteError, match="cursor"):
        remote.check_cursor(cursor)
    with pytest.raises(RemoteError, match="cursor"):
        next(remote.changed_since(cursor, max_pages=1))
    assert remote.requests == 0


def test_paging_with_max_pages(remote):
    first = remote.get_ticket(new_ticket(remote))
    mine = [first.remote_id] + [new_ticket(remote) for _ in range(4)]
    remote.page_size = 2
    cursor = format_date(first.updated)
    pages = list(remote.changed_since(cursor, max_pages=1))
    assert len(pages) == 1 and len(pages[0].tickets) == 2 and pages[0].more
    pages = list(remote.changed_since(cursor, max_pages=100))
    tickets = [t for p in pages for t in p.tickets]
    assert set(mine) <= {t.remote_id for t in tickets}
    assert [t.updated for t in tickets] == sorted(t.updated for t in tickets)
    assert len(pages) >= 3 and not any(p.more for p in pages)
    assert pages[-1].next_cursor == format_date(tickets[-1].updated)


def test_find_ticket(remote, other):
    subject = unique("Lost after a crash")
    rid = new_ticket(remote, subject)
    created = remote.get_ticket(rid).created
    new_ticket(other, subject)  # same title, another creator
    assert remote.find_ticket(subject=subject, since=created) == rid
    assert remote.find_ticket(subject=subject + " 2", since=created) is None
    assert remote.find_ticket(subject=subject, since=created + timedelta(minutes=5)) is None


def test_wrong_password_is_refused_without_leaking_it(roundup_server):  # noqa: F811
    secret = "not-the-password-" + uuid.uuid4().hex
    r = RoundupRemote(name="rup", url=roundup_server.url, user="admin", secret=secret)
    with pytest.raises(RemoteRefused) as info:
        r.get_ticket("1")
    assert secret not in str(info.value) and secret not in repr(r)
    r.close()


# --- scripted answers --------------------------------------------------------------------------

URL = "http://tracker.test:8080/demo"


def item(rid: str, activity: str = "2026-11-22.23:21:09", **extra) -> dict:
    return {
        "id": rid,
        "title": f"T{rid}",
        "status": {"id": "1", "name": "unread"},
        "priority": {"id": "3", "name": "bug"},
        "creation": "2026-11-20.10:00:00",
        "activity": activity,
        "creator": {"id": "1", "username": "admin"},
        **extra,
    }


def scripted(answers: list, seen: list | None = None) -> RoundupRemote:
    """A remote whose server answers with ``answers`` in turn: (status, body, headers) or a callable."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        answer = queue.pop(0)
        if callable(answer):
            return answer(request)
        status, body, headers = answer
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers)

    return RoundupRemote(name="mock", url=URL, user="admin", secret="s3cret", http=httpx.MockTransport(handler))


def test_malformed_items_become_bad_items():
    collection = [
        item("1"),
        {"id": "2", "title": None},
        item("3", activity="yesterday"),
        "junk",
        item("4", status={"id": "2"}),
        item("5", activity="2026-11-23.01:00:00"),
    ]
    r = scripted([(200, {"data": {"collection": collection}}, {"X-Count-Total": "6"})])
    (page,) = list(r.changed_since("2026-11-22.00:00:00", max_pages=3))
    assert [t.remote_id for t in page.tickets] == ["1", "5"]
    assert len(page.bad) == 4 and any(b.where == "ticket 3" for b in page.bad)
    assert page.next_cursor == "2026-11-23.01:00:00" and not page.more
    assert page.tickets[0].status == "unread" and page.tickets[0].priority == "bug"


def test_truncated_json_is_retried():
    seen: list = []
    good = {"data": {"id": "7", "attributes": item("7"), "@etag": '"abc"'}}
    r = scripted([(200, b'{"data": {"id": "7", "attr', {}), (200, good, {})], seen)
    with stamina.set_testing(True, attempts=3):
        assert r.get_ticket("7").etag == '"abc"'
    assert len(seen) == 2


def test_500_then_200_succeeds_and_500s_give_up():
    good = {"data": {"id": "7", "attributes": item("7"), "@etag": '"abc"'}}
    r = scripted([(500, b"oops", {}), (502, b"", {}), (200, good, {})])
    with stamina.set_testing(True, attempts=3):
        assert r.get_ticket("7").subject == "T7"
    r = scripted([(500, b"oops", {})] * 3)
    with stamina.set_testing(True, attempts=3), pytest.raises(RemoteUnavailable, match="500"):
        r.get_ticket("7")


def test_429_retry_after_is_honoured():
    good = {"data": {"id": "7", "attributes": item("7"), "@etag": '"abc"'}}
    r = scripted([(429, {"error": {"status": 429}}, {"Retry-After": "0.4"}), (200, good, {})])
    start = time.monotonic()
    assert r.get_ticket("7").remote_id == "7"
    assert 0.35 <= time.monotonic() - start < 5


def test_add_message_rereads_once_on_stale_write():
    seen: list = []
    ticket = {"data": {"id": "7", "attributes": item("7"), "@etag": '"v1"'}}
    ticket2 = {"data": {"id": "7", "attributes": item("7"), "@etag": '"v2"'}}
    r = scripted(
        [
            (201, {"data": {"id": "42"}}, {}),
            (200, ticket, {}),
            (412, {"error": {}}, {}),
            (200, ticket2, {}),
            (200, {"data": {}}, {}),
        ],
        seen,
    )
    assert r.add_message("7", "hello", public=True) == "42"
    post, _, patch1, _, patch2 = seen
    assert json.loads(post.content) == {"content": "hello", "author": "admin"}
    assert (patch1.headers["If-Match"], patch2.headers["If-Match"]) == ('"v1"', '"v2"')
    assert json.loads(patch2.content) == {"@op": "add", "messages": ["42"]}
    for request in (post, patch2):
        assert request.headers["Origin"] == "http://tracker.test:8080"
        assert request.headers["X-Requested-With"]
        assert request.headers["Authorization"].startswith("Basic ")
    assert str(seen[0].url) == URL + "/rest/data/msg"


def test_bad_envelope_is_a_bad_item_not_an_exception():
    r = scripted([(200, {"error": "what"}, {})])
    (page,) = list(r.changed_since(None, max_pages=1))
    assert page.tickets == [] and page.bad and "page 1" in page.bad[0].where
