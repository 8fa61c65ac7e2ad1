"""What the sync engine knows of a remote helpdesk: plain records and one small interface.

An adapter (``sync.remotes.rt``, ``sync.remotes.roundup``) turns its server's JSON into these records and back.
Anything it cannot read becomes a ``BadItem`` for the run's report, never an exception that
stops the run. Dates are naive UTC datetimes, like every date in ``models``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

__all__ = [
    "RemoteTicket",
    "RemoteMessage",
    "BadItem",
    "Page",
    "Remote",
    "RemoteError",
    "RemoteUnavailable",
    "StaleWrite",
    "RemoteRefused",
    "HttpRemote",
    "problem_of",
    "chunks",
    "message_order",
    "agreed_fields",
    "server_time",
]


class RemoteError(Exception):
    """Base of every error a remote adapter raises. Its text is safe to show: no secret, no body.

    The adapters know nothing of the desk; what escapes a sync reaches the user as
    :class:`sync.errors.SyncError`, a ``SportelloError``."""


class RemoteUnavailable(RemoteError):
    """The remote did not answer usefully after the retries (connection, timeout, 5xx, 429)."""


class RemoteRefused(RemoteError):
    """The remote answered 4xx to a well-formed request (auth, permission, validation)."""


class StaleWrite(RemoteError):
    """An optimistic write was refused (412): the item changed remotely since it was read."""


@dataclass(frozen=True)
class RemoteTicket:
    """A remote ticket as the engine compares it: remote names for status and priority."""

    remote_id: str
    subject: str
    status: str
    priority: str
    requestor: str | None  # an e-mail address (RT) or a user name (Roundup)
    created: datetime
    updated: datetime
    etag: str | None = None
    deleted: bool = False
    updated_by: str | None = None  # who made the latest change there, when the remote says
    message_ids: tuple[str, ...] | None = None  # its messages, when the change feed lists them (Roundup)


@dataclass(frozen=True)
class RemoteMessage:
    """A message on a remote ticket: ``public`` replies (RT correspond, Roundup msg), or notes (RT comment)."""

    remote_id: str
    ticket_id: str
    public: bool
    body: str
    author: str
    created: datetime


@dataclass(frozen=True)
class BadItem:
    """Something the remote sent that could not be read: skipped, reported, the run goes on."""

    where: str  # e.g. "ticket 12" or "page 3 of the change feed"
    problem: str


@dataclass
class Page:
    """One page of remote tickets changed since a cursor, and the cursor to continue from."""

    tickets: list[RemoteTicket] = field(default_factory=list)
    bad: list[BadItem] = field(default_factory=list)
    next_cursor: str | None = None  # None: nothing more for now
    more: bool = False
    server_time: datetime | None = None  # the remote's clock when it answered (its Date header)
    total: int | None = None  # tickets in the whole feed, when the remote says (for a progress bar)


class Remote(Protocol):
    """The operations the engine needs; each adapter implements them over its REST API."""

    name: str
    kind: str  # "rt" or "roundup"
    has_notes: bool  # can it store internal notes?

    def check_cursor(self, cursor: str) -> str:
        """The cursor if its format is one this server honours; raise ``RemoteError`` otherwise."""

    def changed_since(self, cursor: str | None, *, max_pages: int) -> Iterator[Page]:
        """Tickets changed at or after ``cursor`` (all tickets when None), oldest change first."""

    def get_ticket(self, remote_id: str) -> RemoteTicket: ...

    def messages(self, remote_id: str) -> tuple[list[RemoteMessage], list[BadItem]]:
        """One ticket's messages, oldest first."""

    def messages_of(self, tickets: list[RemoteTicket]) -> tuple[dict[str, list[RemoteMessage]], list[BadItem]]:
        """The messages of many tickets (by remote id, oldest first), in as few requests as the remote allows."""

    def create_ticket(self, *, subject: str, body: str, requestor: str | None, status: str, priority: str) -> str:
        """Create a ticket with its first message; return its remote id."""

    def update_ticket(self, remote_id: str, changes: dict[str, str], *, etag: str | None) -> None:
        """Set ``subject``/``status``/``priority`` (remote values); ``StaleWrite`` when ``etag`` is stale."""

    def add_message(self, remote_id: str, body: str, *, public: bool) -> str:
        """Add a reply (public) or note; return the remote message id."""

    def find_ticket(self, *, subject: str, since: datetime) -> str | None:
        """A ticket this user created at or after ``since`` with this subject (to adopt after a crash)."""

    def close(self) -> None: ...


def agreed_fields(ticket: RemoteTicket) -> dict[str, str]:
    """The fields both sides keep in step (a link's ``base``), as the remote has them now."""
    return {"status": ticket.status, "priority": ticket.priority}


def message_order(message: RemoteMessage) -> tuple:
    """Sort key of a remote ticket's messages, oldest first: by date, then by id as a number (a
    remote's ids grow; "10" comes after "9")."""
    key = message.remote_id
    return (message.created, int(key) if key.isdigit() else 0, key)


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size`` (ids for one bulk request each)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def problem_of(exc: Exception) -> str:
    """What was wrong with an item, in a few words, for a ``BadItem``."""
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc)[:120] or type(exc).__name__


class HttpRemote:
    """What the adapters share: their ``Transport`` (set by the adapter) and its request count."""

    _transport: Any

    @property
    def requests(self) -> int:
        """Requests sent so far, retries included."""
        return self._transport.requests

    def close(self) -> None:
        self._transport.close()


def server_time(response) -> datetime | None:
    """The remote's own clock from an answer's ``Date`` header, as naive UTC (None when absent)."""
    from email.utils import parsedate_to_datetime

    try:
        stamp = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    return stamp.astimezone(UTC).replace(tzinfo=None) if stamp.tzinfo else stamp
