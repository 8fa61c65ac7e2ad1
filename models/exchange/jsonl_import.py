"""Loading an export into an empty desk, all or nothing.

``import_jsonl`` checks every line before it is written (types, lengths, references, order,
uniqueness: ``models.exchange.jsonl_rows``) and writes everything in one transaction: any problem
raises ``InvalidInput`` naming the line, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

import peewee as pw

from models.enums import Role
from models.errors import InvalidInput, PermissionDenied, RuleViolation
from models.exchange.jsonl_format import END_TYPE, EXPORT_TABLES, FORMAT, HEADER_TYPE, table_name
from models.exchange.jsonl_rows import MERGED, ORDER, PLANS, REFERENCED, TablePlan, has_surrogates
from models.store import bulk
from models.store.db import database, is_postgres, schema_status, write_transaction
from models.store.tables import Agent, Ticket, TicketEvent

__all__ = ["import_jsonl"]

_FLUSH = 5_000  # rows buffered per table before an import writes them


class _Importer:
    """Reads an export line by line, checks it and writes it in chunks. One instance per import."""

    def __init__(self):
        self.line = 0
        self.postgres = is_postgres()
        self.counts = {name: 0 for name in PLANS}
        self.ids: dict[str, set] = {name: set() for name in REFERENCED}
        self.uniques: dict[tuple[str, int], set] = {}
        self.last_key: dict[str, tuple] = {}
        self.section = -1
        self.pending: list[tuple] = []
        self.pending_table: TablePlan | None = None
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
        plan = PLANS.get(kind)
        if plan is None:
            raise self.fail(f"unknown row type {kind[:40]!r}")
        position = ORDER[kind]
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

    def check(self, plan: TablePlan, obj: dict) -> tuple:
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
        if self.escaped_surrogates and has_surrogates(values):
            raise self.fail("not valid UTF-8 (a lone surrogate)")
        self.check_key(plan, values)
        self.check_unique(plan, values)
        self.check_references(plan, values)
        return values

    def check_key(self, plan: TablePlan, values: tuple) -> None:
        key = tuple(values[i] for i in plan.key)
        last = self.last_key.get(plan.name)
        if last is not None and key <= last:
            raise self.fail(f"{plan.name} rows out of order or repeated (key {key} after {last})")
        self.last_key[plan.name] = key
        if plan.name in self.ids:
            self.ids[plan.name].add(key[0])

    def check_unique(self, plan: TablePlan, values: tuple) -> None:
        for i in plan.unique:
            seen = self.uniques.setdefault((plan.name, i), set())
            value = values[i]
            if value in seen:
                raise self.fail(f"{plan.name} {plan.names[i]} {str(value)[:60]!r} appears twice")
            seen.add(value)

    def check_references(self, plan: TablePlan, values: tuple) -> None:
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
        if self.section <= ORDER["agent"] < position:
            self.write_agents()
        self.section = position

    def buffer(self, plan: TablePlan, values: tuple) -> None:
        if self.agent_map and plan.agent_refs:
            values = list(values)
            for i in plan.agent_refs:
                if values[i] is not None:
                    values[i] = self.agent_map.get(values[i], values[i])
            values = tuple(values)
        if plan.name == "ticket" and values[MERGED] is not None:
            values = values[:MERGED] + (None,) + values[MERGED + 1 :]  # written once every ticket exists
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
        plan = PLANS["agent"]
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
                f"this desk already has {table_name(model)} rows; import needs an empty database (agents may exist)"
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
