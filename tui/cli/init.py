"""``sportello init``: create the desk (or upgrade it) and make the OS login its first admin."""

from __future__ import annotations

import click

from models.directory import agents
from models.store.config import describe_location
from tui.cli.common import CliState, echo_line, pass_state
from tui.text.safe import one_line

__all__ = ["init_command"]


@click.command("init")
@pass_state
def init_command(state: CliState) -> None:
    """Create the desk (or upgrade it) and make your OS login its first admin."""
    with state.desk(create=True) as url:
        me = agents.first_agent()
        echo_line(f"Desk ready at {one_line(describe_location(url))}")
        echo_line(f"You are {one_line(me.login)} ({me.role}{'' if me.active else ', deactivated'}).")
