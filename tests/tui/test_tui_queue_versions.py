"""Issue 14.1 (the queue) and 14.4: two agents, ada and bob, each in a SportelloApp on the same
SQLite desk. A change from the queue carries the versions on screen when its picker opened,
whatever reloads while its prompts are open; a refused tag edit keeps the tags typed."""

from __future__ import annotations

from models.store.tables import Ticket
from models.tickets import changes as tickets
from models.tickets import timeline
from support.tui import answer, choose, make_app, notifications, queue_ready, run, second_agent_desk, until
from tui.dialogs.tags import TagsDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.queue import QueueScreen

PRIORITIES = ("low", "normal", "high", "urgent")


async def show_ticket(pilot, number: int) -> QueueScreen:
    """The queue narrowed to ``number``, its row under the cursor."""
    await pilot.press("slash", *f"#{number}", "enter")
    screen = await queue_ready(pilot)
    await until(pilot, lambda: screen.table.current_row and screen.table.current_row.number == number, f"#{number}")
    return screen


def test_a_priority_change_carries_the_version_on_screen_when_its_picker_opened(tui_desk):
    bob = second_agent_desk(tui_desk)

    async def scenario():
        async with (
            make_app(tui_desk).run_test(size=(100, 30)) as ada_pilot,
            make_app(bob).run_test(size=(100, 30)) as bob_pilot,
        ):
            ada_queue = await queue_ready(ada_pilot)
            row = ada_queue.table.current_row
            number, before = row.number, row.priority
            ada_wants, bob_wants = [p for p in PRIORITIES if p != before][:2]

            await ada_pilot.press("p")  # ada opens the picker on what she sees …
            await choose(ada_pilot, ada_wants)
            await until(ada_pilot, lambda: isinstance(ada_pilot.app.screen, TextPrompt), "ada's reason prompt")

            await show_ticket(bob_pilot, number)  # … while bob changes the same ticket's priority
            await bob_pilot.press("p")
            await choose(bob_pilot, bob_wants)
            await answer(bob_pilot, "customer called")
            await answer(bob_pilot, "sales: Rossi")
            await until(bob_pilot, lambda: Ticket.get_by_id(number).priority == bob_wants, "bob's change")

            ada_queue.table.reload()  # ada's queue refreshes under her prompt: it now shows bob's version
            await until(
                ada_pilot, lambda: ada_queue.table.current_row.version == Ticket.get_by_id(number).version, "the reload"
            )
            await answer(ada_pilot, "whole office down")
            await answer(ada_pilot, "own call")
            await until(ada_pilot, lambda: "bob" in notifications(ada_pilot.app), "the refusal")
            assert Ticket.get_by_id(number).priority == bob_wants  # never bob's → ada's unseen
            assert [e.new_value for e in timeline.events_of(number) if e.kind == "priority"][-1] == bob_wants

    run(scenario())


def test_a_bulk_tag_edit_refuses_the_ticket_changed_meanwhile_and_keeps_the_tags_typed(tui_desk):
    bob = second_agent_desk(tui_desk)

    async def scenario():
        async with (
            make_app(tui_desk).run_test(size=(100, 30)) as ada_pilot,
            make_app(bob).run_test(size=(100, 30)) as bob_pilot,
        ):
            ada_queue = await queue_ready(ada_pilot)
            await ada_pilot.press("space", "space", "space")
            marked = list(ada_queue.table.marked)
            changed = marked[1]

            await ada_pilot.press("t")
            await until(ada_pilot, lambda: isinstance(ada_pilot.app.screen, TagsDialog), "ada's tag editor")
            assert "Tags for 3 tickets" in str(ada_pilot.app.screen.query_one(".dialog-title").render())

            await show_ticket(bob_pilot, changed)
            await bob_pilot.press("t")  # bob tags it: it stays in ada's view, at a new version
            await until(bob_pilot, lambda: isinstance(bob_pilot.app.screen, TagsDialog), "bob's tag editor")
            await bob_pilot.press(*"from-bob", "enter")
            await until(bob_pilot, lambda: "from-bob" in tickets.state_of(Ticket.get_by_id(changed)).tags, "bob's tag")
            ada_queue.table.reload()
            await until(
                ada_pilot, lambda: ada_queue.table.marked[changed] == Ticket.get_by_id(changed).version, "the reload"
            )

            await ada_pilot.press(*"+zz-vip", "enter")
            await until(ada_pilot, lambda: list(ada_queue.table.marked) == [changed], "the bulk change")
            tagged = [n for n in marked if "zz-vip" in tickets.state_of(Ticket.get_by_id(n)).tags]
            assert tagged == [n for n in marked if n != changed]
            message = notifications(ada_pilot.app)
            assert f"#{changed}" in message and "bob" in message and "2 of 3 tickets" in message
            assert "tags are kept" in message

            await ada_pilot.press("t")  # the next t on the refused ticket starts with what was typed
            await until(ada_pilot, lambda: isinstance(ada_pilot.app.screen, TagsDialog), "the tag editor again")
            assert ada_pilot.app.screen.query_one("#tags-input").value == "+zz-vip"
            await ada_pilot.press("enter")  # now on the version on screen: it goes through
            await until(ada_pilot, lambda: not ada_queue.table.marked, "the retry")
            assert timeline.events_of(changed)[-1].kind == "tags"
            assert "zz-vip" in timeline.events_of(changed)[-1].new_value.split()

    run(scenario())
