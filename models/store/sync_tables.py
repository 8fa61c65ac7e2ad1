"""The tables that remember what a desk has synced with each remote helpdesk (migration 0010).

They are the desk's own bookkeeping, not tickets: ``sportello export`` leaves them out.
"""

from __future__ import annotations

import peewee as pw

from models.store.tables import Agent, BaseModel, Ticket, TicketEvent, utcnow

__all__ = ["SyncRemote", "SyncTicket", "SyncMessage", "SyncDelivery", "SyncRun", "SyncConflict", "SYNC_TABLES"]


class SyncRemote(BaseModel):
    """A remote this desk has synced with: its pull cursor and where its outbox starts."""

    name = pw.CharField(max_length=64, unique=True)
    kind = pw.CharField(max_length=16)
    cursor = pw.CharField(max_length=64, null=True)  # the adapter's "changed since" mark, validated
    push_from = pw.IntegerField()  # events after this id are this remote's outbox
    created_at = pw.DateTimeField(default=utcnow)
    last_run_at = pw.DateTimeField(null=True)
    last_ok_at = pw.DateTimeField(null=True)


class SyncTicket(BaseModel):
    """A local ticket and its remote twin; ``base`` holds the field values both sides last agreed on."""

    remote = pw.ForeignKeyField(SyncRemote, backref="tickets", index=False)
    ticket = pw.ForeignKeyField(Ticket, backref="sync_links", index=False)
    remote_key = pw.CharField(max_length=64)
    base = pw.TextField()  # JSON {"subject", "status", "priority"} in local terms
    etag = pw.CharField(max_length=128, null=True)
    remote_updated = pw.DateTimeField(null=True)
    seen_at = pw.DateTimeField(null=True)  # the remote's clock when this state was read there

    class Meta:
        indexes = ((("remote", "remote_key"), True), (("remote", "ticket"), True))


class SyncMessage(BaseModel):
    """A reply or note and its remote twin, whichever side wrote it first."""

    remote = pw.ForeignKeyField(SyncRemote, backref="messages", index=False)
    event = pw.ForeignKeyField(TicketEvent, backref="sync_links", index=False)
    remote_key = pw.CharField(max_length=64)

    class Meta:
        indexes = ((("remote", "remote_key"), True), (("remote", "event"), True))


class SyncDelivery(BaseModel):
    """An outbox event's delivery to one remote: ``sending`` before the write, then ``done`` or ``skipped``."""

    remote = pw.ForeignKeyField(SyncRemote, backref="deliveries", index=False)
    event = pw.ForeignKeyField(TicketEvent, backref="deliveries", index=False)
    state = pw.CharField(max_length=16)
    started_at = pw.DateTimeField()
    done_at = pw.DateTimeField(null=True)
    note = pw.TextField(default="")

    class Meta:
        indexes = ((("remote", "event"), True),)


class SyncRun(BaseModel):
    """One ``sportello sync`` (or the app's) run against one remote, with its counts and report."""

    remote = pw.ForeignKeyField(SyncRemote, backref="runs", index=False)
    started_at = pw.DateTimeField()
    finished_at = pw.DateTimeField(null=True)
    mode = pw.CharField(max_length=16)
    pulled = pw.IntegerField(default=0)
    pushed = pw.IntegerField(default=0)
    conflicts = pw.IntegerField(default=0)
    errors = pw.IntegerField(default=0)
    report = pw.TextField(default="[]")  # JSON list of {"what", "where", "problem"}

    class Meta:
        indexes = ((("remote", "started_at"), False),)


class SyncConflict(BaseModel):
    """Both sides changed one field since the last sync; ``kept`` says which value stands for now."""

    remote = pw.ForeignKeyField(SyncRemote, backref="conflicts", index=False)
    ticket = pw.ForeignKeyField(Ticket, backref="sync_conflicts", index=False)
    field = pw.CharField(max_length=32)
    local_value = pw.TextField(null=True)
    remote_value = pw.TextField(null=True)
    kept = pw.CharField(max_length=8)  # "local" or "remote"
    created_at = pw.DateTimeField(default=utcnow)
    resolved = pw.BooleanField(default=False)
    resolved_at = pw.DateTimeField(null=True)
    resolved_by = pw.ForeignKeyField(Agent, null=True, backref="sync_conflicts_resolved")

    class Meta:
        indexes = ((("resolved", "created_at"), False),)


SYNC_TABLES = [SyncRemote, SyncTicket, SyncMessage, SyncDelivery, SyncRun, SyncConflict]
