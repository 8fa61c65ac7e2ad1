"""Sync in the app: the header's status, ``R`` to sync now, and the sync screen (``Y``) with runs and conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.directory import agents
from models.exchange import sync_state
from models.search import tickets as search
from models.store.config import Config
from models.store.sync_tables import SyncConflict, SyncRemote, SyncRun
from models.tickets import changes as tickets
from support.tui import NOW, make_app, notifications, queue_ready, run, screen_text, ticket_ready, until
from tui.app import configured_remotes
from tui.screens.sync import SyncScreen

HOSTILE = "[@click=app.quit]boom \x1b[31mred\x1b]0;owned\x07 [bold]x[/bold]"
SIZES = [(80, 24), (120, 40)]


def seed_sync(*, problem: str = "RT said 500", errors: bool = False) -> tuple[int, int]:
    """A remote "rt" synced three minutes before NOW, a note waiting to be pushed and one open conflict.

    Times are pinned to NOW so that ages and dates read the same on every run; (ticket, conflict id).
    """
    number = search.search_tickets("status:open", limit=1).tickets[0].number
    remote = sync_state.remote_state("rt", "rt")
    run_row = sync_state.start_run(remote, "both")
    report = [{"what": "error" if errors else "skipped", "where": f"ticket #{number}", "problem": problem},
              {"what": "conflict", "where": f"ticket #{number}", "problem": "status changed on both sides"}]  # fmt: skip
    sync_state.finish_run(run_row, pulled=3, pushed=1, conflicts=1, report=report)
    conflict = sync_state.record_conflict(remote, number, "status", "open", "[@click=app.quit]stalled", kept="local")
    tickets.add_note(agents.get_agent("ada"), number, "checked with the customer")  # waits in rt's outbox
    at = NOW - timedelta(minutes=3)
    SyncRun.update(started_at=at, finished_at=at + timedelta(seconds=4)).execute()
    SyncRemote.update(last_run_at=at, last_ok_at=None if errors else at).execute()
    SyncConflict.update(created_at=at).execute()
    return number, conflict.id


async def open_sync(pilot) -> SyncScreen:
    await queue_ready(pilot)
    await pilot.press("Y")
    await until(
        pilot, lambda: isinstance(pilot.app.screen, SyncScreen) and pilot.app.screen.runs is not None, "the sync screen"
    )
    await pilot.pause()
    return pilot.app.screen


def header_line(app) -> str:
    return screen_text(app).splitlines()[0]


def test_the_header_shows_the_last_sync_what_waits_and_the_conflicts(tui_desk):
    seed_sync()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await until(pilot, lambda: "⇅" in header_line(pilot.app), "the sync status")
            line = header_line(pilot.app)
            assert line.rstrip().endswith("⇅ rt 3m ago · 1 waiting · 1 conflict")
            assert line.startswith(" Sportello ada@helpdesk") and len(line) <= 80

    run(scenario())


def test_the_header_says_errors_in_words(tui_desk):
    seed_sync(errors=True)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await until(pilot, lambda: "⇅" in header_line(pilot.app), "the sync status")
            assert "⇅ rt ✗ errors" in header_line(pilot.app)

    run(scenario())


def test_a_desk_that_never_synced_shows_no_sync_status(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.pause(0.1)
            assert "⇅" not in header_line(pilot.app)

    run(scenario())


def test_y_lists_the_run_and_the_conflict_and_x_resolves_it(tui_desk):
    number, conflict_id = seed_sync()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_sync(pilot)
            text = screen_text(pilot.app)
            assert "Recent runs" in text and "both" in text and "✓ ok" in text
            assert "skipped ticket #" in text and "RT said 500" in text
            assert f"#{number}" in text and "[@click=app.quit]stalled" in text and "Open conflicts (1)" in text
            await pilot.press("tab")
            await until(pilot, lambda: pilot.app.focused is screen.conflicts_table, "the conflicts focused")
            await pilot.press("x")
            await until(pilot, lambda: not screen.conflicts, "the conflict resolved")
            resolved = SyncConflict.get_by_id(conflict_id)
            assert resolved.resolved and resolved.resolved_by.login == "ada"
            assert "Open conflicts: none" in screen_text(pilot.app)
            assert "marked resolved" in notifications(pilot.app)
            await until(pilot, lambda: "conflict" not in header_line(pilot.app), "the header without the conflict")

    run(scenario())


def test_enter_on_a_conflict_opens_its_ticket(tui_desk):
    number, _ = seed_sync()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_sync(pilot)
            screen.conflicts_table.focus()
            await pilot.pause()
            await pilot.press("enter")
            ticket = await ticket_ready(pilot)
            assert ticket.number == number
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(pilot.app.screen, SyncScreen), "back on the sync screen")

    run(scenario())


def test_hostile_text_from_the_remote_is_shown_literally(tui_desk):
    seed_sync(problem=HOSTILE, errors=True)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 30)) as pilot:
            await open_sync(pilot)
            text = screen_text(pilot.app)
            assert "[@click=app.quit]boom" in text and "[bold]x[/bold]" in text and "✗ error" in text
            assert "\x1b" not in text and "\x07" not in text and "\ufffd[31mred" in text
            assert pilot.app.is_running

    run(scenario())


def test_r_without_a_remote_says_how_to_configure_one(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.press("R")
            await until(pilot, lambda: "[remotes.NAME]" in notifications(pilot.app), "the notice")
            assert "config.toml" in notifications(pilot.app) and not pilot.app.syncing

    run(scenario())


def test_r_reports_a_remote_that_cannot_start_as_an_error(tui_desk, monkeypatch):
    from sync import RemoteConfig

    monkeypatch.delenv("SPORTELLO_TEST_NO_TOKEN", raising=False)
    remote = RemoteConfig(
        name="rt", kind="rt", url="http://127.0.0.1:9/rt", user="x", token_env="SPORTELLO_TEST_NO_TOKEN"
    )

    async def scenario():
        app = make_app(tui_desk, remotes={"rt": remote})
        async with app.run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await until(pilot, lambda: "rt never synced" in header_line(app), "the configured remote in the header")
            await pilot.press("R")
            await until(pilot, lambda: "SPORTELLO_TEST_NO_TOKEN" in notifications(app), "the error")
            assert any(n.severity == "error" for n in app._notifications)
            await until(pilot, lambda: not app.syncing, "the sync over")

    run(scenario())


def test_an_invalid_remote_config_still_opens_and_says_why(tui_desk):
    remotes, error = configured_remotes(Config(remotes={"rt": {"type": "nope"}}, source="config.toml"))
    assert remotes == {} and error

    async def scenario():
        app = make_app(tui_desk, remote_error=error)
        async with app.run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            assert "⇅ ✗ remote config invalid" in header_line(app)
            await open_sync(pilot)
            assert "✗ The remote config is invalid:" in screen_text(app)
            await pilot.press("R")
            await until(pilot, lambda: "invalid" in notifications(app), "the notice")

    run(scenario())


def test_no_remote_configured_means_sync_is_not_imported():
    assert configured_remotes(Config()) == ({}, None)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sync_screen_snapshot(snap_compare, tui_desk, size):
    seed_sync(problem=HOSTILE, errors=True)

    async def ready(pilot):
        await open_sync(pilot)

    assert snap_compare(make_app(tui_desk), terminal_size=size, run_before=ready)


def test_the_header_shows_how_far_a_sync_is(tui_desk):
    import threading
    from types import SimpleNamespace

    from sync import RemoteConfig

    remote = RemoteConfig(
        name="rt", kind="rt", url="http://127.0.0.1:9/rt", user="x", token_env="SPORTELLO_TEST_NO_TOKEN"
    )
    release = threading.Event()

    def slow_sync(config, progress=None):
        progress("pull", 400, 1000)
        release.wait(10)
        return SimpleNamespace(pulled=400, pushed=0, conflicts=0, errors=0)

    async def scenario():
        app = make_app(tui_desk, remotes={"rt": remote})
        async with app.run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            app.desk.sync = slow_sync
            await pilot.press("R")
            await until(pilot, lambda: "syncing pull 40%…" in header_line(app), "how far the sync is")
            release.set()
            await until(pilot, lambda: not app.syncing and "syncing" not in header_line(app), "the sync over")
            assert "pulled 400" in notifications(app)

    run(scenario())
