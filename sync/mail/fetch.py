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

__all__ = ["FetchSummary", "fetch", "fetch_configured", "import_mbox", "configured_sources"]

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
            text += f"; stopped: {self.error}"
        return text


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


def configured_sources(settings, *, env: Mapping[str, str] | None = None, **options) -> list[Source]:
    """The IMAP mailboxes and the Maildir of ``[mail]``; reads each mailbox's secret (never printed)."""
    from models.mail.settings import read_mailbox_secret
    from sync.mail.imap import ImapSource
    from sync.mail.maildir import MaildirSource

    sources: list[Source] = []
    for box in settings.mailboxes:
        sources.append(ImapSource.from_mailbox(box, password=read_mailbox_secret(box, env), **options))
    if settings.maildir:
        sources.append(MaildirSource(settings.maildir, processed_folder=settings.processed_folder))
    return sources


def fetch_configured(settings, *, env: Mapping[str, str] | None = None, ingest: Ingest | None = None,
                     **options) -> list[FetchSummary]:  # fmt: skip
    """Fetch from every configured source once, one after the other; one failing does not stop the others."""
    return [fetch(source, settings, ingest=ingest) for source in configured_sources(settings, env=env, **options)]


def import_mbox(path, settings, *, queue: str | None = None, ingest: Ingest | None = None) -> FetchSummary:
    """Take every message of an mbox file onto the desk (the file is left as it is)."""
    from sync.mail.mbox import MboxSource

    return fetch(MboxSource(path, queue=queue), settings, ingest=ingest)
