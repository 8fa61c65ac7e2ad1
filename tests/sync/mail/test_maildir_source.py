"""The Maildir source (and the one-off mbox import): files read from new/ and cur/, moved into the
processed folder or marked seen only after the desk committed; a Maildir that Dovecot serves too.

Ingest here only stores (``support.mail_sources.StoringIngest``): these tests are about the sources.
"""

from __future__ import annotations

import mailbox
import os
from pathlib import Path

import pytest

from models.errors import StorageError
from support.dovecot import running_dovecot
from support.mail_sources import Crash, StoringIngest, desk_bodies, desk_count, message, messages
from sync.mail.errors import MailSourceError
from sync.mail.fetch import fetch, import_mbox
from sync.mail.maildir import MaildirSource


def make_maildir(path: Path) -> Path:
    for sub in ("new", "cur", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def put(maildir: Path, data: bytes, when: int, *, sub: str = "new", flags: str | None = None) -> str:
    """Deliver a file as a mail server would; returns its unique name."""
    unique = f"{when}.M{when % 1000}P4242.test"
    name = unique if flags is None else f"{unique}:2,{flags}"
    (maildir / "tmp" / name).write_bytes(data)
    os.rename(maildir / "tmp" / name, maildir / sub / name)
    return unique


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_with_a_processed_folder_every_waiting_file_is_taken_oldest_first_then_moved(db, tmp_path):
    md = make_maildir(tmp_path / "Maildir")
    sent = messages(120, "md")
    # new/ and cur/ interleaved in time, cur/ ones with flags a mail program set (seen ones included)
    for n, data in enumerate(sent):
        if n % 3 == 0:
            put(md, data, 1_700_000_000 + n, sub="cur", flags="S" if n % 2 else "F")
        else:
            put(md, data, 1_700_000_000 + n)
    trashed = put(md, message(500, "trash"), 1_700_000_500, sub="cur", flags="ST")

    summary = fetch(MaildirSource(md, processed_folder="Processed"), None, ingest=StoringIngest())

    assert (summary.taken, summary.new, summary.error) == (120, 120, None)
    assert desk_bodies() == sent  # in delivery order, across new/ and cur/
    assert names(md / "new") == [] and names(md / "cur") == [f"{trashed}:2,ST"]  # deleted ones are left alone
    processed = md / ".Processed"
    assert (processed / "maildirfolder").exists()  # a Maildir++ folder, as mail servers make them
    assert len(names(processed / "new")) == 80 and len(names(processed / "cur")) == 40
    assert fetch(MaildirSource(md, processed_folder="Processed"), None, ingest=StoringIngest()).taken == 0
    assert desk_count() == 120


def test_without_a_processed_folder_files_are_marked_seen_and_seen_files_are_not_read(db, tmp_path):
    md = make_maildir(tmp_path / "Maildir")
    a = put(md, message(1, "seen"), 1_700_000_001)
    b = put(md, message(2, "seen"), 1_700_000_002, sub="cur", flags="F")
    put(md, message(3, "seen"), 1_700_000_003, sub="cur", flags="RS")  # read by a person already: skipped

    summary = fetch(MaildirSource(md), None, ingest=StoringIngest())
    assert (summary.taken, summary.error) == (2, None)
    assert names(md / "new") == []
    assert f"{a}:2,S" in names(md / "cur") and f"{b}:2,FS" in names(md / "cur")

    put(md, message(4, "seen"), 1_700_000_004)
    ingest = StoringIngest()
    assert fetch(MaildirSource(md), None, ingest=ingest).taken == 1
    assert ingest.calls == 1 and desk_count() == 3


def test_a_crash_between_ingest_and_ack_takes_nothing_twice(db, tmp_path):
    md = make_maildir(tmp_path / "Maildir")
    sent = messages(50, "crash")
    for n, data in enumerate(sent):
        put(md, data, 1_700_000_000 + n)

    with pytest.raises(Crash):
        fetch(MaildirSource(md, processed_folder="Done"), None, ingest=StoringIngest(crash_after=30))
    assert desk_count() == 30
    assert len(names(md / ".Done" / "new")) == 29  # the 30th is on the desk but still waiting at the source

    summary = fetch(MaildirSource(md, processed_folder="Done"), None, ingest=StoringIngest())
    assert (summary.taken, summary.new, summary.duplicates) == (21, 20, 1)
    assert desk_count() == 50 and sorted(desk_bodies()) == sorted(sent)
    assert names(md / "new") == [] and len(names(md / ".Done" / "new")) == 50


def test_a_storage_error_stops_and_leaves_the_file_where_it_is(db, tmp_path):
    md = make_maildir(tmp_path / "Maildir")
    for n, data in enumerate(messages(10, "locked")):
        put(md, data, 1_700_000_000 + n)
    summary = fetch(MaildirSource(md, processed_folder="Done"), None, ingest=StoringIngest(fail_at=4))
    assert isinstance(summary.error, StorageError) and summary.exit_code == 75
    assert summary.taken == 3 and len(names(md / "new")) == 7
    assert fetch(MaildirSource(md, processed_folder="Done"), None, ingest=StoringIngest()).taken == 7
    assert desk_count() == 10


def test_files_renamed_or_removed_by_a_mail_program_meanwhile(db, tmp_path):
    md = make_maildir(tmp_path / "Maildir")
    first = put(md, message(1, "race"), 1_700_000_001)
    second = put(md, message(2, "race"), 1_700_000_002)
    third = put(md, message(3, "race"), 1_700_000_003)

    def meddle(n: int, data: bytes) -> None:
        if n == 1:
            # While the first is being ingested, a mail program opens the folder: the first moves to
            # cur/ and gets flags (the source must find it to move it), the third is deleted outright.
            os.rename(md / "new" / first, md / "cur" / f"{first}:2,F")
            os.rename(md / "new" / second, md / "cur" / f"{second}:2,")
            os.unlink(md / "new" / third)

    summary = fetch(MaildirSource(md, processed_folder="Done"), None, ingest=StoringIngest(hook=meddle))
    assert (summary.taken, summary.error) == (2, None)
    assert names(md / ".Done" / "cur") == sorted([f"{first}:2,F", f"{second}:2,"])
    assert names(md / "new") == names(md / "cur") == []


def test_what_is_not_a_maildir_says_so(db, tmp_path):
    summary = fetch(MaildirSource(tmp_path / "nothing"), None, ingest=StoringIngest())
    assert isinstance(summary.error, MailSourceError) and not summary.error.temporary
    assert "not a Maildir" in str(summary.error)
    md = make_maildir(tmp_path / "Maildir")
    bad = fetch(MaildirSource(md, processed_folder="../escape"), None, ingest=StoringIngest())
    assert isinstance(bad.error, MailSourceError) and "not a Maildir folder name" in str(bad.error)
    assert not (tmp_path / "escape").exists()


def test_dovecots_own_maildir_read_directly_and_the_server_sees_the_move(db):
    with running_dovecot() as server:
        sent = messages(30, "dovecot-maildir")
        server.deliver_many(sent, "INBOX")
        summary = fetch(MaildirSource(server.maildir, processed_folder="Processed"), None, ingest=StoringIngest())
        server.give_mail_back()  # the test runs as root; the mail belongs to Dovecot's mail user
        assert (summary.taken, summary.error) == (30, None)
        # Dovecot keeps its files with LF line ends (IMAP serves them with CRLF): taken as they are.
        assert sorted(desk_bodies()) == sorted(m.replace(b"\r\n", b"\n") for m in sent)
        assert server.uids("INBOX") == []
        assert sorted(server.messages("Processed")) == sorted(sent)


def test_an_mbox_import_takes_each_message_once_however_often_it_runs(db, tmp_path):
    path = tmp_path / "old.mbox"
    box = mailbox.mbox(str(path), create=True)
    sent = [message(n, "mbox").replace(b"\r\n", b"\n") for n in range(6)]
    for data in sent:
        box.add(data)
    box.close()
    before = path.read_bytes()

    first = import_mbox(path, None, queue="Billing", ingest=(ingest := StoringIngest()))
    assert (first.taken, first.new, first.error) == (6, 6, None)
    assert desk_bodies() == sent and set(ingest.queues) == {"Billing"}
    again = import_mbox(path, None, ingest=StoringIngest())
    assert (again.taken, again.new, again.duplicates) == (6, 0, 6)
    assert desk_count() == 6 and path.read_bytes() == before  # the file is never changed


def test_an_mbox_that_is_not_one_says_so(db, tmp_path):
    missing = import_mbox(tmp_path / "nope.mbox", None, ingest=StoringIngest())
    assert isinstance(missing.error, MailSourceError) and "no such file" in str(missing.error)
    other = tmp_path / "notes.txt"
    other.write_text("Dear diary\n")
    wrong = import_mbox(other, None, ingest=StoringIngest())
    assert isinstance(wrong.error, MailSourceError) and "not an mbox file" in str(wrong.error)
