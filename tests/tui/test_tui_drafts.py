"""Drafts that are never lost, FAQ links written with the reply, and others' changes said aloud
(issue 14, points 2, 3 and 8), driven with Pilot on a copy of the demo desk."""

from __future__ import annotations

from models.directory import agents
from models.faq import search as faq_search
from models.search import tickets as search
from models.store.tables import TicketEvent
from models.tickets import changes as tickets
from models.tickets import drafts, timeline
from support.tui import make_app, open_ticket, queue_ready, run, some_open_ticket, until
from tui.desk.desk import Desk
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.faq_picker import FAQPicker


def other_agent():
    return next(a for a in agents.list_agents() if a.active and a.login != "ada")


def notices(app) -> str:
    return " ".join(str(n.message) for n in app._notifications)


async def asked(pilot) -> str:
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
    return pilot.app.screen.question


def test_quitting_with_a_draft_asks_and_a_new_app_brings_it_back_to_its_agent_only(tui_desk):
    number = some_open_ticket()
    ada = agents.get_agent("ada")

    async def first_session():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            await pilot.press("r", *"Half a reply", "tab")
            await until(pilot, lambda: pilot.app.focused is not screen.composer.area, "focus out of the draft")
            await pilot.press("q")  # back to the queue: the draft is kept
            await queue_ready(pilot)
            await pilot.press("q")  # quit, at the queue
            question = await asked(pilot)
            assert question == (f"1 unsent draft (#{number} reply) is kept in the desk; it comes back when you "
                                "open the ticket. Quit?")  # fmt: skip
            await pilot.press("n")
            await queue_ready(pilot)
            assert pilot.app.is_running
            await pilot.press("ctrl+q")
            assert "1 unsent draft" in await asked(pilot)
            await pilot.press("y")
            await until(pilot, lambda: not pilot.app.is_running, "the app to quit")

    run(first_session())
    assert [(d.ticket, d.kind, d.body) for d in drafts.drafts_of(ada)] == [(number, "reply", "Half a reply")]

    async def second_session():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            assert screen.composer.display and screen.composer.draft == "Half a reply"
            # It comes back with the focus in it: typing goes on, and ctrl+s sends it.
            await until(pilot, lambda: pilot.app.focused is screen.composer.area, "the focus in the draft")
            await pilot.press(*", and the rest.", "ctrl+s")
            await until(pilot, lambda: drafts.drafts_of(ada) == [], "the draft sent")
            assert timeline.events_of(number)[-1].body == "Half a reply, and the rest."

    run(second_session())

    bob = other_agent()
    as_bob = Desk(tui_desk.url, bob, where="demo.db", user_host="bob@helpdesk")

    async def other_agents_session():
        async with make_app(as_bob).run_test(size=(100, 30)) as pilot:
            assert len(pilot.app.drafts) == 0
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            assert not screen.composer.display and "Half a reply" not in screen.composer.draft
            await pilot.press("ctrl+q")  # nothing of bob's to keep: no question
            await until(pilot, lambda: not pilot.app.is_running, "the app to quit")

    run(other_agents_session())


def test_ctrl_q_with_the_composer_holding_text_asks_and_saves_it_before_exit(tui_desk):
    number = some_open_ticket()
    ada = agents.get_agent("ada")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            await pilot.press("n", *"typed just now")
            await pilot.press("ctrl+q")  # at once: no pause for the debounced write
            assert f"(#{number} note)" in await asked(pilot)
            assert screen.composer.draft == "typed just now"
            await pilot.press("escape")  # no: back to writing, nothing sent
            await until(pilot, lambda: pilot.app.screen is screen, "back to the ticket")
            await pilot.press(*"!", "ctrl+q")
            await asked(pilot)
            await pilot.press("y")
            await until(pilot, lambda: not pilot.app.is_running, "the app to quit")

    run(scenario())
    assert [(d.kind, d.body) for d in drafts.drafts_of(ada)] == [("note", "typed just now!")]
    assert timeline.events_of(number)[-1].kind != "note"  # never sent by accident


def test_a_draft_reaches_the_desk_while_typing_and_leaves_it_when_sent(tui_desk):
    number = some_open_ticket()
    ada = agents.get_agent("ada")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await open_ticket(pilot, number)
            await pilot.press("r", *"Working on it")
            await until(pilot, lambda: [d.body for d in drafts.drafts_of(ada)] == ["Working on it"], "the saved draft")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: timeline.events_of(number)[-1].kind in ("reply", "status"), "the reply")
            await until(pilot, lambda: drafts.drafts_of(ada) == [], "the draft gone")
            await pilot.pause(0.7)
            assert drafts.drafts_of(ada) == [] and len(pilot.app.drafts) == 0

    run(scenario())


def ticket_with_suggestions() -> tuple[int, list]:
    for ticket in search.search_tickets("is:open is:unassigned", limit=100).tickets:
        found = faq_search.suggest_for_ticket(ticket.number, limit=8)
        if len(found) >= 2 and not any(h.linked for h in found):
            return ticket.number, found
    raise AssertionError("no open ticket with suggestions in the demo desk")


def linked(number: int) -> list[str]:
    return [e.new_value for e in timeline.events_of(number) if e.kind == "faq_linked"]


def test_an_inserted_faq_is_linked_only_when_the_reply_is_sent(tui_desk):
    number, suggested = ticket_with_suggestions()
    first = suggested[0].id
    ada = agents.get_agent("ada")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            version = screen.view.version
            await pilot.press("i")
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            await pilot.press("enter")
            await until(
                pilot, lambda: screen.composer.display and screen.composer.draft.strip(), "the article in the draft"
            )
            assert (
                f"FAQ #{first} inserted into the reply; it will be linked to #{number} when the reply is sent."
                in notices(pilot.app)
            )
            assert linked(number) == [] and screen.view.version == version  # nothing written yet
            await until(
                pilot, lambda: [d.faq_ids for d in drafts.drafts_of(ada)] == [(first,)], "the draft with its FAQ"
            )

            await pilot.press("escape")  # discard it: no link, no FAQ usage
            await asked(pilot)
            await pilot.press("y")
            await until(pilot, lambda: drafts.drafts_of(ada) == [], "the draft discarded")
            assert linked(number) == []
            assert not TicketEvent.select().where((TicketEvent.kind == "faq_linked") & (TicketEvent.new_value == str(first))
                                                  & (TicketEvent.ticket == number)).exists()  # fmt: skip

            await pilot.press("i")
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            await pilot.press("enter")
            await until(
                pilot, lambda: screen.composer.display and screen.composer.draft.strip(), "the article in the draft"
            )
            await pilot.press("ctrl+s")
            await until(pilot, lambda: linked(number) == [str(first)], "the link, with the reply")
            reply = next(e for e in timeline.events_of(number) if e.kind == "reply" and e.actor_id == ada.id)
            link = next(e for e in timeline.events_of(number) if e.kind == "faq_linked")
            assert link.version == reply.version and link.reason == "inserted in a reply"  # one change

    run(scenario())


def test_others_changes_are_told_with_who_and_what_but_not_ones_own(tui_desk):
    number = some_open_ticket()
    bob = other_agent()

    async def scenario():
        async with make_app(tui_desk, poll=0.2).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            version = screen.view.version
            priority = "low" if screen.view.priority != "low" else "high"
            tickets.set_priority(bob, number, priority, reason="CEO waiting", requested_by="sales: Rossi")
            await until(pilot, lambda: screen.view.version == version + 1, "the reload", timeout=3.0)
            await until(pilot, lambda: f"{bob.login}: priority" in notices(pilot.app), "the notice", timeout=3.0)
            assert "CEO waiting" in notices(pilot.app)
            pilot.app.clear_notifications()
            await pilot.press("n", *"mine", "ctrl+s")  # one's own change
            await until(pilot, lambda: screen.view.version == version + 2, "my note", timeout=3.0)
            await pilot.pause(0.6)
            assert "changed" not in " ".join(str(n.title) for n in pilot.app._notifications)

    run(scenario())


def test_a_reply_to_a_ticket_resolved_meanwhile_asks_first(tui_desk):
    number = some_open_ticket()
    bob = other_agent()

    async def scenario():
        async with make_app(tui_desk, poll=0.2).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            screen = await open_ticket(pilot, number)
            version = screen.view.version
            await pilot.press("r", *"Here is the fix")
            tickets.set_status(bob, number, "resolved")
            await until(pilot, lambda: screen.view.version == version + 1, "the reload", timeout=3.0)
            await pilot.press("ctrl+s")
            assert await asked(pilot) == f"#{number} was resolved by {bob.login} meanwhile. Send anyway?"
            await pilot.press("n")  # keep the draft
            await until(pilot, lambda: pilot.app.screen is screen, "back to the ticket")
            assert screen.composer.draft == "Here is the fix"
            assert timeline.events_of(number)[-1].kind == "status"
            await pilot.press("ctrl+s")
            await asked(pilot)
            await pilot.press("y")
            await until(pilot, lambda: timeline.events_of(number)[-1].kind == "reply", "the reply")
            assert timeline.events_of(number)[-1].body == "Here is the fix"

    run(scenario())
