"""Work that talks to a server and may hang on it (fetching mail, sending it): :class:`BackgroundJob`, one job at
a time in a daemon thread of its own, so that quitting the app never waits for it.

A Textual thread worker runs in the event loop's executor, whose threads ``asyncio.run`` and the interpreter
join at exit: a fetch hanging on an IMAP server held the quit up to the connection's timeout. A daemon thread is
never joined; the job is asked to stop (:attr:`BackgroundJob.stopping`, checked between messages) and what it
was in the middle of is left as a crash would leave it — which the mail code is built for (a message is
acknowledged at its source only once it is on the desk; a send cut off is recorded as "may have been sent").
The job posts its results to the app as messages (``post_message`` is thread-safe).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.message import Message

__all__ = ["BackgroundJob"]


class BackgroundJob:
    """Runs the callables given to :meth:`start` one at a time, in one daemon thread (made on first use, so that
    a desk connection is opened once per job, not per run)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._idle = threading.Event()
        self._idle.set()
        self._stop = threading.Event()
        self._queue: queue.SimpleQueue[tuple[Callable[[], Message], Callable[[Message], None]] | None]
        self._queue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """A run has started and not ended (it may be hanging on a server)."""
        return not self._idle.is_set()

    def stopping(self) -> bool:
        """Whether the app asked the job to stop (give this to the work as ``should_stop``)."""
        return self._stop.is_set()

    def start(self, work: Callable[[], Message], post: Callable[[Message], None]) -> bool:
        """Run ``work`` in the job's thread, then ``post`` what it returns (the job is idle again by then, so a
        run asked for on hearing of it may start); False (and nothing done) while a run is going or once
        stopped. ``work`` must catch its own errors and return what became of it."""
        if self.running or self._stop.is_set():
            return False
        self._idle.clear()
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"sportello-{self.name}", daemon=True)
            self._thread.start()
        self._queue.put((work, post))
        return True

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            work, post = item
            news = None
            try:
                news = work()
            except BaseException:  # noqa: BLE001 - the work says its own errors; this thread must go on
                pass
            finally:
                self._idle.set()
            if news is not None:
                post(news)

    def stop(self, grace: float = 0.0) -> bool:
        """Ask the job to stop and its thread to end once idle; wait up to ``grace`` seconds for a run to end
        (a message being handed over is then usually recorded). True when no run is left going."""
        self._stop.set()
        self._queue.put(None)
        return self._idle.wait(grace) if grace > 0 else not self.running

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the run going to end (tests); True when none is going."""
        return self._idle.wait(timeout)

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread
