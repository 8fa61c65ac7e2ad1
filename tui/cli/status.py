"""``sportello status``: the page a customer may see of their ticket, as text, Markdown or HTML."""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli.common import TICKET_ID, pass_state, write_private

__all__ = ["status_command"]


@click.command("status")
@click.argument("number", type=TICKET_ID, metavar="TICKET")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default="text", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (mode 0600, in a folder only you can write), not standard output.",
)
@pass_state
def status_command(state, number, fmt, output) -> None:
    """What the customer may see of their ticket: its state, what happens next and by when, and the
    public timeline (messages and status changes; never internal notes or agent-only fields).

    Every time is in one zone, the ticket's SLA calendar's. Past a deadline the page says so and
    gives the next update instead: a response deadline still ahead, else the policy's
    next-response target counted on from the missed one.
    """
    from models.reports.customer_view import customer_status
    from models.reports.status_page import render_status

    with state.desk():
        state.actor()
        page = render_status(customer_status(number), fmt)
    if output is None:
        click.echo(page, nl=False)
    else:
        write_private(output, page)
