"""One customer message of 450,000 short lines (under the 1 MB limit) must not freeze the app.

It took the ticket screen 51 s to open (and as long again on every reload and resize): every line
of the body was wrapped on the UI thread. Now the timeline shows the first lines and says what is
left; ``o`` or enter opens the whole message in a viewer that renders only the rows in view and
wraps in a worker. The time bounds below are generous regression guards on this pathological
input (5 s where it took 51 s), not benchmarks.
"""

from __future__ import annotations

import threading
import time

from rich.cells import cell_len

import tui.widgets.timeline as timeline_view
from models.directory import agents
from models.tickets import changes as tickets
from support.tui import make_app, queue_ready, run, screen_text, ticket_ready, until
from tui.screens.message import MessageViewer
from tui.screens.ticket import TicketScreen
from tui.widgets.message_view import MessageView, fold_lines
from tui.widgets.timeline import BODY_CHARS, BODY_LINES, cut_body

LINES = 450_000
HOSTILE = "[@click=app.quit]boom[/] [bold]not bold[/bold] \x1b]0;pwned\x07 \x1b[2J \u202eevil"
FAST = 5.0  # seconds; it took 51 s before


def huge_body() -> str:
    """450,000 lines, hostile markup and escapes on the first, ``LAST LINE`` on the last (900 KB)."""
    body = HOSTILE + "\n" + "a\n" * (LINES - 2) + "LAST LINE 450000"
    assert len(body.encode()) < 1_000_000 and body.count("\n") + 1 == LINES
    return body


def huge_ticket(desk) -> int:
    return tickets.create_ticket(agents.get_agent(desk.me.login), subject="Log attached", body=huge_body(),
                                 customer="flood@example.com").number  # fmt: skip


async def open_ticket(pilot, number: int) -> TicketScreen:
    """Find ``number`` with the filter and open it, as a user would; its timeline drawn."""
    await pilot.press("slash", *f"#{number}", "enter")
    screen = await queue_ready(pilot)
    await until(
        pilot, lambda: screen.table.current_row and screen.table.current_row.number == number, f"#{number} in the queue"
    )
    await pilot.press("enter")
    ticket = await ticket_ready(pilot)
    await until(pilot, lambda: ticket.timeline._lines, "the timeline drawn")
    await pilot.pause()
    return ticket


async def viewer_ready(pilot) -> MessageView:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MessageViewer), "the message viewer")
    view = app.screen.view
    await until(pilot, lambda: view.wrapped_width == view.scrollable_content_region.width > 0, "the message wrapped")
    await pilot.pause()
    return view


def test_a_450000_line_message_opens_at_once_with_its_start_and_what_is_left(tui_desk):
    number = huge_ticket(tui_desk)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            started = time.monotonic()
            ticket = await open_ticket(pilot, number)
            took = time.monotonic() - started
            assert took < FAST, f"the ticket took {took:.1f} s to open"
            text = screen_text(pilot.app)
            assert f"… {LINES - BODY_LINES:,} more lines — press o or enter to read the whole message" in text
            assert len(ticket.timeline._lines) < BODY_LINES + 20  # the start of the body, not all of it
            await pilot.press("g")  # the top of the timeline: the first line, its markup literal
            await pilot.pause()
            assert "[@click=app.quit]boom[/] [bold]not bold[/bold]" in screen_text(pilot.app)
            assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
            # Reloading (another agent's change, ctrl+r) is as quick.
            started = time.monotonic()
            version = ticket.view.version
            await pilot.press("ctrl+r")
            await until(pilot, lambda: ticket.view.version == version and ticket.timeline._lines, "the reload")
            await pilot.pause()
            assert time.monotonic() - started < FAST

    run(scenario())


def test_o_opens_the_whole_message_and_its_last_line_is_there(tui_desk):
    number = huge_ticket(tui_desk)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await open_ticket(pilot, number)
            started = time.monotonic()
            await pilot.press("o")  # the cursor is on the last line: the "more" line
            view = await viewer_ready(pilot)
            assert time.monotonic() - started < FAST
            text = screen_text(pilot.app)
            assert f"#{number} · message · " in text  # the heading names the ticket
            assert "[@click=app.quit]boom[/] [bold]not bold[/bold]" in text  # markup literal, never acted on
            assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
            assert "lines 1–" in text and f"of {LINES:,}" in text
            started = time.monotonic()
            await pilot.press("G")
            await pilot.pause()
            text = screen_text(pilot.app)
            assert "LAST LINE 450000" in text
            assert f"–{LINES:,} of {LINES:,}" in text
            assert time.monotonic() - started < FAST
            await pilot.press("g", "j")
            await pilot.pause()
            assert view.visible_text()[0] == "a"  # line 2
            await pilot.press("escape")
            await ticket_ready(pilot)
            assert pilot.app.is_running

    run(scenario())


def test_enter_reads_the_message_under_the_cursor_and_a_short_one_shows_whole(tui_desk):
    number = tickets.create_ticket(agents.get_agent("ada"), subject="Short", body="Just one line.",
                                   customer="short@example.com").number  # fmt: skip

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await open_ticket(pilot, number)
            assert "more line" not in screen_text(pilot.app)
            await pilot.press("g", "enter")  # the first line is a gap: the message below it is read
            await viewer_ready(pilot)
            text = screen_text(pilot.app)
            assert "Just one line." in text and "lines 1–1 of 1" in text

    run(scenario())


def test_resizing_the_ticket_and_the_viewer_does_not_freeze(tui_desk):
    number = huge_ticket(tui_desk)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            ticket = await open_ticket(pilot, number)
            started = time.monotonic()
            await pilot.resize_terminal(120, 30)
            await until(
                pilot,
                lambda: ticket.timeline._width == ticket.timeline.scrollable_content_region.width,
                "the timeline at 120",
            )
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert time.monotonic() - started < FAST
            await pilot.press("o")
            view = await viewer_ready(pilot)
            await pilot.press("j", "j", "j")  # line 4 at the top
            await pilot.pause()
            started = time.monotonic()
            for size in ((100, 30), (60, 20), (80, 24)):
                await pilot.resize_terminal(*size)
                await pilot.pause()
                assert time.monotonic() - started < FAST  # a frame came before any wrapping ended
            await viewer_ready(pilot)
            assert time.monotonic() - started < FAST
            assert view.line_at(int(view.scroll_y)) == 3  # the reader keeps their place
            await pilot.press("G")
            await pilot.pause()
            assert "LAST LINE 450000" in screen_text(pilot.app)
            for size in ((120, 30), (80, 24)):  # a reader at the end stays there
                await pilot.resize_terminal(*size)
                await viewer_ready(pilot)
                assert "LAST LINE 450000" in screen_text(pilot.app)
                assert f"–{LINES:,} of {LINES:,}" in screen_text(pilot.app)

    run(scenario())


def test_a_long_timeline_is_wrapped_off_the_ui_thread(tui_desk, monkeypatch):
    """Forty notes of 150 lines each (6,000 rows): the wrapping runs in a worker, the screen shows them."""
    ada = agents.get_agent("ada")
    number = tickets.create_ticket(ada, subject="Many notes", body="first", customer="notes@example.com").number
    for index in range(40):
        tickets.add_note(ada, number, "\n".join(f"note {index} line {n}" for n in range(150)))
    threads: list[str] = []
    wrap = timeline_view.wrap_blocks

    def recording(blocks, *args, **kwargs):
        if blocks:  # an empty timeline (before the ticket has loaded) costs nothing
            threads.append(threading.current_thread().name)
        return wrap(blocks, *args, **kwargs)

    monkeypatch.setattr(timeline_view, "wrap_blocks", recording)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            ticket = await open_ticket(pilot, number)
            assert "note 39 line 149" in screen_text(pilot.app)  # the reader starts at the bottom
            assert threads and threading.main_thread().name not in threads
            count = len(threads)
            await pilot.resize_terminal(100, 30)
            await until(
                pilot, lambda: ticket.timeline._width == ticket.timeline.scrollable_content_region.width, "the rewrap"
            )
            assert len(threads) > count and threading.main_thread().name not in threads
            assert ticket.timeline.cursor == len(ticket.timeline._lines) - 1  # still on the last line
            await pilot.resize_terminal(120, 30)  # and back before that wrap ends: its lines are dropped
            await pilot.resize_terminal(100, 30)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            timeline = ticket.timeline
            assert timeline._width == timeline.scrollable_content_region.width
            assert {strip.cell_length for strip in timeline._lines} == {timeline._width}
            assert "note 39 line 149" in screen_text(pilot.app)

    run(scenario())


# --- the parts --------------------------------------------------------------------------------


def test_cut_body_keeps_the_first_lines_and_counts_the_rest():
    body = "\n".join(f"line {n}" for n in range(1, 1001))
    shown, left = cut_body(body)
    assert shown.splitlines() == [f"line {n}" for n in range(1, BODY_LINES + 1)]
    assert left == f"… {1000 - BODY_LINES:,} more lines — press o or enter to read the whole message"
    assert cut_body("short\nbody") == ("short\nbody", "")
    one_more = "\n".join(["x"] * (BODY_LINES + 1))
    assert cut_body(one_more)[1].startswith("… 1 more line —")


def test_cut_body_bounds_one_long_line_by_characters():
    body = "word " * 100_000  # 500,000 characters, no newline
    shown, left = cut_body(body)
    assert shown == body[:BODY_CHARS]
    assert left.startswith(f"… {len(body) - BODY_CHARS:,} more characters —")
    lines = "\n".join(["y" * 500] * 100)  # 100 lines of 500: over the characters, cut at a line's end
    shown, left = cut_body(lines)
    assert shown == "\n".join(["y" * 500] * (BODY_CHARS // 501))
    assert left.startswith(f"… {100 - BODY_CHARS // 501:,} more lines —")


def test_fold_lines_wraps_only_what_is_too_wide():
    lines = ["short", "x" * 25, "", "wide 漢字漢字漢字漢字", "the end"]
    rows, firsts = fold_lines(lines, 10)
    assert rows[0] == "short" and rows[1:4] == ["x" * 10, "x" * 10, "x" * 5]
    assert firsts == [0, 1, 4, 5, firsts[4]] and rows[firsts[4]] == "the end"
    assert all(cell_len(row) <= 10 for row in rows)
    assert "".join(rows[5 : firsts[4]]).replace(" ", "") == "wide漢字漢字漢字漢字"


# --- a timeline wrapped while the reader acts (review points 7 and 11) --------------------------


def replies_and_notes(desk) -> int:
    """A ticket of 40 replies and 40 internal notes, 30 lines each: over 1,000 rows in both views."""
    ada = agents.get_agent("ada")
    number = tickets.create_ticket(ada, subject="Chatty", body="first", customer="chatty@example.com").number
    for index in range(40):
        tickets.add_reply(ada, number, "\n".join(f"reply {index} line {n}" for n in range(30)))
        tickets.add_note(ada, number, "\n".join(f"note {index} line {n}" for n in range(30)))
    return number


def gated_wrap(monkeypatch) -> tuple[threading.Event, list[object]]:
    """Hold every wrap in a worker thread until the returned event is set; what each returned."""
    gate, results = threading.Event(), []
    gate.set()
    wrap = timeline_view.wrap_blocks

    def held(blocks, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            assert gate.wait(10), "the gate was never opened"
        result = wrap(blocks, *args, **kwargs)
        results.append(result)
        return result

    monkeypatch.setattr(timeline_view, "wrap_blocks", held)
    return gate, results


def test_o_right_after_v_opens_the_message_on_screen_not_another_or_a_crash(tui_desk, monkeypatch):
    number = replies_and_notes(tui_desk)
    gate, _ = gated_wrap(monkeypatch)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            ticket = await open_ticket(pilot, number)
            timeline = ticket.timeline
            assert "note 39 line 29" in screen_text(pilot.app)  # the reader is at the bottom
            gate.clear()  # the customer view's lines are still being wrapped when o comes
            await pilot.press("v")
            await until(pilot, lambda: timeline.view is not None and timeline.view.customer_view, "the customer view")
            assert timeline._wanted  # its lines are on their way
            await pilot.press("o")
            await until(pilot, lambda: isinstance(pilot.app.screen, MessageViewer), "the message viewer")
            viewer = pilot.app.screen
            assert "internal note" in viewer.heading  # the note on screen under the cursor
            assert viewer.body.endswith("note 39 line 29")
            gate.set()
            await pilot.press("escape")
            await until(
                pilot, lambda: timeline._lines_view is timeline.view and timeline._width, "the customer view wrapped"
            )
            assert "note 39" not in screen_text(pilot.app)
            await pilot.press("o")  # now the customer view's last message
            await until(pilot, lambda: isinstance(pilot.app.screen, MessageViewer), "the message viewer")
            assert pilot.app.screen.body.endswith("reply 39 line 29") and "internal" not in pilot.app.screen.heading
            assert pilot.app.is_running

    run(scenario())


def test_a_reload_and_resize_storm_leaves_one_wrap_running(tui_desk, monkeypatch):
    number = replies_and_notes(tui_desk)
    gate, results = gated_wrap(monkeypatch)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            ticket = await open_ticket(pilot, number)
            timeline = ticket.timeline
            gate.clear()
            results.clear()
            for size in ((100, 30), (90, 30), (120, 30)):
                generation = timeline._generation
                await pilot.press("ctrl+r")
                await until(pilot, lambda generation=generation: timeline._generation > generation, "the reload")
                await pilot.resize_terminal(*size)
                await until(
                    pilot, lambda: timeline._wanted == timeline.scrollable_content_region.width, "the rewrap asked"
                )
            gate.set()  # six workers asked, five of them replaced: those stop at their next block
            await pilot.app.workers.wait_for_complete()
            await until(pilot, lambda: len(results) == 6, "every wrap to end")
            await pilot.pause()
            assert [result is not None for result in results].count(True) == 1
            assert timeline._width == timeline.scrollable_content_region.width
            assert {strip.cell_length for strip in timeline._lines} == {timeline._width}
            assert "note 39 line 29" in screen_text(pilot.app)

    run(scenario())


def test_fold_lines_stops_inside_one_huge_line_when_cancelled():
    line = "word " * 200_000  # one line of 1 MB
    asked = []

    def cancelled() -> bool:  # a newer width comes once the wrapping has begun
        asked.append(1)
        return len(asked) > 2

    assert fold_lines([line], 80, cancelled) is None
    assert fold_lines(["short", line], 80, lambda: False)[0][1:] == ["word " * 15 + "word"] * 12_500
    many = ["w" * 100] * 10_000  # under 20,000 lines, each to be wrapped
    asked.clear()
    assert fold_lines(many, 80, cancelled) is None and len(asked) == 3


def test_fold_lines_wraps_a_huge_line_in_pieces_exactly_as_whole():
    import io
    import random

    from rich.console import Console
    from rich.text import Text

    rng = random.Random(15)
    pieces = ["a", "bb", " ", "  ", "漢字", "\u3000", "é", "-", "x" * 90 + " ", "y" * 13 + "   "]
    lines = ["".join(rng.choice(pieces) for _ in range(25_000)), " " * 45_000 + "word " * 3_000 + "x" * 30_000]
    for line in lines:
        for width in (4, 13, 80):
            console = Console(file=io.StringIO(), width=width, legacy_windows=False)
            whole = [part.plain.rstrip() for part in Text(line).wrap(console, width, overflow="fold")]
            assert fold_lines([line], width)[0] == whole
