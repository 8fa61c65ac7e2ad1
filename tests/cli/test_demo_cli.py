"""Reaching the demo desk from the shell: ``sportello demo`` prints a command that works as printed,
``--demo`` selects the demo desk, and a missing desk says where the demo desk is."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from models.store.config import data_dir
from tui.cli.root import cli


@pytest.fixture
def sportello(login):
    """Run the command line with no --db (the isolated home's default paths)."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def build_demo(sportello, *more: str):
    built = sportello("demo", "--tickets", "40", "--no-tui", "--at", "2026-11-01T00:00", *more)
    assert built.exit_code == 0, built.output
    return built


def test_the_printed_command_reaches_the_demo_desk(sportello):
    built = build_demo(sportello)
    printed = [line for line in built.stdout.splitlines() if line.startswith("Try: ")][-1]
    assert printed == "Try: sportello --demo ticket list"
    argv = shlex.split(printed.removeprefix("Try: "))
    listed = sportello(*argv[1:], "--json", "--limit", "500")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)["tickets"]) == 40


def test_a_missing_desk_says_how_to_reach_the_demo_desk(sportello):
    build_demo(sportello)
    missing = sportello("ticket", "list", "--limit", "5")
    assert missing.exit_code == 1
    demo, desk = data_dir() / "demo.db", data_dir() / "sportello.db"
    assert missing.stderr.strip() == (
        f"sportello: no desk at {desk}; the demo desk is at {demo}: use `sportello --demo ticket list --limit 5` "
        "(or `sportello init` to create this one)"
    )
    assert sportello("--demo", "ticket", "list", "--limit", "5").exit_code == 0


def test_without_a_demo_desk_the_message_stays(sportello):
    missing = sportello("ticket", "list")
    assert missing.exit_code == 1 and "demo desk is at" not in missing.stderr
    no_demo = sportello("--demo", "ticket", "list")
    assert no_demo.exit_code == 1
    assert no_demo.stderr.strip() == f"sportello: no demo desk at {data_dir() / 'demo.db'}: run `sportello demo` first"


def test_demo_and_db_together_is_a_usage_error(sportello, tmp_path):
    both = sportello("--demo", "--db", str(tmp_path / "x.db"), "ticket", "list")
    assert both.exit_code == 2 and "give --db or --demo, not both" in both.output


def test_demo_with_an_explicit_db_prints_that_db(sportello, tmp_path):
    path = tmp_path / "elsewhere.db"
    built = sportello("--db", str(path), "demo", "--tickets", "10", "--no-tui", "--at", "2026-11-01")
    assert built.exit_code == 0, built.output
    assert built.stdout.splitlines()[-1] == f"Try: sportello --db {path} ticket list"


def test_demo_on_the_desk_of_a_config_file_prints_that_file(sportello, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text(f'db = "{tmp_path / "team.db"}"\n')
    built = sportello("--config", str(config), "demo", "--tickets", "10", "--no-tui", "--at", "2026-11-01")
    assert built.exit_code == 0, built.output
    printed = built.stdout.splitlines()[-1]
    assert printed == f"Try: sportello --config {config} ticket list"
    assert sportello(*shlex.split(printed.removeprefix("Try: "))[1:]).exit_code == 0


def test_at_sets_when_the_story_ends(sportello):
    build_demo(sportello)
    shown = sportello("--demo", "ticket", "list", "--json", "--limit", "500")
    updated = max(datetime.fromisoformat(t["updated_at"]) for t in json.loads(shown.stdout)["tickets"])
    assert datetime(2026, 10, 1, tzinfo=UTC) < updated < datetime(2026, 11, 1, tzinfo=UTC)
    bad = sportello("demo", "--no-tui", "--at", "next tuesday")
    assert bad.exit_code == 2 and "'next tuesday' is not a date and time" in bad.output


def test_the_real_program_prints_a_command_that_works(tmp_path):
    """In a child process with its own home: what `sportello demo` prints runs as printed."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(repo) + os.pathsep + env.get("PYTHONPATH", ""))  # fmt: skip
    program = [sys.executable, "-m", "tui"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*program, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
                              stdin=subprocess.DEVNULL)  # fmt: skip

    built = run("demo", "--tickets", "30", "--no-tui")
    assert built.returncode == 0, built.stderr
    printed = built.stdout.splitlines()[-1]
    assert printed.startswith("Try: sportello ")
    listed = run(*shlex.split(printed.removeprefix("Try: "))[1:])
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 31  # the header and 30 tickets
    plain = run("ticket", "list")
    assert plain.returncode == 1 and "use `sportello --demo ticket list`" in plain.stderr
