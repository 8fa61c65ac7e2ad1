"""An IMAP mailbox as a mail source (``imapclient``): read by UID under UIDVALIDITY, never by sequence number.

A fetch selects the folder, reads its UIDVALIDITY, searches the UIDs not flagged \\Deleted, leaves
out those the desk already took at this (mailbox, UIDVALIDITY) (``MailUid`` rows, done) and
fetches the rest with ``BODY.PEEK[]`` (which does not set \\Seen) in batches of at most
``batch`` messages and ``batch_bytes`` bytes (``batches()``; ``messages()`` gives the same one by
one). Once the desk committed a message its ack is queued; the queue is worked off by ``flush()``,
which the fetcher calls as soon as a batch is committed, and in any case before the next batch is
fetched and when the source closes: the messages are moved to the processed folder (MOVE, or
COPY, \\Deleted and UID EXPUNGE where the server has no MOVE) or, without one, flagged \\Seen; then
their UIDs are recorded as done, so that a later fetch skips them unread.

The moving (or flagging) is done on a second connection to the same folder, in a thread of its own,
while this one fetches the next batch (``parallel_acks``; Dovecot and most servers serve two
connections of one login at once): the acknowledgement of a batch, which costs the server about
as much as fetching it, then takes no time of its own. Its UIDs are recorded when it has
finished — at the next flush, or when the source closes, which waits for it. A server that refuses
the second connection gets its acknowledgements on the first, one batch after the other.

A crash anywhere leaves at worst messages on the server that are already on the desk: the next
fetch reads them again and the desk recognises the same bytes. A new UIDVALIDITY means the old
UIDs name nothing any more: everything is read again, with the same result.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import unquote, urlparse

import imapclient
from imapclient import exceptions as imap_errors

from models.errors import SportelloError
from models.mail.store import PreparedInsert
from models.mail.tables import MailUid
from models.store.db import storage_errors, write_transaction
from sync.mail.errors import MailSourceError
from sync.mail.source import Incoming

__all__ = ["ImapSource", "SCHEMES"]

#: URL scheme -> how the connection is secured.
SCHEMES = {"imap": "plain", "imaps": "tls", "imap+starttls": "starttls"}
DEFAULT_TIMEOUT = 30.0
_SEEN = b"\\Seen"
_DELETED = b"\\Deleted"
#: Response codes (RFC 5530) that mean "later": the server is busy or briefly unable.
_TEMPORARY_CODES = (b"[UNAVAILABLE]", b"[INUSE]", b"[SERVERBUG]", b"[LIMIT]")
_WRONG_PORT_REASONS = {"WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "HTTP_REQUEST", "RECORD_LAYER_FAILURE"}
#: A command refused because another session expunged some of its messages meanwhile (RFC 5530).
_EXPUNGED = "[EXPUNGEISSUED]"
_EXPUNGED_RETRIES = 3
#: The UIDs taken, recorded as done; one already recorded stays as it is.
_RECORD = PreparedInsert(MailUid, {"source": str, "uidvalidity": int, "uid": int, "message": int},
                         constants={"done": True}, ignore=True)  # fmt: skip


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ImapSource:
    """One IMAP folder. Use as a context manager; ``messages()`` yields what the desk has not taken."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        folder: str,
        user: str,
        password: str,
        processed_folder: str | None = None,
        cafile: str | None = None,
        queue: str | None = None,
        name: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        batch: int = 100,
        batch_bytes: int = 20 * 1024 * 1024,
        parallel_acks: bool = True,
    ) -> None:
        if security not in ("plain", "tls", "starttls"):
            raise ValueError(f"security must be plain, tls or starttls, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.folder = folder or "INBOX"
        self.user = user
        self._password = password
        self.processed_folder = processed_folder or None
        self.cafile = cafile
        self.queue = queue
        #: Recorded on each message (no user, no secret), as ``Mailbox.source`` does.
        self.name = name or f"imap:{host}:{port}/{self.folder}"
        #: The key of this mailbox's UIDs: with the login, since two logins on one server each have an INBOX.
        self.uid_key = f"imap:{user}@{host}:{port}/{self.folder}"[:300]
        self.timeout = timeout
        self.batch = max(1, batch)
        self.batch_bytes = max(1, batch_bytes)
        self.uidvalidity: int | None = None
        self._client: imapclient.IMAPClient | None = None
        self._pending: list[tuple[int, int]] = []  # (uid, message id) committed on the desk, not yet acked
        self.parallel_acks = parallel_acks
        self._ack_client: imapclient.IMAPClient | None = None  # the second connection, once there is something to ack
        self._pool: ThreadPoolExecutor | None = None
        self._moving: tuple[list[tuple[int, int]], Future] | None = None  # being acknowledged there now

    @classmethod
    def from_url(cls, url: str, *, user: str, password: str, **options) -> ImapSource:
        """From ``imap://host:port/FOLDER``, ``imaps://…`` or ``imap+starttls://…`` (no user or password in it)."""
        parsed = urlparse(url)
        if parsed.scheme not in SCHEMES or not parsed.hostname:
            raise MailSourceError(f"{url}: not an imap://, imaps:// or imap+starttls:// URL", temporary=False)
        if parsed.username or parsed.password:
            raise MailSourceError("the IMAP URL must not hold a user or password", temporary=False)
        try:
            port = parsed.port or (993 if parsed.scheme == "imaps" else 143)
        except ValueError:
            raise MailSourceError(f"{parsed.scheme}://{parsed.hostname}: bad port", temporary=False) from None
        folder = unquote(parsed.path.lstrip("/")) or "INBOX"
        return cls(host=parsed.hostname, port=port, security=SCHEMES[parsed.scheme], folder=folder, user=user,
                   password=password, **options)  # fmt: skip

    @classmethod
    def from_mailbox(cls, box, *, password: str, **options) -> ImapSource:
        """From a ``models.mail.settings.Mailbox`` and its password (``read_mailbox_secret``)."""
        return cls(host=box.host, port=box.port, security=box.security, folder=box.folder, user=box.user,
                   password=password, processed_folder=box.processed_folder, cafile=box.cafile, queue=box.queue,
                   name=box.source, **options)  # fmt: skip

    def __repr__(self) -> str:  # never the password
        return f"ImapSource({self.uid_key!r}, {self.security})"

    # --- connecting -----------------------------------------------------------------------

    def __enter__(self) -> ImapSource:
        self.open()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._client is not None and exc_type is None:
                self.flush()
                self.settle()
            elif self._client is not None:
                # Stopped by an error: what the desk committed is still acked when the connection allows.
                with contextlib.suppress(SportelloError):
                    self.flush()
                with contextlib.suppress(SportelloError):
                    self.settle()
        finally:
            self.close()

    def _where(self) -> str:
        return f"{self.name} (user {self.user})"

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.cafile) if self.cafile else ssl.create_default_context()
        except (OSError, ssl.SSLError) as exc:
            raise MailSourceError(
                f"{self._where()}: cannot read cafile {self.cafile}: {exc}", temporary=False
            ) from None

    def open(self, *, prepare: bool = True) -> None:
        """Connect, secure, log in, select the folder and (``prepare``) make the processed folder if
        it is missing."""
        if self.security == "plain" and not _is_loopback(self.host):
            raise MailSourceError(
                f"{self._where()}: imap:// would send the password unencrypted; use imaps:// or "
                "imap+starttls:// (imap:// is only for a server on this machine)",
                temporary=False,
            )
        self._client, self.uidvalidity = self._connect(readonly=not prepare)
        try:
            if self.processed_folder and prepare:
                self._ensure_processed_folder()
        except BaseException:
            self.close()
            raise

    def _connect(self, *, readonly: bool) -> tuple[imapclient.IMAPClient, int]:
        """A connection, secured, logged in, with the folder selected; and its UIDVALIDITY."""
        context = self._context() if self.security != "plain" else None
        with self._errors("cannot connect"):
            client = imapclient.IMAPClient(self.host, port=self.port, ssl=self.security == "tls",
                                           ssl_context=context, timeout=self.timeout)  # fmt: skip
        try:
            if self.security == "starttls":
                with self._errors("STARTTLS failed"):
                    if not client.has_capability("STARTTLS"):
                        raise MailSourceError(f"{self._where()}: the server does not offer STARTTLS", temporary=False)
                    client.starttls(context)
            with self._errors("login failed"):
                client.login(self.user, self._password)
            with self._errors(f"cannot open the folder {self.folder!r}"):
                status = client.select_folder(self.folder, readonly=readonly)
            if b"UIDVALIDITY" not in status:
                raise MailSourceError(f"{self._where()}: the server gave no UIDVALIDITY for {self.folder!r}, "
                                      "so its messages cannot be told apart safely", temporary=False)  # fmt: skip
            return client, int(status[b"UIDVALIDITY"])
        except BaseException:
            _logout(client)
            raise

    def check(self) -> tuple[int, str]:
        """Connect and look, changing nothing: (messages in the folder, what else is worth saying)."""
        self.open(prepare=False)
        try:
            client = self._require()
            with self._errors("cannot list the messages"):
                count = len(client.search(["NOT", "DELETED"]))
                has_processed = bool(self.processed_folder) and client.folder_exists(self.processed_folder)
                moves = client.has_capability("MOVE")
        finally:
            self.close()
        security = {"plain": "unencrypted (this machine only)", "tls": "TLS", "starttls": "STARTTLS"}[self.security]
        if not self.processed_folder:
            after = "fetched mail is flagged seen (no processed_folder)"
        else:
            after = (
                f"fetched mail moves to {self.processed_folder!r}"
                + ("" if has_processed else " (made at the first fetch)")
                + ("" if moves else " by copy and expunge (the server has no MOVE)")
            )
        return count, f"{security}, user {self.user}, {after}"

    def close(self) -> None:
        """Log out (quietly: the connections may be gone already). Unflushed acks are dropped, and an
        acknowledgement still running is waited for but not recorded: those messages are read again
        next time, and the desk already has them."""
        client, self._client = self._client, None
        acker, self._ack_client = self._ack_client, None
        pool, self._pool = self._pool, None
        self._pending.clear()
        self._moving = None
        if pool is not None:
            pool.shutdown(wait=True)
        for connection in (acker, client):
            if connection is not None:
                _logout(connection)

    def _ensure_processed_folder(self) -> None:
        if self.processed_folder == self.folder:
            raise MailSourceError(f"{self._where()}: processed_folder must not be the folder read", temporary=False)
        client = self._client
        with self._errors(f"cannot create the processed folder {self.processed_folder!r}"):
            if client.folder_exists(self.processed_folder):
                return
            try:
                client.create_folder(self.processed_folder)
            except imap_errors.IMAPClientError:
                if not client.folder_exists(self.processed_folder):  # else another fetch made it meanwhile
                    raise
            with contextlib.suppress(imap_errors.IMAPClientError):
                client.subscribe_folder(self.processed_folder)  # so mail programs show it

    # --- reading ------------------------------------------------------------------------------

    def taken_uids(self) -> set[int]:
        """The UIDs of this folder (at its current UIDVALIDITY) the desk recorded as done."""
        query = MailUid.select(MailUid.uid).where(
            (MailUid.source == self.uid_key) & (MailUid.uidvalidity == self.uidvalidity) & MailUid.done
        )
        with storage_errors():
            return {uid for (uid,) in query.tuples()}

    def waiting_uids(self) -> list[int]:
        """The UIDs in the folder, not \\Deleted, not yet taken, oldest first."""
        client = self._require()
        with self._errors("cannot list the messages"):
            uids = client.search(["NOT", "DELETED"])
        taken = self.taken_uids()
        return sorted(uid for uid in uids if uid not in taken)

    def _sizes(self, uids: list[int]) -> dict[int, int]:
        """The size of each of ``uids`` — or, for one the server says is not LARGER than a batch's share
        of ``batch_bytes``, that share, which it does not exceed (reading every size costs as much as
        a good part of the fetch). A message expunged meanwhile may be missing."""
        client = self._require()
        share = max(1, self.batch_bytes // self.batch)
        with self._errors("cannot read the message sizes"):
            large = set(client.search(["NOT", "DELETED", "LARGER", share]))
        sizes = {uid: share for uid in uids if uid not in large}
        wanted = [uid for uid in uids if uid in large]
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            with self._errors("cannot read the message sizes"):
                answer = client.fetch(chunk, ["RFC822.SIZE"])
            sizes.update({uid: int(data.get(b"RFC822.SIZE", 0)) for uid, data in answer.items()})
        return sizes

    def _batches(self, uids: list[int]) -> Iterator[list[int]]:
        """``uids`` cut into batches by count and by size (one large message is a batch of its own)."""
        sizes = self._sizes(uids)
        batch: list[int] = []
        size = 0
        for uid in uids:
            if uid not in sizes:  # expunged meanwhile
                continue
            if batch and (len(batch) >= self.batch or size + sizes[uid] > self.batch_bytes):
                yield batch
                batch, size = [], 0
            batch.append(uid)
            size += sizes[uid]
        if batch:
            yield batch

    def batches(self) -> Iterator[list[Incoming]]:
        """Every message not yet taken, with its ack, a fetched batch at a time; the acks of a batch
        are worked off (``flush``) before the next one is fetched, if the caller has not done it."""
        client = self._require()
        for batch in self._batches(self.waiting_uids()):
            if self._pending:  # not yet handed over by the caller: now (a running one goes on meanwhile)
                self.flush()
            answer = self._fetch(client, batch)
            found = []
            for uid in batch:
                data = answer.get(uid, {}).get(b"BODY[]")
                if data is None:  # expunged meanwhile
                    continue
                found.append(Incoming(key=f"{self.uidvalidity}:{uid}", data=bytes(data), ack=self._acker(uid)))
            if found:
                yield found

    def messages(self) -> Iterator[Incoming]:
        """Every message not yet taken, with its ack; acks are worked off between batches."""
        for batch in self.batches():
            yield from batch

    def _fetch(self, client: imapclient.IMAPClient, uids: list[int]) -> dict:
        """``BODY.PEEK[]`` of ``uids``; those another session expunged meanwhile are left out."""
        for attempt in range(_EXPUNGED_RETRIES + 1):
            try:
                with self._errors("cannot fetch messages"):
                    return client.fetch(uids, ["BODY.PEEK[]"])
            except MailSourceError as exc:
                if _EXPUNGED not in str(exc) or attempt == _EXPUNGED_RETRIES:
                    raise
            uids = self._still_there(client, uids)
            if not uids:
                return {}
        return {}

    def _acker(self, uid: int):
        def ack(message_id: int) -> None:
            self._pending.append((uid, message_id))

        return ack

    # --- acknowledging ----------------------------------------------------------------------

    def flush(self) -> int:
        """Move (or flag) the messages acked since the last flush, then record their UIDs as done: on
        the second connection while the caller goes on (the previous flush's work is waited for and
        recorded first), or here and now. Returns how many were handed over."""
        self.settle()
        if not self._pending:
            return 0
        self._require()
        pending, self._pending = self._pending, []
        acker = self._second_connection()
        if acker is None:
            self._record_done(self._acknowledge(self._require(), pending))
        else:
            self._moving = (pending, self._pool.submit(self._acknowledge, acker, pending))
        return len(pending)

    def settle(self) -> int:
        """Wait for the acknowledgement running on the second connection and record its UIDs as done
        (its error, if it failed: those messages stay where they are, to be read again)."""
        moving, self._moving = self._moving, None
        if moving is None:
            return 0
        _, running = moving
        done = running.result()
        self._record_done(done)
        return len(done)

    def _second_connection(self) -> imapclient.IMAPClient | None:
        """The connection the acknowledgements run on, opened the first time (None: on this one)."""
        if not self.parallel_acks:
            return None
        if self._ack_client is None:
            try:
                acker, validity = self._connect(readonly=False)
            except MailSourceError:  # refused (too many connections, say): acknowledge on the first
                self.parallel_acks = False
                return None
            if validity != self.uidvalidity:  # the folder was made again meanwhile: its UIDs mean other mail
                _logout(acker)
                raise MailSourceError(f"{self._where()}: {self.folder!r} changed its UIDVALIDITY during the "
                                      "fetch; fetch again", temporary=True)  # fmt: skip
            self._ack_client, self._pool = acker, ThreadPoolExecutor(1, thread_name_prefix="imap-ack")
        return self._ack_client

    def _acknowledge(self, client: imapclient.IMAPClient, pending: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Move (or flag) ``pending`` on ``client``; returns those acknowledged, to be recorded as done.

        When another session expunged some of them meanwhile (another fetch of the same folder moved
        them first), the server refuses the command as a whole: none is recorded, those still there
        are read again by the next fetch (the desk has them), and this fetch goes on. Moving them
        again at once could move a message the other session is moving, and file it twice."""
        try:
            self._move_or_flag(client, sorted(uid for uid, _ in pending))
        except MailSourceError as exc:
            if _EXPUNGED not in str(exc):
                raise
            return []
        return pending

    def _still_there(self, client: imapclient.IMAPClient, uids: list[int]) -> list[int]:
        """Which of ``uids`` are still in the folder, once the server told this session what others expunged."""
        with self._errors("cannot list the messages"):
            client.noop()
            return sorted(client.search(["UID", ",".join(map(str, uids)), "NOT", "DELETED"]))

    def _move_or_flag(self, client: imapclient.IMAPClient, uids: list[int]) -> None:
        if self.processed_folder:
            with self._errors(f"cannot move messages to {self.processed_folder!r}"):
                if client.has_capability("MOVE"):
                    client.move(uids, self.processed_folder)
                else:
                    client.copy(uids, self.processed_folder)
                    client.add_flags(uids, [_DELETED], silent=True)
                    if client.has_capability("UIDPLUS"):
                        client.uid_expunge(uids)
                    else:  # without UIDPLUS only a plain EXPUNGE exists: it also removes what others deleted
                        client.expunge()
        else:
            with self._errors("cannot flag messages as seen"):
                client.add_flags(uids, [_SEEN], silent=True)

    def _record_done(self, pending: list[tuple[int, int]]) -> None:
        if not pending:
            return
        rows = [(self.uid_key, self.uidvalidity, uid, message_id) for uid, message_id in pending]
        with storage_errors(), write_transaction():
            _RECORD.run(rows)

    # --- errors -----------------------------------------------------------------------------

    def _require(self) -> imapclient.IMAPClient:
        if self._client is None:
            raise MailSourceError(f"{self._where()}: not connected", temporary=True)
        return self._client

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Network, TLS and protocol errors as one-line ``MailSourceError``s naming the mailbox."""
        try:
            yield
        except MailSourceError:
            raise
        except ssl.SSLCertVerificationError as exc:
            why = exc.verify_message or "verification failed"
            raise MailSourceError(f"{self._where()}: {doing}: the server's certificate is not trusted ({why}); "
                                  "set cafile to the CA that signed it", temporary=False) from None  # fmt: skip
        except ssl.SSLError as exc:
            if exc.reason in _WRONG_PORT_REASONS:
                raise MailSourceError(f"{self._where()}: {doing}: the server did not answer in TLS "
                                      "(is this port for imaps:// or for imap+starttls://?)", temporary=False) from None  # fmt: skip
            raise MailSourceError(
                f"{self._where()}: {doing}: TLS failed ({exc.reason or exc})", temporary=True
            ) from None
        except socket.gaierror:
            raise MailSourceError(f"{self._where()}: {doing}: the host name does not resolve", temporary=True) from None
        except ConnectionRefusedError:
            raise MailSourceError(f"{self._where()}: {doing}: connection refused (is the server running?)",
                                  temporary=True) from None  # fmt: skip
        except TimeoutError:
            raise MailSourceError(f"{self._where()}: {doing}: no answer within {self.timeout:g} s",
                                  temporary=True) from None  # fmt: skip
        except imap_errors.LoginError as exc:
            text = _response(exc)
            temporary = any(code in text.encode() for code in _TEMPORARY_CODES)
            raise MailSourceError(f"{self._where()}: {doing}: the server refused the login ({text})",
                                  temporary=temporary) from None  # fmt: skip
        except imaplib.IMAP4.abort as exc:  # before IMAP4.error, its base
            raise MailSourceError(f"{self._where()}: {doing}: the connection was lost ({_response(exc)})",
                                  temporary=True) from None  # fmt: skip
        except imaplib.IMAP4.error as exc:
            text = _response(exc)
            temporary = any(code in text.encode() for code in _TEMPORARY_CODES)
            raise MailSourceError(f"{self._where()}: {doing}: the server said {text}", temporary=temporary) from None
        except OSError as exc:  # reset, broken pipe, unreachable network, ...
            why = exc.strerror or type(exc).__name__
            raise MailSourceError(f"{self._where()}: {doing}: {why}", temporary=True) from None


def _logout(client: imapclient.IMAPClient) -> None:
    """Log out quietly (the connection may be gone already)."""
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


def _response(exc: BaseException) -> str:
    """The server's words in an imaplib/imapclient error, as one printable line."""
    text = str(exc)
    if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
        text = text[2:-1]
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    return text[:300] or "no reason given"
