"""Fetching mail: each message from a source onto the desk, and only then acknowledged at the source.

For every message a source gives, :func:`fetch` calls ``ingest_bytes`` (which commits) and, once
it returned, the message's ``ack`` (move or flag at the source). When the desk cannot store a
message (``StorageError``), the fetch stops there and acknowledges nothing more: the message stays
at its source for the next fetch. A source that fails (unreachable, restarted, refusing) stops the
fetch too. Either way the summary says what was taken and carries the error, whose ``exit_code``
is 75 when trying again later may work; nothing is lost, and what was taken is never taken twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from models.errors import SportelloError
from models.mail.tables import InState
from models.store.db import storage_errors
from sync.mail.errors import EX_TEMPFAIL, MailSourceError
from sync.mail.source import Source

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


@dataclass
class FetchSummary:
    source: str
    taken: int = 0  # messages the desk committed (then acknowledged at the source)
    new: int = 0  # of those, bytes the desk had not seen before
    duplicates: int = 0  # the same bytes again, or the same message (Message-ID and content)
    quarantined: int = 0  # new, but could not be processed: waiting for an agent
    automatic: int = 0  # new auto-replies, bounces, list or looping mail: recorded, nothing changed
    errors: int = 0
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
        if self.error is not None:
            text += " before it stopped"
        return text

    def as_dict(self) -> dict:
        return {"source": self.source, "taken": self.taken, "new": self.new, "duplicates": self.duplicates,
                "quarantined": self.quarantined, "automatic": self.automatic, "errors": self.errors,
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


def fetch(
    source: Source,
    settings,
    *,
    ingest: Ingest | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[FetchSummary], None] | None = None,
) -> FetchSummary:
    """Take every waiting message of ``source`` onto the desk (at most ``limit``); never raises for
    the source or the desk failing: the summary carries the error."""
    if ingest is None:
        from models.mail.ingest import ingest_bytes as ingest

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
