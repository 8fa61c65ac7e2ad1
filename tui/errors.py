"""Errors of background workers reach the person, from any screen.

Textual posts ``Worker.StateChanged`` to the node that ran the worker and does not bubble it, so
the app's handler saw only its own workers' failures: a worker of a screen that failed with
``exit_on_error=False`` vanished without a word. Every screen takes :class:`ReportWorkerErrors`,
which hands an uncaught worker error to the app; a screen that shows some errors in place (the
FAQ search box) handles those first and calls ``event.prevent_default()``.
"""

from __future__ import annotations

import os

from textual.worker import Worker, WorkerState

from models.errors import SportelloError

__all__ = ["ReportWorkerErrors", "error_line"]


def error_line(error: BaseException) -> str:
    """What to tell the person: a SportelloError's message, else one "internal error" line. With
    ``SPORTELLO_DEBUG=1`` an unexpected error is raised again, for its traceback."""
    if isinstance(error, SportelloError):
        return error.message
    if os.environ.get("SPORTELLO_DEBUG") == "1":
        raise error
    return f"internal error: {type(error).__name__}: {error}"


class ReportWorkerErrors:
    """Mixin for a Screen: an uncaught error of one of its workers is told by the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(event.worker.error)
