"""The Desk's side of mail going out: :class:`MailOutDesk` — the outbox's counts for the header, its rows for the
outbox screen, resending, one round of sending (``sync.mail.send``), what a reply will send before it is sent
(``models.mail.compose``, exactly as the outbox composes it) and the delivery records of a ticket's timeline.

The outbox is counted through the ``(state, received_at)`` index: the states of outgoing mail are not those of
incoming mail, so no raw message is read. ``models.mail`` beyond its tables and ``sync.mail`` load with the
first call that needs them.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
from collections.abc import Callable, Iterable
from email.header import decode_header, make_header
from typing import TYPE_CHECKING, Any

from models.errors import InvalidInput, NotFound, SportelloError
from tui.desk.connection import DeskConnection
from tui.desk.mail_out_rows import DeliveryRow, OutboxRow, OutboxStateRow, OutgoingMessage, ReplyPreview, SendRow

if TYPE_CHECKING:
    from models.mail.settings import MailSettings

__all__ = ["MailOutDesk", "OUTBOX_STATES", "NO_RELAY"]

#: The outgoing states the outbox screen lists (sent and skipped mail is history: ``sportello mail outbox --all``).
OUTBOX_STATES = ("queued", "sending", "retrying", "failed", "unknown", "held")
#: Why the app does not send.
NO_RELAY = "no relay: add smtp_url to [mail] in config.toml (see the README's Mail out), then restart"


def _count(value: Any) -> int:
    """A summary's count, whether it is given as a number or as the messages themselves."""
    if value is None:
        return 0
    return value if isinstance(value, int) else len(value)


def _answer_of(body: str) -> str:
    """The server's answer a delivery record quotes: ``reply mail #3 to a@b: sent — 250 2.0.0 Ok`` → ``250 2.0.0 Ok``."""
    return body.split(" — ", 1)[1] if " — " in body else ""


def _decoded(message: email.message.Message, name: str) -> str:
    """A header as it was written, its encoded words decoded (not as a parser reads it: what goes out)."""
    value = message.get(name)
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (LookupError, ValueError, email.errors.HeaderParseError):
        return str(value)


class MailOutDesk(DeskConnection):
    """Mail out, as the app shows it (a base of :class:`tui.desk.mailing.MailDesk`, which reads ``[mail]``)."""

    #: What hands messages to the relay; None: the one ``[mail]`` names (tests give a fake one).
    mail_transport: Any = None

    if TYPE_CHECKING:
        mail_settings: MailSettings | None

        def _settings(self) -> MailSettings: ...

        def _undeliverable(self, number: int) -> tuple[tuple[str, str, str], ...]: ...

    @property
    def relay_configured(self) -> bool:
        """``[mail]`` names a relay (``smtp_url``): this app sends what the outbox holds."""
        return self.mail_settings is not None and self.mail_settings.relay is not None

    # --- the counts and the rows --------------------------------------------------------------

    def outbox_state(self, *, start: bool = False) -> OutboxStateRow:
        """What waits to go out and what needs a look. ``start``: this app sends, so the outbox starts now if it
        never started (a reply written before the first round is then mailed; nothing before it ever is)."""
        return self._call(self._outbox_state, start)

    def _outbox_state(self, start: bool) -> OutboxStateRow:
        import peewee as pw

        from models.mail.tables import MailMessage

        if start:
            from models.mail.outbox import outbox_start

            outbox_start()
        query = (MailMessage.select(MailMessage.state, pw.fn.COUNT(MailMessage.id))
                 .where(MailMessage.state.in_(OUTBOX_STATES) & (MailMessage.direction == "out"))
                 .group_by(MailMessage.state).tuples())  # fmt: skip
        counts = dict(query)
        soonest = None
        if counts.get("retrying"):
            soonest = (MailMessage.select(pw.fn.MIN(MailMessage.next_attempt_at))
                       .where((MailMessage.state == "retrying") & (MailMessage.direction == "out")).scalar())  # fmt: skip
        return OutboxStateRow(
            to_send=counts.get("queued", 0) + counts.get("sending", 0) + counts.get("retrying", 0),
            failed=counts.get("failed", 0),
            unknown=counts.get("unknown", 0),
            held=counts.get("held", 0),
            retrying=counts.get("retrying", 0),
            next_attempt_at=soonest,
        )

    def outbox(self, limit: int = 500) -> list[OutboxRow]:
        """The outgoing mail that waits or needs a look, newest first."""
        from models.mail.outbox import outbox_rows

        return self._call(lambda: [OutboxRow(r.id, r.ticket, r.purpose or "", r.state, r.recipients, r.subject,
                                             r.attempts, r.next_attempt_at, r.answer, r.reason, r.at)
                                   for r in outbox_rows(states=OUTBOX_STATES, limit=limit)])  # fmt: skip

    def outgoing(self, mail_id: int) -> OutgoingMessage:
        """An outgoing message as it was composed (headers and all)."""
        from models.mail.tables import MailMessage

        def read() -> OutgoingMessage:
            row = MailMessage.get_or_none((MailMessage.id == mail_id) & (MailMessage.direction == "out"))
            if row is None:
                raise NotFound(f"no outgoing mail #{mail_id}")
            heading = f"mail #{row.id} · {row.purpose} · {row.state} · to {row.recipients or 'nobody'}"
            text = bytes(row.raw).decode("utf-8", "replace") if row.raw else f"(not composed: {row.reason or '—'})"
            return OutgoingMessage(heading, text)

        return self._call(read)

    def resend_mail(self, mail_id: int) -> str:
        """Queue a failed, unknown or held message again (the agent decided); to whom it goes."""
        from models.mail.outbox import resend

        self._settings()
        return self._call(lambda: resend(mail_id, actor=self.me).recipients)

    # --- sending ------------------------------------------------------------------------------

    def send_mail(self, should_stop: Callable[[], bool] | None = None) -> SendRow:
        """Compose what the outbox owes and hand what is due to the relay (``sync.mail.send.send_waiting``);
        ``should_stop`` is asked between messages. Never raises for the relay: the row says what stopped it."""
        settings = self._settings()
        if settings.relay is None:
            raise InvalidInput(NO_RELAY)
        from sync.mail.send import send_waiting

        try:
            summary = self._call(send_waiting, settings, transport=self.mail_transport, actor=self.me,
                                 should_stop=should_stop)  # fmt: skip
        except SportelloError as err:  # the desk away, a secret not set
            return SendRow(error=err.message, temporary=bool(getattr(err, "temporary", False)), line=err.message)
        error = getattr(summary, "error", None)
        message = None if error is None else getattr(error, "message", None) or str(error)
        return SendRow(
            sent=_count(summary.sent), retrying=_count(summary.retrying), failed=_count(summary.failed),
            held=_count(summary.held), unknown=_count(summary.unknown), waiting=_count(summary.waiting),
            error=message, temporary=bool(getattr(error, "temporary", True)), line=summary.line(),
        )  # fmt: skip

    # --- what a reply will send ---------------------------------------------------------------

    def reply_preview(self, number: int, body: str | None = None) -> ReplyPreview:
        """The message a public reply on ticket ``number`` will send, composed by ``models.mail.compose`` as the
        outbox will compose it (recipients, subject, text); ``body`` None or blank composes it with ``…``."""
        settings = self._settings()
        return self._call(self._reply_preview, settings, number, body)

    def _reply_preview(self, settings: MailSettings, number: int, body: str | None) -> ReplyPreview:
        from models import validate
        from models.enums import EventKind, Visibility
        from models.mail.compose import compose
        from models.mail.tables import MailMark
        from models.store.tables import Ticket, TicketEvent

        ticket = Ticket.get_or_none(Ticket.number == number)
        if ticket is None:
            raise NotFound(f"no ticket #{number}")
        left_out = self._undeliverable(number)
        if not self.relay_configured and not MailMark.select().where(MailMark.name == "outbox_from").exists():
            return ReplyPreview(left_out=left_out, problem="no mail goes out: the desk has never sent mail and this "
                                                           "app has no relay (smtp_url in [mail])")  # fmt: skip
        text = validate.body(body, "reply") if body is not None and body.strip() else "…"
        event = TicketEvent(id=0, ticket=number, kind=EventKind.REPLY.value, visibility=Visibility.PUBLIC.value,
                            body=text, at=self.now(), version=ticket.version + 1)  # fmt: skip
        composed = compose(event, "reply", settings, skip=frozenset(email for email, _, _ in left_out))
        if composed is None:
            return ReplyPreview(left_out=left_out, problem="nobody to send it to: the ticket has no customer "
                                                           "with a deliverable address; it is held")  # fmt: skip
        message = email.message_from_bytes(composed.raw, policy=email.policy.default)
        written = email.message_from_bytes(composed.raw, policy=email.policy.compat32)  # the headers as written
        body_part = message.get_body(("plain",))
        customer = (ticket.customer.email if ticket.customer_id else "") or ""
        return ReplyPreview(
            to=tuple(a for a in composed.recipients if a == customer),
            cc=tuple(a for a in composed.recipients if a != customer),
            left_out=left_out,
            subject=composed.subject,
            sender=_decoded(written, "From"),
            text=body_part.get_content() if body_part is not None else "",
            to_header=_decoded(written, "To"),
            cc_header=_decoded(written, "Cc"),
        )

    # --- delivery records on a ticket's timeline -----------------------------------------------

    def deliveries(self, number: int, event_ids: Iterable[int]) -> dict[int, DeliveryRow]:
        """The delivery records among ``event_ids`` (the ticket's internal ``mail`` events), each with the event
        its message is about (event id -> row); one query when there are none."""
        ids = list(event_ids)
        return self._call(self._deliveries, number, ids) if ids else {}

    def _deliveries(self, number: int, ids: list[int]) -> dict[int, DeliveryRow]:
        from models.mail.tables import MailMessage
        from models.store.tables import TicketEvent

        events = list(TicketEvent.select(TicketEvent.id, TicketEvent.old_value, TicketEvent.new_value,
                                          TicketEvent.body, TicketEvent.at)
                      .where(TicketEvent.id.in_(ids) & (TicketEvent.field == "delivery"))
                      .order_by(TicketEvent.id).tuples())  # fmt: skip
        if not events:
            return {}
        mail_ids = {int(old) for _, old, _, _, _ in events if old and old.isdigit()}
        mails = {}
        if mail_ids:
            mails = {m: (event, purpose or "", recipients) for m, event, purpose, recipients in
                     MailMessage.select(MailMessage.id, MailMessage.event, MailMessage.purpose, MailMessage.recipients)
                     .where(MailMessage.id.in_(mail_ids)).tuples()}  # fmt: skip
        # A held message has no id in its record: the records and the held messages of the ticket pair up in order.
        held = []
        if any(not old for _, old, _, _, _ in events):
            held = list(MailMessage.select(MailMessage.event, MailMessage.purpose)
                        .where((MailMessage.ticket == number) & (MailMessage.direction == "out")
                               & (MailMessage.state == "held")).order_by(MailMessage.id).tuples())  # fmt: skip
        found: dict[int, DeliveryRow] = {}
        for event_id, old, state, body, at in events:
            mail_id = int(old) if old and old.isdigit() else None
            if mail_id is not None:
                about, purpose, recipients = mails.get(mail_id, (None, "", ""))
                answer = _answer_of(body or "")
            else:
                about, purpose = held.pop(0) if held else (None, "")
                recipients, answer = "", body or ""
            found[event_id] = DeliveryRow(event_id, about, state or "", mail_id, purpose, recipients, answer, at)
        return found
