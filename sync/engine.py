"""The sync engine: recover, pull, push — idempotent, so a second run or a run after a crash
creates nothing twice.

- **Recover.** A delivery marked ``sending`` was cut off between the remote write and its record:
  the remote is searched for what that write made (a ticket by subject, a message by body) and it
  is adopted; what is not found is sent again by the push (:mod:`sync.recover`).
- **Pull.** Remote tickets changed since the cursor, page by page (the cursor moves after each
  page); a thread reads the next pages and their messages (in bulk) while this one is written.
  A new remote ticket is imported with its messages; a known one brings its new messages and the
  fields the remote changed since the last agreed value (``base``). A field changed on both
  sides is a conflict: both values go on the timeline, it is listed for an agent, the local value
  is kept and pushed (the deterministic default).
- **Push.** The outbox (``models.exchange.sync_state``) in event order: tickets created here, replies,
  notes (where the remote has them), status and priority. Writes carry the remote's optimistic
  check; a refused one is retried after a fresh read (:mod:`sync.push`).

The engine does the pull itself and holds the run's ``Pusher`` and ``Recovery``, made afresh for
each run with what the run shares (the remote's state, the summary, how a conflict is recorded).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from models import validate
from models.enums import EventKind, Status
from models.errors import InvalidInput, RuleViolation, SportelloError
from models.exchange import sync_state
from models.sla import rules as sla
from models.store.db import write_transaction
from models.store.sync_tables import SyncRemote, SyncTicket
from models.store.tables import Customer, Ticket, TicketEvent
from models.tickets import changes as tickets
from models.tickets.origin import synced_from
from sync.config import RemoteConfig
from sync.prefetch import ahead
from sync.push import Pusher
from sync.recover import Recovery
from sync.remotes.base import (
    Page,
    Remote,
    RemoteError,
    RemoteMessage,
    RemoteTicket,
    RemoteUnavailable,
    agreed_fields,
    message_order,
)
from sync.summary import Progress, Summary

__all__ = ["Summary", "Engine", "Progress"]  # Summary and Progress: sync.summary


_FIELDS = ("status", "priority")


def _unchanged(link: SyncTicket, remote_ticket: RemoteTicket) -> bool:
    """Whether the remote ticket is exactly as last pulled. Its date is only to the second, so an
    equal date proves nothing unless that second was over, by the remote's own clock, when it was
    read; an equal ETag does."""
    if link.remote_updated != remote_ticket.updated:
        return False
    if remote_ticket.etag and remote_ticket.etag == link.etag:
        return True
    return link.seen_at is not None and link.seen_at >= remote_ticket.updated + timedelta(seconds=1)


class Engine:
    """Syncs one desk with one remote; ``run()`` does a whole sync and returns its ``Summary``."""

    def __init__(self, config: RemoteConfig, remote: Remote, *, progress: Progress | None = None):
        self.config, self.remote = config, remote
        self.progress = progress or (lambda stage, done, total: None)
        self.state: SyncRemote | None = None
        self.pusher: Pusher | None = None  # the run's, made by run()
        self.recovery: Recovery | None = None
        self.summary = Summary(config.name)

    # -- the run ---------------------------------------------------------------------------------

    def run(self, *, pull: bool = True, push: bool = True, dry_run: bool = False) -> Summary:
        self.summary = summary = Summary(self.config.name, dry_run=dry_run)
        self.state = state = sync_state.remote_state(self.config.name, self.config.kind)
        if dry_run:
            if pull:
                self._pull(dry_run=True)
            summary.pending = sync_state.outbox_count(state)
            return summary
        mode = "both" if pull and push else ("pull" if pull else "push")
        run = sync_state.start_run(state, mode)
        self.pusher = Pusher(self.config, self.remote, state, summary, self.progress, self._conflict)
        self.recovery = Recovery(self.remote, state, summary, self.pusher)
        try:
            self.recovery.recover()
            if pull:
                self._pull()
            if push:
                self.pusher.push()
        except (RemoteError, SportelloError) as exc:
            summary.note("error", self.config.name, str(exc))
        finally:
            summary.pending = sync_state.outbox_count(state)
            sync_state.finish_run(run, pulled=summary.pulled, pushed=summary.pushed, conflicts=summary.conflicts,
                                  report=summary.report)  # fmt: skip
        return summary

    # -- pull ------------------------------------------------------------------------------------

    def _pull(self, *, dry_run: bool = False) -> None:
        state, summary = self.state, self.summary
        cursor = state.cursor
        if cursor is not None:
            try:
                cursor = self.remote.check_cursor(cursor)
            except RemoteError:
                summary.note("error", "cursor", f"the saved cursor {cursor[:40]!r} is not a valid date; pulling all")
                cursor = None
        done = 0
        seen = sync_state.seen_versions(state)
        if not dry_run:
            self.recovery.sent_tickets = sync_state.has_sent_tickets(state)
        for page, messages, bad_messages in ahead(self._pages(cursor, seen, with_messages=not dry_run)):
            for bad in page.bad + bad_messages:
                summary.note("skipped", bad.where, bad.problem)
            links = sync_state.ticket_links_by_keys(state, [t.remote_id for t in page.tickets])
            with sla.reuse_policies():
                self._pull_page(page, links, messages, dry_run=dry_run)
            done += len(page.tickets)
            self.progress("pull", done, max(page.total, done) if page.total is not None else None)
            if not dry_run and page.next_cursor:
                sync_state.set_cursor(state, self.remote.check_cursor(page.next_cursor))
            if page.more:
                summary.note("skipped", "pull", f"stopped after {self.config.max_pages} pages; the next sync goes on")

    def _pull_page(self, page: Page, links: dict[str, SyncTicket], messages: dict[str, list[RemoteMessage]], *,
                   dry_run: bool) -> None:  # fmt: skip
        summary = self.summary
        for remote_ticket in page.tickets:
            where = f"{self.remote.kind} ticket {remote_ticket.remote_id}"
            link = links.get(remote_ticket.remote_id)
            try:
                if dry_run:
                    if link is None or link.remote_updated != remote_ticket.updated:
                        summary.pulled += 1
                else:
                    links[remote_ticket.remote_id] = self._pull_ticket(
                        remote_ticket, link, messages.get(remote_ticket.remote_id), page.server_time
                    )
            except RemoteUnavailable:
                raise
            except (RemoteError, SportelloError) as exc:
                summary.note("error", where, str(exc))

    def _pages(self, cursor: str | None, seen: dict[str, sync_state.Seen], *, with_messages: bool):
        """Each page of the change feed with the messages of its tickets that need a pull, read in
        bulk. Runs in the read-ahead thread: it talks to the remote only, never to the database."""
        for page in self.remote.changed_since(cursor, max_pages=self.config.max_pages):
            wanted = [t for t in page.tickets if not t.deleted
                      and (t.remote_id not in seen or not _unchanged(seen[t.remote_id], t))]  # fmt: skip
            if with_messages and wanted:
                messages, bad = self.remote.messages_of(wanted)
            else:
                messages, bad = {}, []
            yield page, messages, bad

    def _pull_ticket(
        self,
        remote_ticket: RemoteTicket,
        link: SyncTicket | None,
        messages: list[RemoteMessage] | None,
        seen_at: datetime | None = None,
    ) -> SyncTicket | None:
        """Import or merge one remote ticket; its link afterwards."""
        if link is not None and _unchanged(link, remote_ticket):
            return link  # seen exactly as it is (the cursor overlaps the last page)
        if remote_ticket.deleted:
            if link is not None:
                self.summary.note("skipped", f"ticket #{link.ticket_id}", f"deleted in {self.config.name}; kept here")
            return link
        if messages is None:  # not read ahead: it looked unchanged when the run began
            messages, bad = self.remote.messages(remote_ticket.remote_id)
            for item in bad:
                self.summary.note("skipped", item.where, item.problem)
        # An empty remote message has nothing to show here: it is left out, not linked.
        messages = sorted((m for m in messages if m.body.strip()), key=message_order)
        with write_transaction():
            if link is None:
                adopted, link = self.recovery.adopt_created(remote_ticket, messages, seen_at)
                if adopted:
                    return link
                link = self._import(remote_ticket, messages, seen_at)
                changed = True
            else:
                changed = self._merge(link, remote_ticket, messages, seen_at)
        self.summary.pulled += changed
        return link

    def _actor(self, remote_ticket: RemoteTicket | None = None, message: RemoteMessage | None = None) -> str:
        name = (message.author if message else None) or (remote_ticket.updated_by if remote_ticket else None)
        return validate.name(name or "someone", "someone")

    def _customer_email(self, requestor: str | None) -> str | None:
        try:
            return validate.email(requestor) if requestor else None
        except InvalidInput:
            return None

    def _import(self, remote_ticket: RemoteTicket, messages: list[RemoteMessage],
                seen_at: datetime | None) -> SyncTicket:  # fmt: skip
        first = next((m for m in messages if m.public and m.body.strip()), None)
        body = first.body if first else "(the remote ticket had no message)"
        subject = (
            " ".join(remote_ticket.subject.split())[: validate.MAX_SUBJECT]
            or f"{self.remote.kind} #{remote_ticket.remote_id}"
        )
        email = self._customer_email(remote_ticket.requestor)
        with synced_from(self.config.name, self._actor(remote_ticket, first)):
            ticket = tickets.create_ticket(
                None, subject=subject, body=body, customer=email,
                priority=self.config.priorities.to_local(remote_ticket.priority),
            )  # fmt: skip
        created = ticket.written[0]  # the created event: create_ticket returns the events it wrote
        if first is not None:
            sync_state.link_message(self.state, created.id, first.remote_id)
        for message in messages:
            if message is not first:
                self._add_message(ticket.number, message)
        target = self.config.statuses.to_local(remote_ticket.status)
        self._apply_status(ticket.number, target, remote_ticket, importing=True, current=ticket.status)
        return sync_state.link_ticket(self.state, ticket.number, remote_ticket.remote_id, agreed_fields(remote_ticket),
                                      etag=remote_ticket.etag, updated=remote_ticket.updated, seen_at=seen_at)  # fmt: skip

    def _add_message(self, number: int, message: RemoteMessage) -> None:
        ticket = Ticket.get_by_id(number)
        customer = Customer.get_by_id(ticket.customer_id) if ticket.customer_id else None
        by_customer = customer is not None and message.author.strip().lower() == customer.email
        if by_customer and message.public:  # a merged ticket's customer writes on the ticket it went into
            ticket = Ticket.get_by_id(tickets.surviving(number))
        with synced_from(self.config.name, self._actor(message=message)):
            if not message.public:
                landed = tickets.add_note(None, number, message.body)
            elif ticket.status == Status.CLOSED:
                landed = tickets.add_note(
                    None, number, f"(a reply arrived in {self.config.name} after closing)\n\n{message.body}"
                )
            else:
                landed = tickets.add_reply(None, number, message.body, from_customer=by_customer)
        event = next(e for e in landed.written if e.kind in (EventKind.REPLY, EventKind.NOTE))  # the message itself
        sync_state.link_message(self.state, event.id, message.remote_id)

    def _apply_status(self, number: int, target: str, remote_ticket: RemoteTicket, *, importing: bool = False,
                      current: str | None = None) -> bool:  # fmt: skip
        """Move the local ticket to ``target``, through resolved when closing; False when not allowed."""
        current = current or Ticket.get_by_id(number).status
        if current == target:
            return True
        path = [target]
        if target == Status.CLOSED and current != Status.RESOLVED:
            path = [Status.RESOLVED.value, target]
        reason = f"{'imported from' if importing else 'changed in'} {self.config.name}"
        try:
            with synced_from(self.config.name, self._actor(remote_ticket)):
                for step in path:
                    tickets.update_ticket(None, number, status=step, reason=reason)
        except RuleViolation:
            return False
        return True

    def _merge(self, link: SyncTicket, remote_ticket: RemoteTicket, messages: list[RemoteMessage],
               seen_at: datetime | None) -> bool:  # fmt: skip
        """Bring what changed remotely; True when the local ticket changed."""
        number = link.ticket_id
        changed = False
        known = set().union(*(sync_state.message_keys(self.state, n) for n in tickets.merge_chain(number)))
        for message in messages:
            if message.remote_id in known:
                continue
            if not self.recovery.adopt_message(number, message):
                self._add_message(number, message)
                changed = True
        base = json.loads(link.base)
        pending = sync_state.pending_fields(self.state, number)
        for name in _FIELDS:
            remote_value = getattr(remote_ticket, name)
            if remote_value == base.get(name):
                continue
            mapping = self.config.statuses if name == "status" else self.config.priorities
            target = mapping.to_local(remote_value)
            current = getattr(Ticket.get_by_id(number), name)
            if target != current:
                changed = True
                if name in pending:
                    self._conflict(number, name, current, target, remote_ticket, "changed on both sides")
                elif not self._apply(number, name, target, remote_ticket):
                    self._conflict(number, name, current, target, remote_ticket, "not allowed here")
            base[name] = remote_value
        sync_state.save_link(link, base, etag=remote_ticket.etag, updated=remote_ticket.updated, seen_at=seen_at)
        return changed

    def _apply(self, number: int, name: str, target: str, remote_ticket: RemoteTicket) -> bool:
        if name == "status":
            return self._apply_status(number, target, remote_ticket)
        actor = self._actor(remote_ticket)
        with synced_from(self.config.name, actor):
            tickets.update_ticket(None, number, priority=target, reason=f"changed in {self.config.name}",
                                  requested_by=f"{actor} in {self.config.name}")  # fmt: skip
        return True

    def _conflict(self, number: int, name: str, local: str, remote: str, remote_ticket, why: str) -> None:
        """Both values on the timeline, the conflict listed for an agent; the local value stands."""
        event = TicketEvent(kind=EventKind.SYNC_CONFLICT.value, visibility="internal", field=name,
                            old_value=local, new_value=remote,
                            reason=f"{why}; kept {local} here, {self.config.name} will be told")  # fmt: skip
        with synced_from(self.config.name, self._actor(remote_ticket)):
            tickets.change(None, number, None, lambda ticket, state: [event])
        sync_state.record_conflict(self.state, number, name, local, remote, "local")
        self.summary.conflicts += 1
        self.summary.note("conflict", f"ticket #{number}", f"{name}: {local} here, {remote} in {self.config.name}")
