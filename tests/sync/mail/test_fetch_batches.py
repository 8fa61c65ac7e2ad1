"""The batched fetch: intake then processing with the source's queue, one bad message quarantined alone, a storage error mid-processing, the same bytes twice in a batch, an mbox with a limit, IMAP moving before processing, one fetch at a time, stopping, a parser bug."""

import os

import pytest

from models.errors import StorageError
from models.mail import ingest as ingest_module
from models.mail.settings import MailSettings
from models.mail.tables import InState, MailMessage, MailUid
from models.store.tables import Ticket
from support.dovecot import running_dovecot
from support.mail_sources import message, messages
from sync.mail.fetch import fetch
from sync.mail.imap import ImapSource
from sync.mail.maildir import MaildirSource
from sync.mail.mbox import MboxSource

SETTINGS = MailSettings(address="support@example.com")


def maildir(tmp_path, sent):
    md = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (md / sub).mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(sent):
        (md / "new" / f"{1_700_000_000 + n}.M{n}P1.test").write_bytes(data)
    return md


def test_intake_only_then_a_fetch_processes_them_with_the_sources_queue(db, admin, tmp_path):
    from models.directory.lookup import add_queue

    add_queue("Billing", actor=admin)
    sent = messages(30, "intake")
    md = maildir(tmp_path, sent)
    first = fetch(MaildirSource(md, processed_folder="Done", queue="Billing", batch=7), SETTINGS, intake_only=True)
    assert (first.taken, first.new, first.error) == (30, 30, None)
    assert {m.state for m in MailMessage.select()} == {InState.STORED}
    assert os.listdir(md / "new") == []  # acknowledged: moved
    second = fetch(MaildirSource(md, processed_folder="Done", queue="Billing"), SETTINGS)
    assert (second.taken, second.finished, second.error) == (0, 30, None)
    assert {m.state for m in MailMessage.select()} == {InState.TICKET}
    queues = {t.queue.name if t.queue else None for t in Ticket.select()}
    assert queues == {"Billing"}, queues
    assert "30 taken earlier processed now" in second.line()


def test_one_bad_message_in_a_batch_goes_to_quarantine_alone(db, tmp_path, monkeypatch):
    sent = messages(20, "bad")
    real = ingest_module._participants

    def boom(ticket, parsed, sender, settings):
        if parsed.subject == "bad message 7":
            raise RuntimeError("a bug")
        return real(ticket, parsed, sender, settings)

    monkeypatch.setattr(ingest_module, "_participants", boom)
    md = maildir(tmp_path, sent)
    summary = fetch(MaildirSource(md, processed_folder="Done"), SETTINGS)
    assert (summary.taken, summary.new, summary.quarantined, summary.error) == (20, 20, 1, None)
    states = {m.subject: m.state for m in MailMessage.select()}
    assert states.pop("bad message 7") == InState.QUARANTINED
    assert set(states.values()) == {InState.TICKET}
    assert Ticket.select().count() == 19  # the bad one's ticket was rolled back with its savepoint


def test_a_storage_error_while_processing_keeps_the_batch_stored_for_the_next_fetch(db, tmp_path, monkeypatch):
    import peewee as pw

    sent = messages(12, "store")
    md = maildir(tmp_path, sent)
    calls = {"n": 0}
    real = ingest_module._process

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] == 5:
            raise pw.OperationalError("database is locked")
        return real(*a, **k)

    monkeypatch.setattr(ingest_module, "_process", flaky)
    summary = fetch(MaildirSource(md, processed_folder="Done", batch=100), SETTINGS)
    assert isinstance(summary.error, StorageError) and summary.exit_code == 75
    assert summary.taken == 12 and os.listdir(md / "new") == []  # the batch was committed and moved
    assert {m.state for m in MailMessage.select()} == {InState.STORED}  # its processing rolled back
    monkeypatch.setattr(ingest_module, "_process", real)
    again = fetch(MaildirSource(md, processed_folder="Done"), SETTINGS)
    assert (again.finished, again.error) == (12, None)
    assert {m.state for m in MailMessage.select()} == {InState.TICKET} and Ticket.select().count() == 12


def test_the_same_bytes_twice_in_a_batch_are_one_message(db, tmp_path):
    data = message(1, "twice")
    md = maildir(tmp_path, [data, data, message(2, "twice")])
    summary = fetch(MaildirSource(md, processed_folder="Done"), SETTINGS)
    assert (summary.taken, summary.new, summary.duplicates) == (3, 2, 1)
    assert MailMessage.select().count() == 2 and Ticket.select().count() == 2


def test_mbox_in_batches_and_a_limit(db, tmp_path):
    import mailbox

    path = tmp_path / "a.mbox"
    box = mailbox.mbox(str(path))
    for data in messages(450, "mbox"):
        box.add(data.replace(b"\r\n", b"\n"))
    box.close()
    s = fetch(MboxSource(path), SETTINGS, limit=300)
    assert (s.taken, s.new) == (300, 300)
    s = fetch(MboxSource(path), SETTINGS)
    assert (s.taken, s.new, s.duplicates) == (450, 150, 300)
    assert Ticket.select().count() == 450


def test_imap_batches_are_moved_before_they_are_processed(db):
    with running_dovecot() as server:
        sent = messages(45, "imapb")
        server.deliver_many(sent)
        seen = []
        real = ingest_module.process_many

        def spy(items, *a, **k):
            seen.append((len(items), len(server.uids("INBOX")), len(server.uids("Processed"))))
            return real(items, *a, **k)

        ingest_module.process_many = spy
        try:
            source = ImapSource(
                host=server.host,
                port=server.port,
                security="plain",
                folder="INBOX",
                user=server.user,
                password=server.password,
                processed_folder="Processed",
                batch=20,
            )
            summary = fetch(source, SETTINGS)
        finally:
            ingest_module.process_many = real
        assert (summary.taken, summary.new, summary.error) == (45, 45, None)
        assert seen == [(20, 25, 20), (20, 5, 40), (5, 0, 45)]
        assert MailUid.select().count() == 45 and Ticket.select().count() == 45


def test_a_second_fetch_of_the_desk_waits_for_the_first_then_gives_up(db, tmp_path):
    import threading
    import time as _t

    from sync.mail.errors import MailSourceError
    from sync.mail.fetch import desk_fetch_lock

    md = maildir(tmp_path, messages(3, "lock"))
    held = threading.Event()
    release = threading.Event()

    def holder():

        with desk_fetch_lock():
            held.set()
            release.wait(5)

    if db.__class__.__name__.startswith("Postgres"):
        # another connection of the same schema holds it (a thread gets its own connection)
        pass
    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    started = _t.monotonic()
    with pytest.raises(MailSourceError, match="another fetch"):
        with desk_fetch_lock(wait=0.5):
            pass
    assert _t.monotonic() - started >= 0.5
    release.set()
    t.join()
    summary = fetch(MaildirSource(md, processed_folder="Done"), SETTINGS)
    assert (summary.taken, summary.error) == (3, None)


def test_asked_to_stop_while_processing_the_rest_waits_stored_for_the_next_fetch(db, tmp_path):
    md = maildir(tmp_path, messages(120, "stop"))
    seen = []
    stop = lambda: len(seen) >= 1  # noqa: E731
    summary = fetch(
        MaildirSource(md, processed_folder="Done", batch=200),
        SETTINGS,
        should_stop=stop,
        progress=lambda s: seen.append(s.taken),
    )
    assert summary.taken == 120 and summary.error is None
    states = [m.state for m in MailMessage.select()]
    assert states.count(InState.STORED) == 120  # stopped before the first group was processed
    again = fetch(MaildirSource(md, processed_folder="Done"), SETTINGS)
    assert again.finished == 120 and {m.state for m in MailMessage.select()} == {InState.TICKET}


def test_a_parser_bug_sends_that_message_to_quarantine_and_the_batch_goes_on(db, tmp_path, monkeypatch):
    real = ingest_module.parse

    def buggy(data):
        if b"message 3 of pbug" in data:
            raise ValueError("a parser bug")
        return real(data)

    monkeypatch.setattr(ingest_module, "parse", buggy)
    md = maildir(tmp_path, messages(6, "pbug"))
    summary = fetch(MaildirSource(md, processed_folder="Done"), SETTINGS)
    assert (summary.taken, summary.quarantined, summary.error) == (6, 1, None)
    q = [m for m in MailMessage.select() if m.state == InState.QUARANTINED]
    assert len(q) == 1 and "ValueError" in q[0].reason
