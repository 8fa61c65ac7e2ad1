"""Make the README's screenshots: ``python -m tui.screenshots [OUT_DIR]`` (default ``docs/screenshots``).

It builds a small demo desk (300 tickets, seed 7) in a temporary directory, runs the app headless
at 100×30 with a fixed clock and fixed labels (so the images show neither this machine's user nor
its paths), and writes ``queue.svg``, ``ticket.svg`` and ``help.svg``. The demo desk is removed
afterwards. Same code, same data and the same Textual, byte-identical pictures. Run it from the
repository root.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime

from rich.console import Console
from textual.pilot import Pilot

from models import close_database, open_database
from models.demo import generator as demo
from models.directory import agents
from models.store.tables import Ticket
from tui.app import SportelloApp
from tui.desk.desk import Desk
from tui.screens.help import HelpScreen
from tui.screens.queue import QueueScreen
from tui.screens.ticket import TicketScreen
from tui.widgets.timeline import timeline_text

__all__ = ["main", "make_screenshots", "pick_ticket"]

SIZE = (100, 30)
LOGIN = "ada"
QUEUE_VIEW = "All"  # the saved view the queue picture shows
NOW = datetime(2026, 11, 4, 10, 30)  # a Wednesday morning: the demo's story ends here, the day in progress
TIMELINE_ROOM = 22  # timeline lines visible at 100×30 (header, ticket header and footer take 8)
TIMELINE_WIDTH = 95  # cells for a message body at 100 columns (padding, scrollbar and gutter take 5)


def pick_ticket(desk: Desk) -> int:
    """The ticket with the most events that has a customer message, an agent's reply, an
    internal note and a change, and whose whole timeline fits on screen."""
    wanted = {("created", False, True), ("reply", False, False), ("note", True, False)}  # (kind, internal, by customer)
    console = Console(width=SIZE[0])
    best: tuple[int, int] | None = None  # (events, number)
    for (number,) in Ticket.select(Ticket.number).order_by(Ticket.number).tuples():
        view = desk.ticket(number)
        kinds = {(e.kind, e.internal, e.by_customer) for e in view.events}
        if not wanted <= kinds or not any(e.kind not in ("created", "reply", "note") for e in view.events):
            continue
        lines = sum(len(text.wrap(console, TIMELINE_WIDTH)) for _, text in timeline_text(view))
        if lines <= TIMELINE_ROOM and (best is None or len(view.events) > best[0]):
            best = (len(view.events), view.number)
    if best is None:
        raise SystemExit("screenshots: no demo ticket has a timeline that fits the screen")
    return best[1]


async def _until(pilot: Pilot[None], ready: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Let the app run until ``ready()`` and its workers are done, or fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ready():
        if loop.time() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    pilot.app.screen.refresh_bindings()  # the footer dims actions that need a row; rows came in since
    await pilot.pause()


def _save(app: SportelloApp, out_dir: str, name: str) -> None:
    path = app.save_screenshot(name, out_dir)
    print(f"{path}: {os.path.getsize(path):,} bytes")


async def make_screenshots(desk: Desk, out_dir: str, ticket: int) -> None:
    """Drive the app on ``desk`` and write the three SVGs into ``out_dir``."""
    app = SportelloApp(desk, now=lambda: NOW, blink=False, poll=None)
    async with app.run_test(size=SIZE) as pilot:
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        table = queue.table
        await _until(pilot, lambda: table.total is not None and table.current_row is not None, "the queue")
        everything = next(i for i, view in enumerate(queue.views) if view.name == QUEUE_VIEW)
        await pilot.press(str(everything + 1))  # every status and priority, not only the unassigned
        await _until(
            pilot,
            lambda: table.query_text == queue.view.query and table.total is not None and table.current_row is not None,
            f"the view {QUEUE_VIEW!r}",
        )
        _save(app, out_dir, "queue.svg")

        await app.push_screen(TicketScreen(desk, ticket, now=lambda: NOW))
        screen = app.screen
        assert isinstance(screen, TicketScreen)
        await _until(pilot, lambda: screen.view is not None, f"ticket #{ticket}")
        _save(app, out_dir, "ticket.svg")
        await pilot.press("escape")

        await _until(pilot, lambda: app.screen is queue, "the queue again")
        await pilot.press("question_mark")
        await _until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        _save(app, out_dir, "help.svg")


def main(argv: list[str] | None = None) -> None:
    """Build the demo desk in a temporary directory, take the pictures, remove the desk."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = os.path.abspath(args[0] if args else os.path.join("docs", "screenshots"))
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sportello-shots-") as tmp:
        url = "sqlite:///" + os.path.join(tmp, "demo.db")
        open_database(url, create=True)
        try:
            me = agents.ensure_admin(LOGIN)
            demo.build_demo(tickets=300, seed=7, admin_login=LOGIN, at=NOW)
            desk = Desk(url, me, where="demo.db", user_host=f"{LOGIN}@helpdesk")
            ticket = pick_ticket(desk)
            print(f"ticket #{ticket}")
            asyncio.run(make_screenshots(desk, out_dir, ticket))
        finally:
            close_database()


if __name__ == "__main__":
    main()
