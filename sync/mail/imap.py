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
from urllib.parse import unquote, urlparse

import imapclient
from imapclient import exceptions as imap_errors

from models.errors import SportelloError
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
            elif self._client is not None:
                # Stopped by an error: what the desk committed is still acked when the connection allows.
                with contextlib.suppress(SportelloError):
                    self.flush()
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
        context = self._context() if self.security != "plain" else None
        with self._errors("cannot connect"):
            client = imapclient.IMAPClient(self.host, port=self.port, ssl=self.security == "tls",
                                           ssl_context=context, timeout=self.timeout)  # fmt: skip
        self._client = client
        try:
            if self.security == "starttls":
                with self._errors("STARTTLS failed"):
                    if not client.has_capability("STARTTLS"):
                        raise MailSourceError(f"{self._where()}: the server does not offer STARTTLS", temporary=False)
                    client.starttls(context)
            with self._errors("login failed"):
                client.login(self.user, self._password)
            with self._errors(f"cannot open the folder {self.folder!r}"):
                status = client.select_folder(self.folder, readonly=not prepare)
            if b"UIDVALIDITY" not in status:
                raise MailSourceError(f"{self._where()}: the server gave no UIDVALIDITY for {self.folder!r}, "
                                      "so its messages cannot be told apart safely", temporary=False)  # fmt: skip
            self.uidvalidity = int(status[b"UIDVALIDITY"])
            if self.processed_folder and prepare:
                self._ensure_processed_folder()
        except BaseException:
            self.close()
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
        """Log out (quietly: the connection may be gone already). Unflushed acks are dropped: those
        messages are read again next time, and the desk already has them."""
        client, self._client = self._client, None
        self._pending.clear()
        if client is None:
            return
        try:
            client.logout()
        except Exception:
            with contextlib.suppress(Exception):
                client.shutdown()

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

    def _batches(self, uids: list[int]) -> Iterator[list[int]]:
        """``uids`` cut into batches by count and by size (one large message is a batch of its own)."""
        client = self._require()
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), 1000):
            chunk = uids[start : start + 1000]
            with self._errors("cannot read the message sizes"):
                answer = client.fetch(chunk, ["RFC822.SIZE"])
            sizes.update({uid: int(data.get(b"RFC822.SIZE", 0)) for uid, data in answer.items()})
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
            self.flush()
            with self._errors("cannot fetch messages"):
                answer = client.fetch(batch, ["BODY.PEEK[]"])
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

    def _acker(self, uid: int):
        def ack(message_id: int) -> None:
            self._pending.append((uid, message_id))

        return ack

    # --- acknowledging ----------------------------------------------------------------------

    def flush(self) -> int:
        """Move (or flag) the messages acked since the last flush, then record their UIDs as done."""
        if not self._pending:
            return 0
        client = self._require()
        pending, self._pending = self._pending, []
        uids = [uid for uid, _ in pending]
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
        self._record_done(pending)
        return len(pending)

    def _record_done(self, pending: list[tuple[int, int]]) -> None:
        rows = [{"source": self.uid_key, "uidvalidity": self.uidvalidity, "uid": uid, "message": message_id,
                 "done": True} for uid, message_id in pending]  # fmt: skip
        with storage_errors(), write_transaction():
            for start in range(0, len(rows), 200):
                MailUid.insert_many(rows[start : start + 200]).on_conflict_ignore().execute()

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


def _response(exc: BaseException) -> str:
    """The server's words in an imaplib/imapclient error, as one printable line."""
    text = str(exc)
    if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
        text = text[2:-1]
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    return text[:300] or "no reason given"
