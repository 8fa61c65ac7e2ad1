"""The Request Tracker 5 adapter: tickets of one queue and their transactions over REST2.

RT facts this relies on (seen on 5.0.3): a ticket search takes ``fields=…`` (and
``fields[Requestor]=EmailAddress``), so one request reads 100 tickets; ``LastUpdated > 'DATE'``
is strict, to the second, in the user's timezone (UTC), and a malformed date is silently ignored
(the search then returns everything, hence ``check_cursor``). The ETag of a ticket is the id of
its newest transaction; ``If-Match`` on PUT answers 412 when stale. A PUT answers 200 with a list
of messages even when a value was refused ("Status 'x' isn't a valid status…"): those are read.
Messages are read for many tickets at once: a JSON search of ``/transactions`` (``ObjectId IN``
the tickets, Create/Correspond/Comment) gives types and authors, one of ``/attachments``
(``TransactionId IN`` those) the plain-text bodies: two requests per 100 tickets, not per ticket.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from sync.remotes.base import (
    BadItem,
    HttpRemote,
    Page,
    RemoteError,
    RemoteMessage,
    RemoteRefused,
    RemoteTicket,
    chunks,
    message_order,
    problem_of,
    server_time,
)
from sync.remotes.transport import Transport

__all__ = ["RTRemote", "parse_date", "format_cursor"]

_CURSOR_FORMAT = "%Y-%m-%d %H:%M:%S"
_CURSOR = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\Z")
_TICKET_FIELDS = "Subject,Status,Priority,Requestor,Created,LastUpdated,LastUpdatedBy"
_CHANGES = {"subject": "Subject", "status": "Status", "priority": "Priority"}
_MESSAGE_TYPES = {"Create": True, "Correspond": True, "Comment": False}  # type → public
_TRANSACTION_ID = re.compile(r"/transaction/(\d+)/?\Z")
_TICKET_ID = re.compile(r"/ticket/(\d+)/?\Z")
#: What RT says in a PUT's answer when a value was set (or already was).
_ACCEPTED = re.compile(r"changed from|changed to|\bset to\b|already the current value", re.IGNORECASE)


def parse_date(value: object) -> datetime:
    """An RT REST2 date (ISO 8601, ``…Z``) as naive UTC."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", value):
        raise ValueError(f"not an RT date: {str(value)[:40]!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def format_cursor(value: datetime) -> str:
    """A naive UTC datetime as a TicketSQL date (``YYYY-MM-DD HH:MM:SS``)."""
    return value.strftime(_CURSOR_FORMAT)


def _quote(value: str) -> str:
    """A TicketSQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _name(link: object) -> str:
    """The id (a user or queue name) of a ``{type, id, _url}`` link."""
    if isinstance(link, dict) and isinstance(link.get("id"), (str, int)):
        return str(link["id"])
    raise ValueError(f"unexpected link {link!r:.80}")


def _text(value: object, field: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{field} is not text")
    return value


class RTRemote(HttpRemote):
    """One queue of one RT 5 server; ``url`` is RT's web root (e.g. http://host/rt)."""

    kind = "rt"
    has_notes = True
    page_size = 100  # RT's maximum per_page

    def __init__(
        self, *, name: str, url: str, user: str, secret: str, secret_kind: str = "token", queue: str = "General",
        http: httpx.BaseTransport | None = None, min_interval: float = 0.0, timeout: float = 10.0,
    ):  # fmt: skip
        if secret_kind not in ("token", "password"):
            raise RemoteError(f"{name}: secret_kind must be 'token' or 'password', not {secret_kind!r}")
        self.name, self.url, self.user, self.queue = name, url.rstrip("/"), user, queue
        headers = {"Accept": "application/json"}
        auth: tuple[str, str] | None = None
        if secret_kind == "token":
            headers["Authorization"] = f"token {secret}"
        else:
            auth = (user, secret)
        self._transport = Transport(
            self.url + "/REST/2.0",
            auth=auth,
            headers=headers,
            min_interval=min_interval,
            transport=http,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        )
        self._addresses: dict[str, str] = {}  # user name → e-mail address

    def __repr__(self) -> str:
        return f"RTRemote(name={self.name!r}, url={self.url!r}, user={self.user!r}, queue={self.queue!r})"

    # --- reading ---------------------------------------------------------------------------

    def check_cursor(self, cursor: str) -> str:
        """The cursor if it is exactly ``YYYY-MM-DD HH:MM:SS`` and a real date."""
        if isinstance(cursor, str) and _CURSOR.match(cursor):
            try:
                datetime.strptime(cursor, _CURSOR_FORMAT)
                return cursor
            except ValueError:
                pass
        raise RemoteError(f"{self.name}: an RT cursor looks like 2026-11-22 23:21:09, not {str(cursor)[:40]!r}")

    def changed_since(self, cursor: str | None, *, max_pages: int) -> Iterator[Page]:
        """Tickets of the queue updated after ``cursor`` (all when None), oldest update first.

        ``next_cursor`` is the newest ``LastUpdated`` seen minus one second: RT's ``>`` is strict
        and to the second, so a change in that same second is read again rather than missed.
        """
        where = f"Queue = {_quote(self.queue)} AND "
        where += f"LastUpdated > {_quote(self.check_cursor(cursor))}" if cursor is not None else "id > 0"
        newest: datetime | None = None
        for index in range(1, max_pages + 1):
            params = [
                ("query", where), ("fields", _TICKET_FIELDS), ("fields[Requestor]", "EmailAddress"),
                ("orderby", "LastUpdated"), ("orderby", "id"),
                ("order", "ASC"), ("order", "ASC"), ("per_page", str(self.page_size)), ("page", str(index)),
            ]  # fmt: skip
            response = self._get("/tickets", params=params)
            data = response.data
            page = Page(server_time=server_time(response))
            items = data.get("items") if isinstance(data, dict) else None
            if isinstance(data, dict) and type(data.get("total")) is int:
                page.total = data["total"]
            if not isinstance(items, list):
                page.bad.append(BadItem(f"page {index} of the change feed", "no item list in the answer"))
                page.next_cursor = self._cursor_before(newest, cursor)
                yield page
                return
            for item in items:
                ticket = self._read_ticket(item, None, page.bad)
                if ticket is not None:
                    page.tickets.append(ticket)
                    newest = ticket.updated if newest is None or ticket.updated > newest else newest
            page.next_cursor = self._cursor_before(newest, cursor)
            last = not data.get("next_page") or not items
            if not last and index == max_pages:
                page.more = True
            yield page
            if last:
                return

    def get_ticket(self, remote_id: str) -> RemoteTicket:
        """One ticket, with its ETag (the id of its newest transaction)."""
        response = self._get(f"/ticket/{_ticket_id(remote_id)}")
        bad: list[BadItem] = []
        ticket = self._read_ticket(response.data, response.headers.get("ETag"), bad)
        if ticket is None:
            raise RemoteError(f"{self.name}: ticket {remote_id} could not be read ({bad[0].problem})")
        if ticket.requestor and "@" not in ticket.requestor:
            # GET /ticket/:id names linked users but, unlike a search, ignores fields[Requestor]=EmailAddress.
            ticket = replace(ticket, requestor=self._address(ticket.requestor))
        return ticket

    def messages(self, remote_id: str) -> tuple[list[RemoteMessage], list[BadItem]]:
        """Create/Correspond (public) and Comment (notes) transactions with their plain-text body."""
        tid = _ticket_id(remote_id)
        found, bad = self._messages([tid])
        return found[tid], bad

    def messages_of(self, tickets: list[RemoteTicket]) -> tuple[dict[str, list[RemoteMessage]], list[BadItem]]:
        """The messages of many tickets: one transaction search and one attachment search per 100."""
        return self._messages([_ticket_id(t.remote_id) for t in tickets])

    def _messages(self, tids: list[str]) -> tuple[dict[str, list[RemoteMessage]], list[BadItem]]:
        bad: list[BadItem] = []
        transactions: dict[str, tuple[str, str, str, datetime]] = {}  # id → (ticket, type, author, created)
        for chunk in chunks(tids, self.page_size):
            query = [{"field": "ObjectType", "value": "RT::Ticket"},
                     {"field": "ObjectId", "operator": "IN", "value": [int(t) for t in chunk]},
                     {"field": "Type", "operator": "IN", "value": list(_MESSAGE_TYPES)}]  # fmt: skip
            for item in self._search("/transactions", query, "ObjectId,Type,Creator,Created", bad):
                try:
                    kind, tid = item.get("Type"), _text(item["ObjectId"], "ObjectId")
                    if kind in _MESSAGE_TYPES and tid in chunk:
                        transactions[_text(item["id"], "id")] = (
                            tid,
                            kind,
                            _name(item["Creator"]),
                            parse_date(item["Created"]),
                        )
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    tx = item.get("id") if isinstance(item, dict) else "?"
                    bad.append(BadItem(f"transaction {tx}", problem_of(exc)))
        bodies: dict[str, str] = {}
        for chunk in chunks([tx for tx in transactions if tx.isdigit()], self.page_size):
            query = [{"field": "TransactionId", "operator": "IN", "value": [int(tx) for tx in chunk]}]
            for item in self._search("/attachments", query, "TransactionId,ContentType,Filename,Content", bad):
                try:
                    tx = _text(item["TransactionId"], "TransactionId")
                    content_type = _text(item.get("ContentType") or "", "ContentType").split(";")[0].strip().lower()
                    if tx not in transactions or tx in bodies or content_type != "text/plain" or item.get("Filename"):
                        continue
                    bodies[tx] = _text(item.get("Content") or "", "Content")
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    att = item.get("id") if isinstance(item, dict) else "?"
                    bad.append(BadItem(f"attachment {att}", problem_of(exc)))
        found: dict[str, list[RemoteMessage]] = {tid: [] for tid in tids}
        for tx, (tid, kind, author, created) in transactions.items():
            if tx not in bodies:
                if kind != "Create":  # a ticket may be created without a body
                    bad.append(BadItem(f"transaction {tx} of ticket {tid}", f"a {kind} without a plain-text body"))
                continue
            found[tid].append(RemoteMessage(remote_id=tx, ticket_id=tid, public=_MESSAGE_TYPES[kind], body=bodies[tx],
                                            author=author, created=created))  # fmt: skip
        for messages in found.values():
            messages.sort(key=message_order)
        return found, bad

    def find_ticket(self, *, subject: str, since: datetime) -> str | None:
        """The newest ticket of the queue this user created at or after ``since`` with exactly ``subject``."""
        floor = since.replace(microsecond=0)
        query = (f"Queue = {_quote(self.queue)} AND Creator = {_quote(self.user)} AND "
                 f"Created >= {_quote(format_cursor(floor))} AND Subject = {_quote(subject)}")  # fmt: skip
        params = [("query", query), ("fields", "Subject,Created"), ("orderby", "Created"), ("order", "DESC"),
                  ("per_page", str(self.page_size))]  # fmt: skip
        data = self._get("/tickets", params=params).data
        for item in (data.get("items") if isinstance(data, dict) else None) or []:
            try:
                # TicketSQL's = may ignore case or trailing spaces: only an exact subject counts.
                if item["Subject"] == subject and parse_date(item["Created"]) >= floor:
                    return _text(item["id"], "id")
            except (KeyError, TypeError, ValueError):
                continue
        return None

    # --- writing ---------------------------------------------------------------------------

    def create_ticket(self, *, subject: str, body: str, requestor: str | None, status: str, priority: str) -> str:
        """A ticket in the queue whose Create transaction carries ``body``; its id."""
        ticket: dict[str, Any] = {"Queue": self.queue, "Subject": subject, "Content": body,
                                  "ContentType": "text/plain", "Status": status, "Priority": priority}  # fmt: skip
        if requestor:
            ticket["Requestor"] = requestor
        response = self._transport.request("POST", "/ticket", json_body=ticket)
        data = response.data if isinstance(response.data, dict) else {}
        if isinstance(data.get("id"), (str, int)) and str(data["id"]).isdigit():
            return str(data["id"])
        match = _TICKET_ID.search(response.headers.get("Location", ""))
        if match is None:
            raise RemoteError(f"{self.name}: creating a ticket returned no id")
        return match.group(1)

    def update_ticket(self, remote_id: str, changes: dict[str, str], *, etag: str | None) -> None:
        """PUT ``subject``/``status``/``priority``; ``StaleWrite`` when ``etag`` is stale."""
        unknown = set(changes) - set(_CHANGES)
        if unknown:
            raise RemoteError(f"{self.name}: RT tickets cannot change {', '.join(sorted(unknown))} here")
        if not changes:
            return
        body = {_CHANGES[key]: value for key, value in changes.items()}
        headers = {"If-Match": etag} if etag else {}
        tid = _ticket_id(remote_id)
        response = self._transport.request("PUT", f"/ticket/{tid}", json_body=body, headers=headers)
        results = response.data if isinstance(response.data, list) else []
        refused = [str(r) for r in results if not _ACCEPTED.search(str(r))]
        if refused:
            raise RemoteRefused(f"PUT /ticket/{tid}: refused: {'; '.join(refused)[:200]}")

    def add_message(self, remote_id: str, body: str, *, public: bool) -> str:
        """A correspondence (public) or comment; the id of its transaction."""
        tid = _ticket_id(remote_id)
        action = "correspond" if public else "comment"
        response = self._transport.request("POST", f"/ticket/{tid}/{action}",
                                           json_body={"Content": body, "ContentType": "text/plain"})  # fmt: skip
        match = _TRANSACTION_ID.search(response.headers.get("Location", ""))
        if match is None:
            raise RemoteError(f"{self.name}: the {action} on ticket {tid} returned no transaction id")
        return match.group(1)

    # --- helpers ---------------------------------------------------------------------------

    def _get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._transport.request("GET", path, **kwargs)

    def _address(self, user: str) -> str:
        """A user's e-mail address (or its name when it has none); read once."""
        if user not in self._addresses:
            try:
                data = self._get(f"/user/{quote(user, safe='')}").data
                address = data.get("EmailAddress") if isinstance(data, dict) else None
            except RemoteRefused:  # not allowed to see users: the name will do
                address = None
            self._addresses[user] = address if isinstance(address, str) and address else user
        return self._addresses[user]

    def _search(self, path: str, query: list[dict], fields: str, bad: list[BadItem]) -> Iterator[dict]:
        """Every item a JSON search finds, ``page_size`` a request, in id order."""
        for index in range(1, 10_001):
            params = {
                "fields": fields,
                "orderby": "id",
                "order": "ASC",
                "per_page": str(self.page_size),
                "page": str(index),
            }
            data = self._transport.request("POST", path, params=params, json_body=query, reads_only=True).data
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                bad.append(BadItem(f"{path.strip('/')} search", f"no item list on page {index}"))
                return
            yield from (item for item in items if isinstance(item, dict))
            if not data.get("next_page") or not items:
                return

    @staticmethod
    def _cursor_before(newest: datetime | None, cursor: str | None) -> str | None:
        if newest is None:
            return cursor
        return format_cursor(newest - timedelta(seconds=1))

    def _read_ticket(self, item: Any, etag: str | None, bad: list[BadItem]) -> RemoteTicket | None:
        where_id = item.get("id") if isinstance(item, dict) else None
        where = f"ticket {where_id}" if where_id else "a ticket of the change feed"
        try:
            if not isinstance(item, dict):
                raise ValueError("not an object")
            remote_id = _text(item["id"], "id")
            if not remote_id.isdigit():
                raise ValueError(f"id {remote_id[:20]!r} is not a number")
            requestors = item.get("Requestor") or []
            if not isinstance(requestors, list):
                raise ValueError("Requestor is not a list")
            requestor = None
            if requestors:
                first = requestors[0]
                if not isinstance(first, dict):
                    raise ValueError("unexpected Requestor")
                requestor = first.get("EmailAddress") or _name(first)
            status = _text(item["Status"], "Status")
            updated_by = item.get("LastUpdatedBy")
            return RemoteTicket(
                remote_id=remote_id, subject=_text(item["Subject"], "Subject"), status=status,
                priority=_text(item["Priority"], "Priority"), requestor=requestor,
                created=parse_date(item["Created"]), updated=parse_date(item["LastUpdated"]),
                etag=etag if isinstance(etag, str) and etag else None, deleted=status == "deleted",
                updated_by=_name(updated_by) if updated_by else None,
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            bad.append(BadItem(where, problem_of(exc)))
            return None


def _ticket_id(remote_id: str) -> str:
    """A ticket id safe to put in a path."""
    text = str(remote_id)
    if not text.isdigit():
        raise RemoteError(f"not an RT ticket id: {text[:20]!r}")
    return text
