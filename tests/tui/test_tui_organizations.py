"""The organizations screen (``c`` on the queue), driven with Pilot key presses on a copy of the demo desk.

Organizations and tickets with exact content are made through the model service functions, as
the CLI or another agent would make them. The two snapshots use the demo data alone (tickets made
here would carry today's date), at 80×24 and 120×40.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models.directory import agents
from models.directory import lookup as directory
from models.reports import churn, organizations
from models.tickets import changes as tickets
from support.tui import NOW, make_app, queue_ready, run, screen_text, ticket_ready, until
from tui.screens.organizations import OrganizationsScreen
from tui.screens.ticket import TicketScreen

HOSTILE = "[bold]Evil[/bold] [@click=app.quit]Quit[/] [link=https://evil.example]x[/link] \x1b]0;pwned\x07 \x1b[31mred"


def admin():
    return agents.get_agent("ada")


def make_org(
    name: str, *, until=None, tickets_: int = 2, contact: str = "Ann Example", tier: str | None = None
) -> list[int]:
    """An organization with ``tickets_`` open tickets from one contact; returns the ticket numbers."""
    numbers = [
        tickets.create_ticket(admin(), subject=f"Printer {n} is on fire", body="Help.", customer=f"ann{n}@org.example",
                              customer_name=contact, organization=name).number
        for n in range(tickets_)
    ]  # fmt: skip
    directory.update_organization(admin(), name, tier=tier, contract_valid_until=until)
    return numbers


async def orgs_ready(pilot, query: str = "") -> OrganizationsScreen:
    """The organizations screen with the list for ``query`` on screen."""
    app = pilot.app

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, OrganizationsScreen)
            and screen.shown_text == query == screen.query_text
            and screen.table.row_count == len(screen.rows)
        )

    await until(pilot, ready, f"the organizations for {query!r}")
    await pilot.pause()
    return app.screen


async def open_orgs(pilot, query: str = "") -> OrganizationsScreen:
    """From the queue: c, then (when given) search for ``query``."""
    await queue_ready(pilot)
    await pilot.press("c")
    screen = await orgs_ready(pilot)
    if query:
        await pilot.press("slash", *query, "enter")
        await orgs_ready(pilot, query)
    return screen


async def profile_ready(pilot, name: str) -> OrganizationsScreen:
    screen = pilot.app.screen

    def ready() -> bool:
        shown = screen.profile_view.profile
        return shown is not None and shown.organization.name == name

    await until(pilot, ready, f"the profile of {name!r}")
    await pilot.pause()
    return screen


async def on_screen(pilot, *texts: str) -> None:
    await until(pilot, lambda: all(t in screen_text(pilot.app) for t in texts), f"{texts!r} on screen")


# --- the list ------------------------------------------------------------------------------


def test_c_opens_the_list_and_typing_narrows_it(tui_desk):
    everything = organizations.list_organizations("", today=NOW.date())
    castello = [r.id for r in everything if "castello" in r.name.lower()]
    assert 0 < len(castello) < len(everything)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_orgs(pilot)
            assert screen.table.keys == [r.id for r in everything]
            await on_screen(pilot, f"{len(everything)} organizations", everything[0].name, "Contract until")

            await pilot.press("slash", *"castello")  # no enter: the list follows the typing
            await orgs_ready(pilot, "castello")
            assert screen.table.keys == castello
            await on_screen(pilot, f"{len(castello)} organizations", "search: castello")

            await pilot.press("escape")  # clears the search…
            await orgs_ready(pilot, "")
            assert screen.table.keys == [r.id for r in everything]
            assert not screen.query_one("#org-search").value
            await pilot.press("escape")  # …then goes back
            await queue_ready(pilot)

    run(scenario())


def test_the_profile_shows_segment_contract_open_tickets_and_contacts(tui_desk):
    until_day = NOW.date() + timedelta(days=400)
    make_org("Quokka Widgets", until=until_day, tickets_=3, contact="Zed Zebra", tier="premium")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            screen = await open_orgs(pilot, "quokka")
            await pilot.press("enter")
            await profile_ready(pilot, "Quokka Widgets")
            assert screen.focused is screen.profile_view.tickets  # enter moves on to the tickets
            await on_screen(pilot, f"Contract until {until_day.isoformat()}", "Open tickets 3", "tier premium",
                            "Contacts (3): Zed Zebra <ann0@org.example>", "Tickets (3)", "Last 90 days")  # fmt: skip
            text = screen_text(pilot.app)
            assert "CONTRACT EXPIRED" not in text
            assert "SLA met —" in text  # no figure yet: a dash, never "None"
            assert "None" not in text

    run(scenario())


def test_an_expired_contract_is_flagged_in_the_list_and_the_profile(tui_desk):
    ended = NOW.date() - timedelta(days=10)
    make_org("Wombat Logistics", until=ended)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_orgs(pilot, "wombat")
            row = next(line for line in screen_text(pilot.app).splitlines() if "Wombat Logistics" in line)
            assert f"⚠ {ended.isoformat()} expired" in row
            await pilot.press("enter")
            await profile_ready(pilot, "Wombat Logistics")
            await on_screen(pilot, f"⚠ CONTRACT EXPIRED {ended.isoformat()}", "Open tickets 2")
            assert screen.query_one("#org-contract").has_class("-expired")  # the warning colour

    run(scenario())


def test_enter_on_a_ticket_of_the_profile_opens_it_and_escape_comes_back(tui_desk):
    numbers = make_org("Numbat Foods", until=NOW.date() + timedelta(days=200))

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            screen = await open_orgs(pilot, "numbat")
            await pilot.press("enter")
            await profile_ready(pilot, "Numbat Foods")
            assert not screen.query_one("#org-side").display  # at 80 columns the profile has the screen
            newest = screen.profile_view.tickets.current_key
            assert newest in numbers
            await pilot.press("enter")
            ticket = await ticket_ready(pilot)
            assert isinstance(ticket, TicketScreen) and ticket.number == newest
            await pilot.press("q")
            await until(pilot, lambda: pilot.app.screen is screen, "back on the organizations")
            await profile_ready(pilot, "Numbat Foods")
            await pilot.press("escape")  # out of the profile, back to the list
            await until(
                pilot, lambda: screen.query_one("#org-side").display and screen.focused is screen.table, "the list"
            )
            await pilot.press("escape", "escape")  # clears the search, then leaves
            await queue_ready(pilot)

    run(scenario())


# --- churn risk ----------------------------------------------------------------------------


def test_r_shows_who_is_at_risk_with_the_reasons_and_enter_opens_the_profile(tui_desk):
    ends = NOW.date() + timedelta(days=30)
    make_org("Platypus Travel", until=ends, tickets_=1)
    expected = churn.at_risk(now=NOW)
    assert "Platypus Travel" in [r.organization for r in expected]

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            screen = await open_orgs(pilot)
            await pilot.press("r")
            await until(
                pilot, lambda: screen.risks is not None and screen.risk_list.option_count == len(expected), "the risks"
            )
            await on_screen(pilot, "Platypus Travel", f"contract ends {ends.isoformat()} (in 30 days)",
                            f"{len(expected)} organizations at risk")  # fmt: skip
            index = [r.organization for r in expected].index("Platypus Travel")
            screen.risk_list.highlighted = index
            await pilot.press("enter")
            await profile_ready(pilot, "Platypus Travel")
            await on_screen(pilot, f"Contract until {ends.isoformat()}", "Open tickets 1")
            await pilot.press("escape")  # focus back to the risks
            await until(pilot, lambda: screen.focused is screen.risk_list, "the risks focused")
            await pilot.press("r")  # and back to every organization
            await until(pilot, lambda: screen.mode == "list" and screen.table.display, "the list")

    run(scenario())


# --- hostile text and small terminals ------------------------------------------------------


def test_a_hostile_name_contact_and_subject_render_literally_and_clicking_runs_nothing(tui_desk):
    make_org(HOSTILE, until=NOW.date() + timedelta(days=20), tickets_=1, contact="[red]Mallory[/red] \x1b[2J\x07")
    number = tickets.create_ticket(admin(), subject="[@click=app.quit]Click me\x1b]8;;https://evil.example\x07",
                                   body="x", customer="ann0@org.example", organization=HOSTILE).number  # fmt: skip

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            screen = await open_orgs(pilot, "evil")
            assert len(screen.rows) == 1
            await on_screen(pilot, "[bold]Evil[/bold] [@click=app")
            await pilot.click("#org-list", offset=(4, 1))  # the name cell
            await pilot.click("#org-list", offset=(4, 1))
            await profile_ready(pilot, directory.find_organization(HOSTILE).name)
            text = screen_text(pilot.app)
            # the name, as typed, wrapped; escape sequences defused
            assert "[bold]Evil[/bold] [@click=app.quit]Quit[/]" in text
            assert "[link=https://evil.example]x[/link] \ufffd]0;pwned\ufffd" in text and "\ufffd[31mred" in text
            assert "[red]Mallory[/red] \ufffd[2J\ufffd" in text
            assert re.search(rf"#{number} +\[@click=app\.quit\]Clic", text)  # the subject
            assert not any(c in text for c in "\x1b\x07")
            await pilot.click("#org-name", offset=(5, 0))
            await pilot.click("#org-contacts", offset=(20, 0))
            await pilot.pause()
            assert pilot.app.is_running and pilot.app.screen is screen
            assert screen.profile_view.tickets.keys[0] == number

            await pilot.press("r")
            await until(pilot, lambda: screen.risks is not None, "the risks")
            await on_screen(pilot, "[bold]Evil[/bold] [@click=app")
            await pilot.click("#org-risks", offset=(6, 0))
            await pilot.pause()
            assert pilot.app.is_running

    run(scenario())


def test_at_80x24_the_list_and_the_profile_show_their_essentials(tui_desk):
    ended = NOW.date() - timedelta(days=3)
    make_org("Echidna Energy", until=ended, tickets_=2)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            screen = await open_orgs(pilot)
            text = screen_text(pilot.app)
            for heading in ("Organization", "Tier", "Open", "Contract until", "/ Search", "r Churn risk", "q Back"):
                assert heading in text, heading
            assert not screen.profile_view.display  # one pane at a time
            await pilot.press("slash", *"echidna", "enter")
            await orgs_ready(pilot, "echidna")
            await pilot.press("enter")
            await profile_ready(pilot, "Echidna Energy")
            text = screen_text(pilot.app)
            for fact in ("Echidna Energy", f"⚠ CONTRACT EXPIRED {ended.isoformat()}", "Open tickets 2", "SLA met",
                         "CSAT", "complaints", "Contacts (2)", "Tickets (2)", "Printer 1 is on fire", "Printer 0 is on fire"):  # fmt: skip
                assert fact in text, fact
            assert all(len(line) <= 80 for line in text.splitlines())

    run(scenario())


# --- snapshots -----------------------------------------------------------------------------


def snapshot_org() -> str:
    """The demo's expired organization with the most tickets (the first by name on a tie)."""
    expired = [r for r in organizations.list_organizations("", today=NOW.date()) if r.expired]
    return max(expired, key=lambda r: (len(organizations.profile(r.id, now=NOW).tickets), r.open_tickets)).name


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot(snap_compare, tui_desk, size):
    """An organization with an expired contract: its profile (80×24), or the list beside it (120×40)."""
    name = snapshot_org()

    async def ready(pilot):
        screen = await open_orgs(pilot)
        await pilot.press(*["down"] * [r.name for r in screen.rows].index(name))
        if size[0] < 110:
            await pilot.press("enter")
        await profile_ready(pilot, name)
        await pilot.pause(0.3)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)
