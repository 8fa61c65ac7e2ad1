"""One exception tree: what stops a sync reaches the user as a SportelloError (one line, its exit
code), in the command line and in the app, never as "internal error"."""

from __future__ import annotations

import pytest

from models.errors import InvalidInput, SportelloError
from models.faq.files import ParseError, parse_article
from support.cli import one_error_line
from support.tui import make_app, notifications, queue_ready, run, ticket_ready, until
from sync.errors import SyncError
from sync.remotes.base import RemoteError, RemoteRefused, RemoteUnavailable
from tui.desk.desk import Desk
from tui.errors import error_line

UNREACHABLE = '[remotes.rt]\ntype = "rt"\nurl = "http://127.0.0.1:9/rt"\nuser = "u"\ntoken_env = "T"\ntimeout = 0.5\n'


def test_sync_and_faq_file_errors_are_sportello_errors_with_their_exit_codes():
    assert issubclass(SyncError, SportelloError) and SyncError("x").exit_code == 1
    with pytest.raises(ParseError) as bad:
        parse_article("no front matter here\n")
    assert isinstance(bad.value, InvalidInput) and bad.value.exit_code == 2 and bad.value.line == 1
    assert error_line(bad.value) == bad.value.message and "front matter" in error_line(bad.value)
    assert error_line(SyncError("rt: unreachable")) == "rt: unreachable"
    # the adapters' own errors know nothing of the desk
    assert not issubclass(RemoteError, SportelloError)


def test_a_dry_run_against_an_unreachable_remote_is_one_line_not_an_internal_error(desk, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(UNREACHABLE)
    result = desk("--config", str(config), "sync", "--dry-run", env={"T": "secret-token"})
    line = one_error_line(result, 1)
    assert line.startswith("sportello: rt: ") and "ConnectError" in line, line
    assert "internal error" not in line and "secret-token" not in result.output


def test_a_remote_error_escaping_a_sync_is_said_as_its_message(desk, tmp_path, monkeypatch):
    from sync.engine import Engine

    def refused(self, **_):
        raise RemoteRefused("403 Forbidden: the user may not see queue General")

    monkeypatch.setattr(Engine, "run", refused)
    config = tmp_path / "config.toml"
    config.write_text(UNREACHABLE)
    line = one_error_line(desk("--config", str(config), "sync", env={"T": "secret-token"}), 1)
    assert line == "sportello: rt: 403 Forbidden: the user may not see queue General"


def test_the_app_says_a_sync_error_as_its_message(tui_desk, monkeypatch):
    from sync import RemoteConfig
    from sync.engine import Engine

    def unavailable(self, **_):
        raise RemoteUnavailable("no answer from 127.0.0.1:9 after 6 tries")

    monkeypatch.setattr(Engine, "run", unavailable)
    monkeypatch.setenv("SPORTELLO_TEST_TOKEN", "secret-token")
    remote = RemoteConfig(name="rt", kind="rt", url="http://127.0.0.1:9/rt", user="x", token_env="SPORTELLO_TEST_TOKEN")

    async def scenario():
        app = make_app(tui_desk, remotes={"rt": remote})
        async with app.run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.press("R")
            await until(pilot, lambda: "rt: no answer from 127.0.0.1:9" in notifications(app), "the error")
            assert "internal error" not in notifications(app)
            assert any(n.severity == "error" for n in app._notifications)
            await until(pilot, lambda: not app.syncing, "the sync over")

    run(scenario())


@pytest.mark.parametrize(
    "error",
    [SyncError("rt: 401 Unauthorized: check token_env"), ParseError(3, 'tags must be a list such as ["vpn"]')],
)
def test_a_sync_or_faq_file_error_escaping_a_screen_worker_is_its_message(tui_desk, monkeypatch, error):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await pilot.press("enter")
            screen = await ticket_ready(pilot)

            def broken(self, *args, **kwargs):
                raise error

            monkeypatch.setattr(Desk, "ticket", broken)
            await pilot.press("ctrl+r")
            await until(pilot, lambda: error.message in notifications(pilot.app), "the error told")
            assert "internal error" not in notifications(pilot.app)
            assert pilot.app.is_running and pilot.app.screen is screen

    run(scenario())
