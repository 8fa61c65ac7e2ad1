"""The Desk's side of mail: :class:`MailDesk` — whether ``[mail]`` is configured, the mail state for the
header, fetching every configured source once, the quarantine and running it again, the message behind
timeline events with its attachments, saving them, moving or splitting a message, undeliverable addresses.
Mail going out is :mod:`tui.desk.mail_out`'s, a base of it.

``models.mail`` beyond its tables (the parser and its libraries) and ``sync.mail`` load with the first
call that needs them (start-up time); a ticket without mail costs one indexed query.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import InvalidInput, SportelloError
from tui.desk.mail_out import MailOutDesk
from tui.desk.mail_rows import (
    AttachmentRow,
    FetchRow,
    MailPart,
    MailStateRow,
    QuarantineRow,
    RetryRow,
    SavedFile,
    TicketMail,
)

if TYPE_CHECKING:
    from models.mail.settings import MailSettings
    from models.store.config import Config

__all__ = ["MailDesk", "fetch_row"]


def _attachment(a) -> AttachmentRow:
    return AttachmentRow(a.mail_id, a.position, a.filename, a.content_type, a.size, a.kept)


def fetch_row(result) -> FetchRow:
    """``sync.mail.fetch.fetch_configured``'s result summed in one row: (summaries, failures) — a failure for each
    source that stopped or never started — or, as it once was, the summaries alone, each with its error."""
    if isinstance(result, tuple):
        summaries, failures = result
        problems = [(f.message, f.temporary) for f in failures]
        started = {s.source for s in summaries}
        sources = len(summaries) + sum(f.source not in started for f in failures)
    else:
        summaries = result
        problems = [(str(s.error), s.temporary) for s in summaries if s.error is not None]
        sources = len(summaries)
    return FetchRow(sources, sum(s.taken for s in summaries), sum(s.new for s in summaries),
                    sum(s.duplicates for s in summaries), sum(s.quarantined for s in summaries),
                    sum(s.automatic for s in summaries), tuple(p for p, _ in problems),
                    all(t for _, t in problems))  # fmt: skip


class MailDesk(MailOutDesk):
    """Mail in (and, from :class:`~tui.desk.mail_out.MailOutDesk`, out), as the app shows it.
    :meth:`configure_mail` (from config.toml's ``[mail]``) comes first."""

    mail_settings: MailSettings | None = None  # None: no [mail], or a [mail] that cannot be used
    mail_error: str | None = None  # why config.toml's [mail] cannot be used

    def configure_mail(self, config: Config | None) -> None:
        """Read ``[mail]`` of ``config``; a mistake in it is kept in :attr:`mail_error`, not raised."""
        self.mail_settings, self.mail_error = None, None
        if config is None or not config.mail:
            return
        from models.mail.settings import mail_settings

        try:
            self.mail_settings = mail_settings(config)
        except InvalidInput as err:
            self.mail_error = err.message

    @property
    def mail_configured(self) -> bool:
        """config.toml has a usable ``[mail]`` table."""
        return self.mail_settings is not None and self.mail_settings.configured

    def _settings(self) -> MailSettings:
        if self.mail_error:
            raise InvalidInput(f"config.toml [mail] cannot be used: {self.mail_error}")
        if self.mail_settings is None:
            raise InvalidInput('mail is not configured: add a [mail] table with from = "…" to config.toml (README)')
        return self.mail_settings

    # --- the state and fetching ---------------------------------------------------------------

    def mail_state(self) -> MailStateRow:
        from models.mail.views import mail_state

        state = self._call(mail_state, self.now())
        return MailStateRow(state.quarantined, state.received_today, state.last_received_at)

    def fetch_mail(self, should_stop: Callable[[], bool] | None = None) -> FetchRow:
        """Fetch every configured source once (each message acknowledged at its source only after it is on the
        desk); never raises for a source or the secret: the row says what failed. ``should_stop`` is asked
        between messages (the app is quitting)."""
        from sync.mail.fetch import fetch_configured

        settings = self._settings()
        self._connected()
        try:
            return fetch_row(fetch_configured(settings, should_stop=should_stop))
        except SportelloError as err:  # no source could start: a secret not set, say
            return FetchRow(0, 0, 0, 0, 0, 0, (err.message,), getattr(err, "temporary", False))

    # --- quarantine ---------------------------------------------------------------------------

    def quarantine(self, limit: int = 500) -> list[QuarantineRow]:
        """The quarantined messages, newest first."""
        from models.mail.quarantine import quarantined

        return self._call(lambda: [QuarantineRow(r.id, r.received_at, r.sender, r.subject, r.reason, r.source, r.size,
                                                 r.attempts) for r in quarantined(limit)])  # fmt: skip

    def retry_mail(self, mail_ids: list[int] | None = None) -> list[RetryRow]:
        """Process quarantined mail again (all of it when ``mail_ids`` is None)."""
        from models.mail.quarantine import retry

        settings = self._settings()
        outcomes = self._call(retry, settings, mail_ids, actor=self.me)
        return [RetryRow(o.message.id, o.state, o.ticket, o.why) for o in outcomes]

    def mail_raw(self, mail_id: int) -> tuple[str, str]:
        """(heading, text) of a message as it was received: text decoded as UTF-8, undecodable bytes replaced
        (the screen shows it inert)."""
        from models.mail.quarantine import get_mail

        def read() -> tuple[str, str]:
            row = get_mail(mail_id)
            heading = f"mail #{row.id} · {row.state} · {row.sender or '(no sender)'} · {row.size:,} bytes"
            return heading, bytes(row.raw).decode("utf-8", "replace")

        return self._call(read)

    # --- the messages behind a ticket's events --------------------------------------------------

    def mail_on_events(self, event_ids: Iterable[int]) -> dict[int, MailPart]:
        """The message behind each of ``event_ids`` that came by mail (event id -> part)."""
        ids = list(event_ids)
        return self._call(self._mail_on_events, ids) if ids else {}

    def _mail_on_events(self, ids: list[int]) -> dict[int, MailPart]:
        from models.mail.tables import MailMessage

        # Only mail that came in is "the message behind" an event: the acknowledgement or the reply the desk
        # mailed about it is the outbox's (models.mail.views.mail_on_events does not tell them apart: a part
        # that turns out to be outgoing is left out, and the event shows its own text).
        incoming = {mail: event for mail, event in MailMessage.select(MailMessage.id, MailMessage.event)
                    .where(MailMessage.event.in_(ids) & (MailMessage.direction == "in")).tuples()}  # fmt: skip
        if not incoming:
            return {}  # the common case, without loading the parser
        from models.mail.views import mail_on_events

        return {event: MailPart(m.mail_id, m.event_id, m.sender, m.reply, m.quoted, m.why,
                                tuple(_attachment(a) for a in m.attachments))
                for event, m in mail_on_events(sorted(set(incoming.values()))).items()
                if m.mail_id in incoming}  # fmt: skip

    def ticket_mail(self, number: int, event_ids: Iterable[int]) -> TicketMail:
        """What ticket ``number`` shows of mail: the messages behind ``event_ids`` and the undeliverable
        addresses of its customer and participants."""
        ids = list(event_ids)
        return self._call(lambda: TicketMail(self._mail_on_events(ids) if ids else {}, self._undeliverable(number)))

    def undeliverable(self, number: int) -> tuple[tuple[str, str, str], ...]:
        """(address, "customer" or "cc", problem) for each of the ticket's people whose mail bounced for good."""
        return self._call(self._undeliverable, number)

    def _undeliverable(self, number: int) -> tuple[tuple[str, str, str], ...]:
        from models.mail.tables import MailAddress, TicketParticipant
        from models.store.tables import Customer, Ticket

        if not MailAddress.select(MailAddress.id).where(MailAddress.undeliverable_at.is_null(False)).exists():
            return ()
        from models.mail.views import undeliverable

        people: dict[str, str] = {}
        customer = (Customer.select(Customer.email).join(Ticket, on=(Ticket.customer == Customer.id))
                    .where(Ticket.number == number).scalar())  # fmt: skip
        if customer:
            people[customer.lower()] = "customer"
        for (email,) in (Customer.select(Customer.email).join(TicketParticipant)
                         .where(TicketParticipant.ticket == number).tuples()):  # fmt: skip
            if email:
                people.setdefault(email.lower(), "cc")
        bounced = undeliverable(people)
        return tuple((email, people[email], bounced[email]) for email in people if email in bounced)

    def attachments(self, mail_id: int) -> list[AttachmentRow]:
        from models.mail.quarantine import attachments_of

        return self._call(lambda: [AttachmentRow(mail_id, a.position, a.filename, a.content_type, a.size, a.kept)
                                   for a, _ in attachments_of(mail_id)])  # fmt: skip

    def save_attachment(self, mail_id: int, position: int, path: str | os.PathLike) -> SavedFile:
        """Write an attachment to ``path`` (a folder: under its own name there); an existing file is never
        overwritten and a file over the limit was never kept. Raises ``InvalidInput`` with one line."""
        from models.mail.quarantine import attachment_data
        from models.store.safe_files import write_new_bytes

        row, data = self._call(attachment_data, mail_id, position)
        name = row.filename or f"attachment-{mail_id}-{position}"
        if not row.kept:
            raise InvalidInput(f"{name}: not kept (over the size limit)")
        target = Path(path).expanduser()
        if target.is_dir():
            target = target / name
        try:
            write_new_bytes(target, data)
        except FileExistsError:
            raise InvalidInput(f"{target} exists already; it was not overwritten") from None
        except OSError as exc:
            raise InvalidInput(f"cannot write {target}: {exc.strerror or exc}") from None
        return SavedFile(str(target), len(data))

    # --- a message on the wrong ticket ----------------------------------------------------------

    def move_mail(self, mail_id: int, to_ticket: int, reason: str) -> int:
        """Move a message to ticket ``to_ticket``; the ticket it is on now."""
        from models.mail.moves import move_mail

        return self._call(move_mail, self.me, mail_id, to_ticket, reason)

    def split_mail(self, mail_id: int, reason: str) -> int:
        """Make a new ticket of a message; its number."""
        from models.mail.moves import split_mail

        return self._call(split_mail, self.me, mail_id, reason)
