"""SVG snapshots of the main screens at 80×24 and 120×40, on a copy of the demo desk.

The desk, the clock, ``user@host`` and the database label are fixed, and nothing blinks, so an
image changes only when the app's look does. Review a changed image, then accept it with
``python -m pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.search.tickets import search_tickets
from models.tickets import timeline
from support.tui import NOW, make_app, queue_ready, ticket_ready, until
from tui.dialogs.choice import ChoiceDialog
from tui.screens.ticket import TicketScreen

SIZES = [(80, 24), (120, 40)]


def story_ticket() -> int:
    """The newest open ticket whose timeline has a customer message, a reply and an internal note."""
    for ticket in search_tickets("is:open sort:created", limit=150).tickets:
        kinds = {(e.kind, e.visibility) for e in timeline.events_of(ticket.number)}
        if {("reply", "public"), ("note", "internal")} <= kinds and len(kinds) >= 4:
            return ticket.number
    raise AssertionError("the demo desk has no ticket with a reply and a note")


async def show_ticket(pilot, number: int) -> None:
    await queue_ready(pilot)
    await pilot.app.push_screen(TicketScreen(pilot.app.desk, number, now=lambda: NOW))
    await ticket_ready(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_queue(snap_compare, tui_desk, size):
    async def ready(pilot):
        await queue_ready(pilot)
        await pilot.press("7")
        await queue_ready(pilot)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ticket(snap_compare, tui_desk, size):
    number = story_ticket()

    async def ready(pilot):
        await show_ticket(pilot, number)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_customer_view(snap_compare, tui_desk, size):
    number = story_ticket()

    async def ready(pilot):
        await show_ticket(pilot, number)
        await pilot.press("v")
        await until(pilot, lambda: pilot.app.screen.view.customer_view, "the customer view")
        await pilot.pause()

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, tui_desk, size):
    async def ready(pilot):
        await queue_ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_status_picker(snap_compare, tui_desk, size):
    number = story_ticket()

    async def ready(pilot):
        await show_ticket(pilot, number)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog), "the picker")
        await pilot.pause()

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


# --- the FAQ ------------------------------------------------------------------------------------


def faq_with_history(monkeypatch) -> int:
    """A published article with three revisions, saved at fixed times (the history shows them)."""
    import models.faq.articles
    from models.directory import agents
    from models.faq import articles as faq
    from models.faq import search as faq_search

    admin = agents.get_agent("ada")
    other = next(a for a in agents.list_agents() if a.active and a.login != "ada")
    article = faq_search.search_faq("status:published", limit=1)[0]
    body = faq.get_article(article.id).body
    times = iter([NOW - timedelta(days=3), NOW - timedelta(days=1)])
    monkeypatch.setattr(models.faq.articles, "utcnow", lambda: next(times))
    faq.save_article(
        admin, article.id, body=body + "\n\n## If it still fails\n\nWrite to **support**.", note="what next"
    )
    faq.save_article(
        other, article.id, body=body.replace("one working day", "four working hours") + "\n\n## If it still fails\n\nWrite to **support** or call us.",
        tags=["accessibility"], note="faster answers",
    )  # fmt: skip
    return article.id


async def show_faq(pilot) -> None:
    from support.tui import faq_ready

    await queue_ready(pilot)
    await pilot.press("f")
    await faq_ready(pilot)
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_faq(snap_compare, tui_desk, size):
    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=show_faq)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_faq_editor(snap_compare, tui_desk, size):
    async def ready(pilot):
        from support.tui import editor_ready

        await show_faq(pilot)
        await pilot.press("down", "e")
        await editor_ready(pilot)
        await pilot.pause(0.5)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_faq_history(snap_compare, tui_desk, size, monkeypatch):
    article_id = faq_with_history(monkeypatch)

    async def ready(pilot):
        from support.tui import faq_ready
        from tui.screens.faq_history import FAQHistoryScreen

        await show_faq(pilot)
        await pilot.press("slash", *f"#{article_id}", "enter")
        await faq_ready(pilot, f"#{article_id}")
        await pilot.press("h")
        await until(
            pilot,
            lambda: isinstance(pilot.app.screen, FAQHistoryScreen) and pilot.app.screen.compared == (2, 3),
            "the history",
        )
        await until(pilot, lambda: "four" in str(pilot.app.screen.query_one("#history-diff").render()), "the diff")
        await pilot.pause()

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_faq_health(snap_compare, tui_desk, size):
    async def ready(pilot):
        from tui.screens.faq_health import FAQHealthScreen

        await show_faq(pilot)
        await pilot.press("H")
        await until(
            pilot, lambda: isinstance(pilot.app.screen, FAQHealthScreen) and pilot.app.screen.report, "the report"
        )
        await pilot.pause(0.3)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)
