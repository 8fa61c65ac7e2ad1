"""SLA in the app: the queue's Due column, the policy on the ticket, the customer's next step, alerts."""

from __future__ import annotations

from datetime import timedelta

from models.directory import agents
from models.directory import lookup as directory
from models.search import tickets as search
from models.sla import rules as sla
from models.tickets import timeline
from support.tui import NOW, make_app, open_ticket, queue_ready, run, screen_text, until


def test_breached_tickets_show_in_the_queue_and_the_app_writes_the_alert(tui_desk):
    admin = agents.get_agent("ada")
    sla.save_policy(
        admin, "Quick", first_response=1, resolution=60, position=-1
    )  # first; long past for every demo ticket
    late = search.search_tickets("is:breached status:new", limit=1).tickets[0].number

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("slash", *f"#{late}", "enter")
            await queue_ready(pilot)
            await until(pilot, lambda: screen.table.current_row and screen.table.current_row.number == late, "the row")
            line = next(line for line in screen_text(pilot.app).splitlines() if line.lstrip().startswith(str(late)))
            assert line.rstrip().split()[-1].startswith("!")  # the Due column: overdue
            pilot.app.sweep_sla()
            await until(
                pilot, lambda: any(e.kind == "sla" for e in timeline.events_of(late)), "the breach event", timeout=5
            )
            ticket = await open_ticket(pilot, late)
            text = screen_text(pilot.app)
            assert (
                "SLA Quick" in text and "OVERDUE " in text and "ago) first response" in text
            )  # the deadline, the policy's name
            assert any(e.kind == "sla" and "breached" in e.summary for e in ticket.view.events)
            await pilot.press("v")
            await until(pilot, lambda: ticket.view.customer_view, "the customer view")
            assert "Next: We have received your request." in screen_text(pilot.app)
            assert "SLA Quick" not in screen_text(pilot.app)  # agent-only

    run(scenario())


def test_an_expired_contract_is_flagged_in_the_queue_and_on_the_ticket(tui_desk):
    admin = agents.get_agent("ada")
    flagged = next(
        t
        for t in search.search_tickets("is:open is:unassigned", limit=100).tickets  # the app's first view
        if t.organization_id is not None
    )
    directory.update_organization(admin, flagged.organization.name, contract_valid_until=NOW.date() - timedelta(days=9))
    flagged = search.search_tickets(f"#{flagged.number}", limit=1).tickets[0]

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("slash", *f"#{flagged.number}", "enter")
            await queue_ready(pilot)
            await until(
                pilot, lambda: screen.table.current_row and screen.table.current_row.number == flagged.number, "row"
            )
            line = next(
                line for line in screen_text(pilot.app).splitlines() if line.lstrip().startswith(str(flagged.number))
            )
            assert "⚠" in line
            await open_ticket(pilot, flagged.number)
            assert f"CONTRACT EXPIRED {flagged.organization.contract_valid_until.isoformat()}" in screen_text(pilot.app)

    run(scenario())


def test_the_sla_rules_are_shown_in_order_and_inert(tui_desk):
    from tui.screens.sla_rules import SLARulesScreen

    admin = agents.get_agent("ada")
    sla.save_policy(admin, "[@click=app.quit]VIP\x1b]0;x\x07", tier="premium", priority="urgent", first_response=15,
                    position=-1)  # fmt: skip

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 40)) as pilot:
            await queue_ready(pilot)
            await pilot.press("L")
            await until(pilot, lambda: isinstance(pilot.app.screen, SLARulesScreen), "the SLA rules")
            await until(pilot, lambda: "Calendars" in screen_text(pilot.app), "the rules")
            text = screen_text(pilot.app)
            assert "1. [@click=app.quit]VIP" in text and "Premium / urgent: first response 15 min" in text
            assert text.index("Premium urgent") > text.index("VIP") and "Office (Europe/Rome)" in text
            assert "\x1b" not in text
            await pilot.click("#sla-rules-text")
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(pilot.app.screen, SLARulesScreen), "closed")
            assert pilot.app.is_running

    run(scenario())
