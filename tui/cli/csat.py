"""``sportello csat …``: customer satisfaction surveys — record an answer, list the latest."""

from __future__ import annotations

import click

from tui.cli.common import TICKET_ID, echo_json, echo_line, iso, json_option, pass_state, when
from tui.text.safe import one_line

__all__ = ["csat_group"]


@click.group("csat")
def csat_group() -> None:
    """Customer satisfaction: surveys open when a ticket is resolved."""


@csat_group.command("record")
@click.argument("number", type=TICKET_ID, metavar="TICKET")
@click.option("--score", required=True, type=int, metavar="1-5")
@click.option("--comment", metavar="TEXT", help="What the customer said.")
@json_option
@pass_state
def csat_record(state, number, score, comment, as_json) -> None:
    """Record the customer's answer to the ticket's survey; 2 or less is flagged for a lead."""
    from models.tickets import csat

    with state.desk():
        ticket = csat.record(state.actor(), number, score, comment)
    if as_json:
        echo_json({"ticket": ticket.number, "score": score, "version": ticket.version})
        return
    echo_line(str(ticket.version))


@csat_group.command("list")
@click.option("--low", is_flag=True, help="Only scores of 2 or less.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@json_option
@pass_state
def csat_list(state, low, limit, as_json) -> None:
    """The latest answers, newest first."""
    from models.tickets import csat

    with state.desk():
        state.actor()
        found = csat.answers(low_only=low, limit=limit)
    if as_json:
        echo_json([{"ticket": a.ticket, "score": a.score, "comment": a.comment, "answered_at": iso(a.answered_at)}
                   for a in found])  # fmt: skip
        return
    for a in found:
        echo_line(
            f"#{a.ticket:<7} {a.score}/5  {when(a.answered_at)}  {one_line(a.subject, 30):<30}  {one_line(a.comment, 30)}"
        )
