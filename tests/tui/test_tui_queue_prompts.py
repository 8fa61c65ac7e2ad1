"""Issue 14.9 and 14.19 (and 14.4 on the ticket screen): what the prompts say and ask before a
change — the customer reads a status reason, bulk prompts count the tickets, bulk resolve and
removing a view ask first, ``A`` asks before taking someone else's ticket, and a refused tag edit
on a ticket keeps the tags typed."""

from __future__ import annotations

from models.directory import agents
from models.search import tickets as search
from models.store.tables import Ticket
from models.tickets import changes as tickets
from models.tickets import timeline
from support.tui import make_app, notifications, queue_ready, run, ticket_ready, until
from tui.dialogs.choice import ChoiceDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.tags import TagsDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.queue import QueueScreen
from tui.screens.ticket import TicketScreen


def title(app) -> str:
    """The title line of the dialog on top."""
    return str(app.screen.query_one(".dialog-title").render())


async def dialog(pilot, kind) -> str:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    await pilot.pause()
    return title(pilot.app)


async def narrow_to(pilot, query: str) -> QueueScreen:
    await pilot.press("slash", *query, "enter")
    screen = await queue_ready(pilot)
    await until(pilot, lambda: screen.table.query_text.endswith(query), query)
    return await queue_ready(pilot)


def other_agent():
    return next(a for a in agents.list_agents() if a.active and a.login != "ada")


def test_every_status_reason_prompt_says_the_customer_reads_it(tui_desk):
    number = search.search_tickets("status:open,new", limit=1).tickets[0].number

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await narrow_to(pilot, f"#{number}")
            await pilot.press("s")  # from the queue
            await dialog(pilot, ChoiceDialog)
            await pilot.press(*"hold", "enter")
            assert "The customer reads this reason." in await dialog(pilot, TextPrompt)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(pilot.app.screen, QueueScreen), "the queue")
            await pilot.press("enter")  # and from the ticket
            await ticket_ready(pilot)
            await pilot.press("s")
            await dialog(pilot, ChoiceDialog)
            await pilot.press(*"hold", "enter")
            assert "The customer reads this reason." in await dialog(pilot, TextPrompt)

    run(scenario())


def test_bulk_prompts_count_the_tickets_and_bulk_resolve_asks_first(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            await pilot.press("space", "space", "space")
            marked = dict(queue.table.marked)
            for key, kind, expected in (
                ("s", ChoiceDialog, "Set status of 3 tickets"),
                ("p", ChoiceDialog, "Set priority of 3 tickets"),
                ("a", ChoiceDialog, "Assign 3 tickets to"),
                ("t", TagsDialog, "Tags for 3 tickets: +tag adds, -tag removes"),
            ):
                await pilot.press(key)
                assert await dialog(pilot, kind) == expected
                await pilot.press("escape")
                await until(pilot, lambda: pilot.app.screen is queue, "the queue")

            await pilot.press("s")
            await dialog(pilot, ChoiceDialog)
            await pilot.press(*"resolved", "enter")
            assert await dialog(pilot, ConfirmDialog) == "Resolve 3 tickets?"
            await pilot.press("n")
            await pilot.pause(0.3)
            assert all(Ticket.get_by_id(n).version == v for n, v in marked.items())  # nothing changed
            await pilot.press("s")
            await dialog(pilot, ChoiceDialog)
            await pilot.press(*"resolved", "enter")
            await dialog(pilot, ConfirmDialog)
            await pilot.press("y")
            await until(
                pilot, lambda: all(Ticket.get_by_id(n).status == "resolved" for n in marked), "the bulk resolve"
            )
            await until(pilot, lambda: "3 tickets changed" in notifications(pilot.app), "the summary")

            await pilot.press("space")  # one marked ticket: said in the singular
            await pilot.press("t")
            assert await dialog(pilot, TagsDialog) == "Tags: +tag adds, -tag removes"

    run(scenario())


def test_removing_a_saved_view_from_the_palette_asks_first(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            saved = tui_desk.save_view("Printers", "printer")
            queue._load_views()
            await until(pilot, lambda: any(v.id == saved.id for v in queue.views), "the saved view")
            remove = next(cb for name, _, cb in queue.palette_commands() if name == "Remove view: Printers")
            remove()
            assert "Remove your view 'Printers'?" in await dialog(pilot, ConfirmDialog)
            await pilot.press("n")
            await pilot.pause(0.3)
            assert any(v.id == saved.id for v in tui_desk.views())
            remove()
            await dialog(pilot, ConfirmDialog)
            await pilot.press("y")
            await until(pilot, lambda: not any(v.id == saved.id for v in tui_desk.views()), "the removal")

    run(scenario())


def test_taking_a_ticket_assigned_to_someone_else_asks_first_in_the_queue_and_the_ticket(tui_desk):
    other = other_agent()
    numbers = [t.number for t in search.search_tickets("is:open is:unassigned", limit=2).tickets]
    for number in numbers:
        tickets.set_assignee(tui_desk.me, number, other.login)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            every = next(i for i, v in enumerate(pilot.app.screen.views) if v.name == "All")
            await pilot.press(str(every + 1))
            await narrow_to(pilot, f"#{numbers[0]}")
            await pilot.press("A")
            assert await dialog(pilot, ConfirmDialog) == f"#{numbers[0]} is assigned to {other.login}. Take it anyway?"
            await pilot.press("n")
            await pilot.pause(0.3)
            assert Ticket.get_by_id(numbers[0]).assignee_id == other.id
            await pilot.press("A")
            await dialog(pilot, ConfirmDialog)
            await pilot.press("y")
            await until(pilot, lambda: Ticket.get_by_id(numbers[0]).assignee_id == tui_desk.me.id, "the take")

            await narrow_to(pilot, f"#{numbers[1]}")
            await pilot.press("enter")
            screen = await ticket_ready(pilot)
            await pilot.press("A")
            assert await dialog(pilot, ConfirmDialog) == f"#{numbers[1]} is assigned to {other.login}. Take it anyway?"
            await pilot.press("y")
            await until(pilot, lambda: Ticket.get_by_id(numbers[1]).assignee_id == tui_desk.me.id, "the take")
            await ticket_ready(pilot, Ticket.get_by_id(numbers[1]).version)
            await pilot.press("A")  # now it is mine: nothing to ask (and nothing to change)
            await pilot.pause(0.3)
            assert isinstance(pilot.app.screen, TicketScreen) and screen.view.assignee == "ada"

    run(scenario())


def test_a_refused_tag_edit_on_the_ticket_screen_keeps_the_tags_typed(tui_desk):
    other = other_agent()
    number = search.search_tickets("is:open is:unassigned", limit=1).tickets[0].number

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await narrow_to(pilot, f"#{number}")
            await pilot.press("enter")
            screen = await ticket_ready(pilot)
            seen = screen.view.version
            await pilot.press("t")
            await dialog(pilot, TagsDialog)
            tickets.add_note(other, number, "Looking at it too")  # lands while the editor is open
            await pilot.press("end", *" zz-mine", "enter")
            await ticket_ready(pilot, seen + 1)
            await until(pilot, lambda: "tags are kept" in notifications(pilot.app), "the refusal")
            assert other.login in notifications(pilot.app)
            assert timeline.events_of(number)[-1].kind == "note"
            typed = " ".join([*screen.view.tags, "zz-mine"])
            await pilot.press("t")
            await dialog(pilot, TagsDialog)
            assert pilot.app.screen.query_one("#tags-input").value == typed
            await pilot.press("enter")
            await until(pilot, lambda: timeline.events_of(number)[-1].kind == "tags", "the retry")
            assert "zz-mine" in tickets.state_of(Ticket.get_by_id(number)).tags

    run(scenario())
