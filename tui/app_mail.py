"""The app's side of mail: fetching in a background job every minute while ``[mail]`` is configured (never two
fetches at once, never on the UI thread, never holding up a quit: :mod:`tui.background`), what every header says
about it, and fetching now (``ctrl+g``). A background fetch that keeps failing says so once, then the header
shows ✗ until one works again. Sending is :mod:`tui.app_mail_out`'s.

Without ``[mail]`` nothing here runs and nothing shows: no timer, no header part, no key in help or the palette.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message
from textual.signal import Signal

from models.errors import SportelloError
from tui.background import BackgroundJob
from tui.errors import error_line
from tui.text.safe import one_line

if TYPE_CHECKING:
    from tui.desk.desk import Desk
    from tui.desk.mail_out_rows import OutboxStateRow
    from tui.desk.mail_rows import FetchRow, MailStateRow

__all__ = ["MailFetcher", "MAIL_FETCH_SECONDS", "FIRST_FETCH_SECONDS", "NO_MAIL", "fetch_words"]

#: How often the open app fetches mail.
MAIL_FETCH_SECONDS = 60.0
#: How soon after start the first fetch runs (the first frame comes first).
FIRST_FETCH_SECONDS = 2.0
#: What to do when mail is not configured.
NO_MAIL = 'Mail is not configured: add a [mail] table with from = "…" to config.toml (see the README), then restart.'

#: The app's actions that exist only while mail is configured (the palette and help leave them out otherwise).
MAIL_ACTIONS = ("fetch_mail", "mail_quarantine", "mail_outbox")


class MailFetcher:
    """Mail for :class:`tui.app.SportelloApp` (a mixin): call :meth:`_init_mail` from ``__init__`` and
    :meth:`_start_mail` from ``on_mount``. Its workers post their news to the app; the handlers are named
    ``on_mail_fetcher_…`` (``@on`` is not read in a class that is not a Textual one)."""

    @dataclass
    class StateRead(Message, bubble=False):
        state: MailStateRow

    @dataclass
    class Fetched(Message, bubble=False):
        """A fetch ended: how it went (None: it could not run, ``error`` says why), the mail state after it;
        ``background``: not asked for."""

        result: FetchRow | None
        state: MailStateRow | None
        error: str | None
        background: bool

    desk: Desk
    now: Callable[[], datetime]
    poll: float | None
    keymap: Mapping[str, str]
    mail_fetched: Signal[None]
    # the sending half's (tui.app_mail_out.MailSender), shown in the same part of the header
    outbox_row: OutboxStateRow | None
    mail_sending: bool
    send_problem: str | None

    def _init_mail(self) -> None:
        self.mail_text = ""  # what every DeskHeader shows about mail ("" without [mail])
        self.mail_shorter: tuple[str, ...] = ()  # shorter ways to say it, for a narrow header
        self.mail_fetching = False  # a fetch runs now (never two at once)
        self.mail_state_row: MailStateRow | None = None
        self.mail_fetched_at: datetime | None = None  # when the last fetch ended (the app's clock)
        self.mail_problem: str | None = None  # what stopped the last fetch
        self._fetch_job = BackgroundJob("mail-fetch")
        self.mail_fetched = Signal(self, "mail-fetched")

    @property
    def mail_shown(self) -> bool:
        """Whether the app shows mail at all: config.toml has a ``[mail]`` table (a broken one included)."""
        return self.desk.mail_configured or bool(self.desk.mail_error)

    def _start_mail(self) -> None:
        """At mount: the header's mail state, then a fetch soon after start and every minute (with the poll)."""
        if not self.mail_shown:
            return
        self._show_mail()
        if not self.desk.mail_configured:
            return
        self.read_mail_state()
        if self.poll:
            self.set_timer(FIRST_FETCH_SECONDS, lambda: self.fetch_mail_now(background=True))
            self.set_interval(MAIL_FETCH_SECONDS, lambda: self.fetch_mail_now(background=True))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in MAIL_ACTIONS:
            return self.mail_shown
        return super().check_action(action, parameters)  # type: ignore[misc]

    # --- the header ---------------------------------------------------------------------------

    def read_mail_state(self) -> None:
        self.run_worker(self._read_mail_state, thread=True, group="mail-state", exclusive=True, exit_on_error=False)

    def _read_mail_state(self) -> None:
        self.post_message(self.StateRead(self.desk.mail_state()))

    def on_mail_fetcher_state_read(self, message: StateRead) -> None:
        self.mail_state_row = message.state
        self._show_mail()

    def _show_mail(self) -> None:
        from tui.widgets.header import DeskHeader, mail_variants

        said = mail_variants(self.mail_state_row, self.mail_fetched_at, problem=self.mail_problem,
                             config_error=self.desk.mail_error, fetching=self.mail_fetching, outbox=self.outbox_row,
                             sending=self.mail_sending, send_problem=self.send_problem)  # fmt: skip
        self.mail_text, self.mail_shorter = said[0], said[1:]
        for screen in self.screen_stack:
            for header in screen.query(DeskHeader):
                header.set_mail(self.mail_text, self.mail_shorter)

    def post_from_job(self, message: Message) -> None:
        """Post ``message`` from a background job's thread; nothing when the app has gone meanwhile."""
        try:
            self.post_message(message)
        except RuntimeError:  # the event loop closed: the app quit while the job ran
            pass

    # --- fetching -----------------------------------------------------------------------------

    def action_fetch_mail(self) -> None:
        self.fetch_mail_now()

    def action_mail_quarantine(self) -> None:
        self.open_mail_quarantine()

    def fetch_mail_now(self, *, background: bool = False) -> None:
        """Fetch every configured source once, in a worker; one fetch at a time."""
        if self.desk.mail_error:
            if not background:
                self.notify(one_line(f"config.toml [mail] cannot be used: {self.desk.mail_error}", 400),
                            severity="error", markup=False, timeout=10)  # fmt: skip
            return
        if not self.desk.mail_configured:
            if not background:
                self.notify(NO_MAIL, severity="warning", markup=False, timeout=10)
            return
        if self.mail_fetching:
            if not background:
                self.notify("Mail is being fetched already.", markup=False)
            return
        if self._fetch_job.start(lambda: self._fetch_mail(background), self.post_from_job):
            self.mail_fetching = True
            self._show_mail()

    def _fetch_mail(self, background: bool) -> Fetched:
        """(In the fetch job's thread.) One fetch of every source, stopping between messages when the app quits;
        what became of it, for the app."""
        result = state = error = None
        try:
            try:
                result = self.desk.fetch_mail(should_stop=self._fetch_job.stopping)
            except SportelloError as err:
                error = err.message
            try:
                state = self.desk.mail_state()
            except SportelloError as err:
                error = error or err.message
        except Exception as exc:  # a bug: said like a worker's error, never a trace on the screen
            error = error_line(exc)
        return self.Fetched(result, state, error, background)

    def stop_fetching(self) -> None:
        """The app quits: a fetch going stops at its next message; its thread never holds the exit up."""
        self._fetch_job.stop()

    def on_mail_fetcher_fetched(self, message: Fetched) -> None:
        result, error = message.result, message.error
        problem = error or (result.problems[0] if result is not None and result.problems else None)
        was_failing = self.mail_problem is not None
        self.mail_fetching = False
        self.mail_fetched_at = self.now()
        self.mail_problem = one_line(problem, 200) if problem else None
        if message.state is not None:
            self.mail_state_row = message.state
        self._show_mail()
        self.mail_fetched.publish(None)
        if problem:
            if not (message.background and was_failing):  # a background fetch that keeps failing says so once
                more = (
                    f" (and {len(result.problems) - 1} more)" if result is not None and len(result.problems) > 1 else ""
                )
                self.notify(one_line(f"Mail: {problem}{more}", 400), severity="error", markup=False, timeout=10)
            return
        if result is not None and (not message.background or result.quarantined):
            from tui.keys import bindings_of, keys_text

            key = keys_text(bindings_of([type(self)])["app.mail_quarantine"], self.keymap)
            self.notify(one_line(fetch_words(result, key), 300), markup=False,
                        severity="warning" if result.quarantined else "information")  # fmt: skip


def fetch_words(result: FetchRow, quarantine_key: str = "Q") -> str:
    """``Mail: 3 new, 1 in quarantine`` — how one fetch went, for a notice."""
    if not result.taken:
        return "Mail: nothing new."
    words = [f"{result.new} new"]
    if result.duplicates:
        words.append(f"{result.duplicates} already on the desk")
    if result.automatic:
        words.append(f"{result.automatic} automatic")
    if result.quarantined:
        words.append(f"{result.quarantined} in quarantine ({quarantine_key} shows them)")
    return "Mail: " + ", ".join(words) + "."
