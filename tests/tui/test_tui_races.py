"""Issue 14.1 and 14.8 in the ticket screen, raced for real: ada and bob, each in a SportelloApp
on the same SQLite desk file, on the same ticket. Ada opens a picker, bob changes the ticket in his
app, ada's screen reloads under her prompts and tells her who changed what; when
she answers, her change is refused naming bob and what he did, and nothing of hers is written."""

from __future__ import annotations

import pytest

from models.store.tables import Ticket
from models.tickets import changes as tickets
from models.tickets import timeline
from support.tui import NOW, answer, make_app, notifications, run, second_agent_desk, ticket_ready, until
from tui.dialogs.choice import ChoiceDialog
from tui.dialogs.tags import TagsDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.ticket import TicketScreen


def raced_ticket() -> Ticket:
    """An open, unassigned ticket at normal priority: every field below has somewhere to go."""
    return (
        Ticket.select()
        .where((Ticket.status == "open") & Ticket.assignee.is_null() & (Ticket.priority == "normal"))
        .order_by(Ticket.number)
        .first()
    )


async def on_ticket(pilot, number: int) -> TicketScreen:
    pilot.app.push_screen(TicketScreen(pilot.app.desk, number, now=lambda: NOW))
    return await ticket_ready(pilot)


async def wait_for(pilot, kind: type, what: str) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), what)


async def pick(pilot, value: str) -> None:
    await wait_for(pilot, ChoiceDialog, "a picker")
    await pilot.press(*value, "enter")


# Per field: ada's key and her steps up to the last one (done before bob moves), her last step,
# bob's change in his own app, and how to read the field from the desk.
async def ada_status_begin(p):
    await p.press("s")
    await pick(p, "hold")
    await wait_for(p, TextPrompt, "ada's reason prompt")


async def ada_status_end(p):
    await answer(p, "waiting for the supplier")


async def bob_status(p):
    await p.press("s")
    await pick(p, "pending")


async def ada_priority_begin(p):
    await p.press("p")
    await pick(p, "low")
    await wait_for(p, TextPrompt, "ada's reason prompt")


async def ada_priority_end(p):
    await answer(p, "not urgent after all")
    await answer(p, "own call")


async def bob_priority(p):
    await p.press("p")
    await pick(p, "high")
    await answer(p, "customer called")
    await answer(p, "sales: Rossi")


async def ada_assign_begin(p):
    await p.press("a")
    await wait_for(p, ChoiceDialog, "ada's assignee picker")


async def ada_assign_end(p):
    await p.press(*"ada", "enter")


async def bob_assign(p):
    await p.press("A")  # bob takes it


async def ada_tags_begin(p):
    await p.press("t")
    await wait_for(p, TagsDialog, "ada's tag editor")


async def ada_tags_end(p):
    await p.press("end", *" ada-tag", "enter")


async def bob_tags(p):
    await p.press("t")
    await wait_for(p, TagsDialog, "bob's tag editor")
    await p.press("end", *" bob-tag", "enter")


FIELDS = {
    "status": (ada_status_begin, ada_status_end, bob_status, lambda t: t.status, "pending"),
    "priority": (ada_priority_begin, ada_priority_end, bob_priority, lambda t: t.priority, "high"),
    "assignee": (
        ada_assign_begin,
        ada_assign_end,
        bob_assign,
        lambda t: t.assignee.login if t.assignee else None,
        "bob",
    ),
    "tags": (
        ada_tags_begin,
        ada_tags_end,
        bob_tags,
        lambda t: sorted({"bob-tag", "ada-tag"} & set(tickets.state_of(t).tags)),
        ["bob-tag"],
    ),
}


@pytest.mark.parametrize("field", list(FIELDS))
def test_a_change_raced_by_another_app_is_refused_naming_who_and_what(tui_desk, field):
    begin, end, bob_moves, read, bobs_value = FIELDS[field]
    bob = second_agent_desk(tui_desk)
    number = raced_ticket().number

    async def scenario():
        ada_app, bob_app = make_app(tui_desk, poll=0.2), make_app(bob, poll=0.2)
        async with ada_app.run_test(size=(100, 30)) as ada, bob_app.run_test(size=(100, 30)) as bobp:
            ada_screen = await on_ticket(ada, number)
            await on_ticket(bobp, number)
            await begin(ada)  # ada's picker opens on the version she sees …

            await bob_moves(bobp)  # … while bob changes the same field in his app
            seen = ada_screen.view.version
            await until(bobp, lambda: Ticket.get_by_id(number).version > seen, "bob's change")
            after_bob = Ticket.get_by_id(number).version
            # the live reload (as when ada's screen shows between two prompts): her view moves to bob's
            # version under her prompt, and she is told who changed what
            ada_screen.desk_changed(ada_screen.seen_change + 1)
            await until(ada, lambda: ada_screen.view.version == after_bob, "ada's live reload")
            await until(ada, lambda: "bob" in notifications(ada_app), "the notice of bob's change")

            await end(ada)
            await until(ada, lambda: "changed since you saw it" in notifications(ada_app), "the refusal")
            refusal = next(
                str(n.message) for n in ada_app._notifications if "changed since you saw it" in str(n.message)
            )
            assert f"bob {field} " in refusal  # who, and what he changed
            assert Ticket.get_by_id(number).version == after_bob  # nothing of ada's was written
            assert timeline.events_of(number)[-1].actor.login == "bob"
            assert read(Ticket.get_by_id(number)) == bobs_value

    run(scenario())
