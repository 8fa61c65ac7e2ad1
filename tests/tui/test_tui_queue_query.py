"""Issue 14.5 in the app: a query that parses but fails in the queue's worker (an unknown or
ambiguous name) is said in one line under the filter box, and the queue never hangs on
"Loading… / counting…"; a unique prefix of a login finds that agent's tickets."""

from __future__ import annotations

from textual.widgets import Static

from models.search import tickets as search
from support.tui import make_app, queue_ready, run, screen_text, until


def filter_error(screen) -> str:
    error = screen.query_one("#filter-error", Static)
    return str(error.render()) if error.display else ""


def test_an_unknown_login_is_said_under_the_box_and_the_queue_does_not_hang(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            await pilot.press("slash", *"assignee:bob")
            await until(pilot, lambda: filter_error(screen), "the error under the filter box")
            await pilot.pause(0.2)
            assert filter_error(screen) == '✗ no agent matches "bob"'
            text = screen_text(pilot.app)
            assert "Loading…" not in text and "counting…" not in text
            assert "No tickets match." in text and "0 tickets" in text
            await pilot.press("space")  # the same query: the error stays
            await pilot.pause(0.3)
            assert filter_error(screen) == '✗ no agent matches "bob"'
            await pilot.press(*["backspace"] * 4)  # "assignee:" alone is a parse error, said the same way
            await until(pilot, lambda: "empty value" in filter_error(screen), "the parse error")
            await pilot.press("escape")
            await queue_ready(pilot)
            assert filter_error(screen) == "" and screen.table.total > 0

    run(scenario())


def test_a_unique_prefix_of_a_login_shows_that_agents_tickets_and_an_ambiguous_org_names_candidates(tui_desk):
    logins = [a.login for a in search.Agent.select()]
    login = next(x for x in logins if sum(y.startswith(x[:4]) for y in logins) == 1)
    expected = search.count_tickets(f"assignee:{login}")
    orgs = [o.name.lower() for o in search.Organization.select()]
    shared = next(n[:2] for n in orgs if sum(m.startswith(n[:2]) for m in orgs) > 1)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            every = next(i for i, v in enumerate(screen.views) if v.name == "All")
            await pilot.press(str(every + 1), "slash", *f"assignee:{login[:4]}", "enter")
            await until(pilot, lambda: screen.table.query_text == f"assignee:{login[:4]}", "the query")
            await queue_ready(pilot)
            assert filter_error(screen) == "" and screen.table.total == expected > 0

            await pilot.press("escape", "slash", *f"org:{shared}", "enter")
            await until(pilot, lambda: "matches more than one organization" in filter_error(screen), "the candidates")
            assert "type more of it" in filter_error(screen)
            assert "counting…" not in screen_text(pilot.app)

    run(scenario())
