"""Issue 14.15: the queue's footer keeps ``?`` help and ``q`` quit in view at 80 and 100 columns,
shows ``A`` and ``L`` when there is room (help and the palette always list them), and ``?``
opens the help of the screen it is pressed on."""

from __future__ import annotations

from textual.widgets import Static

from support.tui import make_app, queue_ready, run, screen_text, until
from tui.screens.help import HelpScreen
from tui.widgets.keys_footer import KeysFooter


def footer_text(app) -> str:
    """The footer as the terminal shows it: the screen's last line."""
    return screen_text(app).splitlines()[-1]


def help_groups(app) -> list[str]:
    """The titles of the help's key groups, in order."""
    return [str(w.render()).split("\n", 1)[0] for w in app.screen.query(Static) if "\n" in str(w.render())]


def test_help_and_quit_stay_in_the_queue_footer_at_80_and_100_columns(tui_desk):
    async def scenario():
        for size in ((80, 24), (100, 30)):
            async with make_app(tui_desk).run_test(size=size) as pilot:
                await queue_ready(pilot)
                await pilot.pause(0.1)
                footer = footer_text(pilot.app)
                assert "? Help" in footer and "q Quit" in footer, (size, footer)
                assert "⏎ Open" in footer and "/ Filter" in footer, (size, footer)  # the first keys still lead

    run(scenario())


def test_take_and_sla_rules_join_the_footer_when_there_is_room_and_are_always_in_help_and_palette(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            screen = await queue_ready(pilot)
            assert "A Take" not in footer_text(pilot.app)
            titles = {c.title for c in pilot.app.get_system_commands(screen)}
            assert {"Take", "SLA rules", "Organizations", "KPI dashboard"} <= titles
            await pilot.resize_terminal(180, 40)  # the footer lays itself out again for the new width
            await until(pilot, lambda: "L SLA rules" in footer_text(pilot.app), "L in the wide footer")
            footer = footer_text(pilot.app)
            assert "A Take" in footer and "? Help" in footer and footer.count("Quit") == 1
            await pilot.resize_terminal(80, 24)
            await until(pilot, lambda: "L SLA rules" not in footer_text(pilot.app), "the narrow footer")
            assert "? Help" in footer_text(pilot.app)
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
            text = "\n".join(str(w.render()) for w in pilot.app.screen.query(Static))
            assert "Assign to me" in text and "The SLA policies" in text
            assert isinstance(screen.query_one(KeysFooter), KeysFooter)

    run(scenario())


def test_question_mark_opens_the_help_of_the_screen_it_is_pressed_on(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            await queue_ready(pilot)
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
            assert help_groups(pilot.app)[0] == "Queue"
            await pilot.press("escape", "enter")  # open the ticket under the cursor
            await until(pilot, lambda: type(pilot.app.screen).__name__ == "TicketScreen", "the ticket")
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
            assert help_groups(pilot.app)[:2] == ["Ticket", "Writing a reply or note"]
            await pilot.press("escape", "q", "d")  # back to the queue, then the KPI dashboard
            await until(pilot, lambda: type(pilot.app.screen).__name__ == "KPIScreen", "the KPIs")
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
            assert help_groups(pilot.app)[:2] == ["KPI dashboard", "Everywhere"]
            assert "Queue" in help_groups(pilot.app)  # the rest follow

    run(scenario())
