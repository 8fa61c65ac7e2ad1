"""Light on the wire (issue 14, point 20): a cursor move repaints the rows whose look changed, not the view.

The figures in bytes are measured in tmux by ``python -m tests.benchmarks.wire``; these tests pin
down the cause: which regions of a widget a key asks the compositor to repaint.
"""

from __future__ import annotations

from contextlib import contextmanager

from textual.geometry import Region
from textual.widget import Widget

from tui_support import make_app, queue_ready, run, ticket_ready, until


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
            screen = await queue_ready(pilot)
            table = screen.table
            assert table.total > 3
            with refreshes(table) as asked:
                await pilot.press("down")
                await pilot.pause()
            assert table.cursor == 1
            assert lines(asked) == {1, 2}  # line 0 holds the column titles
            with refreshes(table) as asked:
                await pilot.press("k")
                await pilot.pause()
            assert table.cursor == 0 and lines(asked) == {1, 2}
            with refreshes(table) as asked:
                await pilot.press("space")  # marks the row and moves on: two rows again
                await pilot.pause()
            assert table.cursor == 1 and lines(asked) == {1, 2}

    run(scenario())
