"""The app's side of mail going out: with a relay in ``[mail]`` (``smtp_url``) the app sends what the outbox holds
in a background job — shortly after start, a second after a public reply, and every minute with the fetch; never
two sends at once, never on the UI thread, never holding up a quit (:mod:`tui.background`) — and the outbox
screen's ``s`` sends now. Every header's mail part says what waits to go out and what needs a look (failed, may
have been sent, held); ``O`` opens the outbox.

With ``[mail]`` but no relay the app sends nothing (a server's ``sportello mail run`` does) and still counts the
outbox. Without ``[mail]`` nothing here runs and nothing shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message
from textual.signal import Signal

from models.errors import SportelloError
from tui.background import BackgroundJob
from tui.errors import error_line
from tui.text.safe import one_line

if TYPE_CHECKING:
    from tui.desk.desk import Desk
    from tui.desk.mail_out_rows import OutboxStateRow, SendRow

__all__ = ["MailSender", "SEND_AFTER_REPLY_SECONDS", "FIRST_SEND_SECONDS", "SEND_GRACE_SECONDS", "send_words"]

#: How soon after a public reply the app sends it (the composer showed what goes out).
SEND_AFTER_REPLY_SECONDS = 1.0
#: How soon after start the first send runs (after the first fetch has begun).
FIRST_SEND_SECONDS = 3.0
#: At quit, how long a send in the middle of handing a message over is given to record it.
SEND_GRACE_SECONDS = 0.5


class MailSender:
    """Mail out for :class:`tui.app.SportelloApp` (a mixin beside :class:`tui.app_mail.MailFetcher`, whose header
    part it shares): :meth:`_init_mail_out` from ``__init__``, :meth:`_start_mail_out` from ``on_mount``; handlers
    are named ``on_mail_sender_…``."""

    @dataclass
    class OutboxRead(Message, bubble=False):
        outbox: OutboxStateRow

    @dataclass
    class MailSent(Message, bubble=False):
        """A send ended: how it went (None: it could not run, ``error`` says why), the outbox after it;
        ``background``: not asked for."""

        result: SendRow | None
        outbox: OutboxStateRow | None
        error: str | None
        background: bool

    desk: Desk
    poll: float | None
    mail_sent: Signal[None]
    if TYPE_CHECKING:  # the app's and MailFetcher's

        def _show_mail(self) -> None: ...

        def post_from_job(self, message: Message) -> None: ...

    def _init_mail_out(self) -> None:
        self.outbox_row: OutboxStateRow | None = None  # None: not read yet, or no [mail]
        self.mail_sending = False  # a send runs now (never two at once)
        self.send_problem: str | None = None  # what stopped the last send
        self._send_again = False  # asked while a send ran: one more when it ends
        self._send_job = BackgroundJob("mail-send")
        self.mail_sent = Signal(self, "mail-sent")

    @property
    def sends_mail(self) -> bool:
        """This app sends: ``[mail]`` is usable and names a relay."""
        return self.desk.mail_configured and self.desk.relay_configured

    def _start_mail_out(self) -> None:
        """At mount (after the fetch's start): the outbox's counts, then a send soon and every minute."""
        if not self.desk.mail_configured:
            return
        self.read_outbox_state()
        if self.sends_mail and self.poll:
            from tui.app_mail import MAIL_FETCH_SECONDS

            self.set_timer(FIRST_SEND_SECONDS, lambda: self.send_mail_now(background=True))  # type: ignore[attr-defined]
            self.set_interval(MAIL_FETCH_SECONDS, lambda: self.send_mail_now(background=True))  # type: ignore[attr-defined]

    # --- the counts -----------------------------------------------------------------------------

    def read_outbox_state(self) -> None:
        """Read the outbox's counts for the header, in a worker (a quick indexed query)."""
        if self.desk.mail_configured:
            self.run_worker(self._read_outbox_state, thread=True, group="mail-outbox-state", exclusive=True,  # type: ignore[attr-defined]
                            exit_on_error=False)  # fmt: skip

    def _read_outbox_state(self) -> None:
        # An app that sends starts the outbox now if it never started: a reply written before the first send
        # is mailed, and nothing before it ever is.
        self.post_message(self.OutboxRead(self.desk.outbox_state(start=self.sends_mail)))  # type: ignore[attr-defined]

    def on_mail_sender_outbox_read(self, message: OutboxRead) -> None:
        self.outbox_row = message.outbox
        self._show_mail()

    # --- sending ----------------------------------------------------------------------------------

    def action_mail_outbox(self) -> None:
        self.open_mail_outbox()  # type: ignore[attr-defined]

    def send_mail_soon(self) -> None:
        """A public reply was just written: send it shortly (what goes out was shown before it was written)."""
        if self.sends_mail:
            self.set_timer(SEND_AFTER_REPLY_SECONDS, lambda: self.send_mail_now(background=True))  # type: ignore[attr-defined]
        elif self.desk.mail_configured:
            self.read_outbox_state()

    def send_mail_now(self, *, background: bool = False) -> None:
        """Send what the outbox holds, in the send job; one send at a time (asked during one: once more after)."""
        if not self.sends_mail:
            if not background:
                from tui.desk.mail_out import NO_RELAY

                problem = self.desk.mail_error or (NO_RELAY if self.desk.mail_configured else None)
                self.notify(one_line(f"Mail is not sent from this app: {problem}" if problem else  # type: ignore[attr-defined]
                                     "Mail is not configured (see the README's Mail out).", 400),
                            severity="warning", markup=False, timeout=10)  # fmt: skip
            return
        if self._send_job.running:
            self._send_again = True
            if not background:
                self.notify("Mail is being sent already; the rest goes next.", markup=False)  # type: ignore[attr-defined]
            return
        if self._send_job.start(lambda: self._send_mail(background), self.post_from_job):
            self.mail_sending = True
            self._show_mail()

    def _send_mail(self, background: bool) -> MailSent:
        """(In the send job's thread.) One round of sending, stopping between messages when the app quits; what
        became of it, for the app."""
        result = outbox = error = None
        try:
            try:
                result = self.desk.send_mail(should_stop=self._send_job.stopping)
            except SportelloError as err:
                error = err.message
            try:
                outbox = self.desk.outbox_state()
            except SportelloError as err:
                error = error or err.message
        except Exception as exc:  # a bug: said like a worker's error, never a trace on the screen
            error = error_line(exc)
        return self.MailSent(result, outbox, error, background)

    def on_mail_sender_mail_sent(self, message: MailSent) -> None:
        result = message.result
        problem = message.error or (result.error if result is not None else None)
        was_failing = self.send_problem is not None
        self.mail_sending = False
        if problem:
            self.send_problem = one_line(problem, 200)
        elif result is not None and (result.sent or not result.waiting):
            self.send_problem = None  # the relay took mail, or nothing waits for it: no longer a problem
        # else nothing was due (a retry waits for its time): the relay was not tried, what was said still holds
        if message.outbox is not None:
            self.outbox_row = message.outbox
        self._show_mail()
        self.mail_sent.publish(None)
        if problem:
            if not (message.background and was_failing):  # a background send that keeps failing says so once
                self.notify(one_line(f"Mail not sent: {problem}", 400), severity="error", markup=False, timeout=10)  # type: ignore[attr-defined]
        elif result is not None and (not message.background or result.failed or result.unknown):
            bad = bool(result.failed or result.unknown)
            self.notify(one_line(send_words(result), 300), severity="warning" if bad else "information",  # type: ignore[attr-defined]
                        markup=False)  # fmt: skip
        if self._send_again and not self._send_job.stopping():
            self._send_again = False
            self.send_mail_now(background=True)

    def stop_sending(self, grace: float = 0.0) -> None:
        """The app quits: a send going stops after the message it is handing over (given up to ``grace`` seconds
        to record it); its thread never holds the exit up."""
        self._send_job.stop(grace if self._send_job.running else 0.0)


def send_words(result: SendRow) -> str:
    """``Mail: 2 sent, 1 will be retried, 1 failed.`` — how one send went, for a notice."""
    # Held mail is not this send's news (the header counts it): failed and maybe-sent are.
    words = [f"{count} {what}" for count, what in ((result.sent, "sent"), (result.retrying, "will be retried"),
                                                   (result.failed, "failed"), (result.unknown, "may have been sent"))
             if count]  # fmt: skip
    if not words:
        return "Mail: nothing to send." if not result.waiting else f"Mail: {result.waiting} waiting for a retry."
    return "Mail: " + ", ".join(words) + "."
