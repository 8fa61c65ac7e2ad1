"""What every mail source gives :mod:`sync.mail.fetch`: messages as bytes, each with its ``ack``.

A source is a context manager (entering connects or opens, leaving closes) with a ``name`` that
is recorded on the messages it gives (no user, no secret) and ``messages()``, an iterator of
:class:`Incoming`. The fetcher calls ``ack(message_id)`` only after the desk committed the message
(``message_id`` is the desk's ``MailMessage`` row): only then may the source move or flag it. A
source may do the work of several acks at once, later (the IMAP source moves a batch in one
command), but never before they are called; what was not acknowledged is read again next time,
and the desk recognises the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Incoming", "Source", "no_ack"]


@dataclass(frozen=True)
class Incoming:
    key: str  # where the message is at its source (IMAP "UIDVALIDITY:UID", a Maildir file's unique name, ...)
    data: bytes  # the raw message, as the source holds it
    ack: Callable[[int], None]  # called with the desk's MailMessage id once the message is committed


def no_ack(message_id: int) -> None:
    """The ack of a source that leaves its messages where they are (an mbox import)."""


class Source(Protocol):
    name: str  # recorded on each message: where it was read
    queue: str | None  # the queue its new tickets go to, unless the message's address names one

    def __enter__(self) -> Source: ...

    def __exit__(self, *exc: object) -> None: ...

    def messages(self) -> Iterator[Incoming]: ...
