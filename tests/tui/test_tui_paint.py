"""Light on the wire (issue 14, point 20): a cursor move repaints the rows whose look changed, not the view.

The figures in bytes are measured in tmux by ``python -m tests.benchmarks.wire``; these tests pin
down the cause: which regions of a widget a key asks the compositor to repaint.
"""

from __future__ import annotations

from contextlib import contextmanager

from textual.geometry import Region
from textual.widget import Widget

from models.tickets import changes as tickets
from support.tui import faq_ready, make_app, queue_ready, run, ticket_ready, until


@contextmanager
def refreshes(widget: Widget):
    """Record what ``widget`` asks to repaint: a Region per partial refresh, None for the whole widget."""
    asked: list[Region | None] = []
    original = widget.refresh

    def spy(*regions, **options):
        asked.extend(regions or [None])
        return original(*regions, **options)

    widget.refresh = spy
    try:
        yield asked
    finally:
        del widget.refresh


def lines(asked: list[Region | None]) -> set[int] | None:
    """The widget lines asked for, or None when the whole widget was."""
    if any(region is None for region in asked):
        return None
    return {y for region in asked for y in range(region.y, region.bottom)}


def test_a_cursor_move_in_the_queue_repaints_the_old_and_the_new_row_only(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            await queue_ready(pilot)
            await pilot.press("7")  # All: more tickets than lines
            screen = await queue_ready(pilot)
            table = screen.table
            assert table.show_vertical_scrollbar
            with refreshes(table) as asked, refreshes(table.vertical_scrollbar) as scrollbar:
                await pilot.press("down")
                await pilot.pause()
            assert table.cursor == 1
            assert lines(asked) == {1, 2}  # line 0 holds the column titles
            assert scrollbar == []  # the status line changed, the scrollbar did not
            with refreshes(table) as asked:
                await pilot.press("k")
                await pilot.pause()
            assert table.cursor == 0 and lines(asked) == {1, 2}
            with refreshes(table) as asked:
                await pilot.press("space")  # marks the row and moves on: two rows again
                await pilot.pause()
            assert table.cursor == 1 and lines(asked) == {1, 2}

    run(scenario())


def test_j_and_k_in_the_timeline_repaint_two_lines_and_the_view_follows_the_cursor_at_its_edges(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            screen = await queue_ready(pilot)
            number = screen.table.current_row.number
            tickets.add_note(tui_desk.me, number, "\n".join(f"step {n}" for n in range(60)))
            await pilot.press("enter")
            screen = await ticket_ready(pilot)
            timeline = screen.timeline
            assert len(timeline._lines) > timeline.size.height  # it scrolls
            await until(pilot, lambda: timeline.is_vertical_scroll_end, "the newest event")
            assert timeline.cursor == len(timeline._lines) - 1
            await pilot.press("g")
            await until(pilot, lambda: timeline.scroll_y == 0, "the top")
            with refreshes(timeline) as asked:
                await pilot.press("j")
                await pilot.pause()
            assert timeline.cursor == 1 and timeline.scroll_y == 0
            assert lines(asked) == {0, 1}
            with refreshes(timeline) as asked:
                await pilot.press("k")
                await pilot.pause()
            assert timeline.cursor == 0 and lines(asked) == {0, 1}
            # The cursor's line is marked: it is painted unlike itself when the cursor leaves it.
            marked = timeline.render_line(0)
            await pilot.press("j")
            assert timeline.render_line(0) != marked
            # Past the bottom of the view, the view follows.
            height = timeline.scrollable_content_region.height
            for _ in range(height):
                await pilot.press("j")
            await pilot.pause()
            assert timeline.cursor == height + 1 and timeline.scroll_y == 2

    run(scenario())


def test_moving_in_the_faq_list_repaints_its_rows_not_its_scrollbar(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 30)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            screen = await faq_ready(pilot)
            table = screen.table
            assert table.show_vertical_scrollbar and table.cursor_row == 0
            with refreshes(table) as asked, refreshes(table.vertical_scrollbar) as scrollbar:
                await pilot.press("j")
                screen = await faq_ready(pilot)  # the preview of the next article is in
            assert table.cursor_row == 1 and screen.shown.id == screen.current.id
            first = table.header_height  # the article rows start below the column titles
            assert lines(asked) <= {first, first + 1}
            assert scrollbar == []

    run(scenario())
