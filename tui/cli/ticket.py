"""The ``sportello ticket`` group: reading commands from :mod:`tui.cli.ticket_read`, changes from
:mod:`tui.cli.ticket_write`."""

from __future__ import annotations

import click

from tui.cli.ticket_read import ticket_list, ticket_show, timeline
from tui.cli.ticket_write import ticket_link_faq, ticket_merge, ticket_new, ticket_note, ticket_reply, ticket_set

__all__ = ["ticket_group"]


@click.group("ticket")
def ticket_group() -> None:
    """Create, list, show and change tickets."""


for _command in (ticket_new, ticket_list, ticket_show, timeline, ticket_set, ticket_reply, ticket_note, ticket_merge,
                 ticket_link_faq):  # fmt: skip
    ticket_group.add_command(_command)  # ``timeline`` is also a command of its own, beside ``ticket``
