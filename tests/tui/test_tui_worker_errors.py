"""An error in a screen's background worker reaches the person in one line.

Textual delivers a worker's state only to the node that ran it, so a failed load of the ticket
screen (a locked desk, a bug) used to leave the screen as it was without a word."""

from __future__ import annotations

import pytest

from models.errors import StorageError
from support.tui import make_app, notifications, queue_ready, run, ticket_ready, until
from tui.desk.desk import Desk


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (StorageError("the desk is locked by another program"), "the desk is locked by another program"),
        (ValueError("boom in the load"), "internal error: ValueError: boom in the load"),
    ],
)
def test_a_failed_ticket_reload_is_told(tui_desk, monkeypatch, error, said):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await pilot.press("enter")
            screen = await ticket_ready(pilot)

            def broken(self, *args, **kwargs):
                raise error

            monkeypatch.setattr(Desk, "ticket", broken)
            await pilot.press("ctrl+r")
            await until(pilot, lambda: said in notifications(pilot.app), "the error told")
            assert pilot.app.is_running and pilot.app.screen is screen  # the screen stays as it was

    run(scenario())
