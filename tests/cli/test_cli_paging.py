"""``ticket list``'s next-page hint is a command that works when pasted into a shell elsewhere:
it names the desk chosen by --db or $SPORTELLO_DB, the --as agent, and quotes the query; it is
on standard error and does not read like an error."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HINT = "Next page: "


@pytest.fixture
def shell(tmp_path):
    """Run a command line in bash from a directory of its own, with an isolated home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bin_dir = tmp_path / "bin"  # ``sportello`` as this checkout runs it, whatever is installed
    bin_dir.mkdir()
    (bin_dir / "sportello").write_text(f'#!/bin/sh\nexec {sys.executable} -m tui "$@"\n')
    (bin_dir / "sportello").chmod(0o755)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"

    def run(line: str, extra_env: dict | None = None, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", line], capture_output=True, text=True, env={**env, **(extra_env or {})},
                              cwd=cwd, timeout=120)  # fmt: skip

    run.elsewhere = elsewhere
    return run


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr
    return result


def _hint(result: subprocess.CompletedProcess) -> str:
    (line,) = result.stderr.splitlines()
    assert line.startswith(HINT) and "sportello:" not in line and "error" not in line.lower()
    return line.removeprefix(HINT)


def test_the_hint_reaches_a_desk_chosen_by_db_with_a_quoted_query(shell, tmp_path):
    desk = "desk's dir/my desk.db"  # relative, with a space and a quote
    (tmp_path / "desk's dir").mkdir()
    _ok(shell(f'sportello --db "{desk}" init'))
    for n in range(3):
        _ok(shell(f'sportello --db "{desk}" ticket new --subject "paper jam {n}" --body "It jams"'))
    _ok(shell(f'sportello --db "{desk}" ticket new --subject "paper jam spam" --body x --tag spam'))
    first = _ok(shell(f"""sportello --db "{desk}" ticket list --limit 2 -- '-tag:spam "paper jam"'"""))
    assert len(first.stdout.splitlines()) == 3  # the header and 2 tickets
    command = _hint(first)
    assert str(tmp_path / desk) in shlex.split(command)  # absolute: it works from anywhere
    second = _ok(shell(command, cwd=shell.elsewhere))  # pasted in another directory
    rows = second.stdout.splitlines()[1:]
    assert len(rows) == 1 and "paper jam 0" in rows[0] and second.stderr == ""


def test_the_hint_keeps_a_desk_chosen_by_the_environment_and_the_as_agent(shell, tmp_path):
    env = {"SPORTELLO_DB": str(tmp_path / "env.db")}
    _ok(shell("sportello init", env))
    _ok(shell("sportello agent add bob", env))
    for n in range(3):
        _ok(shell(f'sportello ticket new --subject "Bob {n}" --body x --assignee bob', env))
    first = _ok(shell("sportello --as bob ticket list --limit 2 assignee:me", env))
    command = _hint(first)
    assert "--as bob" in command and "--db" in command
    second = _ok(shell(command, cwd=shell.elsewhere))  # without $SPORTELLO_DB
    assert len(second.stdout.splitlines()) == 2 and "Bob 0" in second.stdout
