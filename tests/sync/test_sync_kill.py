"""``sportello sync`` killed with SIGKILL at random moments, then run again: on both sides nothing
is lost and nothing is there twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models import close_database, open_database
from models.directory.agents import ensure_admin
from models.store.tables import Ticket, TicketEvent
from models.tickets import changes as tickets
from support.remote_sides import make_far, unique
from support.roundup_server import roundup_server  # noqa: F401 - fixture
from support.rt_server import rt_server  # noqa: F401 - fixture

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.remote


@pytest.fixture(params=["roundup", "rt"])
def far(request):
    return make_far(request, request.param)


def _config(path: Path, far) -> None:
    c = far.config
    secret = "password_env" if far.kind == "roundup" else "token_env"
    path.write_text(f'[remotes.{c.name}]\ntype = "{c.kind}"\nurl = "{c.url}"\nuser = "{c.user}"\n'
                    f'{secret} = "SPORTELLO_TEST_SECRET"\n', encoding="utf-8")  # fmt: skip


def test_kill_9_at_random_points_then_rerun(tmp_path, far):
    db = tmp_path / "desk.db"
    cfg = tmp_path / "config.toml"
    _config(cfg, far)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(far.env, SPORTELLO_DB=str(db), SPORTELLO_CONFIG=str(cfg), HOME=str(tmp_path),
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))  # fmt: skip
    cmd = [sys.executable, "-m", "tui", "sync", far.config.name]
    open_database(f"sqlite:///{db}", create=True)
    try:
        import pwd

        me = ensure_admin(pwd.getpwuid(os.geteuid()).pw_name)
        # The remote is added now: its outbox starts here, and its first pull from now on.
        subprocess.run([*cmd, "--pull-only"], env=env, capture_output=True, timeout=120, check=False)
        subjects = [unique("Killed") for _ in range(4)]
        for subject in subjects:
            t = tickets.create_ticket(me, subject=subject, body=f"first of {subject}", customer="ann@example.com")
            for n in range(3):
                tickets.add_reply(me, t.number, f"reply {n} of {subject}")
        remote_keys = [far.other.create_ticket(subject=unique("Remote"), body=f"from there {n}", requestor=None,
                                               status=far.status("open"), priority=far.priority("normal"))
                       for n in range(2)]  # fmt: skip
    finally:
        close_database()

    rng = random.Random(1234)
    for _ in range(6):
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    again = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert '"pushed": 0' in again.stdout and '"errors": 0' in again.stdout, again.stdout

    open_database(f"sqlite:///{db}")
    try:
        from models.store.sync_tables import SyncTicket

        for subject in subjects:
            (local,) = Ticket.select().where(Ticket.subject == subject)
            key = SyncTicket.get(SyncTicket.ticket == local.number).remote_key
            bodies = [m.body.strip() for m in far.other.messages(key)[0]]
            assert sorted(bodies) == sorted([f"first of {subject}"] + [f"reply {n} of {subject}" for n in range(3)])
        for n, key in enumerate(remote_keys):
            (link,) = SyncTicket.select().where(SyncTicket.remote_key == key)
            events = TicketEvent.select().where(TicketEvent.ticket == link.ticket_id)
            assert [e.body for e in events if e.body] == [f"from there {n}"]
        ours = [e.body for e in TicketEvent.select() if e.body and any(s in e.body for s in subjects)]
        assert len(ours) == len(set(ours)) == 4 * len(subjects)  # (the server is shared: count ours only)
    finally:
        close_database()
