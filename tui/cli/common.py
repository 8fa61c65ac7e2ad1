"""What every command of the command line shares: the per-run state, opening the desk, the number
types, writing a line or JSON, reading message bodies, writing an output file, and times for people.
Tickets, deadlines and events as JSON or text lines are in :mod:`tui.cli.rows`.

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
from models.store import safe_files
from models.store.config import Config, default_db_url, describe_location, load_config, resolve_db_url
from models.store.tables import Agent, utcnow
from models.validate import MAX_BODY_BYTES
from tui.text import labels as render
from tui.text.safe import cells, dumps_json, one_line

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
