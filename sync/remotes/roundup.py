"""The Roundup 2.6 adapter: issues and their ``msg`` items over Roundup's REST API.

Roundup has no internal notes and no change feed: changes are polled by ``activity``
(``activity=YYYY-MM-DD.HH:MM:SS;``, inclusive, to the second; any other date form is silently
ignored by the server, hence ``check_cursor``). Writes need ``X-Requested-With`` and an
``Origin`` equal to the tracker's own; PUT/PATCH need ``If-Match``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from sync.remotes.base import (
    BadItem,
    HttpRemote,
    Page,
    RemoteError,
    RemoteMessage,
    RemoteRefused,
    RemoteTicket,
    StaleWrite,
    chunks,
    message_order,
    problem_of,
    server_time,
)
from sync.remotes.transport import Transport

__all__ = ["RoundupRemote", "parse_date", "format_date"]

_DATE_FORMAT = "%Y-%m-%d.%H:%M:%S"
_DATE = re.compile(r"(\d{4}-\d\d-\d\d\.\d\d:\d\d:\d\d)(\.\d+)?\Z")
_TICKET_FIELDS = "title,status,priority,creation,activity,creator,actor"
_FEED_FIELDS = _TICKET_FIELDS + ",messages"  # the feed lists each issue's msgs: their bodies come in bulk
_MSG_FIELDS = "@fields=content,author,creation&@verbose=3"
_CHANGES = {"subject": "title", "status": "status", "priority": "priority"}


def parse_date(value: object) -> datetime:
    """A Roundup date (``2026-11-22.23:21:09``, maybe with fractional seconds) as naive UTC."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a Roundup date: {str(value)[:40]!r}")
    return datetime.strptime(match.group(1), _DATE_FORMAT)


def format_date(value: datetime) -> str:
    """A naive UTC datetime as Roundup's date filter wants it."""
    return value.strftime(_DATE_FORMAT)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}:{parts.port}" if parts.port else f"{parts.scheme}://{host}"


def _name(link: object, key: str) -> str:
    """The name ``@verbose=2`` adds to a link; "" for an unset link."""
    if link is None:
        return ""
    if isinstance(link, dict) and isinstance(link.get(key), str):
        return link[key]
    raise ValueError(f"unexpected link {link!r:.80}")


class RoundupRemote(HttpRemote):
    """One Roundup tracker; ``url`` is the tracker's URL (e.g. http://host:8080/demo)."""

    kind = "roundup"
    has_notes = False
    page_size = 100

    def __init__(
        self,
        *,
        name: str,
        url: str,
        user: str,
        secret: str,
        http: httpx.BaseTransport | None = None,
        min_interval: float = 0.0,
        timeout: float = 10.0,
    ):
        self.name, self.url, self.user = name, url.rstrip("/"), user
        self._transport = Transport(
            self.url + "/rest",
            auth=(user, secret),
            headers={"X-Requested-With": "sportello", "Origin": _origin(self.url), "Accept": "application/json"},
            min_interval=min_interval,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=http,
        )
        self._ids: dict[str, dict[str, str]] = {}  # class → name → id
        self._user_ids: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"RoundupRemote(name={self.name!r}, url={self.url!r}, user={self.user!r})"

    # --- reading ---------------------------------------------------------------------------

    def check_cursor(self, cursor: str) -> str:
        """The cursor if it is exactly ``YYYY-MM-DD.HH:MM:SS`` and a real date."""
        try:
            if isinstance(cursor, str) and len(cursor) == 19 and format_date(parse_date(cursor)) == cursor:
                return cursor
        except (ValueError, IndexError):
            pass
        raise RemoteError(f"{self.name}: a Roundup cursor looks like 2026-11-22.23:21:09, not {str(cursor)[:40]!r}")

    def changed_since(self, cursor: str | None, *, max_pages: int) -> Iterator[Page]:
        """Issues whose activity is at or after ``cursor``, oldest first, ``page_size`` a page."""
        if cursor is not None:
            self.check_cursor(cursor)
        newest = cursor
        for index in range(1, max_pages + 1):
            query = (
                f"@fields={_FEED_FIELDS}&@verbose=2&@sort=activity,id&@page_size={self.page_size}&@page_index={index}"
            )
            if cursor is not None:
                query = f"activity={cursor};&{query}"
            response = self._get(f"/data/issue?{query}")
            page = Page(server_time=server_time(response), total=_count_total(response))
            items = _collection(response.data)
            if items is None:
                page.bad.append(BadItem(f"page {index} of the change feed", "no item collection in the answer"))
                page.next_cursor = newest
                yield page
                return
            for item in items:
                ticket = self._read_ticket(item, item.get("id") if isinstance(item, dict) else None, None, page.bad)
                if ticket is not None:
                    page.tickets.append(ticket)
                    stamp = format_date(ticket.updated)
                    newest = stamp if newest is None or stamp > newest else newest
            page.next_cursor = newest
            last = len(items) < self.page_size or not _has_more(response, index, self.page_size)
            if not last and index == max_pages:
                page.more = True
            yield page
            if last:
                return

    def get_ticket(self, remote_id: str) -> RemoteTicket:
        """One issue, with its ``@etag``."""
        response = self._get(f"/data/issue/{remote_id}?@fields={_TICKET_FIELDS}&@verbose=2")
        data = response.data.get("data") if isinstance(response.data, dict) else None
        bad: list[BadItem] = []
        item = None
        if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
            item = {**data["attributes"], "id": data.get("id")}
        ticket = self._read_ticket(item, remote_id, data.get("@etag") if isinstance(data, dict) else None, bad)
        if ticket is None:
            problem = bad[0].problem if bad else "no data"
            raise RemoteError(f"{self.name}: issue {remote_id} could not be read ({problem})")
        return ticket

    def messages(self, remote_id: str) -> tuple[list[RemoteMessage], list[BadItem]]:
        """The issue's msgs, oldest first (``created`` is the msg's ``creation``: ``date`` is null over REST)."""
        bad: list[BadItem] = []
        found, bad = self._messages_by_issue(self._message_lists([str(remote_id)], bad), bad)
        return found.get(str(remote_id), []), bad

    def messages_of(self, tickets: list[RemoteTicket]) -> tuple[dict[str, list[RemoteMessage]], list[BadItem]]:
        """The msgs of many issues: their ids from the feed, their bodies 100 at a time."""
        bad: list[BadItem] = []
        ids_of = {t.remote_id: list(t.message_ids) for t in tickets if t.message_ids is not None}
        ids_of.update(self._message_lists([t.remote_id for t in tickets if t.message_ids is None], bad))
        return self._messages_by_issue(ids_of, bad)

    def _message_lists(self, issue_ids: list[str], bad: list[BadItem]) -> dict[str, list[str]]:
        """Issue id → its msg ids, read 100 issues a request."""
        lists: dict[str, list[str]] = {}
        for chunk in chunks(issue_ids, self.page_size):
            params = [("id", i) for i in chunk] + [("@fields", "messages"), ("@page_size", str(self.page_size))]
            for item in _collection(self._get("/data/issue", params=params).data) or []:
                try:
                    if str(item["id"]) in chunk:
                        lists[str(item["id"])] = [str(link["id"]) for link in item["messages"]]
                except (KeyError, TypeError):
                    continue
            bad.extend(BadItem(f"ticket {i}", "its message list could not be read") for i in chunk if i not in lists)
        return lists

    def _messages_by_issue(
        self, ids_of: dict[str, list[str]], bad: list[BadItem]
    ) -> tuple[dict[str, list[RemoteMessage]], list[BadItem]]:
        """Read the msgs of ``ids_of`` (issue id → msg ids) 100 a request; issue id → msgs, oldest first."""
        issues_of: dict[str, list[str]] = {}
        for issue_id, msg_ids in ids_of.items():
            for msg_id in msg_ids:
                issues_of.setdefault(msg_id, []).append(issue_id)
        found: dict[str, list[RemoteMessage]] = {issue_id: [] for issue_id in ids_of}
        for chunk in chunks(list(issues_of), self.page_size):
            query = "&".join(f"id={i}" for i in chunk if i.isdigit())
            items = (
                _collection(self._get(f"/data/msg?{query}&{_MSG_FIELDS}&@page_size={self.page_size}").data)
                if query
                else []
            )
            read: set[str] = set()
            for item in items or []:
                msg_id = str(item.get("id")) if isinstance(item, dict) else "?"
                if msg_id not in issues_of or msg_id in read:
                    continue  # not asked for: a server that ignored the id filter
                read.add(msg_id)
                try:
                    if not isinstance(item["content"], str):
                        raise ValueError("content is not text")
                    author, created = _name(item["author"], "username"), parse_date(item["creation"])
                except (KeyError, TypeError, ValueError, IndexError) as exc:
                    bad.extend(BadItem(f"message {msg_id} of ticket {i}", problem_of(exc)) for i in issues_of[msg_id])
                    continue
                for issue_id in issues_of[msg_id]:
                    found[issue_id].append(
                        RemoteMessage(
                            remote_id=msg_id,
                            ticket_id=issue_id,
                            public=True,
                            body=item["content"],
                            author=author,
                            created=created,
                        )
                    )
            for msg_id in chunk:
                if msg_id not in read:
                    bad.extend(
                        BadItem(f"message {msg_id} of ticket {i}", "could not be read") for i in issues_of[msg_id]
                    )
        for messages in found.values():
            messages.sort(key=message_order)
        return found, bad

    def find_ticket(self, *, subject: str, since: datetime) -> str | None:
        """The newest issue this user created at or after ``since`` titled exactly ``subject``."""
        base = {
            "creator": self.user,
            "creation": f"{format_date(since)};",
            "@fields": "title",
            "@sort": "-creation,-id",
            "@page_size": str(self.page_size),
        }
        for index in range(1, 11):
            response = self._get("/data/issue", params={**base, "@page_index": str(index)})
            items = _collection(response.data) or []
            for item in items:
                if isinstance(item, dict) and item.get("title") == subject and item.get("id"):
                    return str(item["id"])
            if len(items) < self.page_size:
                break
        return None

    # --- writing ---------------------------------------------------------------------------

    def create_ticket(self, *, subject: str, body: str, requestor: str | None, status: str, priority: str) -> str:
        """A msg by ``requestor`` (when a tracker user, else by this user), then the issue holding it."""
        status_id, priority_id = self._id("status", status), self._id("priority", priority)
        author = requestor if requestor and self._user_id(requestor) else self.user
        msg_id = self._created(self._post("/data/msg", {"content": body, "author": author}), "msg")
        issue = {"title": subject, "status": status_id, "priority": priority_id, "messages": [msg_id]}
        return self._created(self._post("/data/issue", issue), "issue")

    def update_ticket(self, remote_id: str, changes: dict[str, str], *, etag: str | None) -> None:
        """PUT ``subject``/``status``/``priority``; ``StaleWrite`` when ``etag`` is stale."""
        unknown = set(changes) - set(_CHANGES)
        if unknown:
            raise RemoteError(f"{self.name}: Roundup issues cannot change {', '.join(sorted(unknown))}")
        if not changes:
            return
        body = {_CHANGES[key]: self._id(key, value) if key != "subject" else value for key, value in changes.items()}
        if etag is None:
            etag = self.get_ticket(remote_id).etag
        self._transport.request("PUT", f"/data/issue/{remote_id}", json_body=body, headers={"If-Match": etag or ""})

    def add_message(self, remote_id: str, body: str, *, public: bool) -> str:
        """A msg by this user linked to the issue; one retry when the issue changed in between."""
        if not public:
            raise RemoteError(f"{self.name}: Roundup has no internal notes")
        msg_id = self._created(self._post("/data/msg", {"content": body, "author": self.user}), "msg")
        for attempt in (1, 2):
            etag = self.get_ticket(remote_id).etag or ""
            try:
                self._transport.request(
                    "PATCH",
                    f"/data/issue/{remote_id}",
                    headers={"If-Match": etag},
                    json_body={"@op": "add", "messages": [msg_id]},
                )
                return msg_id
            except StaleWrite:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # --- helpers ---------------------------------------------------------------------------

    def _get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._transport.request("GET", path, **kwargs)

    def _post(self, path: str, body: dict) -> httpx.Response:
        return self._transport.request("POST", path, json_body=body)

    def _created(self, response: httpx.Response, what: str) -> str:
        try:
            return str(response.data["data"]["id"])
        except (KeyError, TypeError):
            raise RemoteError(f"{self.name}: creating a {what} returned no id") from None

    def _id(self, klass: str, name: str) -> str:
        """The id of a status or priority name; the names are read once."""
        if klass not in self._ids:
            items = _collection(self._get(f"/data/{klass}?@fields=name&@page_size=1000").data) or []
            self._ids[klass] = {i["name"]: str(i["id"]) for i in items if isinstance(i, dict) and "name" in i}
        try:
            return self._ids[klass][name]
        except KeyError:
            known = ", ".join(self._ids[klass])
            raise RemoteRefused(f"{self.name}: no {klass} named {name!r} (known: {known})") from None

    def _user_id(self, username: str) -> str | None:
        if username not in self._user_ids:
            try:
                data = self._get(f"/data/user/{quote(username, safe='')}?@fields=username").data
                self._user_ids[username] = str(data["data"]["id"])
            except (RemoteRefused, KeyError, TypeError):
                self._user_ids[username] = None
        return self._user_ids[username]

    def _read_ticket(self, item: Any, where_id: Any, etag: str | None, bad: list[BadItem]) -> RemoteTicket | None:
        where = f"ticket {where_id}" if where_id else "a ticket of the change feed"
        try:
            if not isinstance(item, dict) or not item.get("id") or not isinstance(item.get("title"), str):
                raise ValueError("no id or title")
            creator = item.get("creator")
            requestor = None
            if isinstance(creator, dict):
                requestor = creator.get("username") or creator.get("address")
            links = item.get("messages")
            message_ids = tuple(str(link["id"]) for link in links) if isinstance(links, list) else None
            return RemoteTicket(
                remote_id=str(item["id"]),
                subject=item["title"],
                message_ids=message_ids,
                status=_name(item.get("status"), "name"),
                priority=_name(item.get("priority"), "name"),
                requestor=requestor,
                created=parse_date(item.get("creation")),
                updated=parse_date(item.get("activity")),
                etag=etag if isinstance(etag, str) else None,
                updated_by=_name(item.get("actor"), "username") if item.get("actor") else None,
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            bad.append(BadItem(where, problem_of(exc)))
            return None


def _collection(data: Any) -> list | None:
    try:
        items = data["data"]["collection"]
    except (KeyError, TypeError):
        return None
    return items if isinstance(items, list) else None


def _count_total(response: httpx.Response) -> int | None:
    total = response.headers.get("X-Count-Total", "")
    return int(total) if total.isdigit() else None


def _has_more(response: httpx.Response, index: int, size: int) -> bool:
    total = response.headers.get("X-Count-Total")
    return not (total and total.isdigit()) or int(total) > index * size
