"""Fetching mail: messages from a source onto the desk, and only then acknowledged at the source.

:func:`fetch` works a batch at a time (an IMAP fetch of up to 100 messages, a few hundred Maildir
files, an mbox cut in pieces):

1. *Intake*: the batch's raw bytes are committed together (``models.mail.store.keep_raw_many``,
   one transaction; state ``stored``), and only then acknowledged at the source — Maildir moves
   each file; IMAP moves or flags them on a second connection while the next batch is fetched, and
   records their UIDs as taken once that is done (``sync.mail.imap``). From that commit on the
   messages are the desk's, whatever happens next.
2. *Processing*: the batch's messages are parsed, threaded and written on their tickets
   (``models.mail.ingest.process_many``: a few dozen per transaction, each in a savepoint, so that
   one that fails rolls back alone and goes to quarantine); the summary counts the outcomes.

Every fetch first finishes what an earlier one stored but did not process (killed between the two
steps): ``process_waiting`` for this source, with its queue. With ``intake_only`` a fetch only
takes the mail in, and the next one processes it.

When the desk cannot store a batch (``StorageError``) the fetch stops there and acknowledges
nothing of it: the messages stay at their source for the next fetch. A source that fails
(unreachable, restarted, refusing) stops the fetch too; a batch it failed to acknowledge is on the
desk already, is processed, and is recognised when it is read again. Either way the summary says
what was taken and carries the error, whose ``exit_code`` is 75 when trying again later may work;
nothing is lost, and what was taken is never taken twice.

One fetch at a time per desk: two at once (two agents' apps, the app and ``mail run``) would read
and move the same messages together, and a server moving one message for two sessions at the same
moment may file it twice. A fetch waits for the one running (``LOCK_WAIT`` seconds at most, then it
stops with a temporary error) on a lock that dies with its process: a PostgreSQL advisory lock of
the desk's schema, or ``flock`` on a file beside the SQLite desk (``desk.db-mailfetch``).

A caller may pass its own ``ingest`` (``ingest_bytes``'s signature): then each message is
committed by it and acknowledged on its own, one by one, as the source tests do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from models.errors import SportelloError, StorageError
from models.mail.tables import InState
from models.store.db import database, is_postgres, storage_errors
from sync.mail.errors import EX_TEMPFAIL, MailSourceError
from sync.mail.source import Incoming, Source

__all__ = [
    "FetchSummary",
    "SourceFailure",
    "CheckResult",
    "fetch",
    "fetch_configured",
    "import_mbox",
    "configured_sources",
    "check_configured",
]

#: ``ingest_bytes(data, *, source=, settings=, queue=) -> Outcome`` (``models.mail.ingest``).
Ingest = Callable[..., Any]
#: Messages per batch from a source that does not cut its own (an mbox file).
BATCH = 200
_WAITING = 1000
#: Seconds a fetch waits for another fetch of the same desk to finish.
LOCK_WAIT = 120.0
_PG_LOCK_CLASS = 0x5E0127  # with the schema's hash: the advisory lock of one desk's fetches


@dataclass
class FetchSummary:
    source: str
    taken: int = 0  # messages the desk committed (then acknowledged at the source)
    new: int = 0  # of those, bytes the desk had not seen before
    duplicates: int = 0  # the same bytes again, or the same message (Message-ID and content)
    quarantined: int = 0  # new, but could not be processed: waiting for an agent
    automatic: int = 0  # new auto-replies, bounces, list or looping mail: recorded, nothing changed
    errors: int = 0
    finished: int = 0  # stored by an earlier fetch that stopped before processing them, processed now
    error: SportelloError | None = None  # what stopped the fetch

    @property
    def temporary(self) -> bool:
        """The fetch stopped on something that may work later (the server away, the desk locked)."""
        if self.error is None:
            return False
        return getattr(self.error, "temporary", True)

    @property
    def exit_code(self) -> int:
        if self.error is None:
            return 0
        return EX_TEMPFAIL if self.temporary else self.error.exit_code

    def line(self) -> str:
        """One line for the user."""
        text = (f"{self.source}: {self.taken} taken ({self.new} new, {self.duplicates} already on the desk, "
                f"{self.quarantined} quarantined, {self.automatic} automatic)")  # fmt: skip
        if self.finished:
            text += f"; {self.finished} taken earlier processed now"
        if self.error is not None:
            text += " before it stopped"
        return text

    def as_dict(self) -> dict:
        return {"source": self.source, "taken": self.taken, "new": self.new, "duplicates": self.duplicates,
                "quarantined": self.quarantined, "automatic": self.automatic, "errors": self.errors,
                "finished": self.finished,
                "problem": str(self.error) if self.error is not None else None,
                "temporary": self.temporary}  # fmt: skip


def _count(summary: FetchSummary, outcome: Any) -> None:
    summary.taken += 1
    state = getattr(outcome, "state", None)
    if not outcome.new or state == InState.DUPLICATE:
        summary.duplicates += 1
        return
    summary.new += 1
    if state == InState.QUARANTINED:
        summary.quarantined += 1
    elif state in (InState.AUTOMATIC, InState.IGNORED):
        summary.automatic += 1


def _outcome(summary: FetchSummary, outcome: Any) -> None:
    """Count the outcome of a message the intake counted as new."""
    state = getattr(outcome, "state", None)
    if not outcome.new or state == InState.DUPLICATE:  # the same message (Message-ID and content) again
        summary.new -= 1
        summary.duplicates += 1
    elif state == InState.QUARANTINED:
        summary.quarantined += 1
    elif state in (InState.AUTOMATIC, InState.IGNORED):
        summary.automatic += 1


def _counter(summary: FetchSummary, waiting: list[tuple[int, bytes, bool]], progress) -> Callable[[list], None]:
    """What ``process_many`` calls with each committed group's outcomes: they are counted."""
    new = {message_id: is_new for message_id, _, is_new in waiting}

    def done(outcomes: list) -> None:
        for outcome in outcomes:
            if new.get(outcome.message.id):
                _outcome(summary, outcome)
        if progress is not None:
            progress(summary)

    return done


def _batches(source: Source) -> Iterator[list[Incoming]]:
    batches = getattr(source, "batches", None)
    if batches is not None:
        yield from batches()
        return
    batch: list[Incoming] = []
    for item in source.messages():
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@contextlib.contextmanager
def desk_fetch_lock(wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the desk's fetch lock for the block, waiting ``wait`` seconds at most for another fetch;
    a ``MailSourceError`` (temporary) when it does not come free."""
    deadline = time.monotonic() + wait
    if is_postgres():
        key = "SELECT pg_{}advisory_{}(%s, hashtext(current_schema()))"
        with storage_errors():
            while not database.execute_sql(key.format("try_", "lock"), (_PG_LOCK_CLASS,)).fetchone()[0]:
                _wait_or_give_up(deadline)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                database.execute_sql(key.format("", "unlock"), (_PG_LOCK_CLASS,))
        return
    path = getattr(database.obj, "database", "") or ""
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    try:
        fd = os.open(f"{path}-mailfetch", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise MailSourceError(f"cannot open the desk's fetch lock {path}-mailfetch: {exc.strerror}",
                              temporary=not isinstance(exc, PermissionError)) from None  # fmt: skip
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                _wait_or_give_up(deadline)
        yield
    finally:
        os.close(fd)  # the lock goes with it


def _wait_or_give_up(deadline: float) -> None:
    if time.monotonic() >= deadline:
        raise MailSourceError("another fetch of this desk is still running; try again later", temporary=True)
    time.sleep(0.1)


def fetch(
    source: Source,
    settings,
    *,
    ingest: Ingest | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[FetchSummary], None] | None = None,
    intake_only: bool = False,
) -> FetchSummary:
    """Take every waiting message of ``source`` onto the desk (at most ``limit``); never raises for
    the source or the desk failing: the summary carries the error. ``intake_only``: store and
    acknowledge, leave the processing to the next fetch."""
    try:
        with desk_fetch_lock():
            if ingest is not None:
                return _fetch_each(source, settings, ingest, limit, should_stop, progress)
            return _fetch_batches(source, settings, limit, should_stop, progress, intake_only)
    except (MailSourceError, StorageError) as exc:  # the lock not had
        summary = FetchSummary(source.name, errors=1)
        summary.error = exc
        return summary


def _fetch_batches(source: Source, settings, limit, should_stop, progress, intake_only: bool) -> FetchSummary:
    from models.mail.ingest import process_many, process_waiting
    from models.mail.store import keep_raw_many

    summary = FetchSummary(source.name)
    try:
        if not intake_only:
            with storage_errors():
                while True:  # what an earlier fetch stored and did not process, with this source's queue
                    finished = process_waiting(settings, source=source.name, queue=source.queue, limit=_WAITING,
                                               should_stop=should_stop)  # fmt: skip
                    summary.finished += len(finished)
                    if len(finished) < _WAITING or (should_stop is not None and should_stop()):
                        break
        with source:
            for batch in _batches(source):
                if should_stop is not None and should_stop():
                    break
                if limit is not None:
                    batch = batch[: max(0, limit - summary.taken)]
                    if not batch:
                        break
                try:
                    with storage_errors():
                        kept = keep_raw_many([(item.data, source.name) for item in batch])
                except SportelloError as exc:  # nothing stored: leave the batch at the source, stop here
                    summary.errors += 1
                    summary.error = exc
                    break
                stopped = None
                try:
                    for item, (message_id, _state, _new) in zip(batch, kept):
                        item.ack(message_id)
                    flush = getattr(source, "flush", None)
                    if flush is not None:
                        flush()  # moved or flagged now, before the processing
                except MailSourceError as exc:  # on the desk, not all acknowledged: those are read again next time
                    stopped = exc
                summary.taken += len(batch)
                summary.new += sum(new for _, _, new in kept)
                summary.duplicates += sum(not new for _, _, new in kept)
                if progress is not None:
                    progress(summary)
                waiting, seen = [], set()  # each stored row once (the same bytes twice are one row)
                for item, (message_id, state, new) in zip(batch, kept):
                    if state == InState.STORED and message_id not in seen:
                        seen.add(message_id)
                        waiting.append((message_id, item.data, new))
                if waiting and not intake_only:
                    with storage_errors():
                        process_many(waiting, settings, queue=source.queue, done=_counter(summary, waiting, progress),
                                     should_stop=should_stop)  # fmt: skip
                if stopped is not None:
                    raise stopped
    except MailSourceError as exc:
        summary.errors += 1
        summary.error = summary.error or exc
    except SportelloError as exc:  # the desk failing while processing, or while the source records what it acked
        summary.errors += 1
        summary.error = summary.error or exc
    return summary


def _fetch_each(source: Source, settings, ingest: Ingest, limit, should_stop, progress) -> FetchSummary:
    """Each message committed by ``ingest`` and acknowledged, one by one."""
    summary = FetchSummary(source.name)
    try:
        with source:
            for item in source.messages():
                if (limit is not None and summary.taken >= limit) or (should_stop is not None and should_stop()):
                    break
                try:
                    with storage_errors():
                        outcome = ingest(item.data, source=source.name, settings=settings, queue=source.queue)
                except SportelloError as exc:  # nothing stored: leave it at the source, stop here
                    summary.errors += 1
                    summary.error = exc
                    break
                _count(summary, outcome)
                item.ack(outcome.message.id)
                if progress is not None:
                    progress(summary)
    except MailSourceError as exc:
        summary.errors += 1
        summary.error = summary.error or exc
    except SportelloError as exc:  # the desk failing while the source records what it acked
        summary.errors += 1
        summary.error = summary.error or exc
    return summary


@dataclass(frozen=True)
class SourceFailure:
    """A source that stopped (or could not even be set up): one line, and whether later may work."""

    source: str
    message: str
    temporary: bool

    def as_dict(self) -> dict:
        return {"source": self.source, "problem": self.message, "temporary": self.temporary}


def _failure(source: str, error: SportelloError) -> SourceFailure:
    return SourceFailure(source, str(error), bool(getattr(error, "temporary", False)))


def configured_sources(
    settings, *, env: Mapping[str, str] | None = None, **options
) -> tuple[list[Source], list[SourceFailure]]:
    """The IMAP mailboxes and the Maildir of ``[mail]``, and those that cannot be set up (a missing
    secret, say). Reads each mailbox's secret (never printed)."""
    from models.mail.settings import read_mailbox_secret
    from sync.mail.imap import ImapSource
    from sync.mail.maildir import MaildirSource

    sources: list[Source] = []
    failures: list[SourceFailure] = []
    for box in settings.mailboxes:
        try:
            sources.append(ImapSource.from_mailbox(box, password=read_mailbox_secret(box, env), **options))
        except SportelloError as exc:
            failures.append(_failure(box.source, exc))
    if settings.maildir:
        sources.append(MaildirSource(settings.maildir, processed_folder=settings.processed_folder))
    return sources, failures


def fetch_configured(
    settings,
    *,
    env: Mapping[str, str] | None = None,
    ingest: Ingest | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    **options,
) -> tuple[list[FetchSummary], list[SourceFailure]]:
    """Fetch from every configured source once, one after the other; one failing does not stop the
    others. Returns a summary per source fetched and a failure per source that stopped or never started."""
    sources, failures = configured_sources(settings, env=env, **options)
    summaries = []
    for source in sources:
        summary = fetch(source, settings, ingest=ingest, limit=limit, should_stop=should_stop)
        summaries.append(summary)
        if summary.error is not None:
            failures.append(_failure(summary.source, summary.error))
    return summaries, failures


def import_mbox(path, settings, *, queue: str | None = None, ingest: Ingest | None = None) -> FetchSummary:
    """Take every message of an mbox file onto the desk (the file is left as it is)."""
    from sync.mail.mbox import MboxSource

    return fetch(MboxSource(path, queue=queue), settings, ingest=ingest)


@dataclass(frozen=True)
class CheckResult:
    """What ``mail check`` found at one source: reachable or not, and what waits there."""

    source: str
    ok: bool
    temporary: bool = False
    waiting: int | None = None  # messages in the folder (IMAP) or files waiting (Maildir)
    detail: str = ""
    problem: str = ""

    def line(self) -> str:
        if not self.ok:  # the problem names its source already, as MailSourceErrors do, or gets it here
            return self.problem if self.problem.startswith(self.source) else f"{self.source}: {self.problem}"
        return f"{self.source}: ok, {self.waiting} message{'s' if self.waiting != 1 else ''} there" + (
            f" ({self.detail})" if self.detail else ""
        )

    def as_dict(self) -> dict:
        return {"source": self.source, "ok": self.ok, "temporary": self.temporary, "waiting": self.waiting,
                "detail": self.detail, "problem": self.problem}  # fmt: skip


def check_configured(settings, *, env: Mapping[str, str] | None = None, **options) -> list[CheckResult]:
    """Connect to each configured source and report; changes nothing (no folder made) and needs no desk."""
    sources, failures = configured_sources(settings, env=env, **options)
    results = [CheckResult(f.source, False, f.temporary, problem=f.message) for f in failures]
    for source in sources:
        try:
            waiting, detail = source.check()
        except SportelloError as exc:
            results.append(CheckResult(source.name, False, bool(getattr(exc, "temporary", False)), problem=str(exc)))
        else:
            results.append(CheckResult(source.name, True, waiting=waiting, detail=detail))
    return results
