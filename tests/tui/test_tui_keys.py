"""Keys remapped by the ``[keys]`` table of config.toml: the new key works and the old one does not, help,
the footer and the palette show the new key, and a bad entry is said in one notice while the rest apply."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Static

from models.errors import InvalidInput
from models.store.config import load_config
from models.store.tables import Ticket
from support.tui import make_app, queue_ready, run, screen_text, until
from tui.keys import check_keymap, is_key
from tui.screens.help import HelpScreen
from tui.screens.ticket import TicketScreen


def config_with(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    os.chmod(path, 0o600)
    return load_config(str(path))


def footer_text(app) -> str:
    return screen_text(app).splitlines()[-1]


def notices(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def test_a_keys_table_remaps_take_and_open_and_help_footer_and_palette_show_it(tui_desk, tmp_path):
    config = config_with(tmp_path, '[keys]\nqueue.take = "T"\n"queue.open" = "o"\n')
    assert config.keys == {"queue.take": "T", "queue.open": "o"}

    async def scenario():
        async with make_app(tui_desk, keys=config.keys).run_test(size=(180, 40)) as pilot:
            queue = await queue_ready(pilot)
            assert "config.toml" not in notices(pilot.app)  # nothing wrong, no key taken from another binding
            footer = footer_text(pilot.app)
            assert "T Take" in footer and "o Open" in footer, footer
            assert "A Take" not in footer and "⏎ Open" not in footer, footer
            number = queue.table.current_row.number
            assert Ticket.get_by_id(number).assignee is None  # the queue opens on the unassigned tickets

            await pilot.press("A")  # the old key does nothing any more
            await pilot.pause(0.3)
            assert Ticket.get_by_id(number).assignee is None
            await pilot.press("T")
            await until(pilot, lambda: Ticket.get_by_id(number).assignee is not None, "the take")
            assert Ticket.get_by_id(number).assignee.login == "ada"

            await pilot.press("enter")  # nor does enter open a ticket
            await pilot.pause(0.3)
            assert not isinstance(pilot.app.screen, TicketScreen)
            titles = {c.title: c.help for c in pilot.app.get_system_commands(queue)}
            assert titles["Take"] == "Assign to me (T)"

            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
            title, rows = pilot.app.screen.groups[0]  # the queue's keys first
            assert title == "Queue" and ("T", "Assign to me") in rows and ("o", "Open") in rows, rows
            text = "\n".join(str(w.render()) for w in pilot.app.screen.query(Static))
            assert " T " in text.split("Assign to me")[0].splitlines()[-1], text
            await pilot.press("escape")

            await pilot.press("o")
            await until(pilot, lambda: isinstance(pilot.app.screen, TicketScreen), "the ticket, opened with o")

    run(scenario())


def test_a_bad_keys_entry_is_said_in_one_notice_and_the_others_apply(tui_desk, tmp_path):
    config = config_with(tmp_path, '[keys]\n"queue.opne" = "o"\n"queue.take" = "ctrl+"\n"queue.faq" = "F"\n')

    async def scenario():
        async with make_app(tui_desk, keys=config.keys).run_test(size=(120, 40)) as pilot:
            await queue_ready(pilot)
            said = notices(pilot.app)
            assert said.count("config.toml [keys]") == 1, said
            assert "'queue.opne' is not a binding id (did you mean 'queue.open'?)" in said
            assert "queue.take = 'ctrl+': 'ctrl+' is not a key" in said
            assert pilot.app.keymap == {"queue.faq": "F"}
            await pilot.press("F")
            await until(pilot, lambda: pilot.app.screen.__class__.__name__ == "FAQScreen", "the FAQ, opened with F")

    run(scenario())


def test_a_remapped_key_that_takes_another_bindings_key_says_which_lost_it(tui_desk):
    async def scenario():
        async with make_app(tui_desk, keys={"queue.take": "s"}).run_test(size=(120, 40)) as pilot:
            queue = await queue_ready(pilot)
            number = queue.table.current_row.number
            await pilot.press("s")
            await until(pilot, lambda: Ticket.get_by_id(number).assignee is not None, "the take, with s")
            said = notices(pilot.app)
            assert said.count("queue.status has lost s to queue.take") == 1, said

    run(scenario())


def test_a_keys_value_that_is_not_a_string_is_refused_naming_it(tmp_path):
    with pytest.raises(InvalidInput, match=r"\[keys\] 'ticket.reply' must be a string of keys"):
        config_with(tmp_path, "[keys.ticket]\nreply = 3\n")


@pytest.mark.parametrize("key", ["o", "T", "?", "question_mark", "slash", "f5", "ctrl+o", "shift+tab", "enter", "["])
def test_key_names_textual_can_bind_are_keys(key):
    assert is_key(key)


@pytest.mark.parametrize("key", ["", "ctrl+", "control+o", "ctrl+ctrl+o", "bogus", "f25", "o o"])
def test_other_names_are_not(key):
    assert not is_key(key)


def test_check_keymap_keeps_good_entries_and_names_each_bad_one():
    from textual.binding import Binding

    bindings = {"queue.open": Binding("enter", "open", id="queue.open")}
    good, problems = check_keymap({"queue.open": "o, enter", "nope": "x", "queue.open2": "y"}, bindings)
    assert good == {"queue.open": "o,enter"}
    assert problems[0] == "'nope' is not a binding id"
    assert "did you mean 'queue.open'?" in problems[1]
