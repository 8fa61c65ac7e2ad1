"""The JSON Lines export format: its header and closing line, the tables it holds in order, and how a
row names its table and key.

The file is one JSON object per line::

    {"type":"sportello-export","format":1,"schema":"0002_fulltext"}
    {"type":"agent","id":1,"login":"ada",...}
    ...                                   every row of every table, in dependency order
    {"type":"sportello-end","counts":{"agent":3,...}}

Rows carry every column under its column name (``ticket_id``, ``actor_id``, …); datetimes are
ISO 8601 with microseconds, dates ISO, a ticket's priority its name. Within a table the rows
come in primary-key order, so an export is deterministic: export → import into an empty desk →
export gives the same bytes. The closing line counts the rows, so a truncated file is refused.
"""

from __future__ import annotations

import peewee as pw

from models.store.db import database, schema_status
from models.store.tables import (
    Agent,
    Customer,
    FAQArticle,
    FAQCategory,
    FAQRevision,
    FAQTag,
    Organization,
    Queue,
    SavedView,
    SLACalendar,
    SLAPolicy,
    Survey,
    Tag,
    Ticket,
    TicketEvent,
    TicketFAQ,
    TicketTag,
)

__all__ = ["END_TYPE", "EXPORT_TABLES", "FORMAT", "HEADER_TYPE", "latest_schema"]

FORMAT = 1
HEADER_TYPE = "sportello-export"
END_TYPE = "sportello-end"

#: Every table, parents before children: the order of the sections of an export.
EXPORT_TABLES: tuple[type[pw.Model], ...] = (
    Agent,
    Queue,
    Organization,
    Customer,
    Tag,
    SavedView,
    SLACalendar,
    SLAPolicy,
    Ticket,
    TicketTag,
    TicketEvent,
    FAQCategory,
    FAQArticle,  # after Ticket: an article may name the ticket it was drafted from
    FAQRevision,
    FAQTag,
    TicketFAQ,
    Survey,
)


def table_name(model: type[pw.Model]) -> str:
    return model._meta.table_name


def key_columns(model: type[pw.Model]) -> list[str]:
    pk = model._meta.primary_key
    if isinstance(pk, pw.CompositeKey):
        return [model._meta.fields[name].column_name for name in pk.field_names]
    return [pk.column_name]


def latest_schema() -> str:
    """The name of the newest migration applied to the bound database."""
    applied, _, _ = schema_status(database.obj)
    return applied[-1] if applied else ""
