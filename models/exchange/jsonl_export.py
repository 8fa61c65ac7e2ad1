"""Writing the whole desk as JSON Lines (the format: ``models.exchange.jsonl_format``), streamed from one
consistent snapshot."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TextIO

import peewee as pw

from models.exchange.jsonl_format import (
    END_TYPE,
    EXPORT_TABLES,
    FORMAT,
    HEADER_TYPE,
    key_columns,
    latest_schema,
    table_name,
)
from models.store.db import database, is_postgres
from models.store.tables import PriorityField

__all__ = ["export_jsonl"]

_FETCH = 5_000  # rows per round trip when streaming an export from PostgreSQL


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def _dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"), default=_json_default)


def _python_converters(model: type[pw.Model]) -> list[Callable | None]:
    """Per column, the field's ``python_value`` where the driver's value needs one (dates, booleans, priority)."""
    needs = (pw.DateTimeField, pw.DateField, pw.BooleanField, PriorityField)
    return [field.python_value if isinstance(field, needs) else None for field in model._meta.sorted_fields]


def _raw_rows(model: type[pw.Model]) -> Iterator[tuple]:
    """Every row of ``model`` in primary-key order, streamed (a server-side cursor on PostgreSQL)."""
    keys = [model._meta.columns[name] for name in key_columns(model)]
    query = model.select(*model._meta.sorted_fields).order_by(*keys)
    sql, params = query.sql()
    if not is_postgres():
        yield from database.execute_sql(sql, params)
        return
    name = f"sportello_export_{table_name(model)}"
    database.execute_sql(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)
    try:
        while rows := database.execute_sql(f"FETCH {_FETCH} FROM {name}").fetchall():
            yield from rows
    finally:
        database.execute_sql(f"CLOSE {name}")


def _export_table(model: type[pw.Model], out: TextIO) -> int:
    table = table_name(model)
    columns = [field.column_name for field in model._meta.sorted_fields]
    converters = _python_converters(model)
    count = 0
    for raw in _raw_rows(model):
        row = {"type": table}
        for column, convert, value in zip(columns, converters, raw):
            row[column] = convert(value) if convert is not None and value is not None else value
        out.write(_dumps(row) + "\n")
        count += 1
    return count


def export_jsonl(out: TextIO) -> dict[str, int]:
    """Write the whole desk to ``out`` as JSON Lines, from one consistent snapshot; return the row counts."""
    counts: dict[str, int] = {}
    outer = database.in_transaction()
    with database.atomic():
        if is_postgres() and not outer:
            database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        out.write(_dumps({"type": HEADER_TYPE, "format": FORMAT, "schema": latest_schema()}) + "\n")
        for model in EXPORT_TABLES:
            counts[table_name(model)] = _export_table(model, out)
        out.write(_dumps({"type": END_TYPE, "counts": counts}) + "\n")
    return counts
