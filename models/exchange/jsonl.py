"""Lossless export and import of a whole desk as JSON Lines.

The file is one JSON object per line::

    {"type":"sportello-export","format":1,"schema":"0002_fulltext"}
    {"type":"agent","id":1,"login":"ada",...}
    ...                                   every row of every table, in dependency order
    {"type":"sportello-end","counts":{"agent":3,...}}

Rows carry every column under its column name (``ticket_id``, ``actor_id``, …); datetimes are
ISO 8601 with microseconds, dates ISO, a ticket's priority its name. Within a table the rows
come in primary-key order, so an export is deterministic: export → import into an empty desk →
export gives the same bytes. The closing line counts the rows, so a truncated file is refused.

``import_jsonl`` checks every line before it is written (types, lengths, references, order,
uniqueness) and writes everything in one transaction: any problem raises ``InvalidInput``
naming the line, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TextIO

import peewee as pw

from models.enums import Channel, EventKind, Priority, Role, Status, Visibility
from models.errors import InvalidInput, PermissionDenied, RuleViolation
from models.store import bulk
from models.store.db import database, is_postgres, schema_status, write_transaction
from models.store.tables import (
    Agent,
    Customer,
    FAQArticle,
    FAQCategory,
    FAQRevision,
    FAQTag,
    Organization,
    PriorityField,
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

__all__ = ["END_TYPE", "EXPORT_TABLES", "FORMAT", "HEADER_TYPE", "export_jsonl", "import_jsonl", "latest_schema"]

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

_FETCH = 5_000  # rows per round trip when streaming an export from PostgreSQL
_FLUSH = 5_000  # rows buffered per table before an import writes them

# Columns whose values come from a fixed vocabulary.
_CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("agent", "role"): frozenset(Role),
    ("ticket", "status"): frozenset(Status),
    ("ticket", "channel"): frozenset(Channel),
    ("ticket_event", "kind"): frozenset(EventKind),
    ("ticket_event", "visibility"): frozenset(Visibility),
}
_PRIORITIES = frozenset(Priority)  # exported by name, stored by rank


def _table(model: type[pw.Model]) -> str:
    return model._meta.table_name


def _key_columns(model: type[pw.Model]) -> list[str]:
    pk = model._meta.primary_key
    if isinstance(pk, pw.CompositeKey):
        return [model._meta.fields[name].column_name for name in pk.field_names]
    return [pk.column_name]


def latest_schema() -> str:
    """The name of the newest migration applied to the bound database."""
    applied, _, _ = schema_status(database.obj)
    return applied[-1] if applied else ""


# --- export -------------------------------------------------------------------------------


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
    keys = [model._meta.columns[name] for name in _key_columns(model)]
    query = model.select(*model._meta.sorted_fields).order_by(*keys)
    sql, params = query.sql()
    if not is_postgres():
        yield from database.execute_sql(sql, params)
        return
    name = f"sportello_export_{_table(model)}"
    database.execute_sql(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)
    try:
        while rows := database.execute_sql(f"FETCH {_FETCH} FROM {name}").fetchall():
            yield from rows
    finally:
        database.execute_sql(f"CLOSE {name}")


def _export_table(model: type[pw.Model], out: TextIO) -> int:
    table = _table(model)
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
            counts[_table(model)] = _export_table(model, out)
        out.write(_dumps({"type": END_TYPE, "counts": counts}) + "\n")
    return counts


# --- import: checking one row --------------------------------------------------------------


class _Column:
    """How to check and convert one column of an imported row."""

    __slots__ = ("choices", "kind", "max_length", "name", "null", "refers_to")

    def __init__(self, model: type[pw.Model], field: pw.Field):
        self.name = field.column_name
        self.null = field.null
        self.max_length = getattr(field, "max_length", None) if isinstance(field, pw.CharField) else None
        self.choices = _CHOICES.get((_table(model), self.name))
        self.refers_to = _table(field.rel_model) if isinstance(field, pw.ForeignKeyField) else None
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


class _Table:
    """The import plan of one table: its columns, key, unique columns and references."""

    def __init__(self, model: type[pw.Model]):
        self.model = model
        self.name = _table(model)
        self.columns = [_Column(model, field) for field in model._meta.sorted_fields]
        self.names = [c.name for c in self.columns]
        self.name_set = frozenset(self.names)
        index = {name: i for i, name in enumerate(self.names)}
        self.key = [index[name] for name in _key_columns(model)]
        self.unique = [index[f.column_name] for f in model._meta.sorted_fields if f.unique]
        self.references = [(i, c.refers_to) for i, c in enumerate(self.columns) if c.refers_to]
        self.agent_refs = [i for i, target in self.references if target == "agent"]


_PLANS = {_table(model): _Table(model) for model in EXPORT_TABLES}
_ORDER = {_table(model): position for position, model in enumerate(EXPORT_TABLES)}
_REFERENCED = frozenset(target for plan in _PLANS.values() for _, target in plan.references)
_MERGED = _PLANS["ticket"].names.index(Ticket.merged_into.column_name)


def _has_surrogates(values) -> bool:
    for value in values:
        if type(value) is str:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


# --- import: the reader -------------------------------------------------------------------


class _Importer:
    """Reads an export line by line, checks it and writes it in chunks. One instance per import."""

    def __init__(self):
        self.line = 0
        self.postgres = is_postgres()
        self.counts = {name: 0 for name in _PLANS}
        self.ids: dict[str, set] = {name: set() for name in _REFERENCED}
        self.uniques: dict[tuple[str, int], set] = {}
        self.last_key: dict[str, tuple] = {}
        self.section = -1
        self.pending: list[tuple] = []
        self.pending_table: _Table | None = None
        self.pending_first_line = 0
        self.agents: list[tuple[int, tuple]] = []
        self.agent_map: dict[int, int] = {}
        self.merges: list[tuple[int, int, int]] = []  # (line, ticket, merged into)
        self.ended = False
        self.escaped_surrogates = False

    def fail(self, why: str, line: int | None = None) -> InvalidInput:
        return InvalidInput(f"line {self.line if line is None else line}: {why}")

    # reading

    def lines(self, inp: TextIO) -> Iterator[str]:
        """The lines of ``inp``; read as bytes when possible, so that bad UTF-8 is pinned to its line."""
        raw = getattr(inp, "buffer", None)
        if raw is not None:
            for data in raw:
                self.line += 1
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise self.fail("not valid UTF-8") from None
                yield text
            return
        while True:
            try:
                text = inp.readline()
            except UnicodeDecodeError:
                raise self.fail("not valid UTF-8", self.line + 1) from None
            if not text:
                return
            self.line += 1
            yield text

    def parse(self, text: str) -> dict:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail("not valid UTF-8") from None
        self.escaped_surrogates = (
            "\\ud" in text or "\\uD" in text
        )  # JSON may spell a lone one as \ud + three hex digits
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            raise self.fail("not valid JSON (a truncated or damaged file?)") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            raise self.fail('expected a JSON object with a "type"')
        return obj

    def header(self, obj: dict) -> None:
        if obj.get("type") != HEADER_TYPE:
            raise self.fail(f"not a Sportello export (the first line must be a {HEADER_TYPE!r} header)")
        if obj.get("format") != FORMAT:
            raise self.fail(
                f"unsupported export format {str(obj.get('format'))[:20]!r} (this Sportello reads {FORMAT})"
            )
        applied, _, _ = schema_status(database.obj)
        schema = obj.get("schema")
        if not isinstance(schema, str) or schema not in applied:
            raise self.fail(f"the export's schema {str(schema)[:60]!r} is unknown to this desk ({applied[-1]})")
        if set(obj) != {"type", "format", "schema"}:
            raise self.fail("unexpected fields in the header")

    # checking rows

    def row(self, obj: dict) -> None:
        kind = obj["type"]
        if self.ended:
            raise self.fail("data after the closing line")
        if kind == END_TYPE:
            self.end(obj)
            return
        plan = _PLANS.get(kind)
        if plan is None:
            raise self.fail(f"unknown row type {kind[:40]!r}")
        position = _ORDER[kind]
        if position < self.section:
            raise self.fail(f"a {kind} row after the {EXPORT_TABLES[self.section]._meta.table_name} rows")
        if position > self.section:
            self.start_section(position)
        values = self.check(plan, obj)
        self.counts[kind] += 1
        if kind == "agent":
            self.agents.append((self.line, values))
            return
        self.buffer(plan, values)

    def check(self, plan: _Table, obj: dict) -> tuple:
        if len(obj) != len(plan.names) + 1:
            for name in plan.names:
                if name not in obj:
                    raise self.fail(f"a {plan.name} row without {name!r}")
            extra = sorted(set(obj) - plan.name_set - {"type"})
            raise self.fail(f"unknown field {extra[0][:40]!r} in a {plan.name} row")
        try:
            raw = [obj[name] for name in plan.names]
        except KeyError as missing:
            raise self.fail(f"a {plan.name} row without {missing.args[0]!r}") from None
        fail = self.fail
        values = tuple(column.convert(value, fail) for column, value in zip(plan.columns, raw))
        if self.postgres and any(type(v) is str and "\x00" in v for v in values):
            raise self.fail("a NUL character, which PostgreSQL cannot store")
        if self.escaped_surrogates and _has_surrogates(values):
            raise self.fail("not valid UTF-8 (a lone surrogate)")
        self.check_key(plan, values)
        self.check_unique(plan, values)
        self.check_references(plan, values)
        return values

    def check_key(self, plan: _Table, values: tuple) -> None:
        key = tuple(values[i] for i in plan.key)
        last = self.last_key.get(plan.name)
        if last is not None and key <= last:
            raise self.fail(f"{plan.name} rows out of order or repeated (key {key} after {last})")
        self.last_key[plan.name] = key
        if plan.name in self.ids:
            self.ids[plan.name].add(key[0])

    def check_unique(self, plan: _Table, values: tuple) -> None:
        for i in plan.unique:
            seen = self.uniques.setdefault((plan.name, i), set())
            value = values[i]
            if value in seen:
                raise self.fail(f"{plan.name} {plan.names[i]} {str(value)[:60]!r} appears twice")
            seen.add(value)

    def check_references(self, plan: _Table, values: tuple) -> None:
        for i, target in plan.references:
            value = values[i]
            if value is None:
                continue
            if plan.name == "ticket" and target == "ticket":
                self.merges.append((self.line, values[0], value))
                continue
            if value not in self.ids[target]:
                raise self.fail(f"{plan.names[i]} {value} refers to a missing {target}")

    def end(self, obj: dict) -> None:
        if obj.get("counts") != self.counts or set(obj) != {"type", "counts"}:
            raise self.fail(f"the closing line's counts do not match the rows read ({_summary(self.counts)})")
        self.ended = True

    # writing

    def start_section(self, position: int) -> None:
        self.flush()
        if self.section <= _ORDER["agent"] < position:
            self.write_agents()
        self.section = position

    def buffer(self, plan: _Table, values: tuple) -> None:
        if self.agent_map and plan.agent_refs:
            values = list(values)
            for i in plan.agent_refs:
                if values[i] is not None:
                    values[i] = self.agent_map.get(values[i], values[i])
            values = tuple(values)
        if plan.name == "ticket" and values[_MERGED] is not None:
            values = values[:_MERGED] + (None,) + values[_MERGED + 1 :]  # written once every ticket exists
        if not self.pending:
            self.pending_first_line = self.line
        self.pending_table = plan
        self.pending.append(values)
        if len(self.pending) >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        plan, rows = self.pending_table, self.pending
        self.pending = []
        try:
            bulk.write_rows(plan.model, plan.names, rows)
        except pw.DatabaseError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise self.fail(
                f"the database refused a {plan.name} row from here on: {first}", self.pending_first_line
            ) from None

    def write_agents(self) -> None:
        """Match the file's agents to the desk's by login; keep ids that are free, give new ones otherwise."""
        if not self.agents:
            return
        plan = _PLANS["agent"]
        existing = {login: agent_id for agent_id, login in Agent.select(Agent.id, Agent.login).tuples()}
        taken = set(existing.values())
        file_ids = {values[0] for _, values in self.agents}
        next_id = max(taken | file_ids) + 1
        new_rows = []
        for _, values in self.agents:
            file_id, login = values[0], values[1]
            if login in existing:
                self.agent_map[file_id] = existing[login]
                self.update_agent(existing[login], values)
                continue
            agent_id = file_id
            if file_id in taken:
                agent_id, next_id = next_id, next_id + 1
            taken.add(agent_id)
            self.agent_map[file_id] = agent_id
            new_rows.append((agent_id, *values[1:]))
        if new_rows:
            bulk.write_rows(Agent, plan.names, new_rows)
        self.agent_map = {old: new for old, new in self.agent_map.items() if old != new}
        self.agents = []

    @staticmethod
    def update_agent(agent_id: int, values: tuple) -> None:
        """An agent already on the desk (the importing admin) takes the file's details, but an admin
        stays an active admin: an import never locks out the person running it."""
        current = Agent.get_by_id(agent_id)
        _, _, name, role, active, created_at = values
        if current.is_admin:
            role, active = Role.ADMIN.value, True
        Agent.update(name=name, role=role, active=active, created_at=created_at).where(Agent.id == agent_id).execute()

    def finish(self) -> None:
        if not self.ended:
            raise self.fail("the file ends without its closing line: it is truncated", self.line + 1)
        self.start_section(len(EXPORT_TABLES))
        tickets = self.ids["ticket"]
        for line, number, target in self.merges:
            if target not in tickets:
                raise self.fail(f"merged_into_id {target} refers to a missing ticket", line)
            Ticket.update(merged_into=target).where(Ticket.number == number).execute()


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "no rows"


def _refuse_non_empty() -> None:
    if Ticket.select().exists():
        raise RuleViolation("this desk already has tickets; import needs an empty database")
    for model in EXPORT_TABLES:
        if model is not Agent and model.select().exists():
            raise RuleViolation(
                f"this desk already has {_table(model)} rows; import needs an empty database (agents may exist)"
            )


def import_jsonl(inp: TextIO, *, actor: Agent) -> dict[str, int]:
    """Load an export into this empty desk, all or nothing; return the row counts per table.

    Only an admin may import (``actor``). The desk may hold agents (the importing admin): they are
    matched by login. Anything else already there is refused (``RuleViolation``); a bad file
    raises ``InvalidInput`` naming its line.
    """
    if not actor.is_admin:
        raise PermissionDenied(f"only an admin may import; {actor.login!r} is {actor.role}")
    importer = _Importer()
    with bulk.load_settings(), write_transaction():
        _refuse_non_empty()
        with bulk.without_indexes(Ticket, TicketEvent):
            for text in importer.lines(inp):
                obj = importer.parse(text)
                if importer.line == 1:
                    importer.header(obj)
                else:
                    importer.row(obj)
            if importer.line == 0:
                raise importer.fail("the file is empty (expected a Sportello export)", 1)
            importer.finish()
        bulk.rebuild_fulltext()
        bulk.reset_sequences()
        bulk.analyze()
    return importer.counts
