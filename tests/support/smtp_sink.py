"""An SMTP server for the tests: aiosmtpd on 127.0.0.1, a free port, keeping what it is given.

``SmtpSink().start()`` (or ``with running_sink() as sink:``) listens until ``stop()``. Every message
taken is in ``sink.received`` as (mail_from, rcpt_tos, raw bytes). ``answers`` is a list of replies
for the next DATA commands, consumed one per message ("451 4.3.0 try later", "554 5.7.1 no"): a
message answered other than 250 is not kept. ``refuse`` maps a recipient to its RCPT reply.
An answer ``"drop"`` closes the connection instead of answering (the message is not kept: the
client cannot know that); ``"250 then close"`` keeps the message and closes the connection when
the next message begins, as a server dropping an idle connection does.
``peers`` has the client's (host, port) for each message kept: how many connections a run used.
``delay`` waits that long between keeping a message and answering it.
``tls=True`` offers STARTTLS with a self-signed certificate (``cafile``) and requires a login
(``user`` / ``password``, AUTH LOGIN or PLAIN) after it.

:func:`fake_sendmail` writes a ``sendmail`` program that keeps what it is given in a folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

__all__ = ["SmtpSink", "running_sink", "fake_sendmail"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        refused = self.sink.refuse.get(address.lower())
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd's name
        if getattr(session, "close_next", False):
            server.transport.close()
            return "421 4.4.2 idle connection closed"  # never reaches the client: the connection is gone
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.sink.lock:
            if self.sink.answers:
                answer = self.sink.answers.pop(0)
                if answer == "250 then close":
                    session.close_next = True
                elif answer == "drop":
                    self.sink.turned_away += 1
                    server.transport.close()
                    return "421 4.4.2 connection dropped"  # never reaches the client: the connection is gone
                elif not answer.startswith("250"):
                    self.sink.turned_away += 1
                    return answer
            self.sink.received.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
            self.sink.peers.append(tuple(session.peer[:2]))
            number = len(self.sink.received)
        if self.sink.delay:  # kept, not yet answered: the moment a sender cut off cannot know about
            await asyncio.sleep(self.sink.delay)
        return f"250 2.0.0 Ok: queued as SINK{number}"


class SmtpSink:
    user = "relay-user"
    password = "relay-secret-pw"

    def __init__(self, *, tls: bool = False) -> None:
        self.tls = tls
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.received: list[tuple[str, list[str], bytes]] = []
        self.answers: list[str] = []
        self.refuse: dict[str, str] = {}
        self.turned_away = 0
        self.peers: list[tuple[str, int]] = []
        self.delay = 0.0  # seconds between keeping a message and answering
        self.lock = threading.Lock()
        self._dir = Path(tempfile.mkdtemp(prefix="sportello-smtp-"))
        self._controller: Controller | None = None

    @property
    def cafile(self) -> Path:
        return self._dir / "cert.pem"

    def _context(self) -> ssl.SSLContext:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(self._dir / "key.pem"), "-out", str(self.cafile),
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cafile, self._dir / "key.pem")
        return context

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user \
            and auth_data.password.decode() == self.password  # fmt: skip
        return AuthResult(success=ok, handled=False)  # handled=True (the default) would leave a failure unanswered

    def start(self) -> SmtpSink:
        options: dict = {}
        if self.tls:
            options = dict(tls_context=self._context(), require_starttls=True, auth_required=True,
                           auth_require_tls=True, authenticator=self._authenticate)  # fmt: skip
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10,
                                      server_hostname="127.0.0.1", **options)  # fmt: skip
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            with contextlib.suppress(Exception):
                self._controller.stop()
            self._controller = None

    def url(self) -> str:
        return f"smtp{'+starttls' if self.tls else ''}://{self.host}:{self.port}"

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def running_sink(*, tls: bool = False) -> Iterator[SmtpSink]:
    sink = SmtpSink(tls=tls).start()
    try:
        yield sink
    finally:
        sink.stop()


def fake_sendmail(folder: Path) -> Path:
    """A ``sendmail`` program in ``folder``: call N keeps its arguments (one a line) as ``N.args`` and
    its input as ``N.eml`` (``N.refused`` when it fails); it exits with the number in ``folder/exit``
    (0 when absent) and writes ``folder/stderr`` (if any) to its standard error."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "sendmail"
    program.write_text(
        "#!/bin/sh\n"
        f'dir="{folder}"\n'
        'code=$(cat "$dir/exit" 2>/dev/null || echo 0)\n'
        'n=$(ls "$dir" | grep -c "\\.args$")\n'
        'printf "%s\\n" "$@" > "$dir/$n.args"\n'
        'cat > "$dir/$n.part"\n'
        'if [ "$code" = 0 ]; then mv "$dir/$n.part" "$dir/$n.eml"; else mv "$dir/$n.part" "$dir/$n.refused"; fi\n'
        'if [ -f "$dir/stderr" ]; then cat "$dir/stderr" >&2; fi\n'
        'exit "$code"\n'
    )
    program.chmod(0o755)
    return program
