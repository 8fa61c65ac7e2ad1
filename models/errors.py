"""The errors that the service layer raises, one class per way a request can fail.

Every error carries a one-line message meant for the user and an ``exit_code`` that the
command line uses::

    SportelloError              1  anything else that stops a request
    ├── InvalidInput            2  a value the user typed is not acceptable
    │   ├── QueryError          2  a search query that does not parse
    │   └── ParseError          2  an FAQ article file that does not read (models.faq.files)
    ├── NotFound                4  no such ticket, agent, customer, …
    ├── Conflict                3  the ticket changed since the caller saw it
    ├── RuleViolation           1  the request breaks a rule (illegal transition, missing reason)
    │   └── AcrossCustomers     3  a merge of two customers' tickets, not said to be meant
    ├── PermissionDenied        1  the acting agent may not do this
    ├── StorageError            1  the database is missing, locked, corrupt, read-only or too new
    └── SyncError               1  a sync could not go on: the remote unreachable, refusing, or
                                   answering what cannot be read (sync.errors; the adapters raise
                                   their own RemoteError, turned into this one where it escapes)
"""

from __future__ import annotations

__all__ = [
    "SportelloError",
    "InvalidInput",
    "QueryError",
    "NotFound",
    "Conflict",
    "RuleViolation",
    "AcrossCustomers",
    "PermissionDenied",
    "StorageError",
]


class SportelloError(Exception):
    """Base of every error Sportello reports to a user."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(SportelloError):
    """A value given by the user is not acceptable (bad status, empty subject, …)."""

    exit_code = 2


class QueryError(InvalidInput):
    """A search query that does not parse; the message says where and why."""


class NotFound(SportelloError):
    """The named ticket, agent, customer, organization, queue or article does not exist."""

    exit_code = 4


class Conflict(SportelloError):
    """The ticket changed since the version the caller saw.

    ``changes`` lists one human-readable line per change made since that version.
    """

    exit_code = 3

    def __init__(self, message: str, changes: list[str] | None = None, current_version: int | None = None):
        super().__init__(message)
        self.changes = changes or []
        self.current_version = current_version


class RuleViolation(SportelloError):
    """The request breaks a desk rule: an illegal transition, a missing reason, …"""


class PermissionDenied(SportelloError):
    """The acting agent is unknown, inactive, or lacks the role the action needs."""


class StorageError(SportelloError):
    """The database cannot be used: missing, locked, corrupt, read-only or newer than this code."""


class AcrossCustomers(RuleViolation):
    """A merge of one customer's ticket into another customer's, asked for without saying it is
    meant (``across_customers``). Exit code 3: the two tickets' customers conflict; nothing was
    changed, and the same request made knowingly goes through."""

    exit_code = 3
