"""The IMAP source against a real Dovecot on loopback: by UID under UIDVALIDITY, acknowledged only
after the desk committed, nothing lost and nothing twice through crashes and a restarted server.

Ingest here only stores (``support.mail_sources.StoringIngest``): these tests are about the source.
"""

from __future__ import annotations

import uuid

import pytest

from models.errors import StorageError
from models.mail.tables import MailUid
from support.dovecot import running_dovecot
from support.mail_sources import Crash, StoringIngest, desk_bodies, desk_count, message, messages
from sync.mail.errors import MailSourceError
from sync.mail.fetch import fetch
from sync.mail.imap import ImapSource


@pytest.fixture(scope="module")
def server():
    with running_dovecot() as dovecot:
        yield dovecot


@pytest.fixture
def folder(server):
    """A fresh folder for the test (the server is shared by the module)."""
    return "T" + uuid.uuid4().hex[:10]


def imap(server, folder, security="plain", **options) -> ImapSource:
    port = server.tls_port if security == "tls" else server.port
    options.setdefault("cafile", None if security == "plain" else str(server.cafile))
    return ImapSource(host=server.host, port=port, security=security, folder=folder, user=server.user,
                      password=server.password, timeout=10, **options)  # fmt: skip


def test_250_messages_by_uid_moved_after_ingest_and_never_taken_twice(db, server, folder):
    sent = messages(250, folder)
    server.deliver_many(sent, folder)
    processed = folder + "done"
    ingest = StoringIngest()

    summary = fetch(imap(server, folder, processed_folder=processed), None, ingest=ingest)

    assert summary.error is None, summary.error
    assert (summary.taken, summary.new, summary.duplicates, summary.errors) == (250, 250, 0, 0)
    assert desk_bodies() == sent  # every message, byte for byte, in the order it arrived
    assert server.uids(folder) == []
    assert sorted(server.messages(processed)) == sorted(sent)
    assert set(ingest.sources) == {f"imap:{server.host}:{server.port}/{folder}"}

    again = fetch(imap(server, folder, processed_folder=processed), None, ingest=ingest)
    assert (again.taken, again.error) == (0, None)
    assert ingest.calls == 250

    server.deliver(message(999, folder), folder)  # a new arrival: only it is taken
    third = fetch(imap(server, folder, processed_folder=processed), None, ingest=ingest)
    assert (third.taken, third.new) == (1, 1)
    assert desk_count() == 251


def test_small_batches_by_count_and_size_take_everything(db, server, folder):
    sent = [message(n, folder, size=3000 if n % 3 == 0 else 0) for n in range(40)]
    server.deliver_many(sent, folder)
    summary = fetch(imap(server, folder, processed_folder=folder + "done", batch=7, batch_bytes=5000), None,
                    ingest=StoringIngest())  # fmt: skip
    assert (summary.taken, summary.error) == (40, None)
    assert desk_bodies() == sent


def test_without_a_processed_folder_messages_are_flagged_seen_and_their_uids_recorded(db, server, folder):
    sent = messages(30, folder)
    server.deliver_many(sent, folder)
    source = imap(server, folder)
    summary = fetch(source, None, ingest=StoringIngest())
    assert (summary.taken, summary.error) == (30, None)
    assert len(server.uids(folder)) == 30  # still there, now \Seen
    client = server.client()
    try:
        client.select_folder(folder, readonly=True)
        assert client.search(["UNSEEN"]) == []
    finally:
        client.logout()
    rows = list(MailUid.select().where(MailUid.source == source.uid_key))
    assert len(rows) == 30 and all(r.done for r in rows)
    assert {r.uidvalidity for r in rows} == {source.uidvalidity}

    # A person marking one unread changes nothing: the desk's record of UIDs decides.
    client = server.client()
    try:
        client.select_folder(folder)
        client.remove_flags(client.search(["ALL"])[:5], [b"\\Seen"])
    finally:
        client.logout()
    ingest = StoringIngest()
    assert fetch(imap(server, folder), None, ingest=ingest).taken == 0
    server.deliver(message(77, folder), folder)
    assert fetch(imap(server, folder), None, ingest=ingest).taken == 1
    assert ingest.calls == 1
    assert desk_count() == 31


def test_a_new_uidvalidity_reads_everything_again_and_the_desk_keeps_one_of_each(db, server, folder):
    sent = messages(12, folder)
    server.deliver_many(sent, folder)
    first = imap(server, folder)
    assert fetch(first, None, ingest=StoringIngest()).taken == 12
    old_validity = first.uidvalidity

    client = server.client()  # the folder made again: same messages, new UIDVALIDITY, UIDs from 1
    try:
        client.delete_folder(folder)
    finally:
        client.logout()
    server.deliver_many(sent, folder)

    second = imap(server, folder)
    summary = fetch(second, None, ingest=StoringIngest())
    assert second.uidvalidity != old_validity
    assert (summary.taken, summary.new, summary.duplicates) == (12, 0, 12)
    assert desk_count() == 12


def test_a_crash_between_ingest_and_ack_takes_nothing_twice(db, server, folder):
    sent = messages(150, folder)
    server.deliver_many(sent, folder)
    processed = folder + "done"

    with pytest.raises(Crash):  # message 120 is committed, then the process "dies" before its ack
        fetch(imap(server, folder, processed_folder=processed), None, ingest=StoringIngest(crash_after=120))
    assert desk_count() == 120
    moved = len(server.uids(processed))
    assert moved <= 119  # acks are only ever for committed messages
    assert moved + len(server.uids(folder)) == 150

    ingest = StoringIngest()
    summary = fetch(imap(server, folder, processed_folder=processed), None, ingest=ingest)
    assert summary.error is None
    assert summary.taken == 150 - moved
    assert summary.new == 30 and summary.duplicates == 120 - moved
    assert desk_count() == 150 and sorted(desk_bodies()) == sorted(sent)
    assert server.uids(folder) == [] and sorted(server.messages(processed)) == sorted(sent)


def test_a_storage_error_stops_the_fetch_and_leaves_that_message_at_the_source(db, server, folder):
    sent = messages(40, folder)
    server.deliver_many(sent, folder)
    processed = folder + "done"

    summary = fetch(imap(server, folder, processed_folder=processed), None, ingest=StoringIngest(fail_at=25))
    assert isinstance(summary.error, StorageError)
    assert (summary.taken, summary.errors, summary.exit_code) == (24, 1, 75)
    assert desk_count() == 24
    assert len(server.uids(processed)) == 24 and len(server.uids(folder)) == 16  # acked: exactly the committed

    rest = fetch(imap(server, folder, processed_folder=processed), None, ingest=StoringIngest())
    assert (rest.taken, rest.new, rest.error) == (16, 16, None)
    assert sorted(desk_bodies()) == sorted(sent)


def test_without_move_the_source_copies_flags_and_expunges_by_uid(db, server, folder, monkeypatch):
    import imapclient

    sent = messages(20, folder)
    server.deliver_many(sent, folder)
    real = imapclient.IMAPClient.has_capability
    monkeypatch.setattr(imapclient.IMAPClient, "has_capability",
                        lambda self, cap: False if cap.upper() == "MOVE" else real(self, cap))  # fmt: skip
    summary = fetch(imap(server, folder, processed_folder=folder + "done"), None, ingest=StoringIngest())
    assert (summary.taken, summary.error) == (20, None)
    assert server.uids(folder) == []
    assert sorted(server.messages(folder + "done")) == sorted(sent)


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_tls_and_starttls_with_the_servers_certificate_as_cafile(db, server, folder, security):
    sent = messages(5, folder)
    server.deliver_many(sent, folder)
    summary = fetch(imap(server, folder, security, processed_folder=folder + "done"), None, ingest=StoringIngest())
    assert (summary.taken, summary.error) == (5, None)
    assert desk_bodies() == sent


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_an_untrusted_certificate_is_a_clear_lasting_error(db, server, folder, security):
    server.deliver(message(1, folder), folder)
    summary = fetch(imap(server, folder, security, cafile=None), None, ingest=StoringIngest())
    assert isinstance(summary.error, MailSourceError) and not summary.error.temporary
    assert "certificate is not trusted" in str(summary.error) and "cafile" in str(summary.error)
    assert summary.exit_code == 1 and desk_count() == 0
    assert server.uids(folder) != []


def test_tls_spoken_to_the_plain_port_says_which_port_is_which(db, server, folder):
    source = ImapSource(host=server.host, port=server.port, security="tls", folder=folder, user=server.user,
                        password=server.password, cafile=str(server.cafile), timeout=5)  # fmt: skip
    summary = fetch(source, None, ingest=StoringIngest())
    assert isinstance(summary.error, MailSourceError) and not summary.error.temporary, summary.error
    assert "did not answer in TLS" in str(summary.error)


def test_a_refused_login_is_lasting_and_never_shows_the_password(db, server, folder):
    source = ImapSource(host=server.host, port=server.port, security="plain", folder=folder, user=server.user,
                        password="wrong-Hunter2-pw", timeout=10)  # fmt: skip
    summary = fetch(source, None, ingest=StoringIngest())
    error = summary.error
    assert isinstance(error, MailSourceError) and not error.temporary
    assert "refused the login" in str(error) and server.user in str(error)
    assert "Hunter2" not in str(error) and "Hunter2" not in repr(source)
    assert str(error).count("\n") == 0


def test_a_missing_folder_is_a_lasting_error(db, server):
    summary = fetch(imap(server, "NoSuchFolder"), None, ingest=StoringIngest())
    assert isinstance(summary.error, MailSourceError) and not summary.error.temporary
    assert "NoSuchFolder" in str(summary.error)


def test_plain_imap_to_another_machine_is_refused_before_connecting():
    source = ImapSource(host="mail.example.com", port=143, security="plain", folder="INBOX", user="u",
                        password="p")  # fmt: skip
    with pytest.raises(MailSourceError, match="unencrypted"):
        source.open()


def test_urls_name_their_security_port_and_folder():
    a = ImapSource.from_url("imaps://mail.example.com/Support%20Inbox", user="u", password="p")
    assert (a.security, a.port, a.folder) == ("tls", 993, "Support Inbox")
    b = ImapSource.from_url("imap+starttls://mail.example.com:1143", user="u", password="p")
    assert (b.security, b.port, b.folder) == ("starttls", 1143, "INBOX")
    with pytest.raises(MailSourceError):
        ImapSource.from_url("imaps://u:secret@mail.example.com/INBOX", user="u", password="p")
    with pytest.raises(MailSourceError):
        ImapSource.from_url("pop3://mail.example.com/", user="u", password="p")


def test_a_stopped_server_is_a_temporary_error_and_a_restart_mid_fetch_loses_and_doubles_nothing(db):
    with running_dovecot() as server:
        sent = messages(260, "restart")
        server.deliver_many(sent, "INBOX")
        processed = "Processed"

        server.stop()
        down = fetch(imap(server, "INBOX", processed_folder=processed), None, ingest=StoringIngest())
        assert isinstance(down.error, MailSourceError) and down.error.temporary, down.error
        assert "connection refused" in str(down.error) and down.exit_code == 75
        server.start()

        def restart_at(n: int, data: bytes) -> None:
            if n == 130:  # in the second batch of 100: the first batch is moved, this one not yet
                server.restart()

        summary = fetch(imap(server, "INBOX", processed_folder=processed), None,
                        ingest=StoringIngest(hook=restart_at))  # fmt: skip
        assert isinstance(summary.error, MailSourceError) and summary.error.temporary, summary.error
        assert summary.exit_code == 75 and str(summary.error).count("\n") == 0
        assert summary.taken == 200  # the whole second batch was fetched before the restart, then the ack failed
        assert desk_count() == 200

        final = fetch(imap(server, "INBOX", processed_folder=processed), None, ingest=StoringIngest())
        assert final.error is None, final.error
        assert final.new == 60 and final.duplicates == final.taken - 60
        assert desk_count() == 260 and sorted(desk_bodies()) == sorted(sent)
        assert server.uids("INBOX") == []
        assert sorted(server.messages(processed)) == sorted(sent)  # on the server too: each once


def _settings(server, folder, tmp_path, *, env_name="SPORTELLO_TEST_MAIL_PW"):
    from models.mail.settings import Mailbox, MailSettings

    good = Mailbox(name="default", url=server.url(folder, "imap+starttls"), security="starttls", host=server.host,
                   port=server.port, folder=folder, user=server.user, password_env=env_name,
                   processed_folder=folder + "done", queue="Billing", cafile=str(server.cafile))  # fmt: skip
    unset = Mailbox(name="other", url=server.url(folder), security="plain", host=server.host, port=server.port,
                    folder=folder, user="other", password_env="SPORTELLO_TEST_UNSET_PW")  # fmt: skip
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1700000000.M1P1.test").write_bytes(message(1, folder + "md"))
    return MailSettings(address="support@example.com", mailboxes=(good, unset), maildir=str(maildir),
                        processed_folder="Processed")  # fmt: skip


def test_the_configured_sources_are_fetched_each_and_a_missing_secret_is_a_failure_not_a_stop(db, server, folder,
                                                                                              tmp_path):  # fmt: skip
    from sync.mail.fetch import fetch_configured

    server.deliver_many(messages(7, folder), folder)
    settings = _settings(server, folder, tmp_path)
    ingest = StoringIngest()
    summaries, failures = fetch_configured(settings, env={"SPORTELLO_TEST_MAIL_PW": server.password}, ingest=ingest)
    assert [(s.source, s.taken) for s in summaries] == [
        (f"imap:{server.host}:{server.port}/{folder}", 7), (f"maildir:{tmp_path / 'Maildir'}", 1)]  # fmt: skip
    assert ingest.queues == ["Billing"] * 7 + [None]
    assert len(failures) == 1 and not failures[0].temporary
    assert "SPORTELLO_TEST_UNSET_PW" in failures[0].message
    assert all(server.password not in str(x) for x in (*summaries, *failures))
    assert summaries[0].as_dict()["taken"] == 7 and "7 taken (7 new" in summaries[0].line()


def test_check_connects_and_counts_and_changes_nothing(server, folder, tmp_path):
    from sync.mail.fetch import check_configured

    server.deliver_many(messages(3, folder), folder)
    settings = _settings(server, folder, tmp_path)
    results = check_configured(settings, env={"SPORTELLO_TEST_MAIL_PW": server.password})
    by_source = {r.source: r for r in results}
    imap_result = by_source[f"imap:{server.host}:{server.port}/{folder}"]
    assert imap_result.ok and imap_result.waiting == 3 and "STARTTLS" in imap_result.detail
    assert "made at the first fetch" in imap_result.detail
    assert by_source[f"maildir:{tmp_path / 'Maildir'}"].waiting == 1
    (failed,) = [r for r in results if not r.ok]
    assert "SPORTELLO_TEST_UNSET_PW" in failed.problem
    assert not server.uids(folder + "done") and len(server.uids(folder)) == 3  # no folder made, nothing moved
    client = server.client()
    try:
        assert not client.folder_exists(folder + "done")
        client.select_folder(folder, readonly=True)
        assert len(client.search(["UNSEEN"])) == 3
    finally:
        client.logout()
    assert all(server.password not in r.line() for r in results)

    server.stop()
    try:
        (down,) = [r for r in check_configured(settings, env={"SPORTELLO_TEST_MAIL_PW": "x"}) if r.source.startswith("imap")
                   and r.problem and "connection refused" in r.problem]  # fmt: skip
        assert down.temporary and down.line().count("imap:") == 1
    finally:
        server.start()
    assert not (tmp_path / "Maildir" / ".Processed").exists()


def test_with_the_real_ingest_each_message_opens_a_ticket_and_says_where_it_came_from(db, server, folder):
    from models.mail.settings import MailSettings
    from models.mail.tables import InState, MailMessage
    from models.store.tables import Ticket

    sent = messages(25, folder)
    server.deliver_many(sent, folder)
    settings = MailSettings(address="support@example.com")
    summary = fetch(imap(server, folder, processed_folder=folder + "done"), settings)
    assert (summary.taken, summary.new, summary.error) == (25, 25, None)
    rows = list(MailMessage.select())
    assert {r.state for r in rows} == {InState.TICKET}
    assert {r.source for r in rows} == {f"imap:{server.host}:{server.port}/{folder}"}
    assert Ticket.select().count() == 25
    again = fetch(imap(server, folder, processed_folder=folder + "done"), settings)
    assert again.taken == 0 and Ticket.select().count() == 25
