"""A real Roundup 2.6 tracker for the adapter tests: a classic sqlite tracker behind ``roundup-server``.

One server per test process (so each ``pytest -n`` worker has its own, on its own loopback port).
Tests import the fixture: ``from roundup_server import roundup_server  # noqa: F401``.
``roundup-server`` refuses to run as root: as root it is started as nobody/nogroup on a tracker
outside pytest's private tmp dir, and Roundup's modules are imported before it drops privileges
(the interpreter lives under /root, which nobody cannot read).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

__all__ = ["RoundupServer", "roundup_server", "create_user"]

#: Imports every Roundup module that imports cleanly, then runs the roundup-server script given as argv[1].
_PRELOAD = """
import importlib, pkgutil, runpy, sys
import roundup
for mod in pkgutil.walk_packages(roundup.__path__, "roundup."):
    if not mod.name.startswith(("roundup.scripts.", "roundup.test")):
        try:
            importlib.import_module(mod.name)
        except Exception:
            pass
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
"""


@dataclass
class RoundupServer:
    """A running tracker: ``url`` like http://127.0.0.1:PORT/demo (REST under ``url + "/rest"``)."""

    url: str
    user: str
    password: str
    tracker_dir: Path
    log: Path
    users: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return self.url.rsplit("/", 1)[0]

    def add_user(self, username: str = "remoteagent", password: str | None = None) -> tuple[str, str]:
        """A second tracker user (created once, role User); returns (username, password)."""
        if username not in self.users:
            self.users[username] = create_user(self, username, password or secrets.token_urlsafe(12))
        return username, self.users[username]


def _script(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.skip(f"{name} is not installed next to {sys.executable}")
    return str(path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin(tracker: Path, *args: str) -> None:
    result = subprocess.run(
        [_script("roundup-admin"), "-i", str(tracker), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"roundup-admin {args[0]} failed: {result.stdout[-500:]} {result.stderr[-500:]}")


def _install(tracker: Path, port: int, password: str) -> None:
    settings = (
        f"tracker_web=http://127.0.0.1:{port}/demo/,mail_domain=localhost,mail_debug=mail.log,"
        "password_pbkdf2_default_rounds=1000,web_api_failed_login_limit=0"
    )
    _admin(tracker, "install", "classic", "sqlite", settings)
    config = tracker / "config.ini"
    text = config.read_text()
    text, count = re.subn(r"(?m)^api_failed_login_limit\s*=.*$", "api_failed_login_limit = 0", text)
    if count:
        config.write_text(text)
    _admin(tracker, "initialise", password)


def _wait_until_up(proc: subprocess.Popen, url: str, auth: tuple[str, str], log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/rest/data/status", auth=auth, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
    raise RuntimeError(f"roundup-server did not answer at {url} (exit code {proc.poll()}); log:\n{tail}")


def _start(base: Path, tracker: Path, port: int) -> tuple[subprocess.Popen, Path]:
    log = base / "server.log"
    args = ["-n", "127.0.0.1", "-p", str(port)]
    command = [_script("roundup-server")]
    if os.geteuid() == 0:
        args += ["-u", "nobody", "-g", "nogroup"]
        command = [sys.executable, "-c", _PRELOAD, command[0]]
        os.chmod(base, 0o755)
        for path in [base, *base.rglob("*")]:
            os.chown(path, *_nobody())
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*command, *args, f"demo={tracker}"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=base,
        )
    return proc, log


def _nobody() -> tuple[int, int]:
    import grp
    import pwd

    return pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid


def create_user(server: RoundupServer, username: str, password: str) -> str:
    """Create a tracker user with role User over REST (as admin); returns its password."""
    response = httpx.post(
        f"{server.url}/rest/data/user",
        json={"username": username, "password": password, "address": f"{username}@localhost", "roles": "User"},
        auth=(server.user, server.password),
        headers={"X-Requested-With": "sportello-tests", "Origin": server.origin},
        timeout=10.0,
    )
    if response.status_code != 201:
        raise RuntimeError(f"creating user {username} failed with {response.status_code}")
    return password


@pytest.fixture(scope="session")
def roundup_server() -> Iterator[RoundupServer]:
    """A classic sqlite tracker served on a free loopback port for the whole test process."""
    pytest.importorskip("roundup", reason="Roundup is not installed (pip install 'roundup>=2.6,<2.7')")
    with running_tracker() as server:
        yield server


@contextlib.contextmanager
def running_tracker() -> Iterator[RoundupServer]:
    """Install a tracker in a temporary folder, serve it, and remove it all afterwards."""
    base = Path(tempfile.mkdtemp(prefix="sportello-roundup-"))
    tracker, port, password = base / "tracker", _free_port(), secrets.token_urlsafe(12)
    proc = None
    try:
        _install(tracker, port, password)
        proc, log = _start(base, tracker, port)
        server = RoundupServer(f"http://127.0.0.1:{port}/demo", "admin", password, tracker, log)
        _wait_until_up(proc, server.url, (server.user, password), log)
        yield server
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)
