"""Taking incoming messages onto the desk: store, parse, recognise, thread, write — once.

A message is first committed raw (``models.mail.store``: :func:`ingest_bytes` stores one, a fetch
stores a batch with ``keep_raw_many`` and acknowledges it at its source), then processed: the
ticket's event is written and the message marked done in one transaction. :func:`process_many`
processes several messages per transaction (parsed before it begins), each in a savepoint of its
own, so that one that fails rolls back alone and goes to quarantine. A crash between storing and
processing leaves ``stored`` messages that the next call (the same bytes again, or
:func:`process_waiting`, which every fetch runs first) finishes. Whatever cannot be processed goes
to quarantine with the reason, where an agent sees it and retries (``models.mail.quarantine``). Only
a storage failure is raised: what that transaction had processed is rolled back and stays
``stored``, and a caller that has not yet acknowledged the message at its source must leave it
there (``sportello mail ingest`` exits 75).

The hot lookups (the message locked again, duplicates, the flood count, the sender as a customer,
the message marked done) run SQL built once per backend (``models.mail.store.Prepared``), and the
row a caller gets back is the one read under the lock with what was written applied to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee as pw

from models import validate
from models.directory import lookup as directory
from models.enums import EventKind, Status, Visibility
from models.errors import Conflict, InvalidInput, NotFound, StorageError
from models.mail import signing
from models.mail.automatic import Automatic, classify
from models.mail.content import Address, Parsed, Unparseable, parse
from models.mail.outbox import outbox_start
from models.mail.requests import customer_request
from models.mail.settings import MailSettings
from models.mail.store import Prepared, keep_raw
from models.mail.tables import InState, MailAddress, MailAttachment, MailMessage, TicketParticipant
from models.mail.threads import Thread, find_thread
from models.sla import reuse_policies
from models.store.db import is_postgres, write_transaction
from models.store.tables import Agent, Customer, Organization, Ticket, utcnow
from models.tickets import csat, pipeline
from models.tickets.create import create_ticket
from models.tickets.events import new_event, status_event
from models.tickets.fold import TicketState
from models.tickets.origin import synced_from

__all__ = ["Outcome", "ingest_bytes", "process", "process_many", "process_waiting", "organization_for_domain",
           "MAX_PARTICIPANTS", "PER_TRANSACTION"]  # fmt: skip

#: Copied addresses kept per message: a mail to 500 people does not make 500 participants.
MAX_PARTICIPANTS = 20
_NO_TEXT = "(the message has no text)"
#: Messages processed per transaction by :func:`process_many`: other writers wait at most that long.
PER_TRANSACTION = 50
_DONE_STATES = [InState.TICKET, InState.AUTOMATIC, InState.IGNORED, InState.MOVED]


@dataclass(frozen=True)
class Outcome:
    message: MailMessage
    new: bool  # False: these exact bytes were already on the desk
    state: str  # an ``InState``
    ticket: int | None
    why: str


def ingest_bytes(
    data: bytes, *, source: str, settings: MailSettings, queue: str | None = None, actor: Agent | None = None
) -> Outcome:
    """Store ``data`` and process it; the same bytes twice are taken once. Raises ``StorageError`` only."""
    row, new = keep_raw(data, source=source)
    if row.state != InState.STORED:
        return Outcome(row, False, row.state, row.ticket_id, f"already on the desk ({row.state})")
    return process(row, settings, queue=queue, actor=actor, new=new)


def process_waiting(
    settings: MailSettings, *, actor: Agent | None = None, limit: int = 1000, source: str | None = None,
    queue: str | None = None, should_stop: Callable[[], bool] | None = None,
) -> list[Outcome]:  # fmt: skip
    """Finish messages stored but not processed (a crash between the two steps), oldest first; only
    those first read from ``source`` when it is given (a fetch passes its source and its queue)."""
    query = MailMessage.select(MailMessage.id).where((MailMessage.state == InState.STORED)
                                                     & (MailMessage.direction == "in"))  # fmt: skip
    if source is not None:
        query = query.where(MailMessage.source == source[:300])
    ids = [message_id for (message_id,) in query.order_by(MailMessage.id).limit(limit).tuples()]
    outcomes: list[Outcome] = []
    for start in range(0, len(ids), PER_TRANSACTION):
        if should_stop is not None and should_stop():
            break
        chunk = ids[start : start + PER_TRANSACTION]
        raw = dict(MailMessage.select(MailMessage.id, MailMessage.raw).where(MailMessage.id.in_(chunk)).tuples())
        outcomes += process_many([(i, bytes(raw[i]), False) for i in chunk if i in raw], settings, queue=queue,
                                 actor=actor)  # fmt: skip
    return outcomes


def process(
    row: MailMessage, settings: MailSettings, *, queue: str | None = None, actor: Agent | None = None, new: bool = False
) -> Outcome:
    """Process a stored message. Anything but a storage failure ends in a state, quarantine included."""
    outbox_start()
    data = bytes(row.raw)
    return _process_one(row.id, data, _read(data, settings), settings, queue, actor, new)


def process_many(
    items: Iterable[tuple[int, bytes, bool]], settings: MailSettings, *, queue: str | None = None,
    actor: Agent | None = None, per_transaction: int = PER_TRANSACTION,
    done: Callable[[list[Outcome]], None] | None = None, should_stop: Callable[[], bool] | None = None,
) -> list[Outcome]:  # fmt: skip
    """Process stored messages, given as (``MailMessage`` id, raw bytes, new), ``per_transaction`` at a time.

    Each group is parsed first, then processed in one transaction, each message in a savepoint of its
    own: one that fails rolls back alone and ends in quarantine, as with :func:`process`. A storage
    failure is raised and rolls the group back: its messages stay ``stored`` for
    :func:`process_waiting`. ``done`` is called with each group's outcomes once it is committed;
    ``should_stop`` is asked before each group (what is left stays ``stored``)."""
    items = list(items)
    outbox_start()
    outcomes: list[Outcome] = []
    for start in range(0, len(items), max(1, per_transaction)):
        if should_stop is not None and should_stop():
            break
        group = [(message_id, data, new, _read(data, settings))
                 for message_id, data, new in items[start : start + max(1, per_transaction)]]  # fmt: skip
        with write_transaction(), reuse_policies():
            finished = [_process_one(message_id, data, read, settings, queue, actor, new)
                        for message_id, data, new, read in group]  # fmt: skip
        outcomes += finished
        if done is not None:
            done(finished)
    return outcomes


def _read(data: bytes, settings: MailSettings) -> Parsed | str:
    """The parsed message, or why it goes to quarantine unread. No database."""
    if len(data) > settings.max_message_bytes:
        return (f"the message is {len(data):,} bytes, over the limit of "
                f"{settings.max_message_bytes // 2**20} MB (max_message_mb)")  # fmt: skip
    try:
        return parse(data)
    except Unparseable as exc:
        return str(exc)
    except Exception as exc:  # a bug in the parser must not stop the others: this one waits in quarantine
        return f"could not be read ({type(exc).__name__}: {str(exc)[:200]})"


def _process_one(message_id: int, data: bytes, read: Parsed | str, settings: MailSettings, queue, actor,
                 new: bool) -> Outcome:  # fmt: skip
    if isinstance(read, str):
        return _quarantine(message_id, read, new)
    parsed = read
    try:
        return _process(message_id, data, parsed, settings, queue, actor, new)
    except (StorageError, pw.OperationalError, pw.InterfaceError):
        raise
    except pw.IntegrityError as exc:
        return _quarantine(message_id, f"the desk refused it: {str(exc).splitlines()[0][:200]}", new, parsed)
    except (InvalidInput, NotFound) as exc:
        return _quarantine(message_id, str(exc), new, parsed)
    except Exception as exc:  # a bug must not lose the message: it waits in quarantine for a fixed Sportello
        return _quarantine(message_id, f"could not be processed ({type(exc).__name__}: {str(exc)[:200]})", new,
                           parsed)  # fmt: skip


def _headers(parsed: Parsed | None) -> dict:
    if parsed is None:
        return {}
    return {
        "message_id": (parsed.message_id or None) and parsed.message_id[:998],
        "sender": parsed.sender.email[:254] if parsed.sender else "",
        "subject": parsed.subject[:2000],
    }


def _quarantine(message_id: int, why: str, new: bool, parsed: Parsed | None = None) -> Outcome:
    with write_transaction():
        MailMessage.update(state=InState.QUARANTINED, reason=why[:2000], processed_at=utcnow(),
                           attempts=MailMessage.attempts + 1, **_headers(parsed)).where(
            (MailMessage.id == message_id) & (MailMessage.state.in_([InState.STORED, InState.QUARANTINED]))
        ).execute()  # fmt: skip
    return Outcome(MailMessage.get_by_id(message_id), new, InState.QUARANTINED, None, why)


# --- the hot queries, built once per backend ------------------------------------------------------

#: Every column of a message but its raw bytes (the caller has those in hand).
_ROW_FIELDS = tuple(f for f in MailMessage._meta.sorted_fields if f.name != "raw")


def _claim_query(message_id, sender, since, twin_id, email):
    """The message read again and locked, and in the same round trip what processing asks next: how
    many messages its sender sent within the hour, whether one with its Message-ID was taken before,
    and the customer with its sender's address."""
    recent, twins = MailMessage.alias("recent"), MailMessage.alias("twins")
    flood = recent.select(pw.fn.COUNT(recent.id)).where(
        (recent.sender == sender) & (recent.received_at >= since) & (recent.direction == "in")
        & recent.state.in_([InState.TICKET, InState.AUTOMATIC]))  # fmt: skip
    # Only the Message-ID here, so that SQLite searches by it (``_duplicate_of`` asks the rest).
    twin = twins.select(twins.id).where((twins.message_id == twin_id) & (twins.id != message_id))
    query = (MailMessage.select(*_ROW_FIELDS, flood.alias("flood"), pw.fn.EXISTS(twin).alias("twins"),
                                *Customer._meta.sorted_fields)
             .join(Customer, pw.JOIN.LEFT_OUTER, on=(Customer.email == email))
             .where(MailMessage.id == message_id))  # fmt: skip
    return query.for_update(of=MailMessage) if is_postgres() else query


_CLAIM = Prepared(_claim_query, int, str, datetime, str, str)
_TWINS = Prepared(lambda message_id, me: MailMessage.select(MailMessage.id, MailMessage.ticket, MailMessage.raw).where(
    (MailMessage.message_id == message_id) & (MailMessage.id != me) & (MailMessage.direction == "in")
    & MailMessage.state.in_(_DONE_STATES)).order_by(MailMessage.id).limit(20), str, int)  # fmt: skip
_CUSTOMER = Prepared(lambda email: Customer.select().where(Customer.email == email).limit(1), str)
_TICKET = Prepared(lambda number: Ticket.select().where(Ticket.number == number), int)
#: Organizations whose domains contain the text (LIKE); which one claims the domain exactly is decided after.
_CLAIMS = Prepared(lambda pattern: Organization.select().where(
    (Organization.mail_domains != "") & (Organization.mail_domains ** pattern)).order_by(Organization.id), str)  # fmt: skip
_DONE = Prepared(
    lambda state, ticket, event, reason, automatic, at, message_id, sender, subject, me: MailMessage.update(
        state=state, ticket=ticket, event=event, reason=reason, automatic=automatic, processed_at=at,
        attempts=MailMessage.attempts + 1, message_id=message_id, sender=sender, subject=subject,
    ).where(MailMessage.id == me),
    str, int, int, str, str, datetime, str, str, str, int,
)  # fmt: skip


def _model(model: type[pw.Model], fields, values: tuple) -> pw.Model:
    """A row as Peewee would have read it, from a prepared query's columns."""
    row = model(**{f.name: v for f, v in zip(fields, values)})
    row._dirty.clear()
    return row


def _ticket(number: int) -> Ticket:
    """``Ticket.get_by_id``, prepared."""
    found = _TICKET.first(number)
    if found is None:
        raise Ticket.DoesNotExist(f"no ticket #{number}")
    return _model(Ticket, Ticket._meta.sorted_fields, found)


@dataclass
class _Claimed:
    row: MailMessage  # read again inside the transaction, with the raw bytes in hand
    recent: int  # messages from its sender taken within the hour (the flood count)
    twins: bool  # another message with its Message-ID is on the desk: see whether it is the same
    customer: Customer | None  # the customer with the sender's address, if there is one


def _claim(message_id: int, data: bytes, parsed: Parsed) -> _Claimed | None:
    """The message read again inside the transaction (locked on PostgreSQL: another run may be at
    it), with what processing it asks of the store next, in one round trip."""
    sender = parsed.sender.email if parsed.sender else ""
    try:
        email = validate.email(parsed.sender.email) if parsed.sender else ""
    except InvalidInput:  # no customer to look up: ``_customer`` says why, if it comes to that
        email = ""
    found = _CLAIM.first(message_id, sender, utcnow() - timedelta(hours=1),
                         (parsed.message_id or "")[:998], email)  # fmt: skip
    if found is None:
        return None
    width = len(_ROW_FIELDS)
    row = _model(MailMessage, _ROW_FIELDS, found[:width])
    row.raw = data
    row._dirty.clear()
    recent, twins, customer = found[width], found[width + 1], found[width + 2 :]
    known = _model(Customer, Customer._meta.sorted_fields, customer) if customer[0] is not None else None
    return _Claimed(row, int(recent or 0), bool(twins) and bool(parsed.message_id), known)


def _fingerprint(parsed: Parsed) -> str:
    """What makes two copies of one message the same message, whatever their envelopes say."""
    parts = [parsed.subject, parsed.sender.email if parsed.sender else "", parsed.text,
             *(f"{a.filename}:{a.size}" for a in parsed.attachments)]  # fmt: skip
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _duplicate_of(row: MailMessage, parsed: Parsed) -> tuple[int, int | None] | None:
    """(mail id, ticket) of the same message (Message-ID and content) taken before, if any (asked
    only when the claim found one with its Message-ID)."""
    if not parsed.message_id:
        return None
    others = _TWINS.rows(parsed.message_id[:998], row.id)
    if not others:
        return None
    mine = _fingerprint(parsed)
    for other_id, ticket, raw in others:
        try:
            if _fingerprint(parse(bytes(raw))) == mine:
                return other_id, ticket
        except Unparseable:
            continue
    return None


def _flooding(recent: int, settings: MailSettings) -> bool:
    return recent >= settings.loop_limit


def _embedded_thread(parsed: Parsed) -> Thread | None:
    """A bounce or auto-reply that quotes our mail (message/rfc822, text/rfc822-headers): its Message-ID."""
    for part in parsed.message.walk():
        ctype = part.get_content_type()
        if ctype not in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            continue
        try:
            if ctype == "message/rfc822":
                inner = part.get_payload(0) if part.is_multipart() else None
                ids = [str(inner.get("Message-ID", ""))] if inner is not None else []
            else:
                text = part.get_payload(decode=True) or b""
                ids = [line.split(b":", 1)[1].decode("ascii", "replace") for line in text.splitlines()
                       if line.lower().startswith(b"message-id:")]  # fmt: skip
        except Exception:  # a broken report part: no thread from it
            continue
        for message_id in ids:
            found = signing.ticket_of_message_id(message_id.strip())
            if found is not None and Ticket.select().where(Ticket.number == found[0]).exists():
                from models.tickets.merge import surviving

                return Thread(surviving(found[0]), "it quotes our message in its report")
    return None


def organization_for_domain(address: str) -> Organization | None:
    """The organization that claims the address's domain (``org set --domains``), if exactly one does."""
    domain = address.rpartition("@")[2].lower()
    if not domain:
        return None
    claims = [_model(Organization, Organization._meta.sorted_fields, values) for values in _CLAIMS.rows(f"%{domain}%")]
    found = [org for org in claims if domain in org.mail_domains.lower().split()]
    return found[0] if len(found) == 1 else None


def _customer(address: Address, known: Customer | None = None) -> Customer:
    """The customer with this address (``known``: already looked up), added on first contact."""
    if known is not None:
        return known
    email = validate.email(address.email)
    existing = _CUSTOMER.first(email)
    if existing is not None:
        return _model(Customer, Customer._meta.sorted_fields, existing)
    name = validate.name(address.name[:200], fallback=email.split("@")[0])
    try:  # as ``directory.customer_for``, without looking them up a second time
        return directory.add_customer(email, name, organization=organization_for_domain(email))
    except Conflict:  # someone else added them a moment ago
        return directory.find_customer(email)


def _queue_for(parsed: Parsed, settings: MailSettings, queue: str | None) -> str | None:
    for address in [a.email for a in (*parsed.to, *parsed.cc)] + list(parsed.delivered_to):
        if address in settings.queues:
            return settings.queues[address]
    return queue or settings.default_queue


def _body(parsed: Parsed) -> str:
    text = parsed.text.strip()
    if not text:
        text = _NO_TEXT
    limit = validate.MAX_BODY_BYTES - 200
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        text = text.encode("utf-8", "surrogatepass")[:limit].decode("utf-8", "ignore")
        text += "\n\n[the message was longer; the whole message is kept with the mail]"
    return text


def _participants(ticket: Ticket, parsed: Parsed, sender: Customer, settings: MailSettings) -> None:
    ours = settings.desk_addresses
    seen = 0
    for address in (*parsed.cc, *parsed.to):
        email = address.email
        if email in ours or signing.ticket_of_address(email) is not None or email == sender.email:
            continue
        if seen >= MAX_PARTICIPANTS:
            break
        try:
            customer = _customer(address)
        except InvalidInput:
            continue
        seen += 1
        if customer.id == ticket.customer_id:
            continue
        TicketParticipant.insert(ticket=ticket.number, customer=customer.id,
                                 added_at=utcnow()).on_conflict_ignore().execute()  # fmt: skip


def _attachments(row: MailMessage, parsed: Parsed, settings: MailSettings) -> None:
    for info in parsed.attachments:
        MailAttachment.insert(message=row.id, position=info.position, filename=info.filename[:255] or "attachment",
                              content_type=info.content_type[:255], size=info.size,
                              kept=info.size <= settings.max_attachment_bytes).on_conflict_ignore().execute()  # fmt: skip


def _done(row: MailMessage, parsed: Parsed, state: str, ticket: int | None, event_id: int | None, why: str,
          automatic: str | None = None) -> None:  # fmt: skip
    """Mark the (claimed) message done, in the store and on ``row``."""
    values = dict(state=state, ticket=ticket, event=event_id, reason=why[:2000], automatic=automatic,
                  processed_at=utcnow(), **_headers(parsed))  # fmt: skip
    _DONE.execute(values["state"], ticket, event_id, values["reason"], automatic, values["processed_at"],
                  values["message_id"], values["sender"], values["subject"], row.id)  # fmt: skip
    for name, value in values.items():
        setattr(row, name, value)
    row.attempts = (row.attempts or 0) + 1
    row._dirty.clear()


def _process(message_id: int, data: bytes, parsed: Parsed, settings: MailSettings, queue, actor, new) -> Outcome:
    with write_transaction():
        claimed = _claim(message_id, data, parsed)
        if claimed is None or claimed.row.state not in (InState.STORED, InState.QUARANTINED):
            current = claimed.row if claimed is not None else MailMessage.get_by_id(message_id)
            return Outcome(current, False, current.state, current.ticket_id, "taken by another run")
        row = claimed.row
        twin = _duplicate_of(row, parsed) if claimed.twins else None
        if twin is not None:
            twin_id, twin_ticket = twin
            why = f"the same message (Message-ID and content) as mail #{twin_id}, already on the desk"
            _done(row, parsed, InState.DUPLICATE, twin_ticket, None, why)
            return Outcome(row, False, InState.DUPLICATE, twin_ticket, why)
        automatic = classify(parsed.message, desk_addresses=settings.desk_addresses, loop_id=signing.loop_id())
        sender = parsed.sender.email if parsed.sender else ""
        if automatic is not None and automatic.kind in ("auto-reply", "list") and settings.takes_automatic_from(sender):
            automatic = None  # an alert or form the desk was told to take as a request
        if automatic is None and sender and _flooding(claimed.recent, settings):
            automatic = Automatic("flood", f"more than {settings.loop_limit} messages from {sender} within an hour "
                                           "(loop_limit): held, not answered")  # fmt: skip
        if automatic is not None:
            return _automatic(row, parsed, automatic, actor, new)
        if parsed.sender is None:
            raise InvalidInput("the message names no sender address (From)")
        customer = _customer(parsed.sender, claimed.customer)
        thread = find_thread(parsed, customer)
        number = thread.ticket
        why = thread.why
        target = _ticket(number) if number is not None else None
        if target is not None and target.status == Status.CLOSED:
            why = f"a follow-up to #{number}, which is closed ({why})"
            number = target = None
        with synced_from("mail", customer.email):
            if number is None:
                ticket = create_ticket(
                    actor, subject=parsed.subject or "(no subject)", body=_body(parsed), customer=customer,
                    queue=_queue_for(parsed, settings, queue), channel="email", reason=why,
                )  # fmt: skip
            else:
                ticket = _to_ticket(actor, target, parsed, customer, why)
        event = ticket.written[0] if ticket.written else None
        _participants(ticket, parsed, customer, settings)
        _attachments(row, parsed, settings)
        _done(row, parsed, InState.TICKET, ticket.number, event.id if event else None, why)
        return Outcome(row, new, InState.TICKET, ticket.number, why)


def _to_ticket(actor, target: Ticket, parsed: Parsed, customer: Customer, why: str) -> Ticket:
    """The message onto ticket ``target``: a survey answer, a status request, or a reply (``models.mail.requests``)."""
    number = target.number
    request = customer_request(parsed, target)
    if request is not None and request.kind == "survey" and customer.id == target.customer_id:
        return csat.record(actor, number, request.score, request.comment or None)
    if request is not None and request.kind == "status":
        asked = new_event(EventKind.MAIL.value, field="status_request", body=_body(parsed), customer=customer.id,
                          reason=f"{customer.email} asked where the request stands ({why}); the answer goes by mail")  # fmt: skip
        return pipeline.change(actor, number, None, lambda _t, _s: [asked])
    return pipeline.change(actor, number, None, _reply_build(customer, _body(parsed), why))


def _reply_build(customer: Customer, body: str, why: str):
    def build(ticket: Ticket, state: TicketState):
        events = [new_event(EventKind.REPLY.value, visibility=Visibility.PUBLIC.value, body=body,
                            customer=customer.id, reason=why)]  # fmt: skip
        status = Status(ticket.status)
        if status in (Status.RESOLVED, Status.PENDING):
            said = "the customer replied by mail" + (" after resolution" if status == Status.RESOLVED else "")
            events.append(status_event(status, Status.OPEN, said, customer.id))
        return events

    return build


def _automatic(row: MailMessage, parsed: Parsed, automatic: Automatic, actor, new) -> Outcome:
    thread = find_thread(parsed, None)
    if thread.ticket is None:
        thread = _embedded_thread(parsed) or thread
    sender = parsed.sender.email if parsed.sender else "(no sender)"
    for address in automatic.failed:
        # Only an address the desk mails: a heuristic bounce may name one from the quoted original.
        if Customer.select().where(Customer.email == address[:254]).exists():
            _mark_undeliverable(address, automatic)
    if thread.ticket is None:
        why = f"{automatic.kind}: {automatic.why}; it belongs to no ticket, so nothing changed"
        _done(row, parsed, InState.IGNORED, None, None, why, automatic.kind)
        return Outcome(row, new, InState.IGNORED, None, why)
    failed = f"; delivery to {', '.join(automatic.failed)} failed" + (" for good" if automatic.permanent else "") \
        if automatic.failed else ""  # fmt: skip
    note = f"{automatic.kind} from {sender}: {automatic.why}{failed}. Nothing changed and no answer was sent."
    event = new_event(EventKind.MAIL.value, field="automatic", new_value=automatic.kind, body=note,
                      reason=thread.why)  # fmt: skip
    with synced_from("mail", sender[:200]):
        ticket = pipeline.change(actor, thread.ticket, None, lambda _t, _s: [event])
    _done(row, parsed, InState.AUTOMATIC, ticket.number, ticket.written[0].id, note, automatic.kind)
    return Outcome(row, new, InState.AUTOMATIC, ticket.number, note)


def _mark_undeliverable(address: str, automatic: Automatic) -> None:
    now = utcnow()
    problem = f"{'permanent' if automatic.permanent else 'temporary'} delivery failure: {automatic.why}"[:500]
    values = {"bounces": 1, "problem": problem, "updated_at": now}
    if automatic.permanent:
        values["undeliverable_at"] = now
    updated = MailAddress.update(bounces=MailAddress.bounces + 1, problem=problem, updated_at=now,
                                 **({"undeliverable_at": now} if automatic.permanent else {})).where(
        MailAddress.email == address[:254]).execute()  # fmt: skip
    if not updated:
        MailAddress.insert(email=address[:254], **values).on_conflict_ignore().execute()
