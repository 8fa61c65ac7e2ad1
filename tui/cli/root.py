"""The ``sportello`` command line: the entry point, the group options, ``init`` and ``demo``.

The ticket commands live in :mod:`tui.cli.ticket`, the agent and export/import commands in
:mod:`tui.cli.admin`, what they share in :mod:`tui.cli.common`.

Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 conflict (the ticket changed since the
version you gave), 4 not found, 130 interrupted. Every error is one line on standard error,
``sportello: <message>``; a traceback only with ``SPORTELLO_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from models.directory import agents
from models.errors import RuleViolation, SportelloError, StorageError
from models.search import tickets as search
from models.store.config import default_db_url, describe_location
from models.store.db import sqlite_file
from tui.cli.admin import agent, export, import_, queue
from tui.cli.common import CliState, echo_line, pass_state
from tui.cli.ticket import ticket_group
from tui.cli.ticket_read import timeline
from tui.text.safe import one_line

__all__ = ["cli", "main", "open_tui", "DEMO_DB"]

#: The file ``sportello demo`` uses, next to the default desk, when no database is configured.
DEMO_DB = "demo.db"

NO_TERMINAL = "the full-screen app needs a terminal; every task also has a command (see --help)"


def open_tui(state: CliState, url: str | None = None, *, required: bool = True) -> None:
    """Run the full-screen app on the desk at ``url`` (default: the configured desk).

    Without a terminal this is a usage error, or, when not ``required``, a notice.
    """
    if not _stdout_is_tty():
        if required:
            raise click.UsageError(NO_TERMINAL)
        echo_line(f"sportello: {NO_TERMINAL}", err=True)
        return
    from tui.app import run_app  # Textual loads only when the app opens

    run_app(url or state.db_url(), as_login=state.as_login, mouse=state.mouse, config=state.config())


def _debug() -> bool:
    return os.environ.get("SPORTELLO_DEBUG") == "1"


def _fail(message: str, code: int) -> None:
    """Write ``sportello: message`` as one safe line on standard error and stop with ``code``."""
    click.echo(f"sportello: {one_line(message)}", err=True)
    raise click.exceptions.Exit(code)


#: Commands whose modules load only when they run: opening the app must not pay for them.
LAZY_COMMANDS = {
    "faq": "tui.cli.faq:faq_group",
    "sla": "tui.cli.sla:sla_group",
    "status": "tui.cli.status:status_command",
    "csat": "tui.cli.csat:csat_group",
    "report": "tui.cli.report:report_group",
    "org": "tui.cli.org:org_group",
    "sync": "tui.cli.sync:sync_command",
    "sync-log": "tui.cli.sync:sync_log_command",
    "sync-conflicts": "tui.cli.sync:sync_conflicts_command",
}


class SportelloGroup(click.Group):
    """The root group: turns every failure inside a command into one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module, _, attribute = LAZY_COMMANDS[name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["sportello.args"] = list(args)  # for a hint that repeats the command
        for arg in args:  # bytes that were not UTF-8 reach Python as lone surrogates
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                _fail(f"the argument {one_line(arg, 40)!r} is not valid UTF-8", 2)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SportelloError as err:
            if _debug():
                raise
            _fail(_missing_desk(ctx, err) or err.message, err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:  # noqa: BLE001 - the one place that catches everything
            if _debug():
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (SPORTELLO_DEBUG=1 shows the traceback)", 1)


def _demo_url() -> str:
    return default_db_url(DEMO_DB)


def _missing_desk(ctx: click.Context, err: SportelloError) -> str | None:
    """For a desk file that does not exist: where the demo desk is and the command that reaches it."""
    state = ctx.obj
    if not isinstance(err, StorageError) or not err.message.startswith("no database at "):
        return None
    if not isinstance(state, CliState):
        return None
    try:
        path = sqlite_file(state.db_url())
    except SportelloError:
        return None
    if path is None or Path(path).exists():
        return None
    demo = sqlite_file(_demo_url())
    if Path(path) == Path(demo):
        return f"no demo desk at {demo}: run `sportello demo` first"
    if not Path(demo).exists() or state.cli_db is not None:
        return None
    args = ctx.meta.get("sportello.args") or ["ticket", "list"]
    return (f"no desk at {path}; the demo desk is at {demo}: use `sportello --demo {shlex.join(args)}` "
            "(or `sportello init` to create this one)")  # fmt: skip


@click.group(cls=SportelloGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    metavar="URL",
    help="Database: sqlite:////abs/path.db, a file path, or postgresql://USER@HOST:PORT/DB. "
    "Default: $SPORTELLO_DB, then db in config.toml, then the user data dir.",
)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="The config file (default: $SPORTELLO_CONFIG, then config.toml in the user config dir).",
)
@click.option(
    "--demo",
    "use_demo",
    is_flag=True,
    help="Use the demo desk that `sportello demo` made (demo.db in the user data dir), like --db.",
)
@click.option("--as", "as_login", metavar="LOGIN", help="Act as another agent (admins only).")
@click.option(
    "--no-mouse", is_flag=True, help="The full-screen app ignores the mouse (the terminal keeps its own selection)."
)
@click.version_option(
    None, "--version", package_name="sportello", prog_name="sportello", message="%(prog)s %(version)s"
)
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_path: str | None, use_demo: bool, as_login: str | None,
        no_mouse: bool) -> None:  # fmt: skip
    """Sportello: a terminal helpdesk where every change is an event on the ticket's timeline.

    You act as your OS login, which must be an agent of the desk (`sportello init` makes the
    first one an admin); on PostgreSQL, logged in with an agent's own database role, you are that
    agent. `sportello demo` makes a demo desk; `sportello --demo COMMAND` uses it.
    Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 conflict, 4 not found.
    """
    if use_demo:
        if db is not None:
            raise click.UsageError("give --db or --demo, not both")
        db = _demo_url()
    ctx.obj = CliState(cli_db=db, config_path=config_path, as_login=as_login, mouse=not no_mouse)
    if ctx.invoked_subcommand is None:
        open_tui(ctx.obj)


@cli.command()
@pass_state
def init(state: CliState) -> None:
    """Create the desk (or upgrade it) and make your OS login its first admin."""
    with state.desk(create=True) as url:
        me = agents.first_agent()
        echo_line(f"Desk ready at {one_line(describe_location(url))}")
        echo_line(f"You are {one_line(me.login)} ({me.role}{'' if me.active else ', deactivated'}).")


@cli.command()
@click.option("--tickets", "count", type=click.IntRange(1, 1_000_000), default=2000, show_default=True,
              help="How many tickets to make up.")  # fmt: skip
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed and --at, same desk.")
@click.option(
    "--at",
    "at",
    metavar="DATETIME",
    callback=lambda ctx, param, value: _moment(value),
    help="When the story ends, in UTC unless an offset is given (2026-11-01T09:30). Default: now.",
)
@click.option("--no-tui", is_flag=True, help="Build the desk and stop, without opening the app.")
@pass_state
def demo(state: CliState, count: int, seed: int, at: datetime | None, no_tui: bool) -> None:
    """Fill a desk with a realistic made-up year of tickets that ends now, then open it.

    Without --db (or $SPORTELLO_DB, or db in config.toml) this uses demo.db next to the default
    desk, never your real one; run again, it reopens the same demo desk. Other commands reach it
    with `sportello --demo`, e.g. `sportello --demo ticket list`.
    """
    from models.demo import generator as demo_data  # imported here: only this command needs the generator

    url = state.db_url(default_name=DEMO_DB)
    own_demo_file = url == default_db_url(DEMO_DB)
    where = one_line(describe_location(url))
    with state.desk(create=True, url=url):
        existing = search.count_tickets("", me=None)
        if existing and not own_demo_file:
            raise RuleViolation(
                f"the desk at {where} already has {existing} tickets; the demo needs an empty desk "
                "(give --db a new file, or leave the database unset to use the demo desk)"
            )
        if existing:
            echo_line(f"The demo desk at {where} is already there ({existing} tickets).")
        else:
            me = agents.ensure_admin(agents.os_login())
            progress = _Progress(count) if _stderr_is_tty() else None
            try:
                summary = demo_data.build_demo(tickets=count, seed=seed, admin_login=me.login, progress=progress, at=at)
            finally:
                if progress:
                    progress.done()
            echo_line(f"Demo desk ready at {where}:")
            for key, value in summary.items():
                echo_line(f"  {one_line(key.replace('_', ' '))}: {one_line(value)}")
    echo_line(f"Try: {_reach(state, url)} ticket list")
    if not no_tui:
        open_tui(state, url, required=False)


def _moment(value: str | None) -> datetime | None:
    """``--at``: an ISO date or date and time; naive means UTC (the desk's clock)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{one_line(value, 40)!r} is not a date and time like 2026-11-01T09:30") from None
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _reach(state: CliState, url: str) -> str:
    """The start of a command that reaches the desk at ``url`` from this shell, as it can be pasted."""
    if url == _demo_url():
        return "sportello --demo"
    config = ""
    if state.config_path:
        config = f" --config {shlex.quote(str(Path(state.config_path).expanduser().absolute()))}"
    if state.cli_db is None and url == state.db_url():
        return "sportello" + config  # $SPORTELLO_DB or config.toml chose it
    return f"sportello{config} --db {shlex.quote(one_line(describe_location(url)))}"


def _stdout_is_tty() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A one-line counter on standard error, redrawn at most ten times a second."""

    def __init__(self, total: int):
        self.total = total
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None, *_: object) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < (total or self.total):
            return
        self.last = now
        total = total or self.total
        tail = " tickets written; building the indexes…" if done >= total else ""
        click.echo(f"\rbuilding the demo desk: {done}/{total}{tail}", err=True, nl=False)

    def done(self) -> None:
        click.echo("", err=True)


cli.add_command(ticket_group)
cli.add_command(timeline)
cli.add_command(agent)
cli.add_command(queue)
cli.add_command(export)
cli.add_command(import_)


def _harden_streams() -> None:
    """Never fail on a character the terminal's encoding lacks (an SSH session with a Latin-1 locale)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> None:
    """The console script: run the command line and exit with its code."""
    _harden_streams()
    try:
        code = cli.main(args=argv, prog_name="sportello", standalone_mode=False)
    except click.ClickException as exc:
        # One line, made safe: click's messages quote what was typed, escape sequences included.
        hint = " (see --help)" if isinstance(exc, click.UsageError) else ""
        click.echo(f"sportello: {one_line(exc.format_message())}{hint}", err=True)
        code = exc.exit_code
    except click.Abort as exc:
        interrupted = isinstance(exc.__context__, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt)
        click.echo("sportello: interrupted" if interrupted else "sportello: aborted", err=True)
        code = 130 if interrupted else 1
    except KeyboardInterrupt:
        click.echo("sportello: interrupted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
