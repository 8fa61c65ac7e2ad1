"""Issue 14.1 (the ticket screen), 10, 11, 16: a change from the ticket screen carries the version
on screen when its picker opened; the customer view shows only what the customer sees, in the
customer page's time zone; the header names the next deadline and the policy within 80 columns;
an SLA alert is one timeline line."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text

from models.reports import customer_view as customer_status
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from models.tickets import timeline
from support.tui import NOW, answer, choose, make_app, notifications, run, second_agent_desk, ticket_ready, until
from tui.desk.desk import EventRow
from tui.dialogs.choice import ChoiceDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.ticket import TicketScreen
from tui.text.labels import when
from tui.text.ticket_header import ticket_header
from tui.widgets.timeline import _event_blocks

PRIORITIES = ("low", "normal", "high", "urgent")


def open_ticket_number() -> int:
    return Ticket.select().where(Ticket.status == "open").order_by(Ticket.number).first().number


async def open_on(pilot, number: int) -> TicketScreen:
    pilot.app.push_screen(TicketScreen(pilot.app.desk, number, now=lambda: NOW))
    return await ticket_ready(pilot)


def test_a_priority_change_in_the_ticket_carries_the_version_on_screen_when_p_was_pressed(tui_desk):
    bob = second_agent_desk(tui_desk)
    number = open_ticket_number()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as ada_pilot:
            screen = await open_on(ada_pilot, number)
            before = screen.view.priority
            ada_wants, bob_wants = [p for p in PRIORITIES if p != before][:2]
            await ada_pilot.press("p")
            await choose(ada_pilot, ada_wants)
            await until(ada_pilot, lambda: isinstance(ada_pilot.app.screen, TextPrompt), "ada's reason prompt")

            tickets.set_priority(bob.me, number, bob_wants, reason="customer called", requested_by="sales: Rossi")
            seen = Ticket.get_by_id(number).version
            screen.load()  # the live reload under ada's prompt: her screen now shows bob's version
            await until(ada_pilot, lambda: screen.view.version == seen, "the reload")

            await answer(ada_pilot, "whole office down")
            await answer(ada_pilot, "own call")
            await until(ada_pilot, lambda: "bob" in notifications(ada_pilot.app), "the refusal")
            assert "nothing was changed" in notifications(ada_pilot.app)
            assert Ticket.get_by_id(number).priority == bob_wants  # never bob's → ada's unseen
            assert Ticket.get_by_id(number).version == seen

    run(scenario())


def test_status_and_assignee_in_the_ticket_carry_the_version_on_screen_too(tui_desk):
    bob = second_agent_desk(tui_desk)
    number = open_ticket_number()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_on(pilot, number)
            for key, pick in (("s", "pending"), ("a", "ada")):
                await pilot.press(key)
                await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog), "the picker")
                tickets.add_note(bob.me, number, f"bob was here ({key})")
                seen = Ticket.get_by_id(number).version
                screen.load()
                await until(pilot, lambda: screen.view.version == seen, "the reload")  # noqa: B023 - called within this iteration
                await pilot.press(*pick, "enter")
                refusals = 1 if key == "s" else 2
                await until(pilot, lambda: notifications(pilot.app).count("bob") >= refusals, "the refusal")  # noqa: B023 - awaited here
                assert Ticket.get_by_id(number).version == seen  # refused: nothing written

    run(scenario())


def test_the_customer_view_shows_only_what_the_customer_sees_in_the_pages_zone(tui_desk):
    number = open_ticket_number()
    tickets.change_tags(tui_desk.me, number, add=["secret-tag"])
    view = tui_desk.ticket(number, customer_view=True)
    zone = customer_status.page_timezone(number)
    assert view.zone == zone
    header = ticket_header(view, NOW, 200).plain
    assert "CUSTOMER VIEW" in header and "Next:" in header
    for hidden in ("assignee", "queue", "tags", "secret-tag", "version", view.priority):
        assert hidden not in header.split("Next:")[0].split("\n", 1)[1], hidden
    assert f"({zone})" in header and when(view.created_at, zone) in header
    if zone != "UTC":
        assert when(view.created_at) not in header  # never the UTC time beside it
    for event in view.events:  # the timeline's times are the page's too
        assert any(when(event.at, zone) in text.plain for _, text in _event_blocks(event, zone))


def test_the_header_shows_the_next_deadline_and_the_policy_name_in_80_columns(tui_desk):
    ticket = Ticket.select().where(Ticket.due_at.is_null(False) & (Ticket.status == "open")).first()
    view = tui_desk.ticket(ticket.number)
    lines = ticket_header(view, NOW, 78).plain.splitlines()
    assert all(len(line) <= 78 for line in lines)
    deadline = next(line for line in lines if line.startswith(("Due ", "OVERDUE ")))
    assert when(view.due_at) in deadline and view.sla in deadline
    assert "None" not in deadline and "any priority" not in deadline  # the policy's name, not its rule


def test_an_overdue_deadline_says_so_in_words():
    from tui.desk.desk import TicketView

    view = TicketView(number=1, version=3, subject="x", status="open", priority="high", customer="", organization="",
                      tier="", assignee="", queue="", tags=(), created_at=NOW, updated_at=NOW, merged_into=None,
                      next_statuses=(), events=(), customer_view=False, sla="Premium high",
                      due_at=NOW - timedelta(hours=2), due_what="resolution")  # fmt: skip
    deadline = ticket_header(view, NOW, 80).plain.splitlines()[-1]
    assert deadline.startswith("OVERDUE ") and "(2h ago) resolution" in deadline and "SLA Premium high" in deadline


def test_an_sla_alert_is_one_short_timeline_line(tui_desk):
    from models.tickets import alerts as sla_alerts

    sla_alerts.Sweeper()(now=NOW + timedelta(days=30))  # every running deadline is breached by then
    event = TicketEvent.select().where(TicketEvent.kind == "sla").order_by(TicketEvent.id.desc()).first()
    row = EventRow(id=event.id, version=event.version, at=event.at, who=timeline.who(event), kind=event.kind,
                   internal=True, by_customer=False, summary=timeline.describe(event), body="")  # fmt: skip
    blocks = _event_blocks(row)
    assert len(blocks) == 1
    text: Text = blocks[0][1]
    assert "\n" not in text.plain and len(text.plain) <= 76 and "(internal)" not in text.plain
