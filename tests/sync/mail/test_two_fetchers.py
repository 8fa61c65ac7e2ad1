"""Two sessions on one desk fetch the same mailbox at the same moment (two agents' apps, or the app
and `mail run`): every message lands once, one ticket each, and each sits once in the processed folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from models import close_database, open_database
from models.mail.tables import InState, MailMessage
from models.store.tables import Ticket
from support.dovecot import running_dovecot
from support.mail_sources import messages

REPO = Path(__file__).resolve().parents[3]

CHILD = """
import json, sys
from models import open_database
from models.mail.settings import MailSettings
from sync.mail.fetch import fetch
from sync.mail.imap import ImapSource

db, host, port, user, password = sys.argv[1:6]
open_database(f"sqlite:///{db}")
source = ImapSource(host=host, port=int(port), security="plain", folder="INBOX", user=user, password=password,
                    processed_folder="Processed", batch=7, timeout=20)
summary = fetch(source, MailSettings(address="support@example.com"))
print(json.dumps(summary.as_dict()), flush=True)
sys.exit(summary.exit_code)
"""


def test_two_fetches_of_one_mailbox_at_once_take_each_message_once(tmp_path):
    db = tmp_path / "desk.db"
    open_database(f"sqlite:///{db}", create=True)
    close_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))
    with running_dovecot() as server:
        sent = messages(150, "twins")
        server.deliver_many(sent)
        cmd = [sys.executable, "-c", CHILD, str(db), server.host, str(server.port), server.user, server.password]
        children = [subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for _ in range(2)]  # fmt: skip
        outputs = [child.communicate(timeout=120) for child in children]
        # One of them may find a message the other already moved; neither may fail the run for it.
        for child, (out, err) in zip(children, outputs):
            assert child.returncode == 0, (out, err)
            json.loads(out.strip().splitlines()[-1])
        leftover = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert leftover.returncode == 0, leftover.stderr
        open_database(f"sqlite:///{db}")
        try:
            rows = list(MailMessage.select().where(MailMessage.direction == "in"))
            assert len(rows) == len(sent)
            assert all(r.state == InState.TICKET for r in rows)
            assert Ticket.select().count() == len(sent)
        finally:
            close_database()
        assert server.uids("INBOX") == []
        assert len(server.uids("Processed")) == len(sent)
