"""The Sportello app: screens, global keys, the command palette, live updates and terminal hygiene."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from models.errors import InvalidInput, SportelloError
from tui.desk.desk import Desk, DraftRow

if TYPE_CHECKING:
    from models.search.views import View
    from sync import RemoteConfig
    from tui.desk.desk import SyncStatus
    from tui.widgets.queue_table import FirstPage
from tui.errors import error_line
from tui.terminal.input import tolerate_bad_bytes
from tui.text.safe import one_line

__all__ = ["SportelloApp", "DraftBook", "MIN_WIDTH", "MIN_HEIGHT", "POLL_SECONDS", "run_app", "configured_remotes"]

#: How often an open app writes the SLA alerts that fell due (``sportello sla check`` does the same from cron).
SLA_SWEEP_SECONDS = 30

MIN_WIDTH, MIN_HEIGHT = 80, 24

#: How often the app looks for changes made by others (one indexed MAX() per look).
POLL_SECONDS = 1.0

#: At most this often the poll also reads the sync status for the header (a few small queries).
SYNC_STATUS_SECONDS = 5.0

#: What to do when no remote is configured.
NO_REMOTE = "No remote is configured: add a [remotes.NAME] table to config.toml (see the README), then restart."


#: How long typing must pause before the draft is written to the desk.
DRAFT_SAVE_SECONDS = 0.5


class DraftBook(Mapping):
    """This agent's unsent drafts, ``(ticket, "reply"|"note") -> text``, kept in the desk.

    Changes land here at once (on the UI thread) and reach the desk with :meth:`write`, from a
    worker or at quit. ``write`` stores what the book holds when it runs, under one lock, so a
    slow write never puts back older text, and a send (also under the lock) is never followed by
    its draft coming back.
    """

    def __init__(self, desk: Desk, rows: Iterable[DraftRow] = ()) -> None:
        self._desk = desk
        self._rows: dict[tuple[int, str], DraftRow] = {(r.ticket, r.kind): r for r in rows}
        self._dirty: set[tuple[int, str]] = set()
        self._lock = threading.Lock()

    def __getitem__(self, key: tuple[int, str]) -> str:
        return self._rows[key].body

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return iter(sorted(self._rows))

    def __len__(self) -> int:
        return len(self._rows)

    def faq_ids(self, number: int, kind: str) -> tuple[int, ...]:
        """The FAQ articles inserted into the draft: linked when it is sent."""
        row = self._rows.get((number, kind))
        return row.faq_ids if row else ()

    def put(self, number: int, kind: str, body: str) -> None:
        """The draft's text now (blank: no draft)."""
        key = (number, kind)
        row = self._rows.get(key)
        if not body.strip():
            if self._rows.pop(key, None) is not None:
                self._dirty.add(key)
        elif row is None or row.body != body:
            self._rows[key] = DraftRow(number, kind, body, row.faq_ids if row else ())
            self._dirty.add(key)

    def add_faq(self, number: int, kind: str, article_id: int) -> None:
        key = (number, kind)
        row = self._rows.get(key) or DraftRow(number, kind, "")
        if article_id not in row.faq_ids:
            self._rows[key] = DraftRow(number, kind, row.body, row.faq_ids + (article_id,))
            self._dirty.add(key)

    def forget(self, number: int, kind: str) -> None:
        """Discard the draft (the desk forgets it with the next write)."""
        self._rows.pop((number, kind), None)
        self._dirty.add((number, kind))

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def summary(self) -> str:
        """``2 unsent drafts (#12 reply, #40 note)``, or "" when there are none."""
        keys = list(self)
        if not keys:
            return ""
        where = ", ".join(f"#{n} {kind}" for n, kind in keys[:5]) + (", …" if len(keys) > 5 else "")
        return f"{len(keys)} unsent draft{'s' if len(keys) != 1 else ''} ({where})"

    def write(self) -> None:
        """Store the changed drafts in the desk (blocking: call it from a worker, or at quit)."""
        with self._lock:
            while self._dirty:
                key = self._dirty.pop()
                row = self._rows.get(key)
                try:
                    if row is None or not row.body.strip():
                        self._desk.discard_draft(*key)
                    else:
                        self._desk.save_draft(row)
                except BaseException:
                    self._dirty.add(key)  # tried again with the next write
                    raise

    def send(self, number: int, kind: str, body: str, version: int | None) -> None:
        """Send ``body`` with the FAQ links of its draft; the draft is gone unless typing went on."""
        key = (number, kind)
        with self._lock:
            self._desk.send(number, kind, body, version, self.faq_ids(number, kind))
            row = self._rows.get(key)
            if row is None or row.body == body:
                self._rows.pop(key, None)
                self._dirty.discard(key)
            else:  # typed on meanwhile: that text is a draft again, without the links just written
                self._rows[key] = DraftRow(number, kind, row.body)
                self._dirty.add(key)


class TooSmallScreen(Screen):
    """Shown instead of everything else while the terminal is smaller than 80×24."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="small.quit")]

    def compose(self):
        yield Static("", id="too-small")

    def show(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(
            Text(
                f"Terminal too small: {width}×{height}.\nSportello needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\nEnlarge the window, or press ctrl+q to quit."
            )
        )


class SportelloApp(App[None]):
    """A terminal helpdesk: triage the queue, follow each ticket's timeline, change it safely."""

    CSS_PATH = "sportello.tcss"
    TITLE = "Sportello"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("colon", "command_palette", "Palette", show=False, id="app.palette"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette_ctrl"),
    ]

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
    ) -> None:
        super().__init__()
        self.remotes = remotes or {}  # the configured remotes, by name
        self.remote_error = remote_error  # why config.toml's [remotes] could not be read
        self.sync_status: SyncStatus | None = None
        self.sync_text = ""  # what every DeskHeader shows about sync
        self.syncing = False  # a sync runs now (never two at once)
        self.sync_progress: str | None = None  # how far it is ("pull 40%"), while it runs
        self._sync_lock = threading.Lock()
        self._sync_read_at = 0.0
        self._failing: set[str] = set()  # remotes whose last sync from this app failed
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

    def on_mount(self) -> None:
        from tui.screens.queue import QueueScreen

        self.call_after_refresh(gc.freeze)  # the app's own objects live as long as it does: stop rescanning them
        self.push_screen(QueueScreen(self.desk, now=self.now, views=self._views, first_page=self._first_page))
        self._started = True
        if self.poll:
            self.set_interval(self.poll, self.look_for_changes)
            self.set_interval(SLA_SWEEP_SECONDS, self.sweep_sla)
            for remote in self.remotes.values():
                if remote.interval > 0:
                    self.set_interval(remote.interval, lambda name=remote.name: self.sync_now([name], background=True))
        self._show_sync()
        self.read_sync_status()
        self._check_size()

    # --- live updates --------------------------------------------------------------------

    def look_for_changes(self) -> None:
        self.run_worker(self._latest_change, thread=True, group="poll", exclusive=True, exit_on_error=False)

    def sweep_sla(self) -> None:
        """Write the SLA warnings and breaches that fell due (they then arrive as changes)."""
        self.run_worker(self.desk.sla_sweep, thread=True, group="sla", exclusive=True, exit_on_error=False)

    def _latest_change(self) -> None:
        latest = self.desk.latest_change()
        self.call_from_thread(self._changed, latest)
        if self.sync_status is not None and time.monotonic() - self._sync_read_at >= SYNC_STATUS_SECONDS:
            self._read_sync_status()  # only once the desk is known to sync (read at start, and after a sync)

    # --- sync ----------------------------------------------------------------------------

    def read_sync_status(self) -> None:
        """Read what the header says about sync, in a worker."""
        self.run_worker(self._read_sync_status, thread=True, group="sync-status", exclusive=True, exit_on_error=False)

    def _read_sync_status(self) -> None:
        self._sync_read_at = time.monotonic()
        status = self.desk.sync_status()
        self.call_from_thread(self._sync_status_read, status)

    def _sync_status_read(self, status: SyncStatus) -> None:
        synced = bool(status.remotes or status.conflicts)
        self.sync_status = status if (synced or self.remotes) else None
        self._show_sync()

    def _show_sync(self) -> None:
        from tui.widgets.header import DeskHeader, sync_line

        self.sync_text = sync_line(self.sync_status, tuple(self.remotes), self.now(), error=self.remote_error,
                                   running=self.syncing, progress=self.sync_progress)  # fmt: skip
        for screen in self.screen_stack:
            for header in screen.query(DeskHeader):
                header.set_sync(self.sync_text)

    def action_sync(self) -> None:
        self.sync_now()

    def sync_now(self, names: list[str] | None = None, *, background: bool = False) -> None:
        """Sync with the remotes ``names`` (default: every configured one) in a worker; one sync at a time."""
        if self.remote_error:
            if not background:
                self.notify(one_line(f"The remote config is invalid: {self.remote_error}", 400), severity="error",
                            markup=False, timeout=10)  # fmt: skip
            return
        if not self.remotes:
            if not background:
                self.notify(NO_REMOTE, severity="warning", markup=False, timeout=10)
            return
        if self.syncing:
            if not background:
                self.notify("A sync is running already.", markup=False)
            return
        chosen = [self.remotes[n] for n in (names or list(self.remotes)) if n in self.remotes]
        self.syncing = True
        self._show_sync()
        self.run_worker(lambda: self._sync(chosen, background), thread=True, group="sync", exclusive=True,
                        exit_on_error=False, name="sync")  # fmt: skip

    def _sync(self, chosen: list[RemoteConfig], background: bool) -> None:
        results: list[tuple[str, object | None, str | None]] = []  # (remote, Summary, error message)
        try:
            with self._sync_lock:
                for remote in chosen:
                    try:
                        results.append((remote.name, self.desk.sync(remote, self._sync_progress), None))
                    except SportelloError as err:
                        results.append((remote.name, None, err.message))
        finally:
            self.call_from_thread(self._synced, results, background)

    def _sync_progress(self, stage: str, done: int, total: int | None) -> None:
        """From the syncing thread, once a page: the header says how far it is."""
        from tui.widgets.header import progress_word

        word = progress_word(stage, done, total)
        if word != self.sync_progress:
            self.call_from_thread(self._show_progress, word)

    def _show_progress(self, word: str) -> None:
        self.sync_progress = word
        self._show_sync()

    def _synced(self, results: list, background: bool) -> None:
        self.syncing, self.sync_progress = False, None
        for name, summary, error in results:
            failed = error is not None or bool(summary.errors)
            was_failing = name in self._failing
            (self._failing.add if failed else self._failing.discard)(name)
            if background and failed and was_failing:
                continue  # a background sync that keeps failing says so once, then the header shows ✗
            if error is not None:
                self.notify(one_line(f"{name}: {error}", 400), severity="error", markup=False, timeout=10)
            elif summary.errors:
                self.notify(one_line(f"{name}: pulled {summary.pulled}, pushed {summary.pushed}, {summary.conflicts} "
                                     f"conflicts, {summary.errors} errors (Y shows them)", 400),
                            severity="error", markup=False, timeout=10)  # fmt: skip
            elif not background or summary.conflicts:
                self.notify(one_line(f"{name}: pulled {summary.pulled}, pushed {summary.pushed}, "
                                     f"{summary.conflicts} conflicts", 400),
                            severity="warning" if summary.conflicts else "information", markup=False)  # fmt: skip
        self._show_sync()
        self.read_sync_status()
        for screen in self.screen_stack:
            handler = getattr(screen, "sync_done", None)
            if handler is not None:
                handler()

    def _changed(self, latest: int) -> None:
        if latest == self.latest_change:
            return
        first = self.latest_change == 0
        self.latest_change = latest
        if first:
            for screen in self.screen_stack:
                if hasattr(screen, "seen_change"):
                    screen.seen_change = screen.seen_change or latest
            return
        handler = getattr(self.screen, "desk_changed", None)
        if handler is not None:
            handler(latest)

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
        for screen in self.screen_stack:  # the very last keys typed, before their Changed message lands
            getattr(screen, "keep_typed_draft", lambda: None)()
        unsaved = [what for screen in self.screen_stack if (what := getattr(screen, "unsaved_work", lambda: None)())]
        kept = self.drafts.summary()
        if (not unsaved and not kept) or self._asking_to_quit:  # ctrl+q twice: quit all the same
            self._exit_keeping_drafts()
            return
        from tui.dialogs.pickers import ConfirmScreen

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
        self.push_screen(ConfirmScreen(question, yes="Quit", no="Stay"), answered)

    def _exit_keeping_drafts(self) -> None:
        try:
            self._save_drafts_before_exit()
        except SportelloError:
            return  # said; the app stays open so the text is not lost
        self.exit()

    # --- help and the palette ------------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))  # this screen's keys first

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            for title, help_text, callback in commands():
                yield SystemCommand(title, help_text, callback)
        yield SystemCommand("Help", "Every key, by screen (? or F1)", self.action_help)
        yield from super().get_system_commands(screen)


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
    """Open the desk at ``url`` and run the app until the user quits; ``config`` names the remotes."""
    desk = Desk.open(url, as_login=as_login)
    views, first_page = preload(desk)
    remotes, remote_error = configured_remotes(config)
    tolerate_bad_bytes()
    SportelloApp(desk, views=views, first_page=first_page, remotes=remotes, remote_error=remote_error).run(mouse=mouse)
