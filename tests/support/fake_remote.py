"""An in-memory remote helpdesk for the engine's tests: RT-like values, ETags, and a switch that
makes the next write "crash" right after the remote stored it (as kill -9 would)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from models.store.tables import utcnow
from sync.remotes.base import Page, RemoteError, RemoteMessage, RemoteTicket, RemoteUnavailable, StaleWrite


class Crash(BaseException):
    """Raised after a remote write succeeded: the engine never sees the answer (BaseException, like
    a kill, so no ``except Exception`` in the engine catches it)."""


class FakeRemote:
    kind = "rt"
    has_notes = True

    def __init__(self, name: str = "fake", user: str = "sportello"):
        self.name, self.user = name, user
        self.tickets: dict[str, RemoteTicket] = {}
        self.thread_of: dict[str, list[RemoteMessage]] = {}
        self.clock = utcnow().replace(microsecond=0)
        self.seq = 0
        self.crash_after_write = False
        self.down = False
        self.writes = 0
        self.bulk_reads = 0

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def _id(self) -> str:
        self.seq += 1
        return str(self.seq)

    def _wrote(self) -> None:
        self.writes += 1
        if self.crash_after_write:
            self.crash_after_write = False
            raise Crash()

    def _check(self) -> None:
        if self.down:
            raise RemoteUnavailable("GET /tickets: ConnectError after retries")

    # --- what "someone in the remote" does ---
    def remote_create(self, subject: str, body: str, *, requestor="ann@example.com", status="new",
                      priority="50", author="ann@example.com") -> str:  # fmt: skip
        key, at = self._id(), self.tick()
        self.tickets[key] = RemoteTicket(key, subject, status, priority, requestor, at, at, etag=self._id(),
                                         updated_by=author)  # fmt: skip
        self.thread_of[key] = [RemoteMessage(self._id(), key, True, body, author, at)]
        return key

    def remote_set(self, key: str, *, by: str = "carla", **fields) -> None:
        at = self.tick()
        self.tickets[key] = replace(self.tickets[key], **fields, updated=at, etag=self._id(), updated_by=by)

    def remote_say(self, key: str, body: str, *, public=True, author="carla") -> None:
        at = self.tick()
        self.thread_of[key].append(RemoteMessage(self._id(), key, public, body, author, at))
        self.tickets[key] = replace(self.tickets[key], updated=at, etag=self._id(), updated_by=author)

    # --- the Remote protocol ---
    def check_cursor(self, cursor: str) -> str:
        try:
            datetime.strptime(cursor, "%Y-%m-%d %H:%M:%S")
        except (TypeError, ValueError):
            raise RemoteError(f"bad cursor {cursor!r}") from None
        return cursor

    def changed_since(self, cursor, *, max_pages):
        self._check()
        since = datetime.strptime(cursor, "%Y-%m-%d %H:%M:%S") if cursor else None
        rows = sorted((t for t in self.tickets.values() if since is None or t.updated >= since),
                      key=lambda t: (t.updated, int(t.remote_id)))  # fmt: skip
        pages = [rows[i : i + 2] for i in range(0, len(rows), 2)] or [[]]
        for number, chunk in enumerate(pages, 1):
            if number > max_pages:
                return
            newest = chunk[-1].updated.strftime("%Y-%m-%d %H:%M:%S") if chunk else cursor
            yield Page(
                tickets=list(chunk),
                next_cursor=newest,
                more=number == max_pages and number < len(pages),
                total=len(rows),
            )

    def get_ticket(self, remote_id):
        self._check()
        return self.tickets[remote_id]

    def messages(self, remote_id):
        self._check()
        return list(self.thread_of[remote_id]), []

    def messages_of(self, tickets):
        self._check()
        self.bulk_reads += 1
        return {t.remote_id: list(self.thread_of[t.remote_id]) for t in tickets}, []

    def create_ticket(self, *, subject, body, requestor, status, priority):
        self._check()
        key = self.remote_create(subject, body, requestor=requestor, status=status, priority=priority, author=self.user)
        self._wrote()
        return key

    def update_ticket(self, remote_id, changes, *, etag):
        self._check()
        current = self.tickets[remote_id]
        if etag is not None and etag != current.etag:
            raise StaleWrite("412")
        self.remote_set(remote_id, by=self.user, **changes)
        self._wrote()

    def add_message(self, remote_id, body, *, public):
        self._check()
        self.remote_say(remote_id, body, public=public, author=self.user)
        self._wrote()
        return self.thread_of[remote_id][-1].remote_id

    def find_ticket(self, *, subject, since):
        for t in self.tickets.values():
            if t.subject == subject and t.created >= since:
                first = self.thread_of[t.remote_id][0]
                if first.author == self.user:
                    return t.remote_id
        return None

    def close(self):
        pass
