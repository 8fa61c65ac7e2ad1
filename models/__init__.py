"""Sportello's data layer: Peewee models, schema migrations and the service functions that every
change goes through. ``tui`` and ``sync`` call into this package; it imports neither."""

from models.enums import Channel, EventKind, Priority, Role, Status, Visibility
from models.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QueryError,
    RuleViolation,
    SportelloError,
    StorageError,
)
from models.store.db import close_database, database, is_postgres, normalize_url, open_database, storage_errors
from models.store.tables import (
    Agent,
    Customer,
    FAQArticle,
    Organization,
    Queue,
    SavedView,
    Tag,
    Ticket,
    TicketEvent,
    utcnow,
)

__all__ = [
    "database",
    "open_database",
    "close_database",
    "normalize_url",
    "is_postgres",
    "storage_errors",
    "Status",
    "Priority",
    "Channel",
    "Visibility",
    "EventKind",
    "Role",
    "SportelloError",
    "InvalidInput",
    "QueryError",
    "NotFound",
    "Conflict",
    "RuleViolation",
    "PermissionDenied",
    "StorageError",
    "Agent",
    "Customer",
    "Organization",
    "Queue",
    "Tag",
    "Ticket",
    "TicketEvent",
    "FAQArticle",
    "SavedView",
    "utcnow",
]
