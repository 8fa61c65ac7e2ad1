"""SVG snapshots of the main screens at 80×24 and 120×40, on a copy of the demo desk.

The desk, the clock, ``user@host`` and the database label are fixed, and nothing blinks, so an
image changes only when the app's look does. Review a changed image, then accept it with
``python -m pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from models import timeline
from models.search import search_tickets
from tui.pickers import ChoiceScreen
from tui.ticket_screen import TicketScreen

from tui_support import NOW, make_app, queue_ready, ticket_ready, until

SIZES = [(80, 24), (120, 40)]


def story_ticket() -> int:
    """The newest open ticket whose timeline has a customer message, a reply and an internal note."""
    for ticket in search_tickets("is:open sort:created", limit=150).tickets:
        kinds = {(e.kind, e.visibility) for e in timeline.events_of(ticket.number)}
        if {("reply", "public"), ("note", "internal")} <= kinds and len(kinds) >= 4:
            return ticket.number
    raise AssertionError("the demo desk has no ticket with a reply and a note")


async def show_ticket(pilot, number: int) -> None:
    await queue_ready(pilot)
    await pilot.app.push_screen(TicketScreen(pilot.app.desk, number, now=lambda: NOW))
    await ticket_ready(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_queue(snap_compare, tui_desk, size):
    async def ready(pilot):
        await queue_ready(pilot)
        await pilot.press("7")
        await queue_ready(pilot)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ticket(snap_compare, tui_desk, size):
    number = story_ticket()

    async def ready(pilot):
        await show_ticket(pilot, number)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_customer_view(snap_compare, tui_desk, size):
    number = story_ticket()

    async def ready(pilot):
        await show_ticket(pilot, number)
        await pilot.press("v")
        await until(pilot, lambda: pilot.app.screen.view.customer_view, "the customer view")
        await pilot.pause()

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, tui_desk, size):
    async def ready(pilot):
        await queue_ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_status_picker(snap_compare, tui_desk, size):
    number = story_ticket()

    async def ready(pilot):
        await show_ticket(pilot, number)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceScreen), "the picker")
        await pilot.pause()

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)
