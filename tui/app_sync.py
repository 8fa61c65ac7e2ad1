"""The app's side of sync: what every header says about it, and running a sync in a worker, one at a time,
saying how it went (a background sync that keeps failing says so once, then the header shows ✗)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message
from textual.signal import Signal

from models.errors import SportelloError
from tui.text.safe import one_line

if TYPE_CHECKING:
    from sync import RemoteConfig
    from tui.desk.desk import Desk, SyncStatus

__all__ = ["SyncRunner", "NO_REMOTE"]

#: What to do when no remote is configured.
NO_REMOTE = "No remote is configured: add a [remotes.NAME] table to config.toml (see the README), then restart."


class SyncRunner:
    """Sync for :class:`tui.app.SportelloApp` (a mixin): call :meth:`_init_sync` from ``__init__``.

    Its workers post their news to the app (see tui.screens); the handlers are named ``on_sync_runner_…``:
    ``@on`` is not read in a class that is not a Textual one."""

    # What the thread workers found, posted back to the app.

    @dataclass
    class StatusRead(Message, bubble=False):
        status: SyncStatus

    @dataclass
    class Progressed(Message, bubble=False):
        """How far the running sync is, in a word (``pull 40%``)."""

        word: str

    @dataclass
    class Synced(Message, bubble=False):
        """The sync ended: (remote, Summary, error message) for each remote; ``background``: not asked for."""

        results: list
        background: bool

    desk: Desk
    now: Callable[[], datetime]
    sync_done: Signal[None]

    def _init_sync(self, remotes: dict[str, RemoteConfig], remote_error: str | None) -> None:
        self.remotes = remotes  # the configured remotes, by name
        self.remote_error = remote_error  # why config.toml's [remotes] could not be read
        self.sync_status: SyncStatus | None = None
        self.sync_text = ""  # what every DeskHeader shows about sync
        self.syncing = False  # a sync runs now (never two at once)
        self.sync_progress: str | None = None  # how far it is ("pull 40%"), while it runs
        self._sync_lock = threading.Lock()
        self._sync_read_at = 0.0
        self._failing: set[str] = set()  # remotes whose last sync from this app failed
        self._progress_told: str | None = None  # (the syncing thread's) the last progress word posted

    def read_sync_status(self) -> None:
        """Read what the header says about sync, in a worker."""
        self.run_worker(self._read_sync_status, thread=True, group="sync-status", exclusive=True, exit_on_error=False)

    def _read_sync_status(self) -> None:
        self._sync_read_at = time.monotonic()
        status = self.desk.sync_status()
        self.post_message(self.StatusRead(status))

    def on_sync_runner_status_read(self, message: StatusRead) -> None:
        status = message.status
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
        self._progress_told = None
        try:
            with self._sync_lock:
                for remote in chosen:
                    try:
                        results.append((remote.name, self.desk.sync(remote, self._sync_progress), None))
                    except SportelloError as err:
                        results.append((remote.name, None, err.message))
        finally:
            self.post_message(self.Synced(results, background))

    def _sync_progress(self, stage: str, done: int, total: int | None) -> None:
        """From the syncing thread, once a page: the header says how far it is."""
        from tui.widgets.header import progress_word

        word = progress_word(stage, done, total)
        if word != self._progress_told:
            self._progress_told = word
            self.post_message(self.Progressed(word))

    def on_sync_runner_progressed(self, message: Progressed) -> None:
        self.sync_progress = message.word
        self._show_sync()

    def on_sync_runner_synced(self, message: Synced) -> None:
        results, background = message.results, message.background
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
        self.sync_done.publish(None)
