"""``sportello queue …``: the queues tickets are filed in."""

from __future__ import annotations

import click

from models.directory import lookup as directory
from tui.cli.common import echo_json, echo_line, json_option, pad, pass_state
from tui.text.safe import one_line

__all__ = ["queue_group"]


@click.group("queue")
def queue_group() -> None:
    """Add and list the queues tickets are filed in (adding needs a lead or an admin)."""


@queue_group.command("add")
@click.argument("name")
@click.option("--description", default="", help="What the queue is for.")
@json_option
@pass_state
def queue_add(state, name, description, as_json) -> None:
    """Add a queue called NAME."""
    with state.desk():
        added = directory.add_queue(name, description, actor=state.actor())
    if as_json:
        echo_json(_queue_json(added))
    else:
        echo_line(f"added queue {one_line(added.name)}")


def _queue_json(q) -> dict:
    return {"id": q.id, "name": q.name, "description": q.description}


@queue_group.command("list")
@json_option
@pass_state
def queue_list(state, as_json) -> None:
    """List the queues."""
    with state.desk():
        state.actor()
        rows = directory.list_queues()
    if as_json:
        echo_json([_queue_json(q) for q in rows])
        return
    for q in rows:
        echo_line(f"{pad(one_line(q.name, 24), 24)} {one_line(q.description, 54)}".rstrip())
