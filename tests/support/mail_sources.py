"""What the mail source tests share: messages to deliver, and an ingest that only stores.

:class:`StoringIngest` stands in for ``models.mail.ingest.ingest_bytes`` where a test is about the
sources, not about threading: it keeps the raw bytes with ``models.mail.store.keep_raw`` (so the
same bytes are one row, as with the real ingest) and can be told to fail or to "crash" (raise
something that is not a ``SportelloError``) after or before storing the n-th message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from models.errors import StorageError
from models.mail.store import keep_raw
from models.mail.tables import MailMessage

__all__ = ["message", "messages", "StoringIngest", "Crash", "desk_count", "desk_bodies"]


def message(n: int, tag: str = "t", *, size: int = 0) -> bytes:
    """A small, unique, well-formed message (CRLF, as IMAP returns it); ``size`` pads the body."""
    when = datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=n)
    body = f"Hello, this is message {n} of {tag}.\r\n" + ("x" * 70 + "\r\n") * (size // 72)
    return (
        f"From: Customer {n} <customer{n}-{tag}@example.com>\r\n"
        f"To: support@example.com\r\n"
        f"Subject: {tag} message {n}\r\n"
        f"Date: {format_datetime(when)}\r\n"
        f"Message-ID: <{tag}.{n}@example.com>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"\r\n{body}"
    ).encode()


def messages(count: int, tag: str = "t") -> list[bytes]:
    return [message(n, tag) for n in range(count)]


class Crash(Exception):
    """Stands for the process dying: not a SportelloError, so nothing catches it."""


@dataclass
class Outcome:
    message: MailMessage
    new: bool
    state: str
    ticket: int | None = None
    why: str = ""


@dataclass
class StoringIngest:
    """``ingest_bytes`` that only stores. ``crash_after``/``fail_at``: the n-th call (1-based) raises
    ``Crash`` after storing, or ``StorageError`` without storing. ``hook(n, data)`` runs before each."""

    crash_after: int | None = None
    fail_at: int | None = None
    hook: Callable[[int, bytes], None] | None = None
    calls: int = 0
    sources: list[str] = field(default_factory=list)
    queues: list[str | None] = field(default_factory=list)

    def __call__(self, data: bytes, *, source: str, settings, queue: str | None = None) -> Outcome:
        self.calls += 1
        if self.hook is not None:
            self.hook(self.calls, data)
        if self.fail_at == self.calls:
            raise StorageError("the database is locked by another process (waited 10 s); try again")
        row, new = keep_raw(data, source=source)
        self.sources.append(source)
        self.queues.append(queue)
        if self.crash_after == self.calls:
            raise Crash(f"killed after storing message {self.calls}")
        return Outcome(row, new, row.state)


def desk_count() -> int:
    return MailMessage.select().count()


def desk_bodies() -> list[bytes]:
    """The raw bytes of every message on the desk, in id order."""
    return [bytes(m.raw) for m in MailMessage.select().order_by(MailMessage.id)]
