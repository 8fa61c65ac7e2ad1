"""``sportello sync``, ``sync-log`` and ``sync-conflicts`` from the command line."""

from __future__ import annotations

import json

import pytest

from support.roundup_server import roundup_server  # noqa: F401 - fixture


def write_config(tmp_path, body: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_sync_without_remotes_says_how_to_add_one(desk, tmp_path):
    cfg = write_config(tmp_path, "")
    result = desk("--config", cfg, "sync")
    assert result.exit_code == 2 and "add a [remotes.NAME] table" in result.stderr


def test_unknown_remote_and_exclusive_flags(desk, tmp_path):
    cfg = write_config(
        tmp_path, '[remotes.rt]\ntype = "rt"\nurl = "http://127.0.0.1:9/rt"\nuser = "u"\ntoken_env = "T"\n'
    )
    result = desk("--config", cfg, "sync", "jira")
    assert result.exit_code == 4 and "no remote 'jira'" in result.stderr and "configured: rt" in result.stderr
    result = desk("--config", cfg, "sync", "--pull-only", "--push-only")
    assert result.exit_code == 2
    result = desk("--config", cfg, "sync", env={"T": ""})
    assert result.exit_code == 2 and "T is not set" in result.stderr


def test_unreachable_remote_exits_1_and_is_logged(desk, tmp_path):
    cfg = write_config(tmp_path, '[remotes.rt]\ntype = "rt"\nurl = "http://127.0.0.1:9/rt"\nuser = "u"\n'
                                 'token_env = "T"\ntimeout = 0.5\n')  # fmt: skip
    result = desk("--config", cfg, "sync", env={"T": "secret-token"})
    assert result.exit_code == 1 and "1 errors" in result.stdout and "secret-token" not in result.output
    log = desk("sync-log", "--json")
    (run,) = json.loads(log.stdout)["runs"]
    assert run["remote"] == "rt" and run["errors"] == 1 and "secret-token" not in log.stdout


@pytest.mark.remote
def test_sync_with_roundup_json_summary(desk, tmp_path, roundup_server):  # noqa: F811 - the fixture
    cfg = write_config(tmp_path, f'[remotes.rd]\ntype = "roundup"\nurl = "{roundup_server.url}"\n'
                                 f'user = "{roundup_server.user}"\npassword_env = "RD_PW"\n')  # fmt: skip
    env = {"RD_PW": roundup_server.password}
    assert desk("--config", cfg, "ticket", "new", "--subject", "CLI sync [bold]x[/]", "--body", "hi").exit_code == 0
    first = desk("--config", cfg, "sync", "--push-only", "--json", env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["remotes"][0]["pushed"] == 0  # the outbox starts when the remote is added
    assert desk("--config", cfg, "ticket", "new", "--subject", "After adding", "--body", "hello").exit_code == 0
    dry = desk("--config", cfg, "sync", "--dry-run", "--push-only", env=env)
    assert dry.exit_code == 0 and "1 to push" in dry.stdout
    second = json.loads(desk("--config", cfg, "sync", "--push-only", "--json", env=env).stdout)["remotes"][0]
    assert (second["pushed"], second["errors"], second["pending"]) == (1, 0, 0)
    conflicts = desk("sync-conflicts")
    assert conflicts.exit_code == 0 and "No open sync conflicts." in conflicts.stdout
    assert desk("sync-conflicts", "--resolve", "99").exit_code == 4


def test_progress_line_draws_a_bar_when_the_total_is_known():
    from tui.cli.sync import progress_line

    assert progress_line("rt", "pull", 4000, 10000) == "rt: pull [########------------]  40% 4,000/10,000"
    assert progress_line("rt", "push", 3, 3, width=4) == "rt: push [####] 100% 3/3"
    assert progress_line("rt", "pull", 250, None) == "rt: pull 250"
    hostile = progress_line("\x1b]0;owned\x07[bold]x", "pull", 1, 2)
    assert "\x1b" not in hostile and "\x07" not in hostile
