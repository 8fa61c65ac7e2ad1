"""Sending what the outbox holds: one run of the sender (``sportello mail send``, ``mail run``, the app).

A run first settles what an earlier run left cut off (``models.mail.outbox.settle_interrupted``),
makes the messages owed (``compose_waiting``), then for each message whose turn it is: claims it
(committed), hands it to the relay, records the outcome with the relay's answer. A temporary failure
of one message is retried later; a relay that cannot be reached at all ends the run (what was
claimed goes back to retrying) with exit code 75, and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime

from models.errors import InvalidInput, SportelloError
from models.mail import outbox
from models.mail.settings import MailSettings
from models.mail.tables import OutState
from models.store.db import storage_errors
from models.store.tables import Agent
from sync.mail.errors import EX_TEMPFAIL, DeliveryError
from sync.mail.smtp import Transport, open_relay

__all__ = ["SendSummary", "send_waiting", "BATCH"]

#: Messages composed and sent per round of a run.
BATCH = 200


@dataclass
class SendSummary:
    relay: str = ""
    made: int = 0  # messages composed this run
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    unknown: int = 0  # may have been sent: cut off while being handed over (this run, or settled from an earlier)
    waiting: int = 0  # still to send after the run
    error: SportelloError | None = field(default=None, repr=False)

    @property
    def temporary(self) -> bool:
        return self.error is not None and getattr(self.error, "temporary", True)

    @property
    def exit_code(self) -> int:
        if self.error is None:
            return 0
        return EX_TEMPFAIL if self.temporary else self.error.exit_code

    def line(self) -> str:
        parts = [f"{self.sent} sent"]
        parts += [f"{n} {word}" for n, word in ((self.retrying, "to retry"), (self.failed, "failed"),
                                               (self.held, "held"), (self.unknown, "may have been sent"),
                                               (self.waiting, "waiting")) if n]  # fmt: skip
        return f"{self.relay or 'outbox'}: " + ", ".join(parts)

    def as_dict(self) -> dict:
        # Not asdict(): it deep-copies the error too, and a DeliveryError cannot be copied that way.
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "error"}
        data["error"] = self.error.message if self.error else None
        return data


def send_waiting(
    settings: MailSettings,
    *,
    transport: Transport | None = None,
    actor: Agent | None = None,
    limit: int | None = None,
    now: datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SendSummary:
    """One run: settle, compose, send what is due. Never raises for the relay or the desk: the summary
    carries the error (``exit_code`` 75 when trying again later may work)."""
    summary = SendSummary(relay=settings.relay.where if settings.relay else "")
    try:
        with storage_errors():
            summary.unknown = outbox.settle_interrupted(actor, now)
        tried: set[int] = set()  # a message is handed over at most once a run, whatever its retry time says
        try:
            while limit is None or len(tried) < limit:
                # Composed and sent a batch at a time: the first message goes out before the 2,000th is made.
                with storage_errors():
                    summary.made += outbox.compose_waiting(settings, limit=BATCH, now=now)
                    rows = [r for r in outbox.due(now, limit=BATCH + len(tried)) if r.id not in tried]
                    if not rows and not outbox.owed(1):
                        break
                if limit is not None:
                    rows = rows[: limit - len(tried)]
                if rows and transport is None:
                    if settings.relay is None:
                        raise InvalidInput(
                            "[mail] has no smtp_url: set the relay mail goes out through (see the README)"
                        )
                    transport = open_relay(settings.relay)
                if rows:
                    transport.open()  # a relay away or refusing the login says so before a message is taken
                for row in rows:
                    if should_stop is not None and should_stop():
                        return _finish(summary)
                    tried.add(row.id)
                    _send_one(row, settings, transport, actor, summary)
        finally:
            if transport is not None:
                transport.close()
    except SportelloError as err:
        summary.error = err
    return _finish(summary)


def _finish(summary: SendSummary) -> SendSummary:
    """The standing counts after the run: what is held and what still waits."""
    try:
        counts = outbox.outbox_counts()
        summary.held = counts.get(OutState.HELD, 0)
        summary.waiting = sum(counts.get(s, 0) for s in OutState.WAITING)
    except Exception:  # noqa: BLE001 - the desk itself is what failed; the summary already says so
        pass
    return summary


def _send_one(row, settings: MailSettings, transport: Transport, actor: Agent | None, summary: SendSummary) -> None:
    with storage_errors():
        if not outbox.claim(row):
            return  # another sender took it
    try:
        # The envelope sender is the desk's own address: bounces come back where mail in reads them.
        answer = transport.send(settings.address, row.recipients.split(), bytes(row.raw))
    except DeliveryError as err:
        with storage_errors():
            if err.maybe_sent:
                outbox.record_unknown(row, err.message, actor)
                summary.unknown += 1
            elif err.temporary or err.relay_down:  # the relay's trouble is not the message's: it waits
                state = outbox.record_temporary(row, err.message, actor)
                summary.retrying += state == OutState.RETRYING
                summary.failed += state == OutState.FAILED
            else:
                outbox.record_failed(row, err.message, actor)
                summary.failed += 1
        if err.relay_down:
            raise  # the relay is away: the rest waits for the next run
        return
    with storage_errors():
        outbox.record_sent(row, answer, actor)
    summary.sent += 1
