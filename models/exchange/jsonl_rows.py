"""Checking one row of an imported export: per table, how each column is checked and converted, its key,
its unique columns and the tables it refers to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import peewee as pw

from models.enums import Channel, EventKind, Priority, Role, Status, Visibility
from models.errors import InvalidInput
from models.exchange.jsonl_format import EXPORT_TABLES, key_columns, table_name
from models.store.tables import PriorityField, Ticket

__all__ = []  # serves models.exchange.jsonl_import only

# Columns whose values come from a fixed vocabulary.
_CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("agent", "role"): frozenset(Role),
    ("ticket", "status"): frozenset(Status),
    ("ticket", "channel"): frozenset(Channel),
    ("ticket_event", "kind"): frozenset(EventKind),
    ("ticket_event", "visibility"): frozenset(Visibility),
}
_PRIORITIES = frozenset(Priority)  # exported by name, stored by rank


class ColumnCheck:
    """How to check and convert one column of an imported row."""

    __slots__ = ("choices", "kind", "max_length", "name", "null", "refers_to")

    def __init__(self, model: type[pw.Model], field: pw.Field):
        self.name = field.column_name
        self.null = field.null
        self.max_length = getattr(field, "max_length", None) if isinstance(field, pw.CharField) else None
        self.choices = _CHOICES.get((table_name(model), self.name))
        self.refers_to = table_name(field.rel_model) if isinstance(field, pw.ForeignKeyField) else None
        if isinstance(field, PriorityField):
            self.kind = "priority"
        elif isinstance(field, pw.BooleanField):
            self.kind = "bool"
        elif isinstance(field, pw.DateTimeField):
            self.kind = "datetime"
        elif isinstance(field, pw.DateField):
            self.kind = "date"
        elif isinstance(field, (pw.IntegerField, pw.AutoField, pw.ForeignKeyField)):
            self.kind = "int"
        else:
            self.kind = "str"

    def convert(self, value, fail: Callable[[str], InvalidInput]):
        """The value to write, or raise ``fail(why)``."""
        if value is None:
            if not self.null:
                raise fail(f"{self.name} may not be null")
            return None
        kind = self.kind
        if kind == "int":
            if type(value) is not int:
                raise fail(f"{self.name} must be an integer")
            return value
        if kind == "bool":
            if type(value) is not bool:
                raise fail(f"{self.name} must be true or false")
            return value
        if type(value) is not str:
            raise fail(f"{self.name} must be a string")
        if kind == "str":
            if self.max_length is not None and len(value) > self.max_length:
                raise fail(f"{self.name} is longer than {self.max_length} characters")
            if self.choices is not None and value not in self.choices:
                raise fail(f"{self.name} {value[:40]!r} is not one of {', '.join(sorted(self.choices))}")
            return value
        if kind == "priority":
            if value not in _PRIORITIES:
                raise fail(f"{self.name} {value[:40]!r} is not a priority")
            return value
        try:
            if kind == "datetime":
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is not None:
                    raise ValueError
                return parsed
            return date.fromisoformat(value)
        except ValueError:
            raise fail(f"{self.name} {value[:40]!r} is not an ISO {kind} (naive UTC)") from None


class TablePlan:
    """The import plan of one table: its columns, key, unique columns and references."""

    def __init__(self, model: type[pw.Model]):
        self.model = model
        self.name = table_name(model)
        self.columns = [ColumnCheck(model, field) for field in model._meta.sorted_fields]
        self.names = [c.name for c in self.columns]
        self.name_set = frozenset(self.names)
        index = {name: i for i, name in enumerate(self.names)}
        self.key = [index[name] for name in key_columns(model)]
        self.unique = [index[f.column_name] for f in model._meta.sorted_fields if f.unique]
        self.references = [(i, c.refers_to) for i, c in enumerate(self.columns) if c.refers_to]
        self.agent_refs = [i for i, target in self.references if target == "agent"]


#: Per table name: its plan, its section's position in an export; the tables some row refers to;
#: where a ticket row holds ``merged_into_id``.
PLANS = {table_name(model): TablePlan(model) for model in EXPORT_TABLES}
ORDER = {table_name(model): position for position, model in enumerate(EXPORT_TABLES)}
REFERENCED = frozenset(target for plan in PLANS.values() for _, target in plan.references)
MERGED = PLANS["ticket"].names.index(Ticket.merged_into.column_name)


def has_surrogates(values) -> bool:
    for value in values:
        if type(value) is str:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False
