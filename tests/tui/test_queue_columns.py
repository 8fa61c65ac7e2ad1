"""The queue's columns at 80 columns and up (issue 14, point 16): the subject is what an agent reads."""

from __future__ import annotations

from datetime import datetime, timedelta

from peewee import fn

from models.search import tickets as search
from models.store.tables import Ticket
from support.tui import NOW, make_app, queue_ready, run, screen_text
from tui.text.labels import age, due_label
from tui.widgets.queue_columns import DUE_WIDTH, columns_for


def widths(width: int, sort: str | None = None) -> dict[str, int]:
    return {c.key: c.width for c in columns_for(width, sort)}


def test_at_80_columns_the_subject_gets_half_of_the_row_and_the_columns_fill_it_exactly():
    for width in (79, 80, 99, 100, 109, 110, 160):
        columns = columns_for(width)
        assert sum(c.width for c in columns) + len(columns) - 1 == width
    # The queue is sized from the window less its scrollbar: 79 cells of an 80-column terminal.
    assert widths(79)["subject"] >= 40
    assert {"status", "priority", "assignee", "due"} <= widths(79).keys()


def test_the_due_column_fits_its_longest_value():
    now = datetime(2026, 12, 4, 12, 0)
    longest = due_label(now - timedelta(days=340), now)
    assert longest == "!11mo"
    for width in (79, 100, 120):
        assert widths(width)["due"] == DUE_WIDTH >= len(longest)


def test_sort_created_puts_the_age_in_the_time_column_when_narrow():
    assert "updated" in widths(79) and "age" not in widths(79)
    assert "age" in widths(79, "created") and "updated" not in widths(79, "created")
    assert {"age", "updated"} <= widths(120).keys()


def titles_line(app) -> str:
    return next(line for line in screen_text(app).splitlines() if line.lstrip().startswith("# Subject"))


def test_the_columns_do_not_move_when_the_scrollbar_comes_and_goes(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("7")  # All: more rows than the window
            screen = await queue_ready(pilot)
            assert screen.table.total > 20 and screen.table.show_vertical_scrollbar
            long_titles = titles_line(pilot.app)
            number = search.search_tickets("", limit=1).tickets[0].number
            await pilot.press("slash", *f"#{number}", "enter")
            screen = await queue_ready(pilot)
            assert screen.table.total == 1 and not screen.table.show_vertical_scrollbar
            assert titles_line(pilot.app) == long_titles
            assert long_titles.index("Status") - long_titles.index("Subject") >= 40

    run(scenario())


def test_narrow_queue_shows_created_age_for_sort_created_and_a_dash_for_no_customer(tui_desk):
    number = Ticket.select(fn.MIN(Ticket.number)).scalar()
    # Tickets are made without a customer by some channels; a short subject leaves room for it.
    Ticket.update(customer=None, organization=None, subject="Short").where(Ticket.number == number).execute()
    ticket = Ticket.get_by_id(number)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.press("7", "slash", *f"#{number} sort:created", "enter")
            screen = await queue_ready(pilot)
            assert screen.table.current_row.number == number
            titles = titles_line(pilot.app)
            assert "Age" in titles and "Upd" not in titles
            row = next(line for line in screen_text(pilot.app).splitlines() if line.lstrip().startswith(f"{number} "))
            assert "Short · -" in row  # no customer, as the CLI shows it
            at = titles.index("Age")
            assert row[at : at + 4].strip() == age(ticket.created_at, NOW) != age(ticket.updated_at, NOW)

    run(scenario())
