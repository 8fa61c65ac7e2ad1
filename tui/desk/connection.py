"""The open desk and the agent using it: :class:`DeskConnection`, what every part of the Desk builds on.

Every Desk method runs in a worker thread, never on the UI thread; :meth:`DeskConnection._call`
connects that thread (Peewee connections are per thread) and turns storage failures into
``SportelloError`` naming where the desk lives.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Self

from models.directory import agents
from models.store.config import describe_location
from models.store.db import database, open_database, storage_errors
from models.store.tables import Agent, utcnow

__all__ = ["DeskConnection", "user_at_host"]


def user_at_host() -> str:
    """``login@host`` of the person running the app (the header shows it)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()}"


class DeskConnection:
    """The open desk and the agent using it."""

    def __init__(self, url: str, me: Agent, *, where: str | None = None, user_host: str | None = None) -> None:
        self.url = url
        self.me = me
        self.where = where if where is not None else describe_location(url)
        self.user_host = user_host if user_host is not None else user_at_host()
        self._sweeper = None  # models.tickets.alerts.Sweeper, made with the first sweep

    @classmethod
    def open(cls, url: str, *, as_login: str | None = None) -> Self:
        """Open the desk at ``url`` (it must exist) as the OS login, or ``as_login`` for an admin."""
        open_database(url)
        with storage_errors(describe_location(url)):
            me = agents.acting_agent(as_login)
        return cls(url, me)

    def _connected(self) -> None:
        database.connect(reuse_if_open=True)

    def _call(self, fn: Callable, *args, **kwargs):
        self._connected()
        with storage_errors(self.where):
            return fn(*args, **kwargs)

    def now(self) -> datetime:
        return utcnow()
