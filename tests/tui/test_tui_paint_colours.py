"""Urgent and overdue are the most visible things in the queue in every terminal (issue 14, point 17).

The queue is painted as the terminal would get it: with truecolour, with 16 colours (each colour
downgraded as Rich does for a ``standard`` terminal) and under ``NO_COLOR`` (the app's own
monochrome filter applied). Each test reads the styles of real cells on screen.
"""

from __future__ import annotations

import re

from rich.color import ColorSystem
from rich.style import Style
from textual.color import Color

from support.tui import make_app, queue_ready, run, screen_strips


def painted(app) -> list[list[tuple[str, Style]]]:
    """Every screen line as (character, style) cells, after the app's line filters (NO_COLOR)."""
    background = Color.parse("black")
    lines = []
    for strip in screen_strips(app):
        for line_filter in app.get_line_filters():
            strip = strip.apply_filter(line_filter, background)
        cells: list[tuple[str, Style]] = []
        for segment in strip:
            for char in segment.text:  # the queue's glyphs and words are one cell each
                cells.append((char, segment.style or Style()))
        lines.append(cells)
    return lines


def style_of(app, needle: str) -> tuple[Style, Style]:
    """The style of ``needle`` (a regular expression) on the first queue line that shows it, and of
    that line's ticket number.

    The cursor row is skipped (its own colours win there).
    """
    table = app.screen.table
    first = table.region.y + 1  # past the column titles
    cursor = first + table.cursor - int(table.scroll_y)
    for y, cells in enumerate(painted(app)):
        if y < first or y >= table.region.bottom or y == cursor:
            continue
        text = "".join(c for c, _ in cells)
        found = re.search(needle, text)
        if found:
            at = found.start()
            number = next(i for i, c in enumerate(text) if c.isdigit())
            return cells[at][1], cells[number][1]
    raise AssertionError(f"{needle!r} is not on screen")


#: The Due column of an overdue ticket, at the end of its line: ``!3h``, ``!11mo``.
OVERDUE = r"(?<= )!\d+(?:mo|m|h|d|w|y)(?= )"


def luminance(color) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = color.triplet
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(style: Style, row: Style) -> float:
    fg, bg = style.color or row.color, style.bgcolor or row.bgcolor
    if style.reverse:
        fg, bg = bg, fg
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def standard(color) -> int:
    return color.downgrade(ColorSystem.STANDARD).number


async def showing(pilot, query: str):
    """The "All" view narrowed by ``query``, the cursor moved off the first row."""
    await queue_ready(pilot)
    await pilot.press("7", "slash", *query, "enter")
    await queue_ready(pilot)
    await pilot.press("down")
    await pilot.pause()


def test_urgent_and_overdue_are_badges_that_share_no_red_with_pending_and_high_in_16_colours(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            app = pilot.app
            await showing(pilot, "sort:due-asc")  # the overdue first
            overdue, _ = style_of(app, OVERDUE)
            await pilot.press("escape")
            await showing(pilot, "sort:priority")
            urgent, plain = style_of(app, "▲▲ urgent")
            high, _ = style_of(app, "▲ high")
            await pilot.press("escape")
            await showing(pilot, "status:pending")
            pending, _ = style_of(app, "◐ pending")
            for badge in (urgent, overdue):
                assert badge.bold
                assert badge.bgcolor is not None and badge.bgcolor != plain.bgcolor  # a filled block
                assert contrast(badge, plain) >= 4.5
                # With 16 colours the badge's red is nobody else's colour.
                assert standard(badge.bgcolor) not in {standard(high.color), standard(pending.color)}
                assert standard(badge.bgcolor) != standard(plain.bgcolor)

    run(scenario())


def test_without_colour_urgent_and_overdue_are_bold_blocks_at_least_as_clear_as_the_rest(tui_desk, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def scenario():
        app = make_app(tui_desk)
        assert app.no_color
        async with app.run_test(size=(120, 40)) as pilot:
            await showing(pilot, "sort:due-asc")
            overdue, _ = style_of(app, OVERDUE)
            await pilot.press("escape")
            await showing(pilot, "sort:priority")
            urgent, plain = style_of(app, "▲▲ urgent")
            for badge in (urgent, overdue):
                assert badge.bold
                assert badge.bgcolor is not None and badge.bgcolor != plain.bgcolor
                assert contrast(badge, plain) >= 4.5
                assert contrast(badge, plain) >= min(contrast(plain, plain), 7.0)  # the ticket number's

    run(scenario())
