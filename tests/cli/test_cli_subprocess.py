"""The real program in a child process: ``python -m tui`` and, when installed, the ``sportello`` script.

HOME and the XDG dirs point into tmp_path, so the default database paths are exercised without
touching the user's own. The acting agent is the real login of the process (not $LOGNAME).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ME = pwd.getpwuid(os.geteuid()).pw_name

COMMANDS = [pytest.param([sys.executable, "-m", "tui"], id="python-m-tui")]
if shutil.which("sportello"):
    COMMANDS.append(pytest.param([shutil.which("sportello")], id="console-script"))


@pytest.fixture(params=COMMANDS)
def sportello(request, tmp_path):
    """Run the program with an isolated home; returns the CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        LOGNAME="tess",  # ignored: the desk trusts the uid, not the environment
        USER="tess",
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        COLUMNS="200",
    )

    def run(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*request.param, *args],
            input=input if input is not None else b"",
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    run.data = tmp_path / "data" / "sportello"
    return run


def test_init_demo_and_list(sportello):
    init = sportello("init")
    assert init.returncode == 0, init.stderr
    assert f"Desk ready at {sportello.data / 'sportello.db'}" in init.stdout.decode()
    assert f"You are {ME} (admin)" in init.stdout.decode()
    assert oct((sportello.data / "sportello.db").stat().st_mode & 0o777) == "0o600"

    demo = sportello("demo", "--tickets", "30", "--no-tui")
    assert demo.returncode == 0, demo.stderr
    assert b"building the demo" not in demo.stderr  # stderr is not a terminal: no progress line
    demo_db = sportello.data / "demo.db"
    assert demo_db.exists()

    listed = sportello("--db", str(demo_db), "ticket", "list", "--limit", "10")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.decode().splitlines()
    assert len(lines) == 11 and lines[0].split()[0] == "#"
    assert all(len(line) <= 80 for line in lines)  # not a terminal: 80 columns whatever COLUMNS says
    assert b"--after" in listed.stderr

    as_json = sportello("--db", str(demo_db), "ticket", "list", "--json", "--limit", "500")
    assert len(json.loads(as_json.stdout)["tickets"]) == 30


def test_ticket_from_stdin_and_errors_without_traceback(sportello):
    assert sportello("ticket", "list").returncode == 1  # no desk yet
    missing = sportello("ticket", "list")
    assert b"Traceback" not in missing.stderr
    assert missing.stderr.decode().strip().endswith("run `sportello init` (or `sportello demo`) first")

    assert sportello("init").returncode == 0
    made = sportello("ticket", "new", "--subject", "From a pipe", input="Ciao, è rotto.\n".encode())
    assert made.returncode == 0 and made.stdout.strip() == b"1"

    not_found = sportello("ticket", "show", "42")
    assert not_found.returncode == 4
    assert not_found.stderr == b"sportello: no ticket #42\n"

    bad_utf8 = sportello("ticket", "note", "1", input=b"\xff\xfe")
    assert bad_utf8.returncode == 2 and b"Traceback" not in bad_utf8.stderr
    assert len(bad_utf8.stderr.splitlines()) == 1

    usage = sportello("ticket", "show")
    assert usage.returncode == 2 and b"Traceback" not in usage.stderr

    shown = sportello("ticket", "show", "1")
    assert "Ciao, è rotto." in shown.stdout.decode()


def test_no_subcommand_without_a_terminal_is_a_usage_error(sportello):
    result = sportello()
    assert result.returncode == 2
    assert result.stderr.startswith(b"sportello: the full-screen app needs a terminal")
    assert result.stderr.count(b"\n") == 1


def test_usage_errors_are_one_safe_line(sportello):
    assert sportello("init").returncode == 0
    hostile = "\x1b]0;PWN\x07\u202e"
    for args in (["ticket", "show", "99999999999999999999"], ["ticket", "show", "1", hostile],
                 ["ticket", "list", "--bogus"], ["ticket", "frobnicate"]):  # fmt: skip
        result = sportello(*args)
        stderr = result.stderr.decode()
        assert result.returncode == 2, stderr
        assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("sportello: ")
        assert not any(c in stderr for c in "\x1b\x07\u202e") and "Traceback" not in stderr


def _run_in_terminal(
    command: list[str], env: dict, cwd, keys: bytes, wait_for: bytes, timeout: float = 30.0
) -> tuple[int, bytes]:
    """Run ``command`` on a pseudo-terminal of 100×30; once ``wait_for`` shows, type ``keys``."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, on the terminal
        os.chdir(cwd)
        os.execvpe(command[0], command, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    seen, sent, deadline = b"", False, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break  # the program ended and closed the terminal
                if not chunk:
                    break
                seen += chunk
            if not sent and wait_for in seen:
                time.sleep(0.3)
                os.write(fd, keys)
                sent = True
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), seen
        while time.monotonic() < deadline:  # the terminal closed: wait for the exit status
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), seen
            time.sleep(0.05)
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise AssertionError(f"the app did not finish; it showed: {seen[-2000:]!r}")
    finally:
        os.close(fd)


def _demo_on_a_terminal(sportello, tmp_path) -> tuple[dict, str]:
    """A demo desk of 40 tickets, and the environment to open the app on it in a terminal."""
    built = sportello("demo", "--tickets", "40", "--no-tui")
    assert built.returncode == 0, built.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""), TERM="xterm-256color")  # fmt: skip
    return env, str(sportello.data / "demo.db")


def test_sportello_opens_the_app_on_a_terminal_and_ctrl_q_quits(sportello, tmp_path):
    env, db = _demo_on_a_terminal(sportello, tmp_path)
    code, seen = _run_in_terminal([sys.executable, "-m", "tui", "--db", db], env, tmp_path, b"\x11", b"Unassigned")
    assert code == 0, seen[-2000:]
    assert b"Sportello" in seen and b"tickets" in seen


def test_bytes_that_are_not_utf8_do_not_end_the_app(sportello, tmp_path):
    """A Latin-1 paste or a stray byte over a flaky SSH link used to kill the app with a
    UnicodeDecodeError traceback from Textual's input thread; now it shows as � and work goes on."""
    env, db = _demo_on_a_terminal(sportello, tmp_path)
    keys = b"/caf\xe9 \xff\xfe\r\x11"  # a filter typed in Latin-1, then enter and ctrl+q
    code, seen = _run_in_terminal([sys.executable, "-m", "tui", "--db", db], env, tmp_path, keys, b"Unassigned")
    assert code == 0, seen[-2000:]
    assert b"UnicodeDecodeError" not in seen and b"Traceback" not in seen
