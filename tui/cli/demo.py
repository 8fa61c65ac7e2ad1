"""``sportello demo``: fill a desk with a made-up year of tickets, then open the full-screen app on it."""

from __future__ import annotations

import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from models.directory import agents
from models.errors import RuleViolation
from models.search import tickets as search
from models.store.config import describe_location
from tui.cli.common import DEMO_DB, CliState, demo_url, echo_line, pass_state
from tui.cli.launch import open_tui
from tui.text.safe import one_line

__all__ = ["demo_command"]


@click.command("demo")
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
def demo_command(state: CliState, count: int, seed: int, at: datetime | None, no_tui: bool) -> None:
    """Fill a desk with a realistic made-up year of tickets that ends now, then open it.

    Without --db (or $SPORTELLO_DB, or db in config.toml) this uses demo.db next to the default
    desk, never your real one; run again, it reopens the same demo desk. Other commands reach it
    with `sportello --demo`, e.g. `sportello --demo ticket list`.
    """
    from models.demo import generator as demo_data  # imported here: only this command needs the generator

    url = state.db_url(default_name=DEMO_DB)
    own_demo_file = url == demo_url()
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
    if url == demo_url():
        return "sportello --demo"
    config = ""
    if state.config_path:
        config = f" --config {shlex.quote(str(Path(state.config_path).expanduser().absolute()))}"
    if state.cli_db is None and url == state.db_url():
        return "sportello" + config  # $SPORTELLO_DB or config.toml chose it
    return f"sportello{config} --db {shlex.quote(one_line(describe_location(url)))}"


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
