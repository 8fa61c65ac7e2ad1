"""Marking the changes that arrive from a remote helpdesk.

Inside ``synced_from("rt", "alice")`` every event the service functions write is stamped with
``origin="rt"`` and ``origin_actor="alice"``: the timeline says who made the change and where.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from models.store.tables import TicketEvent

__all__ = ["synced_from", "stamp", "current"]

_origin: ContextVar[tuple[str, str] | None] = ContextVar("sportello_origin", default=None)


@contextmanager
def synced_from(remote: str, actor: str) -> Iterator[None]:
    token = _origin.set((remote, actor))
    try:
        yield
    finally:
        _origin.reset(token)


def current() -> tuple[str, str] | None:
    """(remote, actor) while applying a remote change, else None."""
    return _origin.get()


def stamp(event: TicketEvent) -> TicketEvent:
    mark = _origin.get()
    if mark is not None:
        event.origin, event.origin_actor = mark
    return event
