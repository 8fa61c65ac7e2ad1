"""What every command of the command line shares: the per-run state, opening the desk, the number
types, reading message bodies, writing an output file, and turning rows into safe text or JSON.

Nothing here builds SQL: the commands call ``models`` functions. Stored text reaches the terminal
only through :func:`tui.text.safe.safe_text` / :func:`tui.text.safe.one_line` (text output) or
:func:`tui.text.safe.dumps_json` (``--json``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from models import close_database, open_database, storage_errors
from models.directory import agents
from models.errors import InvalidInput
from models.sla.clock import Clock
from models.sla.rules import TARGETS, Deadlines
from models.store import safe_files
from models.store.config import Config, default_db_url, describe_location, load_config, resolve_db_url
from models.store.tables import Agent, Ticket, TicketEvent, utcnow
from models.tickets.timeline import describe, who
from models.validate import MAX_BODY_BYTES
from tui.text import labels as render
from tui.text.safe import cells, dumps_json, one_line, safe_text

__all__ = [
    "CliState",
    "pass_state",
    "DEMO_DB",
    "demo_url",
    "MAX_ID",
    "TICKET_ID",
    "json_option",
    "echo_json",
    "echo_line",
    "pad",
    "table_width",
    "read_body",
    "write_private",
    "iso",
    "when",
    "age",
    "ticket_json",
    "deadline_state",
    "deadlines_json",
    "event_json",
    "event_lines",
]


#: The file ``sportello demo`` uses, next to the default desk, when no database is configured.
DEMO_DB = "demo.db"


def demo_url() -> str:
    """Where ``sportello demo`` (and ``sportello --demo``) finds the demo desk."""
    return default_db_url(DEMO_DB)


@dataclass
class CliState:
    """What the group options chose for this run: where the desk is and who acts."""

    cli_db: str | None = None  # --db
    config_path: str | None = None  # --config
    as_login: str | None = None  # --as
    mouse: bool = True  # not --no-mouse
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    _config: Config | None = None

    def config(self) -> Config:
        """The config file, read once (``--config``, ``$SPORTELLO_CONFIG`` or the default)."""
        if self._config is None:
            self._config = load_config(self.config_path, self.env)
        return self._config

    def db_url(self, *, default_name: str = "sportello.db") -> str:
        return resolve_db_url(self.cli_db, self.config(), self.env, default_name=default_name)

    @contextlib.contextmanager
    def desk(self, *, create: bool = False, url: str | None = None) -> Iterator[str]:
        """Open the desk for the length of a command; driver errors become one-line StorageErrors.

        Without ``create`` a missing database is an error that points at ``sportello init``.
        """
        url = url or self.db_url()
        open_database(url, create=create)
        if warning := safe_files.loose_desk_warning(url):
            echo_line(f"sportello: warning: {one_line(warning)}", err=True)
        try:
            with storage_errors(describe_location(url)):
                yield url
        finally:
            with contextlib.suppress(Exception):
                close_database()

    def actor(self) -> Agent:
        """The acting agent: the session's (PostgreSQL role) or the OS login's, or the ``--as`` agent
        when an admin asks for it."""
        return agents.acting_agent(self.as_login)


pass_state = click.make_pass_decorator(CliState, ensure=True)

MAX_ID = 2**31 - 1  # ticket numbers are 32-bit on PostgreSQL
#: A ticket or article number: a positive whole number that fits the database.
TICKET_ID = click.IntRange(1, MAX_ID)

#: ``--json``: print the data as JSON instead of text (every command that prints data has it).
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def echo_line(text: str = "", *, err: bool = False) -> None:
    """Write one line that the caller has already made safe."""
    click.echo(text, err=err)


def echo_json(data: Any) -> None:
    click.echo(dumps_json(data))


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` (already cut to ``width`` cells) padded with spaces to exactly ``width`` cells."""
    gap = " " * max(0, width - cells(text))
    return gap + text if right else text + gap


def table_width() -> int:
    """80 columns, or the terminal's width when standard output is a wider terminal (up to 200)."""
    if not sys.stdout.isatty():
        return 80
    return max(80, min(200, shutil.get_terminal_size((80, 24)).columns))


def read_body(body: str | None, what: str = "message") -> str:
    """The message text: ``--body``, else standard input read as strict UTF-8.

    A terminal on standard input is refused rather than waited on; more than 1 MB, invalid UTF-8
    or an empty text are errors (exit 2).
    """
    if body is not None:
        return body
    stream = click.get_binary_stream("stdin")
    if stream is None or stream.closed:
        raise InvalidInput(f"no {what}: pass --body TEXT or pipe the text on standard input")
    with contextlib.suppress(AttributeError, ValueError):
        if stream.isatty():
            raise InvalidInput(f"no {what}: pass --body TEXT or pipe the text on standard input")
    data = stream.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise InvalidInput(f"the {what} on standard input is larger than the limit of {MAX_BODY_BYTES:,} bytes (1 MB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(f"standard input is not valid UTF-8 (line {line}, byte {exc.start + 1})") from None
    if not text.strip():
        raise InvalidInput(f"the {what} is empty")
    return text


def write_private(output: Path, text: str) -> None:
    """Write a file an export command was asked for: see :func:`safe_files.write_file`."""
    try:
        safe_files.write_file(output, text, mode=safe_files.PRIVATE)
    except OSError as exc:
        raise InvalidInput(f"cannot write {one_line(str(output))}: {exc.strerror or exc}") from None


# --- time ---------------------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with its offset, for JSON."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat()


def when(value: datetime | None) -> str:
    """A stored time for people (see :func:`tui.text.labels.when`)."""
    return render.when(value)


def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in at most four characters (see :func:`tui.text.labels.age`)."""
    return render.age(value, now or utcnow())


# --- rows as JSON -------------------------------------------------------------------------------


def _customer(customer) -> dict | None:
    if customer is None:
        return None
    return {"id": customer.id, "name": customer.name, "email": customer.email}


def ticket_json(ticket: Ticket, *, tags: tuple[str, ...] | None = None, faqs: tuple[int, ...] | None = None) -> dict:
    """A ticket with stable keys; ``tags``/``faqs`` are included when the caller loaded them."""
    data = {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "type": ticket.ticket_type,
        "customer": _customer(ticket.customer) if ticket.customer_id else None,
        "organization": (
            {"id": ticket.organization.id, "name": ticket.organization.name} if ticket.organization_id else None
        ),
        "queue": ticket.queue.name if ticket.queue_id else None,
        "assignee": ticket.assignee.login if ticket.assignee_id else None,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "first_response_at": iso(ticket.first_response_at),
        "resolved_at": iso(ticket.resolved_at),
        "closed_at": iso(ticket.closed_at),
        "merged_into": ticket.merged_into_id,
        "version": ticket.version,
        # the deadlines as last stored (the queue's Due column is due_at: the nearest still running)
        "due_at": iso(ticket.due_at),
        "sla_due": {
            "first_response": iso(ticket.first_response_due),
            "next_response": iso(ticket.next_response_due),
            "resolution": iso(ticket.resolution_due),
        },
    }
    if tags is not None:
        data["tags"] = list(tags)
    if faqs is not None:
        data["faqs"] = list(faqs)
    return data


def deadline_state(name: str, clock: Clock, found: Deadlines, now: datetime) -> str:
    """Where one deadline stands, as ``sportello sla show`` says it: met, missed, paused, breached or running."""
    if name in found.done:
        return "missed" if clock.breached else "met"
    if clock.paused:
        return "paused"
    return "breached" if clock.due is not None and clock.due <= now else "running"


def deadlines_json(found: Deadlines, now: datetime) -> list[dict]:
    """Each deadline of a ticket: its kind, due time, state and the business minutes used of its target."""
    minutes = lambda amount: int(amount.total_seconds() // 60)  # noqa: E731
    return [
        {"kind": name, "due": iso(clock.due), "state": deadline_state(name, clock, found, now),
         "used_minutes": minutes(clock.used), "target_minutes": minutes(clock.target)}
        for name in TARGETS
        if (clock := getattr(found, name)) is not None
    ]  # fmt: skip


def event_json(event: TicketEvent) -> dict:
    return {
        "id": event.id,
        "ticket": event.ticket_id,
        "at": iso(event.at),
        "version": event.version,
        "kind": event.kind,
        "visibility": event.visibility,
        "actor": event.actor.login if event.actor_id else None,
        "customer": _customer(event.customer) if event.customer_id else None,
        "who": who(event),
        "description": describe(event),
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "reason": event.reason,
        "requested_by": event.requested_by,  # who asked for a priority change or a deadline override
        "body": event.body,
    }


# --- rows as text -------------------------------------------------------------------------------


def event_lines(event: TicketEvent, *, max_body_lines: int | None = None) -> list[str]:
    """An event as text: ``time  vN  who: what`` (marked when internal), then its body indented."""
    mark = "" if event.is_public else "  [internal]"
    head = f"{when(event.at)}  v{event.version}  {one_line(who(event), 60)}: {one_line(describe(event))}{mark}"
    lines = [head]
    if event.body:
        body = safe_text(event.body).expandtabs(4).splitlines() or [""]
        shown = body if max_body_lines is None else body[:max_body_lines]
        lines += ["    " + line if line else "" for line in shown]
        if len(shown) < len(body):
            lines.append(f"    … ({len(body) - len(shown)} more lines: see `sportello timeline {event.ticket_id}`)")
        lines.append("")
    return lines
