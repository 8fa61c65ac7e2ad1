"""The Sportello app: the home screen, global keys and the keymap, the command palette, live updates, drafts,
quitting and terminal hygiene. Opening screens is :mod:`tui.navigation`'s job, sync's :mod:`tui.app_sync`'s, mail's
:mod:`tui.app_mail`'s (in) and :mod:`tui.app_mail_out`'s (out)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from models.errors import InvalidInput, SportelloError
from tui.app_mail import MailFetcher
from tui.app_mail_out import SEND_GRACE_SECONDS, MailSender
from tui.app_sync import NO_REMOTE, SyncRunner
from tui.desk.desk import Desk, DraftRow
from tui.drafts import DraftBook
from tui.errors import error_line
from tui.keys import bindings_of, check_keymap, clashes
from tui.navigation import Navigation
from tui.news import DeskChange, Quitting
from tui.palette import PaletteCommands, binding_commands
from tui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from tui.terminal.input import tolerate_bad_bytes
from tui.text.safe import one_line

if TYPE_CHECKING:
    from models.search.views import View
    from sync import RemoteConfig
    from tui.widgets.queue_table import FirstPage

__all__ = ["SportelloApp", "DraftBook", "TooSmallScreen", "MIN_WIDTH", "MIN_HEIGHT", "POLL_SECONDS", "NO_REMOTE",
           "run_app", "configured_remotes", "preload"]  # fmt: skip

#: How often an open app writes the SLA alerts that fell due (``sportello sla check`` does the same from cron).
SLA_SWEEP_SECONDS = 30

#: How often the app looks for changes made by others (one indexed MAX() per look).
POLL_SECONDS = 1.0

#: At most this often the poll also reads the sync status for the header (a few small queries).
SYNC_STATUS_SECONDS = 5.0

#: How long typing must pause before the draft is written to the desk.
DRAFT_SAVE_SECONDS = 0.5


class SportelloApp(Navigation, MailFetcher, MailSender, SyncRunner, App[None]):
    """A terminal helpdesk: triage the queue, follow each ticket's timeline, change it safely."""

    CSS_PATH = "sportello.tcss"
    TITLE = "Sportello"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("colon", "command_palette", "Palette", show=False, id="app.palette"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette_ctrl"),
        Binding("ctrl+g", "fetch_mail", "Fetch mail", show=False, tooltip="Fetch mail now", id="app.fetch_mail"),
        Binding(
            "Q",
            "mail_quarantine",
            "Mail quarantine",
            show=False,
            tooltip="Mail that could not be processed: read it, run it again",
            id="app.mail_quarantine",
        ),  # fmt: skip
        Binding(
            "O",
            "mail_outbox",
            "Mail outbox",
            show=False,
            tooltip="Mail going out: what waits, what failed and why; resend, send now",
            id="app.mail_outbox",
        ),  # fmt: skip
    ]
    #: The app's own keys the palette offers on every screen (binding id -> title).
    PALETTE = {"app.help": "Help", "app.fetch_mail": "Fetch mail now", "app.mail_quarantine": "Mail quarantine",
               "app.mail_outbox": "Mail outbox"}  # fmt: skip

    @dataclass
    class LatestChange(Message, bubble=False):
        """The desk's latest change, read by the poll worker and posted back to the app (see tui.screens)."""

        latest: int

    def __init__(
        self,
        desk: Desk,
        *,
        now: Callable[[], datetime] | None = None,
        blink: bool = True,
        poll: float | None = POLL_SECONDS,
        views: list[View] | None = None,
        first_page: FirstPage | None = None,
        remotes: dict[str, RemoteConfig] | None = None,
        remote_error: str | None = None,
        drafts: list[DraftRow] | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._init_sync(remotes or {}, remote_error)
        self._init_mail()
        self._init_mail_out()
        self.desk = desk
        self.now = now or desk.now
        self.blink = blink
        self.poll = poll
        self.latest_change = 0
        # (ticket, reply|note) -> unsent text, this agent's, kept in the desk (one indexed query at start)
        self.drafts = DraftBook(desk, desk.drafts() if drafts is None else drafts)
        self._draft_timer = None
        self.animation_level = "none"
        self._started = False
        self._asking_to_quit = False
        self._views = views
        self._first_page = first_page
        self._keys_asked = dict(keys or {})  # config.toml's [keys]: binding id -> keys
        self.keymap: dict[str, str] = {}  # the part of it in force, as written there (help and the palette show it)
        self.desk_changed: Signal[DeskChange] = Signal(self, "desk-changed")
        self.sync_done: Signal[None] = Signal(self, "sync-done")
        self.quitting: Signal[Quitting] = Signal(self, "quitting")

    def on_mount(self) -> None:
        self.call_after_refresh(gc.freeze)  # the app's own objects live as long as it does: stop rescanning them
        if self._keys_asked:
            self._use_keys(self._keys_asked)
        self.open_queue(views=self._views, first_page=self._first_page)
        self._started = True
        if self.poll:
            self.set_interval(self.poll, self.look_for_changes)
            self.set_interval(SLA_SWEEP_SECONDS, self.sweep_sla)
            for remote in self.remotes.values():
                if remote.interval > 0:
                    self.set_interval(remote.interval, lambda name=remote.name: self.sync_now([name], background=True))
        self._show_sync()
        self.read_sync_status()
        self._start_mail()
        self._start_mail_out()
        self._check_size()

    def on_unmount(self) -> None:
        # However the app ends: the mail jobs stop at their next message, and their threads never hold the exit.
        self.stop_fetching()
        self.stop_sending()

    # --- live updates --------------------------------------------------------------------

    def look_for_changes(self) -> None:
        self.run_worker(self._latest_change, thread=True, group="poll", exclusive=True, exit_on_error=False)

    def sweep_sla(self) -> None:
        """Write the SLA warnings and breaches that fell due (they then arrive as changes)."""
        self.run_worker(self.desk.sla_sweep, thread=True, group="sla", exclusive=True, exit_on_error=False)

    def _latest_change(self) -> None:
        self.post_message(self.LatestChange(self.desk.latest_change()))
        if self.sync_status is not None and time.monotonic() - self._sync_read_at >= SYNC_STATUS_SECONDS:
            self._read_sync_status()  # only once the desk is known to sync (read at start, and after a sync)

    @on(LatestChange)
    def _changed(self, message: LatestChange) -> None:
        latest = message.latest
        if latest == self.latest_change:
            return
        first = self.latest_change == 0
        self.latest_change = latest
        self.desk_changed.publish(DeskChange(latest, first))

    # --- errors from workers -------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    def report_error(self, error: BaseException) -> None:
        """Tell an error of a worker, the app's or a screen's (``ReportWorkerErrors``), in one line."""
        self.notify(one_line(error_line(error), 400), severity="error", markup=False, timeout=10)

    # --- size ----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        if self._started:  # before on_mount the home screen is not there to cover yet
            self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        """Cover the app with a notice while the terminal is below 80×24; lift it when it grows."""
        if width is None or height is None:
            width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        top = self.screen_stack[-1] if self.screen_stack else None
        if small:
            if isinstance(top, TooSmallScreen):
                top.show(width, height)
            elif not any(isinstance(s, TooSmallScreen) for s in self.screen_stack):
                screen = TooSmallScreen()
                self.push_screen(screen)
                self.call_after_refresh(screen.show, width, height)
        else:
            while isinstance(self.screen_stack[-1], TooSmallScreen):
                self.pop_screen()

    # --- drafts ------------------------------------------------------------------------------

    def save_drafts_soon(self) -> None:
        """Write the drafts once typing pauses for DRAFT_SAVE_SECONDS."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_SAVE_SECONDS, self.save_drafts)

    def save_drafts(self) -> None:
        """Write the changed drafts now, in a worker."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.drafts.dirty:
            self.run_worker(self.drafts.write, thread=True, group="drafts", exit_on_error=False)

    def _save_drafts_before_exit(self) -> None:
        """At quit, on the UI thread: nothing typed may be lost, and the app is leaving anyway."""
        try:
            self.drafts.write()
        except SportelloError as err:
            self.notify(one_line(f"Drafts not saved: {err.message}", 400), severity="error", markup=False)
            raise

    # --- quitting ----------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; with drafts kept or unsaved work (an FAQ article being edited), ask first."""
        news = Quitting()  # the screens keep the very last keys typed, before their Changed message lands
        self.quitting.publish(news)
        unsaved = news.unsaved
        kept = self.drafts.summary()
        if (not unsaved and not kept) or self._asking_to_quit:  # ctrl+q twice: quit all the same
            self._exit_keeping_drafts()
            return
        from tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            self._asking_to_quit = False
            if yes:
                self._exit_keeping_drafts()

        self._asking_to_quit = True
        if unsaved:
            question = f"Quit and lose your unsaved changes to {one_line(unsaved[0], 60)}?"
            if kept:
                question += f" ({kept} are kept.)"
        else:
            one = len(self.drafts) == 1
            question = (f"{kept} {'is' if one else 'are'} kept in the desk; {'it comes' if one else 'they come'} back "
                        "when you open the ticket. Quit?")  # fmt: skip
        self.push_screen(ConfirmDialog(question, yes="Quit", no="Stay"), answered)

    def _exit_keeping_drafts(self) -> None:
        try:
            self._save_drafts_before_exit()
        except SportelloError:
            return  # said; the app stays open so the text is not lost
        self.stop_fetching()  # a fetch hanging on its server is left behind: its thread never holds the exit
        self.stop_sending(SEND_GRACE_SECONDS)  # a message being handed over has a moment to be recorded
        self.exit()

    # --- help, the palette and the keymap ----------------------------------------------------

    def action_help(self) -> None:
        self.show_help()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if isinstance(screen, PaletteCommands):
            for command in screen.palette_commands():
                yield SystemCommand(*command)
        for command in binding_commands(self, self.PALETTE, self.keymap):
            yield SystemCommand(*command)
        yield from super().get_system_commands(screen)

    def _use_keys(self, keys: Mapping[str, str]) -> None:
        """Remap the keys as config.toml's ``[keys]`` asks. Entries that name no binding or no key are said in
        one notice (those bindings keep their keys); keys taken from other bindings in another."""
        from tui.key_reference import bound_classes

        classes = bound_classes(type(self))
        self.keymap, problems = check_keymap(keys, bindings_of(classes))
        self.set_keymap(self.keymap)
        if problems:
            self.notify(one_line(f"config.toml [keys]: {'; '.join(problems)}. Those keys are as usual.", 600),
                        severity="error", markup=False, timeout=20)  # fmt: skip
        lost = clashes(self.keymap, classes)
        if lost:
            self.notify(one_line(f"config.toml [keys]: {'; '.join(lost)}.", 600), severity="warning", markup=False,
                        timeout=20)  # fmt: skip


def preload(desk: Desk) -> tuple[list[View], FirstPage]:
    """The views and the first view's first page and count: a few indexed queries, made before
    the app starts so that its first frame already shows tickets (see tests/benchmarks/tui.py)."""
    from tui.desk.queue_window import CHUNK
    from tui.screens.queue import combine_queries
    from tui.widgets.queue_table import FirstPage

    views = desk.views()
    query = combine_queries(views[0].query, "")
    rows, next_cursor = desk.queue_page(query, limit=CHUNK)
    total = len(rows) if next_cursor is None else desk.count(query)
    return views, FirstPage(query, tuple(rows), next_cursor, total)


def configured_remotes(config) -> tuple[dict[str, RemoteConfig], str | None]:
    """The remotes of ``config`` (a ``models.store.config.Config``) and, when they cannot be read, why.

    ``sync`` (and httpx) load only when config.toml has a ``[remotes]`` table: start-up time.
    """
    if config is None or not config.remotes:
        return {}, None
    from sync import remotes_from

    try:
        return remotes_from(config), None
    except InvalidInput as err:
        return {}, err.message


def run_app(url: str, *, as_login: str | None = None, mouse: bool = True, config=None) -> None:
    """Open the desk at ``url`` and run the app until the user quits; ``config`` names the remotes, mail and the keys."""
    desk = Desk.open(url, as_login=as_login)
    desk.configure_mail(config)
    views, first_page = preload(desk)
    remotes, remote_error = configured_remotes(config)
    keys = config.keys if config is not None else None
    tolerate_bad_bytes()
    app = SportelloApp(desk, views=views, first_page=first_page, remotes=remotes, remote_error=remote_error, keys=keys)
    app.run(mouse=mouse)
