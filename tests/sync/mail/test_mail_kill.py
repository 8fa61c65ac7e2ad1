"""A fetch from a real Dovecot, with the real ingest, killed with SIGKILL at random moments twenty
times while mail keeps arriving; after one clean fetch every message is on the desk exactly once,
each made one ticket, and on the server each sits once in the processed folder."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from models import close_database, open_database
from models.mail.tables import InState, MailMessage
from models.store.tables import Ticket
from support.dovecot import running_dovecot
from support.mail_sources import messages

REPO = Path(__file__).resolve().parents[3]

#: The child: one fetch of INBOX into the desk, small batches so that kills land between many acks.
CHILD = """
import json, sys
from models import open_database
from models.mail.settings import MailSettings
from sync.mail.fetch import fetch
from sync.mail.imap import ImapSource

db, host, port, user, password = sys.argv[1:6]
open_database(f"sqlite:///{db}")
source = ImapSource(host=host, port=int(port), security="plain", folder="INBOX", user=user, password=password,
                    processed_folder="Processed", batch=10, timeout=20)
summary = fetch(source, MailSettings(address="support@example.com"),
                progress=lambda s: print(s.taken, flush=True))
print(json.dumps(summary.as_dict()), flush=True)
sys.exit(summary.exit_code)
"""


def test_kill_9_at_random_moments_of_a_fetch_loses_and_doubles_nothing(tmp_path):
    db = tmp_path / "desk.db"
    open_database(f"sqlite:///{db}", create=True)
    close_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))
    rng = random.Random(1717)
    with running_dovecot() as server:
        cmd = [sys.executable, "-c", CHILD, str(db), server.host, str(server.port), server.user, server.password]
        sent = messages(120, "kill")
        server.deliver_many(sent)
        killed = mid_fetch = 0
        for round_ in range(20):
            more = messages(30, f"kill-r{round_}")  # mail keeps arriving between the kills
            server.deliver_many(more)
            sent += more
            child = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)  # fmt: skip
            if round_ % 2 == 0:
                # At any moment: starting, connecting, logging in, fetching, ingesting, moving.
                time.sleep(rng.uniform(0.1, 0.6))
            else:
                # Once the n-th message is on the desk, give or take a few milliseconds: inside the
                # ingest of the next one, or its ack, or the move of a batch.
                target = rng.randint(1, 40)
                while (line := child.stdout.readline()) and not (line.strip().isdigit() and int(line) >= target):
                    pass
                time.sleep(rng.uniform(0, 0.03))
                mid_fetch += bool(line) and child.poll() is None
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                killed += 1
            child.wait(timeout=30)
            child.stdout.close()
        assert mid_fetch >= 8 and killed >= 12, (mid_fetch, killed)  # most runs were cut short, not finished

        final = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stdout + final.stderr
        again = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert '"taken": 0' in again.stdout, again.stdout + again.stderr

        assert server.uids("INBOX") == []
        processed = server.messages("Processed")
        assert len(processed) == len(sent) and sorted(processed) == sorted(sent)  # each once on the server

    open_database(f"sqlite:///{db}")
    try:
        rows = list(MailMessage.select().order_by(MailMessage.id))
        assert len(rows) == len(sent)
        assert sorted(bytes(r.raw) for r in rows) == sorted(sent)
        assert {r.state for r in rows} == {InState.TICKET}  # nothing left half-processed
        subjects = [t.subject for t in Ticket.select()]
        assert len(subjects) == len(set(subjects)) == len(sent)  # one ticket per message, none twice
        assert {r.ticket_id for r in rows} == {t.number for t in Ticket.select()}
    finally:
        close_database()
