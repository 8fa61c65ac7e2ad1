"""A private Dovecot for the mail tests: Debian's ``dovecot-imapd`` run as a child process.

Each :class:`Dovecot` has its own directory (configuration, sockets, state, log, Maildir), listens
on 127.0.0.1 only, on two free ports: ``port`` (plain IMAP, STARTTLS offered) and ``tls_port``
(IMAPS). The certificate is self-signed, made at start with the ``openssl`` command for
``127.0.0.1``/``localhost``; ``cafile`` is its path, for the client to trust. One login: user
``desk``, password ``secret-pw``; mail is stored as ``mail_uid``/``mail_gid`` = the current user,
in ``maildir`` (Maildir++: folder ``X`` is ``maildir/.X``).

``stop()`` and ``restart()`` (same ports, same mail) are for fault tests. Without Dovecot the
tests skip, unless ``SPORTELLO_REQUIRE_MAIL=1`` (set by ``.ci/run``) makes that a failure. Use
``with running_dovecot() as server:`` or call :func:`need_dovecot` then ``Dovecot().start()``.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

__all__ = ["Dovecot", "running_dovecot", "need_dovecot", "dovecot_problem", "DOVECOT", "REQUIRE_MAIL"]

DOVECOT = Path("/usr/sbin/dovecot")
REQUIRE_MAIL = os.environ.get("SPORTELLO_REQUIRE_MAIL") == "1"
NOT_INSTALLED = "Dovecot is not installed (apt-get install dovecot-imapd)"
START_TIMEOUT = 30.0

_CONFIG = """\
# Written by Sportello's tests/support/dovecot.py: a private test server on loopback.
base_dir = {base}/run
state_dir = {base}/state
instance_name = sportello-test-{port}
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
shutdown_clients = yes

ssl = yes
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
# A refused login answers at once, and the next logins from loopback are not slowed down.
auth_failure_delay = 0

default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 0
first_valid_gid = 0
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:{base}/mail/%u
mail_fsync = never

namespace inbox {{
  inbox = yes
}}

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}

service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def dovecot_problem() -> str | None:
    """None when this machine can run a test Dovecot, else why not."""
    if not DOVECOT.exists():
        return NOT_INSTALLED
    if shutil.which("openssl") is None:
        return "the openssl command is not installed (it makes the test server's certificate)"
    return None


def need_dovecot() -> None:
    """Skip the test without Dovecot (a failure under SPORTELLO_REQUIRE_MAIL=1)."""
    problem = dovecot_problem()
    if problem is None:
        return
    if REQUIRE_MAIL:
        pytest.fail(f"{problem} (SPORTELLO_REQUIRE_MAIL=1 makes this a failure)")
    pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Dovecot:
    """One private Dovecot. Not started until :meth:`start`; :meth:`close` stops it and removes its files."""

    user = "desk"
    password = "secret-pw"
    host = "127.0.0.1"

    def __init__(self, base: Path | None = None) -> None:
        # Under the system tmp dir, not pytest's (0700 parents): Dovecot's login processes run as
        # an unprivileged user and must reach their sockets in base_dir.
        self.base = Path(base) if base else Path(tempfile.mkdtemp(prefix="sportello-dovecot-"))
        self.base.chmod(0o755)
        self.port = _free_port()
        self.tls_port = _free_port()
        self.process: subprocess.Popen | None = None
        # Dovecot never touches mail as root: under root the mail belongs to nobody.
        owner = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        self.mail_uid, self.mail_gid = owner.pw_uid, owner.pw_gid

    # --- what the tests use ----------------------------------------------------------------

    @property
    def cafile(self) -> Path:
        """The server's self-signed certificate: the CA a client must trust."""
        return self.base / "cert.pem"

    @property
    def log(self) -> Path:
        return self.base / "dovecot.log"

    @property
    def maildir(self) -> Path:
        """The login's Maildir (INBOX); folder ``X`` is ``maildir / ".X"``."""
        return self.base / "mail" / self.user

    def give_mail_back(self) -> None:
        """Hand every file under the mail directory to the mail user again (after a test, running as
        root, wrote into the Maildir itself)."""
        if os.getuid() != 0:
            return
        for root, dirs, files in os.walk(self.base / "mail"):
            for name in [*dirs, *files]:
                os.chown(os.path.join(root, name), self.mail_uid, self.mail_gid)

    def url(self, folder: str = "INBOX", scheme: str = "imap") -> str:
        """``imap://127.0.0.1:PORT/FOLDER`` (``imaps`` uses the TLS port; ``imap+starttls`` the plain one)."""
        port = self.tls_port if scheme == "imaps" else self.port
        return f"{scheme}://{self.host}:{port}/{folder}"

    def client(self):
        """A logged-in ``imapclient.IMAPClient`` on the plain port (the caller logs out)."""
        import imapclient

        client = imapclient.IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put one message into ``folder`` (IMAP APPEND; the folder is created when missing)."""
        self.deliver_many([raw], folder)

    def deliver_many(self, messages: Iterable[bytes], folder: str = "INBOX") -> int:
        """APPEND every message over one connection; returns how many."""
        client = self.client()
        try:
            if folder != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            count = 0
            for raw in messages:
                client.append(folder, raw)
                count += 1
            return count
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def uids(self, folder: str = "INBOX") -> list[int]:
        """The UIDs of the messages in ``folder`` not flagged \\Deleted (empty when it does not exist)."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return sorted(client.search(["NOT", "DELETED"]))
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The raw bytes of every message in ``folder``, in UID order."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search(["NOT", "DELETED"]))
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in uids]
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting the test certificate."""
        return ssl.create_default_context(cafile=str(self.cafile))

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> Dovecot:
        """Start (or start again, on the same ports). The first start picks other free ports when
        another process took one of them between choosing and binding."""
        if self.process is not None and self.process.poll() is None:
            return self
        problem = dovecot_problem()
        if problem is not None:
            raise RuntimeError(problem)
        first = not (self.base / "dovecot.conf").exists()
        for attempt in range(3 if first else 1):
            if first:
                if attempt:
                    self.port, self.tls_port = _free_port(), _free_port()
                self._write_files()
            if self._launch():
                return self
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        raise RuntimeError(f"Dovecot did not answer on {self.port}/{self.tls_port}:\n{tail}")

    def _launch(self) -> bool:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(DOVECOT), "-F", "-c", str(self.base / "dovecot.conf")],
                cwd=str(self.base), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while not (self._answers(self.port) and self._answers(self.tls_port)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                return False
            time.sleep(0.05)
        time.sleep(0.05)
        if self.process.poll() is not None:  # something else answered on a port Dovecot could not bind
            self.stop()
            return False
        return True

    def stop(self) -> None:
        """Stop the server and every process it started (the mail stays)."""
        proc, self.process = self.process, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            if proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=wait)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # an imap or auth child left behind
        # Dovecot's children (imap processes) may outlive the master briefly: wait for the ports.
        deadline = time.monotonic() + 10
        while (self._answers(self.port) or self._answers(self.tls_port)) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> Dovecot:
        """Stop, then start again on the same ports with the same mail."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop and remove every file."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- inside ---------------------------------------------------------------------------

    def _answers(self, port: int) -> bool:
        try:
            with socket.create_connection((self.host, port), timeout=0.5):
                return True
        except OSError:
            return False

    def _write_files(self) -> None:
        base = self.base
        for sub in ("run", "state", "mail", "home"):
            (base / sub).mkdir(mode=0o755, exist_ok=True)
        if (base / "cert.pem").exists():  # a retry on other ports: only the configuration changes
            self._write_config()
            return
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(base / "key.pem"), "-out", str(base / "cert.pem"),
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        os.chmod(base / "key.pem", 0o600)
        self._write_config()

    def _write_config(self) -> None:
        base = self.base
        uid, gid = self.mail_uid, self.mail_gid
        me = pwd.getpwuid(os.getuid()).pw_name
        if os.getuid() == 0:
            login_user = "dovenull" if _user_exists("dovenull") else "nobody"
            internal_user = "dovecot" if _user_exists("dovecot") else "nobody"
        else:
            login_user = internal_user = me  # an unprivileged Dovecot runs everything as its user
        internal_group = grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name
        (base / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        os.chmod(base / "passwd", 0o600)
        if os.getuid() == 0:  # the auth process reads it as the internal user; mail is the mail user's
            os.chown(base / "passwd", pwd.getpwnam(internal_user).pw_uid, -1)
            for sub in ("mail", "home"):
                os.chown(base / sub, uid, gid)
        (base / "dovecot.conf").write_text(
            _CONFIG.format(
                base=base,
                port=self.port,
                tls_port=self.tls_port,
                uid=uid,
                gid=gid,
                login_user=login_user,
                internal_user=internal_user,
                internal_group=internal_group,
            )  # fmt: skip
        )


@contextlib.contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """A started private Dovecot for the block (skips the test without Dovecot); removed after."""
    need_dovecot()
    server = Dovecot()
    try:
        yield server.start()
    finally:
        server.close()
