"""The triage TUI, driven as a user drives it: Pilot key presses on a copy of a small demo desk.

Each test builds the app on its own copy of the desk (the ``tui_desk`` fixture), with a fixed
clock and no blinking; changes "from another agent" are made through the service functions on
the test's own connection, as another TUI or the CLI would make them.
"""

from __future__ import annotations

from textual.widgets import Static

from models.directory import agents
from models.search import tickets as search
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from models.tickets import timeline
from support.tui import make_app, open_ticket, queue_ready, run, screen_text, some_open_ticket, ticket_ready, until
from tui.app import TooSmallScreen
from tui.dialogs.choice import ChoiceDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.tags import TagsDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.help import HelpScreen
from tui.screens.queue import QueueScreen
from tui.screens.ticket import TicketScreen
from tui.widgets.composer import Composer


def newest_event(number: int) -> TicketEvent:
    return timeline.events_of(number)[-1]


# --- the queue ---------------------------------------------------------------------------


def test_queue_opens_on_unassigned_with_the_count_and_who_is_working(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            expected = search.count_tickets("is:unassigned is:open", me=tui_desk.me)
            assert screen.table.total == expected > 0
            text = screen_text(pilot.app)
            assert "ada@helpdesk" in text and "demo.db" in text
            assert f"{expected:,} tickets" in text
            first = search.search_tickets("is:unassigned is:open", limit=1).tickets[0]
            assert screen.table.current_row.number == first.number

    run(scenario())


def test_the_app_starts_with_its_first_page_and_view_keys_work_at_once(tui_desk):
    from tui.app import preload

    views, first_page = preload(tui_desk)
    assert first_page.total == search.count_tickets("is:unassigned is:open", me=tui_desk.me)

    async def scenario():
        app = make_app(tui_desk, views=views, first_page=first_page)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("9", "8", "1", "7")  # before anything else has loaded
            screen = await queue_ready(pilot)
            assert app.is_running and screen.table.query_text == "" and screen.view.name == "All"
            assert screen.table.total == search.count_tickets("")
            await pilot.press("1")
            await queue_ready(pilot)
            assert screen.table.total == first_page.total

    run(scenario())


def test_number_keys_switch_views_including_saved_ones(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("4")
            await queue_ready(pilot)
            assert screen.table.query_text == "status:pending"
            assert screen.table.total == search.count_tickets("status:pending")
            await until(pilot, lambda: len(screen.views) > 7, "the saved views")
            await pilot.press("8")  # the first saved view of the demo desk
            await queue_ready(pilot)
            assert screen.table.query_text == screen.views[7].query
            assert screen.views[7].name in screen_text(pilot.app)

    run(scenario())


def test_filter_as_you_type_refines_the_view_and_bad_queries_show_inline(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("7", "slash", *"prio:urgent")
            await until(pilot, lambda: screen.table.query_text == "prio:urgent", "the filter")
            await queue_ready(pilot)
            assert screen.table.total == search.count_tickets("prio:urgent")
            # Typed slower than the pause (a loaded machine), " status" alone would be a good query: no
            # pause while typing this time, the search runs on enter.
            screen.query_one("#filter").delay = 3600
            await pilot.press(*" status:exploded", "enter")
            await until(pilot, lambda: screen.query_one("#filter-error").display, "the error")
            assert "exploded" in screen_text(pilot.app)
            assert screen.table.query_text == "prio:urgent"  # the last good query stays on screen
            await pilot.press("escape")
            await queue_ready(pilot)
            assert screen.table.query_text == "" and not screen.query_one("#filter-bar").display
            assert not screen.query_one("#filter-error").display

    run(scenario())


def test_g_jumps_to_the_last_ticket_of_the_whole_desk(tui_desk, monkeypatch):
    import tui.desk.queue_window
    import tui.widgets.queue_table

    for module in (tui.desk.queue_window, tui.widgets.queue_table):  # chunks of 10: the end is far from what is shown
        monkeypatch.setattr(module, "CHUNK", 10)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("7")
            await queue_ready(pilot)
            table = screen.table
            # The end of the queue is loaded ahead of time, so G shows rows at once.
            await until(pilot, lambda: table.total and table.window.loaded(table.total - 1), "the end, prefetched")
            await pilot.press("G")
            assert table.window.row(table.cursor)[0] is not None
            await queue_ready(pilot)
            everything = search.search_tickets("", limit=500).tickets
            assert screen.table.cursor == len(everything) - 1
            assert screen.table.current_row.number == everything[-1].number
            await pilot.press("g")
            assert screen.table.current_row.number == everything[0].number

    run(scenario())


def test_saving_a_filter_as_a_personal_view(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("slash", *"prio:urgent", "enter", "ctrl+s")
            await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt), "the name prompt")
            await pilot.press(*"Urgent ones", "enter")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the share question")
            await pilot.press("n")
            await until(pilot, lambda: screen.view.name == "Urgent ones", "the new view")
            await queue_ready(pilot)
            assert screen.table.query_text == "is:unassigned is:open prio:urgent"
            saved = tui_desk.views()[-1]
            assert (saved.name, saved.shared) == ("Urgent ones", False)

    run(scenario())


# --- the ticket ---------------------------------------------------------------------------


def test_open_a_ticket_see_its_timeline_and_go_back_to_the_same_row(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            await pilot.press("j", "j")
            row = queue.table.current_row
            await pilot.press("enter")
            screen = await ticket_ready(pilot)
            ticket = Ticket.get_by_id(row.number)
            assert screen.view.number == row.number
            text = screen_text(pilot.app)
            assert f"#{row.number}" in text and ticket.subject[:30] in text
            assert [e.id for e in screen.view.events] == [e.id for e in timeline.events_of(row.number)]
            await pilot.press("q")
            await queue_ready(pilot)
            assert queue.table.cursor == 2 and queue.table.current_row.number == row.number

    run(scenario())


def test_reply_and_note_go_on_the_timeline_and_the_note_is_marked_internal(tui_desk):
    number = some_open_ticket()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            version = screen.view.version
            await pilot.press("r", *"We are on it.", "ctrl+s")
            screen = await ticket_ready(pilot, version + 1)
            reply = newest_event(number)
            assert (reply.kind, reply.body, reply.visibility, reply.actor.login) == (
                "reply",
                "We are on it.",
                "public",
                "ada",
            )
            assert not screen.composer.display
            await pilot.press("n", *"Customer is a reseller", "ctrl+j")
            await until(pilot, lambda: newest_event(number).kind == "note", "the note")
            screen = await ticket_ready(pilot, newest_event(number).version)
            assert newest_event(number).visibility == "internal"
            assert "INTERNAL NOTE" in screen_text(pilot.app)

    run(scenario())


def test_customer_view_shows_exactly_the_public_events(tui_desk):
    number = some_open_ticket()
    admin = agents.get_agent("ada")
    tickets.add_note(admin, number, "secret: the customer owes us money")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            assert "secret" in screen_text(pilot.app)
            await pilot.press("v")
            await until(pilot, lambda: screen.view.customer_view, "the customer view")
            await pilot.pause()
            public = timeline.events_of(number, public_only=True)
            assert [e.id for e in screen.view.events] == [e.id for e in public]
            assert all(not e.internal for e in screen.view.events)
            text = screen_text(pilot.app)
            assert "secret" not in text and "CUSTOMER VIEW" in text
            await pilot.press("r")  # no replying from the customer's view
            assert not screen.composer.display

    run(scenario())


def test_each_picker_changes_the_ticket_with_its_own_event(tui_desk):
    number = some_open_ticket()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)

            async def changed(kind: str):
                await until(pilot, lambda: newest_event(number).kind == kind, f"the {kind} event")
                await ticket_ready(pilot, newest_event(number).version)
                return newest_event(number)

            await pilot.press("s")
            await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog), "the status picker")
            await pilot.press(*"pend", "enter")  # typing narrows long lists; a short one is picked by arrows
            event = await changed("status")
            assert event.new_value == "pending"

            await pilot.press("p")
            await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog), "the priority picker")
            target = "low" if screen.view.priority != "low" else "high"
            await pilot.press(*target, "enter")
            await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt), "the reason prompt")
            await pilot.press("enter")  # an empty reason is refused on the spot
            assert isinstance(pilot.app.screen, TextPrompt)
            assert "cannot be empty" in screen_text(pilot.app)
            await pilot.press(*"whole office down", "enter")
            await until(pilot, lambda: "Who asked" in screen_text(pilot.app), "the who-asked prompt")
            await pilot.press(*"sales: Rossi", "enter")
            event = await changed("priority")
            assert (event.new_value, event.reason, event.requested_by) == (target, "whole office down", "sales: Rossi")

            await pilot.press("a")
            await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog), "the assign picker")
            login = next(a.login for a in agents.list_agents() if a.active and a.login != "ada")
            await pilot.press(*login, "enter")
            event = await changed("assignee")
            assert event.new_value == login

            await pilot.press("A")  # the ticket is someone else's now: A asks first (issue 14.19)
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the take question")
            await pilot.press("y")
            event = await changed("assignee")
            assert event.new_value == "ada"

            await pilot.press("t")
            await until(pilot, lambda: isinstance(pilot.app.screen, TagsDialog), "the tags editor")
            await pilot.press("end", *" zz-test", "enter")
            event = await changed("tags")
            assert "zz-test" in event.new_value.split()
            assert screen.view.assignee == "ada" and "zz-test" in screen.view.tags

    run(scenario())


def test_on_hold_needs_a_reason(tui_desk):
    number = some_open_ticket()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await open_ticket(pilot, number)
            before = newest_event(number).id
            await pilot.press("s")
            await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog), "the status picker")
            await pilot.press(*"hold", "enter")
            await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt), "the reason prompt")
            await pilot.press("escape")  # cancelled: nothing changes
            await pilot.pause(0.2)
            assert newest_event(number).id == before

    run(scenario())


def test_a_conflict_refuses_the_reply_names_who_and_keeps_the_draft(tui_desk):
    number = some_open_ticket()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:  # no polling: the change lands unseen
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            seen = screen.view.version
            await pilot.press("r", *"Draft that must survive")
            other = next(a for a in agents.list_agents() if a.active and a.login != "ada")
            tickets.add_note(other, number, "I am looking at this too")
            await pilot.press("ctrl+s")
            await ticket_ready(pilot, seen + 1)  # refreshed
            assert screen.composer.display and screen.composer.draft == "Draft that must survive"
            assert newest_event(number).kind == "note"  # the reply was not written
            messages = " ".join(str(n.message) for n in pilot.app._notifications)
            assert other.login in messages and "draft is kept" in messages
            await pilot.press("ctrl+s")  # now on the fresh version it goes through
            await until(pilot, lambda: newest_event(number).kind == "reply", "the reply")
            assert newest_event(number).body == "Draft that must survive"

    run(scenario())


def test_esc_asks_before_throwing_a_draft_away_and_drafts_outlive_the_screen(tui_desk):
    number = some_open_ticket()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            await pilot.press("r", *"half a thought", "escape")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
            await pilot.press("n")
            await until(pilot, lambda: pilot.app.screen is screen, "back to the ticket")
            assert screen.composer.display and screen.composer.draft == "half a thought"
            await pilot.press("tab")  # to the timeline; q now means "back"
            await until(pilot, lambda: not isinstance(pilot.app.focused, type(screen.composer.area)), "focus out")
            await pilot.press("q")
            await queue_ready(pilot)
            await pilot.press("enter")
            screen = await ticket_ready(pilot)
            assert screen.composer.display and screen.composer.draft == "half a thought"
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
            await pilot.press("y")
            await until(pilot, lambda: not screen.composer.display, "the composer to close")
            assert pilot.app.drafts == {}

    run(scenario())


def test_e_edits_the_draft_in_the_editor(tui_desk, tmp_path, monkeypatch):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "\\nWritten in my editor." >> "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    number = some_open_ticket()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            await pilot.press("r", *"Hello", "ctrl+o")
            await until(pilot, lambda: "editor" in screen.composer.draft, "the edited draft")
            assert screen.composer.draft == "Hello\nWritten in my editor."

    run(scenario())


# --- working together ---------------------------------------------------------------------


def test_changes_by_others_appear_within_two_seconds_keeping_cursor_and_draft(tui_desk):
    admin = agents.get_agent("ada")
    other = next(a for a in agents.list_agents() if a.active and a.login != "ada")

    async def scenario():
        async with make_app(tui_desk, poll=0.2).run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            await pilot.press("j", "j", "j")
            row = queue.table.current_row
            before = queue.table.total
            tickets.create_ticket(admin, subject="Brand new problem", body="Just arrived")
            await until(pilot, lambda: queue.table.total == before + 1, "the new ticket", timeout=2.0)
            await queue_ready(pilot)
            assert queue.table.current_row.number == row.number  # the cursor stayed on its ticket
            assert "Brand new problem" in screen_text(pilot.app)

            await pilot.press("enter")
            screen = await ticket_ready(pilot)
            await pilot.press("r", *"my draft")
            tickets.add_note(other, row.number, "Pinging the supplier")
            await until(pilot, lambda: screen.view.events[-1].body == "Pinging the supplier", "the note", timeout=2.0)
            assert screen.composer.draft == "my draft" and pilot.app.focused is screen.composer.area

    run(scenario())


def test_bulk_action_applies_to_each_marked_ticket_and_reports_a_conflict(tui_desk):
    other = next(a for a in agents.list_agents() if a.active and a.login != "ada")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            await pilot.press("space", "space", "space")
            marked = dict(queue.table.marked)
            assert len(marked) == 3
            stale = list(marked)[1]
            tickets.add_note(other, stale, "changed behind your back")
            await pilot.press("A")
            await until(pilot, lambda: len(queue.table.marked) == 1, "the bulk change")
            for number in marked:
                assignee = Ticket.get_by_id(number).assignee
                if number == stale:
                    assert assignee is None
                else:
                    assert assignee.login == "ada"
                    assert newest_event(number).kind == "assignee"
            assert list(queue.table.marked) == [stale]  # the refused one stays marked to retry
            messages = " ".join(str(n.message) for n in pilot.app._notifications)
            assert f"#{stale}" in messages and other.login in messages and "2 of 3" in messages

    run(scenario())


# --- discoverability and terminal life ----------------------------------------------------


def test_help_lists_every_key_and_the_palette_offers_actions_and_views(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
            help_text = "\n".join(str(w.render()) for w in pilot.app.screen.query(Static))
            for what in (
                "Filter",
                "Mark",
                "Set status",
                "Assign to me",
                "Public reply",
                "Internal note",
                "Saved view N",
                "Help",
            ):
                assert what in help_text, what
            for cls in (QueueScreen, TicketScreen, Composer):  # every key with a description is listed
                for binding in cls.BINDINGS:
                    if binding.description and not binding.description.startswith("View "):
                        assert (binding.tooltip or binding.description) in help_text, binding.key
            assert "Sportello keys" in screen_text(pilot.app)
            await pilot.press("escape")
            titles = [c.title for c in pilot.app.get_system_commands(screen)]
            assert {"View: Unassigned", "View: All", "Filter", "Set status", "Take", "Help"} <= set(titles)
            await pilot.press("colon")
            await until(pilot, lambda: pilot.app.screen.__class__.__name__ == "CommandPalette", "the palette")

    run(scenario())


def test_below_80x24_a_notice_replaces_the_app_until_it_grows(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(70, 20)) as pilot:
            await until(pilot, lambda: isinstance(pilot.app.screen, TooSmallScreen), "the notice")
            await pilot.pause()
            assert "Terminal too small: 70×20" in screen_text(pilot.app)
            await pilot.resize_terminal(80, 24)
            await queue_ready(pilot)

    run(scenario())


HOSTILE_SUBJECT = "[@click=app.quit]x[/] \x1b]0;pwned\x07 [link=file:///etc/passwd]y[/link] \u202eevil"


def test_hostile_text_is_inert_everywhere(tui_desk):
    admin = agents.get_agent("ada")
    long_word = "W" * 10_000
    number = tickets.create_ticket(
        admin,
        subject=HOSTILE_SUBJECT,
        body=f"[bold]body[/bold] \x1b[2J\x07 {long_word}",
        customer="mallory@example.com",
        customer_name="[@click=app.quit]Mallory\x1b[31m",
    ).number

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            await pilot.press("7")
            await queue_ready(pilot)
            assert queue.table.current_row.number == number
            await pilot.click("#queue", offset=(20, 1))  # clicking the text runs nothing
            await pilot.press("enter")
            await ticket_ready(pilot)
            for _ in range(3):
                await pilot.press("pagedown")
            await pilot.click("#timeline", offset=(5, 3))
            await pilot.click("#ticket-header", offset=(5, 0))
            assert pilot.app.is_running
            for strip in _all_strips(pilot.app):
                assert len(strip.text) <= 100 or strip.cell_length <= 100
                for segment in strip:
                    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in segment.text)
                    style = segment.style
                    if style is not None:
                        assert not style.link and not (style.meta or {}).get("@click")
            text = screen_text(pilot.app)
            assert "[@click=app.quit]" in text and "[link=file:///etc/passwd]" in text

    run(scenario())


def _all_strips(app):
    from support.tui import screen_strips

    return screen_strips(app)


def test_the_app_hears_when_the_first_rows_are_painted(tui_desk):
    from pathlib import Path

    import tui.app
    from support.tui import NOW
    from tui.app import SportelloApp, preload
    from tui.widgets.queue_table import QueueTable

    heard: list[str] = []

    class Listening(SportelloApp):
        CSS_PATH = str(Path(tui.app.__file__).with_name("sportello.tcss"))

        def on_queue_table_loaded(self, message: QueueTable.Loaded) -> None:
            heard.append(self.screen.table.query_text)

    async def scenario():
        for options in ({}, dict(zip(("views", "first_page"), preload(tui_desk)))):
            heard.clear()
            app = Listening(tui_desk, now=lambda: NOW, blink=False, poll=None, **options)
            async with app.run_test(size=(100, 30)) as pilot:
                await until(pilot, lambda: heard, "Loaded at the app")
                await pilot.press("4")
                await until(pilot, lambda: len(heard) == 2, "Loaded for the next view")
                assert heard == ["is:unassigned is:open", "status:pending"]

    run(scenario())
