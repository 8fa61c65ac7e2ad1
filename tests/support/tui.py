"""What the TUI tests share: a fixed clock, the app as tests build it, and waiting for the screen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime

from textual.pilot import Pilot

from models.search import tickets as search
from tui.app import SportelloApp
from tui.desk.desk import Desk
from tui.screens.queue import QueueScreen
from tui.screens.ticket import TicketScreen

#: A day after the demo's own "now", so ages read the same on every run.
NOW = datetime(2026, 11, 2, 9, 0)


def make_app(desk: Desk, *, poll: float | None = None, **options) -> SportelloApp:
    return SportelloApp(desk, now=lambda: NOW, blink=False, poll=poll, **options)


def run(coro) -> None:
    asyncio.run(coro)


async def until(pilot: Pilot, predicate: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def queue_ready(pilot: Pilot) -> QueueScreen:
    app = pilot.app

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, QueueScreen)
            and screen.table.total is not None
            and (screen.table.total == 0 or screen.table.window.loaded(screen.table.cursor))
        )

    await until(pilot, ready, "the queue")
    await pilot.pause()
    return app.screen


async def ticket_ready(pilot: Pilot, version: int | None = None) -> TicketScreen:
    app = pilot.app
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, TicketScreen)
            and app.screen.view is not None
            and (version is None or app.screen.view.version >= version)
        ),
        "the ticket",
    )
    await pilot.pause()
    return app.screen


def screen_strips(app: SportelloApp):
    """The screen as the terminal would get it, line by line."""
    return app.screen._compositor.render_strips()


def screen_text(app: SportelloApp) -> str:
    """Everything on screen as plain text (what a user reads)."""
    return "\n".join(strip.text for strip in screen_strips(app))


async def faq_ready(pilot: Pilot, query: str | None = None):
    """The FAQ screen, its list loaded (for ``query``, when given) and its preview showing the row under the cursor."""
    from tui.screens.faq import FAQScreen

    app = pilot.app

    def ready() -> bool:
        screen = app.screen
        if not isinstance(screen, FAQScreen) or screen.total is None:
            return False
        if query is not None and screen.query_text != query:
            return False
        if screen.table.row_count != len(screen.hits):
            return False
        current = screen.current
        return current is None or (screen.shown is not None and screen.shown.id == current.id)

    await until(pilot, ready, "the FAQ list")
    await pilot.pause()
    return app.screen


async def editor_ready(pilot: Pilot):
    """The FAQ editor with its article (or the empty form of a new one) loaded."""
    from tui.screens.faq_editor import FAQEditor

    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, FAQEditor) and app.screen.base is not None, "the FAQ editor")
    await pilot.pause()
    return app.screen


def notifications(app: SportelloApp) -> str:
    """Every notification shown so far, as one string."""
    return " ".join(str(n.message) for n in app._notifications)


# --- two agents on one desk ------------------------------------------------------------------


def second_agent_desk(desk: Desk, login: str = "bob") -> Desk:
    """A new agent ``login`` on the same desk file as ``desk``: the other app of a race."""
    from models.directory import agents

    other = agents.add_agent(desk.me, login, f"{login.capitalize()} Agent")
    return Desk(desk.url, other, where="demo.db", user_host=f"{login}@helpdesk")


async def choose(pilot: Pilot, value: str) -> None:
    """Wait for a picker, type ``value`` into it and take it."""
    from tui.dialogs.choice import ChoiceDialog

    await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog), "a picker")
    await pilot.press(*value, "enter")


async def answer(pilot: Pilot, text: str) -> None:
    """Wait for a text prompt and answer it."""
    from tui.dialogs.text_prompt import TextPrompt

    await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt), "a prompt")
    await pilot.press(*text, "enter")


async def open_ticket(pilot, number: int) -> TicketScreen:
    """Find ``number`` with the filter and open it, as a user would."""
    await pilot.press("slash", *f"#{number}", "enter")
    screen = await queue_ready(pilot)
    await until(
        pilot, lambda: screen.table.current_row and screen.table.current_row.number == number, f"#{number} in the queue"
    )
    await pilot.press("enter")
    return await ticket_ready(pilot)


def some_open_ticket() -> int:
    return search.search_tickets("status:new,open is:unassigned", limit=1).tickets[0].number
