"""The ``sportello`` command line: the entry point, the group options, the table of commands and the
one place failures become an exit code.

Each command (or command group) lives in its own module, named in :data:`COMMANDS` and imported only
when that command is asked for (or listed by ``--help``): opening the app pays for none of them.
What they share is in :mod:`tui.cli.common`; opening the app is :mod:`tui.cli.launch`.

Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 conflict (the ticket changed since the
version you gave), 4 not found, 130 interrupted. Every error is one line on standard error,
``sportello: <message>``; a traceback only with ``SPORTELLO_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shlex
import sys
from pathlib import Path

import click

from models.errors import SportelloError, StorageError
from models.store.db import sqlite_file
from tui.cli.common import CliState, demo_url
from tui.cli.launch import open_tui
from tui.text.safe import one_line

__all__ = ["cli", "main", "COMMANDS"]


def _debug() -> bool:
    return os.environ.get("SPORTELLO_DEBUG") == "1"


def _fail(message: str, code: int) -> None:
    """Write ``sportello: message`` as one safe line on standard error and stop with ``code``."""
    click.echo(f"sportello: {one_line(message)}", err=True)
    raise click.exceptions.Exit(code)


#: Every command, by name: the module that holds it and the command's name there. A module loads only
#: when its command runs (or ``--help`` lists it): opening the app must not pay for them.
COMMANDS = {
    "agent": "tui.cli.agent:agent_group",
    "attachment": "tui.cli.mail:attachment_group",
    "csat": "tui.cli.csat:csat_group",
    "demo": "tui.cli.demo:demo_command",
    "export": "tui.cli.exchange:export_command",
    "faq": "tui.cli.faq:faq_group",
    "import": "tui.cli.exchange:import_command",
    "mail": "tui.cli.mail:mail_group",
    "init": "tui.cli.init:init_command",
    "org": "tui.cli.org:org_group",
    "queue": "tui.cli.queue:queue_group",
    "report": "tui.cli.report:report_group",
    "sla": "tui.cli.sla:sla_group",
    "status": "tui.cli.status:status_command",
    "sync": "tui.cli.sync:sync_command",
    "sync-conflicts": "tui.cli.sync:sync_conflicts_command",
    "sync-log": "tui.cli.sync:sync_log_command",
    "ticket": "tui.cli.ticket:ticket_group",
    "timeline": "tui.cli.ticket_read:timeline",
}


class SportelloGroup(click.Group):
    """The root group: turns every failure inside a command into one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})  # a set: a loaded command is listed once

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, _, attribute = COMMANDS[name].partition(":")
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
    demo = sqlite_file(demo_url())
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
        db = demo_url()
    ctx.obj = CliState(cli_db=db, config_path=config_path, as_login=as_login, mouse=not no_mouse)
    if ctx.invoked_subcommand is None:
        open_tui(ctx.obj)


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
