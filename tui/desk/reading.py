"""The Desk's reading of tickets: :class:`TicketReading` — queue pages and counts, one ticket with its
timeline, what others changed meanwhile, views, agents, tags and this agent's drafts."""

from __future__ import annotations

from datetime import datetime

from models.directory import agents
from models.directory import lookup as directory
from models.enums import EventKind, Status, next_statuses
from models.search import tickets as search
from models.search import views
from models.search.views import View
from models.sla import rules as sla
from models.store.tables import Ticket
from models.tickets import changes as tickets
from models.tickets import drafts, timeline
from tui.desk.connection import DeskConnection
from tui.desk.rows import DraftRow, QueueRow, TicketView, event_row, queue_row

__all__ = ["TicketReading"]


def _customer_full(ticket: Ticket) -> str:
    customer = ticket.customer
    if customer is None:
        return ""
    return f"{customer.name} <{customer.email}>" if customer.name else customer.email


def _next_step(number: int) -> str:
    """What the customer's status page says happens next (see ``sportello status``)."""
    from models.reports.customer_view import customer_status
    from models.reports.status_page import next_sentence

    view = customer_status(number)
    return f"{view.status_words} {next_sentence(view)}"


def _page_zone(number: int) -> str:
    from models.reports.customer_view import page_timezone

    return page_timezone(number)


def _due_what(found: sla.Deadlines, due: datetime | None) -> str:
    """Which of the ticket's deadlines ``due`` is, in words."""
    if due is None:
        return ""
    if found.override is not None and found.override == due:
        return "set by hand"
    for name, clock in found.open_clocks().items():
        if clock.due == due:
            return name.replace("_", " ")
    return "deadline"


def _linked_faqs(number: int) -> tuple[tuple[int, str], ...]:
    from models.faq import articles as faq  # the FAQ's models load with the first FAQ call (start-up time)

    return tuple((a.id, a.title) for a in faq.linked_articles(number))


class TicketReading(DeskConnection):
    """Reading tickets, views and drafts."""

    def queue_page(
        self, query: str, *, after: str | None = None, offset: int = 0, from_end: bool = False, limit: int = 100
    ) -> tuple[list[QueueRow], str | None]:
        page = self._call(
            search.search_tickets, query, me=self.me, limit=limit, after=after, offset=offset, from_end=from_end
        )
        return [queue_row(t) for t in page.tickets], page.next_cursor

    def count(self, query: str) -> int:
        return self._call(search.count_tickets, query, me=self.me)

    def latest_change(self) -> int:
        return self._call(timeline.latest_event_id)

    def views(self) -> list[View]:
        return self._call(views.list_views, self.me)

    def ticket(self, number: int, *, customer_view: bool = False) -> TicketView:
        return self._call(self._ticket, number, customer_view)

    def _ticket(self, number: int, customer_view: bool) -> TicketView:
        ticket = tickets.get_ticket(number)
        org = ticket.organization
        events = timeline.customer_timeline(number) if customer_view else timeline.events_of(number)
        found = sla.deadlines(number)
        return TicketView(
            number=ticket.number,
            version=ticket.version,
            subject=ticket.subject,
            status=ticket.status,
            priority=ticket.priority,
            customer=_customer_full(ticket),
            organization=org.name if org else "",
            tier=org.tier if org else "",
            assignee=ticket.assignee.login if ticket.assignee else "",
            queue=ticket.queue.name if ticket.queue else "",
            tags=tuple(tickets.state_of(ticket).tags),
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            merged_into=ticket.merged_into_id,
            next_statuses=tuple(next_statuses(ticket.status)),
            events=tuple(event_row(e) for e in events),
            customer_view=customer_view,
            faqs=_linked_faqs(number),
            contract_until=org.contract_valid_until if org else None,
            sla=found.policy.name if found.policy else "",
            due_at=ticket.due_at,
            next_step=_next_step(number) if customer_view else "",
            due_what=_due_what(found, ticket.due_at),
            zone=_page_zone(number) if customer_view else "UTC",
        )

    def ticket_version(self, number: int) -> int:
        """The ticket's current version: one primary-key lookup, to decide whether to reload it."""
        return self._call(lambda: tickets.get_ticket(number).version)

    def agent_logins(self) -> list[tuple[str, str]]:
        """(login, name) of every active agent, for the assign picker."""
        return self._call(lambda: [(a.login, a.name) for a in agents.list_agents() if a.active])

    def tag_names(self) -> list[str]:
        return self._call(directory.list_tags)

    def drafts(self) -> list[DraftRow]:
        """This agent's drafts (only theirs)."""
        return self._call(drafts.drafts_of, self.me)

    # --- what others did -----------------------------------------------------------------

    def changes_by_others(self, number: int, since_version: int) -> list[str]:
        """``bob: status open → resolved`` for each change to the ticket after ``since_version``
        that this agent did not make (synced ones and the system's included)."""

        def read() -> list[str]:
            return [f"{timeline.who(e)}: {timeline.describe(e)}"
                    for e in timeline.events_of(number, since_version=since_version)
                    if e.actor_id != self.me.id or getattr(e, "origin", None)]  # fmt: skip

        return self._call(read)

    def ended_since(self, number: int, since_version: int) -> tuple[str, str, int] | None:
        """(status, who, current version) when the ticket was resolved or closed after
        ``since_version`` and still is."""

        def read() -> tuple[str, str, int] | None:
            ticket = tickets.get_ticket(number)
            if ticket.status not in (Status.RESOLVED, Status.CLOSED):
                return None
            for event in reversed(timeline.events_of(number, since_version=since_version)):
                if event.kind == EventKind.STATUS and event.new_value == ticket.status:
                    return ticket.status, timeline.who(event), ticket.version
            return None

        return self._call(read)
