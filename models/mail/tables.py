"""The mail records (migration 0013): one set for mail in and mail out.

A ``MailMessage`` is a raw message, stored under the SHA-256 of its bytes before it is parsed, so
that nothing read is lost and the same bytes are never taken twice. What became of it (its ticket,
the event it made, why it joined that ticket, or why it sits in quarantine) is written on the same
row in the transaction that makes the event.
"""

from __future__ import annotations

import peewee as pw

from models.store.tables import BaseModel, Customer, Ticket, TicketEvent, utcnow

__all__ = [
    "MailMessage",
    "MailAttachment",
    "MailUid",
    "MailAddress",
    "TicketParticipant",
    "DeskSecret",
    "MAIL_TABLES",
    "InState",
    "OutState",
    "MailMark",
]


class InState:
    """What became of an incoming message."""

    STORED = "stored"  # read and kept; not processed yet (a crash between storing and processing)
    TICKET = "ticket"  # it opened a ticket or joined one
    AUTOMATIC = "automatic"  # an auto-reply, bounce, list or looping mail: recorded, nothing changed
    QUARANTINED = "quarantined"  # could not be processed; an agent can look and retry
    IGNORED = "ignored"  # automatic mail that belongs to no ticket: kept, never answered
    DUPLICATE = "duplicate"  # the same message (Message-ID and content) came again, e.g. to two addresses
    MOVED = "moved"  # an agent moved it to another ticket (``ticket`` is where it is now)


class MailMessage(BaseModel):
    sha256 = pw.CharField(max_length=64, unique=True)  # of ``raw``: the content address
    raw = pw.BlobField()
    size = pw.IntegerField()
    direction = pw.CharField(max_length=3, default="in")  # "in", or "out" (the outbox)
    state = pw.CharField(max_length=16, default=InState.STORED)
    message_id = pw.CharField(max_length=998, null=True)  # the Message-ID header, without <>
    sender = pw.CharField(max_length=254, default="")  # the address, lower case
    subject = pw.TextField(default="")
    source = pw.CharField(max_length=300, default="")  # where it was first read (no secret)
    received_at = pw.DateTimeField(default=utcnow)
    processed_at = pw.DateTimeField(null=True)
    ticket = pw.ForeignKeyField(Ticket, null=True, backref="mail", index=False)
    event = pw.ForeignKeyField(TicketEvent, null=True, backref="mail", index=False)
    reason = pw.TextField(default="")  # why it joined its ticket, or why it is where it is
    automatic = pw.CharField(max_length=16, null=True)  # auto-reply, bounce, list, loop, flood
    attempts = pw.IntegerField(default=0)
    # Mail out (migration 0014): what the message is for, to whom, when to try again, what the server said.
    purpose = pw.CharField(max_length=16, null=True)  # reply, created, status, resolved, status_answer
    recipients = pw.TextField(default="")  # addresses, space-separated
    next_attempt_at = pw.DateTimeField(null=True)
    answer = pw.TextField(default="")

    class Meta:
        table_name = "mail_message"
        indexes = (
            (("message_id",), False),
            (("ticket", "id"), False),
            (("sender", "received_at"), False),
            (("state", "received_at"), False),
        )


class MailAttachment(BaseModel):
    """A part of a message that is a file: listed here, its bytes read back from the raw message."""

    message = pw.ForeignKeyField(MailMessage, backref="attachments", index=False)
    position = pw.IntegerField()  # the part's place in ``message.walk()``
    filename = pw.CharField(max_length=255)  # made inert: no path, no control or bidi characters
    content_type = pw.CharField(max_length=255, default="application/octet-stream")
    size = pw.IntegerField()
    kept = pw.BooleanField(default=True)  # False: over the size limit, listed but not saved

    class Meta:
        table_name = "mail_attachment"
        indexes = ((("message", "position"), True),)


class OutState:
    """Where an outgoing message is."""

    QUEUED = "queued"  # made, waiting to be sent
    SENDING = "sending"  # handed to the mail server right now (claimed by one sender)
    SENT = "sent"  # the mail server took it
    RETRYING = "retrying"  # a temporary failure; ``next_attempt_at`` says when again
    FAILED = "failed"  # refused for good, or retried too long
    UNKNOWN = "unknown"  # the sender stopped while handing it over: maybe sent; never sent again by itself
    HELD = "held"  # nobody to send it to (no address, or every address undeliverable)
    SKIPPED = "skipped"  # not to be sent (that notification is off, the ticket has no customer)

    WAITING = (QUEUED, RETRYING)


class MailMark(BaseModel):
    """A named number the mail code keeps (``outbox_from``: the first event the outbox may mail)."""

    name = pw.CharField(max_length=64, unique=True)
    value = pw.BigIntegerField()

    class Meta:
        table_name = "mail_mark"


class MailUid(BaseModel):
    """An IMAP message already taken: (source, UIDVALIDITY, UID), so a second fetch skips it unread."""

    source = pw.CharField(max_length=300)
    uidvalidity = pw.BigIntegerField()
    uid = pw.BigIntegerField()
    message = pw.ForeignKeyField(MailMessage, backref="uids", index=False)
    done = pw.BooleanField(default=False)  # moved or flagged at the source

    class Meta:
        table_name = "mail_uid"
        indexes = ((("source", "uidvalidity", "uid"), True),)


class MailAddress(BaseModel):
    """What the desk knows of an address it mails: a permanent delivery failure marks it undeliverable."""

    email = pw.CharField(max_length=254, unique=True)
    undeliverable_at = pw.DateTimeField(null=True)
    problem = pw.TextField(default="")
    bounces = pw.IntegerField(default=0)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "mail_address"


class TicketParticipant(BaseModel):
    """Someone copied on a ticket's mail (Cc): they receive its public replies."""

    ticket = pw.ForeignKeyField(Ticket, backref="participants", index=False)
    customer = pw.ForeignKeyField(Customer, backref="participations")
    role = pw.CharField(max_length=8, default="cc")
    added_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "ticket_participant"
        indexes = ((("ticket", "customer"), True),)


class DeskSecret(BaseModel):
    """Secrets the desk makes for itself (the key that signs its Message-IDs and reply addresses)."""

    name = pw.CharField(max_length=64, unique=True)
    value = pw.CharField(max_length=128)

    class Meta:
        table_name = "desk_secret"


MAIL_TABLES = [MailMessage, MailAttachment, MailUid, MailAddress, TicketParticipant, DeskSecret, MailMark]
