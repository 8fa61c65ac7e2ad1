"""Keeping raw mail: stored by the SHA-256 of its bytes before anything reads it.

:func:`keep_raw` commits the bytes on their own, so that whatever happens while the message is
parsed and threaded (a bug, a crash, kill -9), the message is on the desk and the next run picks it
up from the ``stored`` state. The same bytes a second time are the same row.
"""

from __future__ import annotations

import hashlib

import peewee as pw

from models.mail.tables import InState, MailMessage
from models.store.db import write_transaction
from models.store.tables import utcnow

__all__ = ["keep_raw", "keep_raw_many", "sha256_of", "raw_of"]


def sha256_of(data: bytes) -> str:
    """The content address: of the bytes with CRLF line ends read as LF, since the same message comes
    with CRLF over IMAP and with LF from a Maildir file or a pipe."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def keep_raw(data: bytes, *, source: str) -> tuple[MailMessage, bool]:
    """(the row holding these bytes, True when they were new here). Commits before returning."""
    digest = sha256_of(data)
    existing = MailMessage.get_or_none(MailMessage.sha256 == digest)
    if existing is not None:
        return existing, False
    try:
        with write_transaction():
            row = MailMessage.create(
                sha256=digest, raw=data, size=len(data), direction="in", state=InState.STORED,
                source=source[:300], received_at=utcnow(),
            )  # fmt: skip
        return row, True
    except pw.IntegrityError:  # the same bytes stored by another process a moment ago
        return MailMessage.get(MailMessage.sha256 == digest), False


def keep_raw_many(items: list[tuple[bytes, str]]) -> list[tuple[int, str, bool]]:
    """Store a batch of (bytes, source) in one transaction: (row id, state, new) for each, in order.

    A fetch acks a whole batch at its source once this returns: from then on the messages are the
    desk's, whatever happens while they are processed (``models.mail.ingest.process_waiting``)."""
    try:
        return _keep_batch(items)
    except pw.IntegrityError:  # another process stored one of them a moment ago (PostgreSQL): once more
        return _keep_batch(items)


def _keep_batch(items: list[tuple[bytes, str]]) -> list[tuple[int, str, bool]]:
    digests = [sha256_of(data) for data, _ in items]
    with write_transaction():
        known = {}
        for start in range(0, len(digests), 500):
            chunk = digests[start : start + 500]
            query = MailMessage.select(MailMessage.sha256, MailMessage.id, MailMessage.state)
            known.update(
                {sha: (row_id, state) for sha, row_id, state in query.where(MailMessage.sha256.in_(chunk)).tuples()}
            )
        result = []
        now = utcnow()
        for (data, source), digest in zip(items, digests):
            if digest in known:
                result.append((*known[digest], False))
                continue
            row_id = MailMessage.insert(
                sha256=digest, raw=data, size=len(data), direction="in", state=InState.STORED,
                source=source[:300], received_at=now,
            ).execute()  # fmt: skip
            known[digest] = (row_id, InState.STORED)
            result.append((row_id, InState.STORED, True))
    return result


def raw_of(message_id: int) -> bytes:
    data = MailMessage.select(MailMessage.raw).where(MailMessage.id == message_id).scalar()
    return bytes(data) if data is not None else b""
