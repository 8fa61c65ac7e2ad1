"""The push half of the sync engine: the outbox, in event order, to the remote.

Tickets created here with their first message, replies, notes (where the remote has them),
status and priority. Each remote write is noted as ``sending`` before it is made (so a cut-off
run is recovered) and carries the remote's optimistic check; a refused write is re-read and
retried, and a field the remote changed meanwhile is a conflict.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from models.enums import EventKind
from models.errors import SportelloError
from models.exchange import sync_state
from models.store.db import write_transaction
from models.store.sync_tables import SyncRemote, SyncTicket
from models.store.tables import Customer, Ticket, TicketEvent
from models.tickets import timeline
from sync.config import RemoteConfig
from sync.remotes.base import Remote, RemoteError, RemoteUnavailable, StaleWrite, agreed_fields, message_order
from sync.summary import Progress, Summary

__all__ = ["Pusher"]


class Pusher:
    """Sends one run's outbox to the remote. The engine makes one per run and hands it what the run
    shares: the remote's state, the summary being written, the progress callback, and how a
    conflict is recorded (the engine's, the same for pull and push)."""

    def __init__(
        self,
        config: RemoteConfig,
        remote: Remote,
        state: SyncRemote,
        summary: Summary,
        progress: Progress,
        conflict: Callable[..., None],
    ):
        self.config, self.remote, self.state = config, remote, state
        self.summary, self.progress, self._conflict = summary, progress, conflict

    def push(self) -> None:
        """The outbox, in event order, until it is empty or the run's limit is reached."""
        limit = self.config.max_pages * 100
        done, total = 0, min(sync_state.outbox_count(self.state), limit)
        while done < limit:
            events = sync_state.outbox(self.state, limit=min(200, limit - done))
            if not events:
                return
            for event in events:
                where = f"ticket #{event.ticket_id} event {event.id} ({event.kind})"
                try:
                    self._push_event(event)
                except RemoteUnavailable:
                    raise  # the remote is down: stop here, the rest waits in order
                except (RemoteError, SportelloError) as exc:
                    sync_state.finish_delivery(self.state, event.id, "refused", str(exc))
                    self.summary.note("error", where, str(exc))
                done += 1
                self.progress("push", done, max(total, done))
        self.summary.note("skipped", "push", f"stopped after {limit} events; the next sync goes on")

    def _skip(self, event: TicketEvent, why: str) -> None:
        sync_state.begin_delivery(self.state, event)
        sync_state.finish_delivery(self.state, event.id, "skipped", why)

    def _push_event(self, event: TicketEvent) -> None:
        link = sync_state.ticket_link(self.state, event.ticket_id)
        if event.kind == EventKind.CREATED:
            if link is not None:
                return self._skip(event, "already linked")
            return self._push_created(event)
        if link is None:
            return self._skip(event, f"ticket #{event.ticket_id} is not synced with {self.config.name}")
        if event.kind in (EventKind.REPLY, EventKind.NOTE):
            if event.kind == EventKind.NOTE and not self.remote.has_notes:
                return self._skip(event, f"{self.config.name} has no internal notes")
            public = event.kind == EventKind.REPLY and self._customer_may_see(event)
            if event.kind == EventKind.REPLY and not public and not self.remote.has_notes:
                return self._skip(event, "another customer's reply (a merge) stays off this ticket's customer's view")
            if sync_state.message_link(self.state, event.id) is not None:
                return self._skip(event, "already there")
            sync_state.begin_delivery(self.state, event)
            key = self.remote.add_message(link.remote_key, event.body, public=public)
            with write_transaction():
                sync_state.link_message(self.state, event.id, key)
                sync_state.finish_delivery(self.state, event.id, "done")
        else:
            self._push_field(event, link)
        self.summary.pushed += 1

    @staticmethod
    def _customer_may_see(event: TicketEvent) -> bool:
        # After a merge across customers, one customer's reply sits on another's ticket: the remote
        # shows public messages to the requestor, so it goes there as an internal note, or not at all.
        customer_id = Ticket.select(Ticket.customer).where(Ticket.number == event.ticket_id).scalar()
        return timeline.customer_may_see(event, customer_id)

    def _push_created(self, event: TicketEvent) -> None:
        ticket = Ticket.get_by_id(event.ticket_id)
        first = json.loads(event.new_value or "{}")
        customer = Customer.get_by_id(ticket.customer_id) if ticket.customer_id else None
        sync_state.begin_delivery(self.state, event)
        key = self.remote.create_ticket(
            subject=first.get("subject", ticket.subject), body=event.body or ticket.subject,
            requestor=customer.email if customer else None,
            status=self.config.statuses.to_remote(first.get("status", "new")),
            priority=self.config.priorities.to_remote(first.get("priority", "normal")),
        )  # fmt: skip
        self.link_created(event, key)
        sync_state.finish_delivery(self.state, event.id, "done")
        self.summary.pushed += 1

    def link_created(self, event: TicketEvent, key: str) -> None:
        remote_ticket = self.remote.get_ticket(key)
        messages, _bad = self.remote.messages(key)
        with write_transaction():
            sync_state.link_ticket(
                self.state, event.ticket_id, key, agreed_fields(remote_ticket), etag=remote_ticket.etag
            )
            if messages:
                first = min(messages, key=message_order)
                sync_state.link_message(self.state, event.id, first.remote_id)

    def _push_field(self, event: TicketEvent, link: SyncTicket) -> None:
        name = event.kind  # "status" or "priority"
        mapping = self.config.statuses if name == "status" else self.config.priorities
        value = mapping.to_remote(event.new_value)
        base = json.loads(link.base)
        sync_state.begin_delivery(self.state, event)
        etag = link.etag
        for attempt in range(3):
            try:
                if base.get(name) != value:
                    self.remote.update_ticket(link.remote_key, {name: value}, etag=etag)
                break
            except StaleWrite:
                if attempt == 2:
                    raise
                fresh = self.remote.get_ticket(link.remote_key)
                theirs = getattr(fresh, name)
                if theirs != base.get(name) and theirs != value:
                    local_now = Ticket.get_by_id(event.ticket_id)
                    self._conflict(event.ticket_id, name, getattr(local_now, name), mapping.to_local(theirs), fresh,
                                   f"changed in {self.config.name} while sending")  # fmt: skip
                etag = fresh.etag
        fresh = self.remote.get_ticket(link.remote_key)
        base[name] = value
        with write_transaction():
            sync_state.save_link(link, base, etag=fresh.etag)
            sync_state.finish_delivery(self.state, event.id, "done")
