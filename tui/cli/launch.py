"""Opening the full-screen app from the command line: the one place the CLI reaches :mod:`tui.app`,
imported only when the app opens, so no other command loads Textual."""

from __future__ import annotations

import sys

import click

from tui.cli.common import CliState, echo_line

__all__ = ["open_tui", "NO_TERMINAL"]

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


def _stdout_is_tty() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
