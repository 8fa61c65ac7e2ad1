"""The Desk's changes to tickets: :class:`TicketWriting` — status, priority, assignee, tags, replies
and notes, merges, drafts, saved views, the SLA alert sweep, and bulk changes one ticket at a time.

Every change names the version the agent saw (``version``): the models refuse it with ``Conflict``
when the ticket moved on meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from models.errors import Conflict, SportelloError
from models.search import views
from models.search.views import View
from models.tickets import changes as tickets
from models.tickets import drafts
from tui.desk.connection import DeskConnection
from tui.desk.rows import DraftRow, Outcome

__all__ = ["TicketWriting"]


class TicketWriting(DeskConnection):
    """Changing tickets, drafts and views."""

    def set_status(self, number: int, status: str, reason: str | None, version: int | None) -> None:
        self._call(tickets.set_status, self.me, number, status, reason=reason, expect_version=version)

    def set_priority(self, number: int, priority: str, reason: str, requested_by: str, version: int | None) -> None:
        self._call(
            tickets.set_priority,
            self.me,
            number,
            priority,
            reason=reason,
            requested_by=requested_by,
            expect_version=version,
        )

    def assign(self, number: int, login: str | None, version: int | None) -> None:
        self._call(tickets.set_assignee, self.me, number, login, expect_version=version)

    def change_tags(self, number: int, add: Iterable[str], remove: Iterable[str], version: int | None) -> None:
        self._call(tickets.change_tags, self.me, number, add=add, remove=remove, expect_version=version)

    def reply(self, number: int, body: str, version: int | None) -> None:
        self._call(tickets.add_reply, self.me, number, body, expect_version=version)

    def note(self, number: int, body: str, version: int | None) -> None:
        self._call(tickets.add_note, self.me, number, body, expect_version=version)

    def merge_warning(self, source: int, target: int) -> tuple[str | None, tuple[int | None, int | None]]:
        """Why merging ``source`` into ``target`` must be confirmed (they belong to different
        customers), in one line naming both, None when it need not be; and the two tickets'
        customer ids it was told for, to give :meth:`merge` (which refuses if they changed)."""

        def check() -> tuple[str | None, tuple[int | None, int | None]]:
            src, dst = tickets.get_ticket(source), tickets.get_ticket(target)
            return tickets.merge_warning(src, dst), (src.customer_id, dst.customer_id)

        return self._call(check)

    def merge(self, source: int, target: int, reason: str | None, version: int | None, *,
              across_customers: bool = False, customers: tuple[int | None, int | None] | None = None) -> None:  # fmt: skip
        self._call(tickets.merge_tickets, self.me, source, target, reason=reason, expect_version=version,
                   across_customers=across_customers, customers=customers)  # fmt: skip

    def send(self, number: int, kind: str, body: str, version: int | None, faq_ids: Iterable[int] = ()) -> None:
        """Send a reply (linking ``faq_ids``, the articles inserted into it) or add a note, and
        delete this agent's draft of it, in one transaction."""
        self._call(drafts.send_draft, self.me, number, kind, body, faq_ids=tuple(faq_ids), expect_version=version)

    def bulk(self, targets: dict[int, int], change: Callable[[int, int], None]) -> list[Outcome]:
        """Apply ``change(number, version)`` to each ticket on its own; one refusal stops no other."""
        outcomes = []
        for number, version in targets.items():
            try:
                change(number, version)
            except Conflict as err:
                outcomes.append(Outcome(number, err.message, conflict=True))
            except SportelloError as err:
                outcomes.append(Outcome(number, err.message))
            else:
                outcomes.append(Outcome(number))
        return outcomes

    def sla_sweep(self) -> int:
        """Write the SLA alerts that are due; how many were written."""
        if self._sweeper is None:
            from models.tickets import alerts as sla_alerts

            self._sweeper = sla_alerts.Sweeper()
        return len(self._call(self._sweeper))

    # --- drafts (this agent's only) ------------------------------------------------------

    def save_draft(self, row: DraftRow) -> None:
        self._call(drafts.save_draft, self.me, row.ticket, row.kind, row.body, faq_ids=row.faq_ids)

    def discard_draft(self, number: int, kind: str) -> None:
        self._call(drafts.discard_draft, self.me, number, kind)

    # --- saved views ---------------------------------------------------------------------

    def save_view(self, name: str, query: str, *, shared: bool = False) -> View:
        return self._call(views.save_view, self.me, name, query, shared=shared)

    def delete_view(self, view_id: int) -> None:
        self._call(views.delete_view, self.me, view_id)
