"""A real Request Tracker 5 for the RT adapter's tests: Debian's packages behind ``rt-server``.

``.ci/install-rt`` installs RT (SQLite database, static configuration); this fixture does the
rest: picks a free loopback port, writes it into ``RT_SiteConfig.d``, resets root's password, mints
an API token, makes a second privileged user ("remoteagent", rights on queue General) to play the
remote side, and starts ``rt-server`` as www-data.

RT's database is one SQLite file shared by everything on the machine, so there is ONE server for
all ``pytest -n`` workers: a lock file and a state file under /tmp say which port and token it
has and which test processes use it. The first process starts it; the last one to leave stops it
(a server whose users all died is reused by the next session, then stopped by it). Tests must not
assume the database is empty: unique subjects, cursors from "now".

Without RT the tests skip, unless ``SPORTELLO_REQUIRE_RT=1`` (set by ``.ci/run``) makes that a
failure. Tests import the fixture: ``from rt_server import rt_server  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

__all__ = ["RTServer", "rt_server", "running_rt", "run_perl", "RT_SERVER", "rt_problem"]

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
SITE_CONFIG_D = Path("/etc/request-tracker5/RT_SiteConfig.d")
PORT_CONFIG = SITE_CONFIG_D / "99-sportello-port.pm"
STATE_DIR = Path(tempfile.gettempdir()) / "sportello-rt"
LOCK_FILE = STATE_DIR / "lock"
STATE_FILE = STATE_DIR / "state.json"
LOG_FILE = STATE_DIR / "rt-server.log"
REQUIRE_RT = os.environ.get("SPORTELLO_REQUIRE_RT") == "1"
NOT_INSTALLED = "Request Tracker 5 is not installed (run .ci/install-rt)"
OTHER_USER = "remoteagent"
AS_WWW_DATA = ["setpriv", "--reuid=www-data", "--regid=www-data", "--init-groups"]
START_TIMEOUT = 60.0

#: Run as www-data: root's password, a fresh API token for root, and the second user with its rights.
#: Secrets come in through the environment (never argv); the token goes out on stdout.
_SETUP_PERL = r"""
use strict;
use warnings;
use RT;
RT::LoadConfig();
RT::Init();

my $root = RT::User->new(RT->SystemUser);
$root->Load('root');
die "no user root\n" unless $root->Id;
my ($ok, $msg) = $root->SetPassword($ENV{SPORTELLO_RT_ROOT_PW});
die "root's password: $msg\n" unless $ok;

my ($token_id, $token_msg, $token) = RT::AuthToken->new(RT->SystemUser)->Create(
    Owner => $root->Id, Description => "Sportello tests $$");
die "token: $token_msg\n" unless $token_id;

my $name = $ENV{SPORTELLO_RT_OTHER};
my $other = RT::User->new(RT->SystemUser);
$other->Load($name);
unless ($other->Id) {
    my ($id, $m) = $other->Create(Name => $name, EmailAddress => "$name\@example.com",
                                  RealName => "Remote Agent", Privileged => 1);
    die "user $name: $m\n" unless $id;
}
$other->SetPrivileged(1) unless $other->Privileged;
($ok, $msg) = $other->SetPassword($ENV{SPORTELLO_RT_OTHER_PW});
die "$name's password: $msg\n" unless $ok;

my $queue = RT::Queue->new(RT->SystemUser);
$queue->Load('General');
die "no queue General\n" unless $queue->Id;
for my $right (qw(SeeQueue ShowTicket ShowTicketComments CreateTicket ModifyTicket
                  ReplyToTicket CommentOnTicket OwnTicket Watch)) {
    next if $other->PrincipalObj->HasRight(Right => $right, Object => $queue);
    my ($granted, $m) = $other->PrincipalObj->GrantRight(Right => $right, Object => $queue);
    die "right $right: $m\n" unless $granted;
}
print "TOKEN=$token\n";
"""


@dataclass(frozen=True)
class RTServer:
    """A running RT: ``url`` like http://127.0.0.1:PORT/rt (REST2 under ``url + "/REST/2.0"``)."""

    url: str
    user: str
    password: str
    token: str
    other_user: str
    other_password: str
    log: Path

    @property
    def rest(self) -> str:
        return self.url + "/REST/2.0"

    def as_other(self) -> tuple[str, str]:
        """(user, password) of the second RT user, to make changes "on the remote side"."""
        return self.other_user, self.other_password


def rt_problem() -> str | None:
    """None when this machine can run the RT tests, else why not."""
    if not RT_SERVER.exists():
        return NOT_INSTALLED
    if os.geteuid() != 0:
        return "the Request Tracker 5 tests configure and start rt-server as www-data, which needs root"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(state: dict) -> bool:
    try:
        response = httpx.get(
            f"http://127.0.0.1:{state['port']}/rt/REST/2.0/queues/all",
            headers={"Authorization": f"token {state['token']}"},
            timeout=5.0,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@contextlib.contextmanager
def _locked() -> Iterator[dict | None]:
    STATE_DIR.mkdir(mode=0o700, exist_ok=True)
    with open(LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(STATE_FILE.read_text()) if STATE_FILE.exists() else None
        except (OSError, ValueError):
            state = None
        holder = {"state": state}
        try:
            yield holder
        finally:
            new = holder["state"]
            if new is None:
                STATE_FILE.unlink(missing_ok=True)
            else:
                tmp = STATE_FILE.with_suffix(".tmp")
                tmp.write_text(json.dumps(new))
                os.chmod(tmp, 0o600)
                tmp.replace(STATE_FILE)
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stop(pid: int) -> None:
    """Stop rt-server: its master PID, then what is left of its process group (it leads one)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # reap it when this process started it
            if not _alive(pid):
                break
            time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # leftover Starlet workers


def _write_port_config(port: int) -> None:
    tmp = PORT_CONFIG.with_suffix(".tmp")
    tmp.write_text(
        "# Written by Sportello's tests/support/rt_server.py: the port of the tests' rt-server.\n"
        f'Set($WebBaseURL, "http://127.0.0.1:{port}");\n'
        f"Set($WebPort, {port});\n"
        "1;\n"
    )
    os.chown(tmp, 0, _www_data_gid())
    os.chmod(tmp, 0o640)
    tmp.replace(PORT_CONFIG)


def _www_data_gid() -> int:
    import grp

    return grp.getgrnam("www-data").gr_gid


def _setup_users(password: str, other_password: str) -> str:
    """Run the Perl setup as www-data; return root's new token."""
    env = {"SPORTELLO_RT_ROOT_PW": password, "SPORTELLO_RT_OTHER": OTHER_USER, "SPORTELLO_RT_OTHER_PW": other_password}
    for line in run_perl(_SETUP_PERL, env).splitlines():
        if line.startswith("TOKEN="):
            return line.removeprefix("TOKEN=")
    raise RuntimeError("RT setup printed no token")


def _start() -> dict:
    port = _free_port()
    _write_port_config(port)
    password, other_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    token = _setup_users(password, other_password)
    with open(LOG_FILE, "ab") as log:
        # Its own session (so its workers can be stopped as a group) and no inherited pipes: a
        # server left behind never holds a CI step's output open.
        proc = subprocess.Popen(
            [*AS_WWW_DATA, str(RT_SERVER), "--host", "127.0.0.1", "--port", str(port), "--webpath", "/rt"],
            cwd="/", stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    state = {"port": port, "pid": proc.pid, "token": token, "password": password,
             "other_password": other_password, "users": []}  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(state):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc.pid)
            tail = LOG_FILE.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"rt-server did not answer on port {port} within {START_TIMEOUT:.0f} s:\n{tail}")
        time.sleep(0.2)
    return state


def _acquire() -> dict:
    with _locked() as holder:
        state = holder["state"]
        if state is not None:
            state["users"] = [pid for pid in state.get("users", []) if _alive(pid)]
            if not (_alive(state["pid"]) and _answers(state)):
                if _alive(state["pid"]):
                    _stop(state["pid"])
                state = None
        if state is None:
            state = _start()
        state["users"].append(os.getpid())
        holder["state"] = state
        return dict(state)


def _release() -> None:
    with _locked() as holder:
        state = holder["state"]
        if state is None:
            return
        state["users"] = [pid for pid in state.get("users", []) if pid != os.getpid() and _alive(pid)]
        if not state["users"]:
            _stop(state["pid"])
            holder["state"] = None
        else:
            holder["state"] = state


@contextlib.contextmanager
def running_rt() -> Iterator[RTServer]:
    """The shared rt-server (started when no one else runs it), for as long as the block lasts."""
    state = _acquire()
    try:
        yield RTServer(
            url=f"http://127.0.0.1:{state['port']}/rt", user="root", password=state["password"],
            token=state["token"], other_user=OTHER_USER, other_password=state["other_password"], log=LOG_FILE,
        )  # fmt: skip
    finally:
        _release()


def run_perl(script: str, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """Run a Perl script with RT's libraries as www-data (RT's files are its); return what it printed."""
    done = subprocess.run(
        [*AS_WWW_DATA, "perl", "-I/usr/share/request-tracker5/lib", "-e", script],
        env=dict(os.environ, **(env or {})), cwd="/", stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"RT's Perl failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


@pytest.fixture(scope="session")
def rt_server() -> Iterator[RTServer]:
    problem = rt_problem()
    if problem is not None:
        if REQUIRE_RT:
            pytest.fail(f"{problem} (SPORTELLO_REQUIRE_RT=1 makes this a failure)")
        pytest.skip(problem)
    with running_rt() as server:
        yield server
