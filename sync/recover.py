"""What a cut-off run or a write that landed late left remotely: found and linked, never copied.

A delivery marked ``sending`` was cut off between the remote write and its record. Before the pull,
:meth:`Recovery.recover` searches the remote for what that write made (a ticket by subject, a message
by body) and adopts it; what is not found is sent again by the push. During the pull, a remote
ticket or message that is one of this desk's own writes, landed after its run gave up (a timeout),
is linked to the local one, or when it was sent again meanwhile, that extra copy is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models.enums import EventKind
from models.exchange import sync_state
from models.store.db import write_transaction
from models.store.sync_tables import SyncRemote, SyncTicket
from models.store.tables import Ticket
from sync.push import Pusher
from sync.remotes.base import Remote, RemoteMessage, RemoteTicket, agreed_fields
from sync.summary import Summary

__all__ = ["Recovery", "same_text"]

_SLACK = timedelta(seconds=2)  # clock slack when matching what a cut-off run wrote remotely
_LATE_WRITE = timedelta(minutes=10)  # how late a timed-out write may still land remotely


def same_text(a: str | None, b: str | None) -> bool:
    """Whether two message bodies say the same, spacing aside (a remote may rewrap or trim)."""
    return " ".join((a or "").split()) == " ".join((b or "").split())


class Recovery:
    """One run's adoption of its own earlier writes; the engine makes one per run beside its pusher."""

    def __init__(self, remote: Remote, state: SyncRemote, summary: Summary, pusher: Pusher):
        self.remote, self.state, self.summary, self.pusher = remote, state, summary, pusher
        self.sent_tickets = False  # whether this desk ever sent a ticket there (the engine reads it at each pull)

    def recover(self) -> None:
        """Deliveries left ``sending`` by a cut-off run: what their write made remotely is linked; what is
        not found stays in the outbox, sent again by the push."""
        for delivery in sync_state.deliveries_sending(self.state):
            event = delivery.event
            since = delivery.started_at - _SLACK
            if event.kind == EventKind.CREATED:
                if sync_state.ticket_link(self.state, event.ticket_id) is not None:
                    sync_state.finish_delivery(self.state, event.id, "done", "recovered")
                    continue
                subject = Ticket.get_by_id(event.ticket_id).subject
                key = self.remote.find_ticket(subject=subject, since=since)
                if key is not None and sync_state.ticket_link_by_key(self.state, key) is None:
                    self.pusher.link_created(event, key)
                    sync_state.finish_delivery(self.state, event.id, "done", "recovered after an interrupted run")
            elif event.kind in (EventKind.REPLY, EventKind.NOTE):
                link = sync_state.ticket_link(self.state, event.ticket_id)
                if link is None or sync_state.message_link(self.state, event.id) is not None:
                    continue
                messages, _bad = self.remote.messages(link.remote_key)
                known = sync_state.message_keys(self.state, event.ticket_id)
                for message in messages:
                    if (
                        message.remote_id not in known
                        and message.created >= since
                        and same_text(message.body, event.body)
                    ):
                        with write_transaction():
                            sync_state.link_message(self.state, event.id, message.remote_id)
                            sync_state.finish_delivery(
                                self.state, event.id, "done", "recovered after an interrupted run"
                            )
                        break

    def adopt_created(self, remote_ticket: RemoteTicket, messages: list[RemoteMessage],
                      seen_at: datetime | None) -> tuple[bool, SyncTicket | None]:  # fmt: skip
        """A ticket this desk sent, whose write landed after the run that sent it had given up (a
        timeout): link it, or when it was sent again meanwhile, leave that extra copy alone. Never
        import it back as a new ticket. True when it was one of ours."""
        first = next((m for m in messages if m.public), None)
        if not self.sent_tickets or first is None:
            return False, None
        for delivery in sync_state.sent_tickets(self.state, remote_ticket.subject, remote_ticket.created - _LATE_WRITE):
            event = delivery.event
            if delivery.started_at - _SLACK > remote_ticket.created or not same_text(first.body, event.body):
                continue
            link = sync_state.ticket_link(self.state, event.ticket_id)
            if link is None:
                sync_state.link_message(self.state, event.id, first.remote_id)
                sync_state.finish_delivery(self.state, event.id, "done", "its write landed late; linked on pull")
                return True, sync_state.link_ticket(
                    self.state, event.ticket_id, remote_ticket.remote_id,
                    agreed_fields(remote_ticket),
                    etag=remote_ticket.etag, updated=remote_ticket.updated, seen_at=seen_at,
                )  # fmt: skip
            if link.remote_key != remote_ticket.remote_id:
                self.summary.note("skipped", f"{self.remote.kind} ticket {remote_ticket.remote_id}",
                                  f"a second copy of ticket #{event.ticket_id}, left by a write that timed out "
                                  "and landed late; not imported")  # fmt: skip
                return True, None
        return False, None

    def adopt_message(self, number: int, message: RemoteMessage) -> bool:
        """A message this desk sent in a run that was cut off before recording it: link, don't copy.
        True when it was one of ours (linked, or a late copy left alone)."""
        for delivery in sync_state.deliveries_sending(self.state):
            event = delivery.event
            if (
                event.ticket_id == number
                and event.kind in (EventKind.REPLY, EventKind.NOTE)
                and message.created >= delivery.started_at - _SLACK
                and same_text(event.body, message.body)
            ):
                sync_state.link_message(self.state, event.id, message.remote_id)
                sync_state.finish_delivery(self.state, event.id, "done", "recovered after an interrupted run")
                return True
        # Sent again after a timeout, and the first write landed late: that copy is not brought here.
        for delivery in sync_state.sent_messages(self.state, number, message.created - _LATE_WRITE):
            event = delivery.event
            if message.created >= delivery.started_at - _SLACK and same_text(event.body, message.body):
                linked = sync_state.message_link(self.state, event.id)
                if linked is not None and linked.remote_key != message.remote_id:
                    self.summary.note("skipped", f"{self.remote.kind} message {message.remote_id}",
                                      f"a second copy of a {event.kind} on ticket #{number}, left by a write that "
                                      "timed out and landed late; not imported")  # fmt: skip
                    return True
        return False
