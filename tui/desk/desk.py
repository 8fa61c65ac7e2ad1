"""The TUI's one seam to the data: a :class:`Desk` whose methods call ``models`` and return plain rows.

Every method runs in a worker thread, never on the UI thread, and returns frozen dataclasses
that hold plain values, so a widget can never trigger a lazy ORM query while it paints. Each
worker thread keeps its own connection (Peewee connections are per thread).
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from models.directory import agents
from models.directory import lookup as directory
from models.enums import EventKind, Status, Visibility, next_statuses
from models.errors import Conflict, SportelloError
from models.search import tickets as search
from models.search import views
from models.search.views import View
from models.sla import rules as sla
from models.store.config import describe_location
from models.store.db import database, open_database, storage_errors
from models.store.tables import Agent, Ticket, TicketEvent, utcnow
from models.tickets import changes as tickets
from models.tickets import drafts, timeline
from models.tickets.drafts import DraftRow

if TYPE_CHECKING:  # the FAQ's models load with the first FAQ call, not with the app (start-up time)
    from models.faq.articles import Article, Revision
    from models.faq.health import FAQHealth
    from models.faq.search import FAQHit

__all__ = [
    "Desk",
    "QueueRow",
    "EventRow",
    "TicketView",
    "Outcome",
    "SyncRunRow",
    "SyncConflictRow",
    "SyncStatus",
    "DraftRow",
    "user_at_host",
    "category_filter",
]


@dataclass(frozen=True)
class QueueRow:
    """One ticket as a queue line shows it."""

    number: int
    version: int
    subject: str
    customer: str
    organization: str
    status: str
    priority: str
    assignee: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = None  # the nearest SLA deadline still running
    contract_until: date | None = None  # the organization's support contract end: flagged once past, never demoted


@dataclass(frozen=True)
class EventRow:
    """One timeline event, already described in words."""

    id: int
    version: int
    at: datetime
    who: str
    kind: str
    internal: bool
    by_customer: bool
    summary: str
    body: str


@dataclass(frozen=True)
class TicketView:
    """A ticket's header fields and its timeline (all of it, or what the customer may see)."""

    number: int
    version: int
    subject: str
    status: str
    priority: str
    customer: str
    organization: str
    tier: str
    assignee: str
    queue: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    merged_into: int | None
    next_statuses: tuple[str, ...]
    events: tuple[EventRow, ...]
    customer_view: bool
    faqs: tuple[tuple[int, str], ...] = ()  # (id, title) of the linked FAQ articles, in link order
    contract_until: date | None = None  # the organization's support contract end, if any
    sla: str = ""  # the policy in words, or "" when none applies
    due_at: datetime | None = None  # the nearest deadline still running
    next_step: str = ""  # (customer view) what happens next and by when, as the customer reads it
    due_what: str = ""  # which deadline ``due_at`` is: "first response", "next response", "resolution", "set by hand"
    zone: str = "UTC"  # the zone times are shown in: the customer page's in the customer view, else UTC


@dataclass(frozen=True)
class Outcome:
    """How one ticket of a bulk action went: ``error`` is None when the change was made."""

    number: int
    error: str | None = None
    conflict: bool = False


@dataclass(frozen=True)
class SyncRunRow:
    """One sync run; ``report`` holds its items as (what, where, problem), text from the remote included."""

    id: int
    remote: str
    started_at: datetime
    finished_at: datetime | None
    mode: str
    pulled: int
    pushed: int
    conflicts: int
    errors: int
    report: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class SyncConflictRow:
    """A field both sides changed, still waiting for an agent."""

    id: int
    remote: str
    ticket: int
    field: str
    local_value: str
    remote_value: str
    kept: str
    created_at: datetime


@dataclass(frozen=True)
class SyncStatus:
    """What the header says about sync: each remote the desk has synced with, and the open conflicts."""

    remotes: tuple  # models.exchange.sync_state.RemoteOverview (frozen, plain values)
    conflicts: int


def _report_items(text: str | None) -> tuple[tuple[str, str, str], ...]:
    import json

    try:
        items = json.loads(text or "[]")
    except ValueError:
        return (("error", "report", "the stored report is not valid JSON"),)
    if not isinstance(items, list):
        return ()
    return tuple((str(i.get("what", "")), str(i.get("where", "")), str(i.get("problem", "")))
                 for i in items if isinstance(i, dict))  # fmt: skip


# The FAQ's model modules, imported on the first FAQ call: the app starts without them.


def _faq():
    from models.faq import articles as faq

    return faq


def _faq_search():
    from models.faq import search as faq_search

    return faq_search


def _faq_health():
    from models.faq import health as faq_health

    return faq_health


def category_filter(name: str) -> str:
    """``category:"NAME"`` in the FAQ query language, quotes and backslashes escaped."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'category:"{escaped}"'


def user_at_host() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()}"


def _customer_label(ticket: Ticket) -> str:
    customer = ticket.customer
    if customer is None:
        return ""
    return customer.name or customer.email


def _customer_full(ticket: Ticket) -> str:
    customer = ticket.customer
    if customer is None:
        return ""
    return f"{customer.name} <{customer.email}>" if customer.name else customer.email


def _next_step(number: int) -> str:
    """What the customer's status page says happens next (see ``sportello status``)."""
    from models.reports.customer_view import customer_status
    from tui.text.status_page import next_sentence

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


def queue_row(ticket: Ticket) -> QueueRow:
    return QueueRow(
        number=ticket.number,
        version=ticket.version,
        subject=ticket.subject,
        customer=_customer_label(ticket),
        organization=ticket.organization.name if ticket.organization else "",
        status=ticket.status,
        priority=ticket.priority,
        assignee=ticket.assignee.login if ticket.assignee else "",
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        due_at=ticket.due_at,
        contract_until=ticket.organization.contract_valid_until if ticket.organization else None,
    )


def event_row(event: TicketEvent) -> EventRow:
    return EventRow(
        id=event.id,
        version=event.version,
        at=event.at,
        who=timeline.who(event),
        kind=event.kind,
        internal=event.visibility != Visibility.PUBLIC,
        by_customer=event.customer_id is not None,
        summary=timeline.describe(event),
        body=event.body or "",
    )


class Desk:
    """The open desk and the agent using it."""

    def __init__(self, url: str, me: Agent, *, where: str | None = None, user_host: str | None = None) -> None:
        self.url = url
        self.me = me
        self.where = where if where is not None else describe_location(url)
        self.user_host = user_host if user_host is not None else user_at_host()
        self._sweeper = None  # models.tickets.alerts.Sweeper, made with the first sweep

    @classmethod
    def open(cls, url: str, *, as_login: str | None = None) -> Desk:
        """Open the desk at ``url`` (it must exist) as the OS login, or ``as_login`` for an admin."""
        open_database(url)
        with storage_errors(describe_location(url)):
            me = agents.acting_agent(as_login)
        return cls(url, me)

    def _connected(self) -> None:
        database.connect(reuse_if_open=True)

    def _call(self, fn: Callable, *args, **kwargs):
        self._connected()
        with storage_errors(self.where):
            return fn(*args, **kwargs)

    # --- reading -------------------------------------------------------------------------

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

    def save_view(self, name: str, query: str, *, shared: bool = False) -> View:
        return self._call(views.save_view, self.me, name, query, shared=shared)

    def delete_view(self, view_id: int) -> None:
        self._call(views.delete_view, self.me, view_id)

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
            faqs=tuple((a.id, a.title) for a in _faq().linked_articles(number)),
            contract_until=org.contract_valid_until if org else None,
            sla=found.policy.name if found.policy else "",
            due_at=ticket.due_at,
            next_step=_next_step(number) if customer_view else "",
            due_what=_due_what(found, ticket.due_at),
            zone=_page_zone(number) if customer_view else "UTC",
        )

    def sla_sweep(self) -> int:
        """Write the SLA alerts that are due; how many were written."""
        if self._sweeper is None:
            from models.tickets import alerts as sla_alerts

            self._sweeper = sla_alerts.Sweeper()
        return len(self._call(self._sweeper))

    def ticket_version(self, number: int) -> int:
        """The ticket's current version: one primary-key lookup, to decide whether to reload it."""
        return self._call(lambda: tickets.get_ticket(number).version)

    def agent_logins(self) -> list[tuple[str, str]]:
        """(login, name) of every active agent, for the assign picker."""
        return self._call(lambda: [(a.login, a.name) for a in agents.list_agents() if a.active])

    def tag_names(self) -> list[str]:
        return self._call(directory.list_tags)

    # --- changing ------------------------------------------------------------------------

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

    # --- drafts (this agent's only) ------------------------------------------------------

    def drafts(self) -> list[DraftRow]:
        return self._call(drafts.drafts_of, self.me)

    def save_draft(self, row: DraftRow) -> None:
        self._call(drafts.save_draft, self.me, row.ticket, row.kind, row.body, faq_ids=row.faq_ids)

    def discard_draft(self, number: int, kind: str) -> None:
        self._call(drafts.discard_draft, self.me, number, kind)

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

    # --- the FAQ -------------------------------------------------------------------------
    # The models return frozen dataclasses of plain values (Article, Revision, FAQHit, FAQHealth):
    # they go to the widgets as they are. The modules are imported on first use.

    def faq_search(self, query: str, *, limit: int = 200) -> tuple[list[FAQHit], int]:
        """The articles matching ``query`` (at most ``limit``) and how many match in all."""
        hits = self._call(_faq_search().search_faq, query, limit=limit)
        total = len(hits) if len(hits) < limit else self._call(_faq_search().count_faq, query)
        return hits, total

    def faq_count(self, query: str) -> int:
        return self._call(_faq_search().count_faq, query)

    def faq_categories(self) -> list[tuple[str, int]]:
        """Every category with how many of its articles the list shows (archived ones left out, as there)."""
        return self._call(_faq().categories, archived=False)

    def faq_article(self, article_id: int) -> Article:
        return self._call(_faq().get_article, article_id)

    def faq_create(
        self, *, title: str, body: str, category: str, tags: Iterable[str], status: str, note: str
    ) -> Article:
        return self._call(
            _faq().create_article,
            self.me,
            title=title,
            body=body,
            category=category,
            tags=tuple(tags),
            status=status,
            note=note,
        )

    def faq_save(self, article_id: int, version: int | None, *, note: str, **changes) -> Article:
        """Save the changed fields (title, body, category, tags, status) as a new revision; Conflict
        when the article is no longer at ``version``."""
        return self._call(_faq().save_article, self.me, article_id, note=note, expect_version=version, **changes)

    def faq_set_status(self, article_id: int, status: str, version: int | None, *, note: str = "") -> Article:
        return self._call(_faq().set_article_status, self.me, article_id, status, note=note, expect_version=version)

    def faq_revert(self, article_id: int, number: int, version: int | None) -> Article:
        return self._call(_faq().revert_article, self.me, article_id, number, expect_version=version)

    def faq_history(self, article_id: int) -> tuple[Article, list[Revision]]:
        """The article and its revisions, newest first."""
        return self._call(lambda: (_faq().get_article(article_id), _faq().revisions(article_id)))

    def faq_diff(self, article_id: int, old: int, new: int) -> str:
        return self._call(_faq().diff_revisions, article_id, old, new)

    def faq_suggestions(self, number: int, *, limit: int = 8) -> list[FAQHit]:
        return self._call(_faq_search().suggest_for_ticket, number, limit=limit)

    def faq_extract(self, number: int, *, title: str | None = None) -> Article:
        """A new draft from the ticket's latest agent reply, linked back to the ticket."""
        return self._call(_faq().extract_from_ticket, self.me, number, title=title)

    def faq_health(self, now: datetime | None = None) -> FAQHealth:
        return self._call(_faq_health().faq_health, now=now)

    # --- organizations and KPIs (models load with the first call: start-up time) ---------------

    def organizations(self, text: str = "", *, today: date | None = None) -> list:
        """``models.reports.organizations.OrgRow`` for each organization matching ``text``."""
        from models.reports import organizations

        return self._call(organizations.list_organizations, text, today=today)

    def organization(self, org_id: int, *, now: datetime) -> object:
        """The ``models.reports.organizations.OrgProfile`` of one organization, by id."""
        from models.reports import organizations

        return self._call(organizations.profile, org_id, now=now)

    def kpi(self, start: datetime, end: datetime, *, by: str | None = "agent", **filters) -> object:
        """The ``models.reports.kpi.KPIReport`` of ``start <= t < end``; ``filters``: queue, agent, organization, segment."""
        from models.reports import kpi

        return self._call(kpi.kpi_report, start, end, filters=kpi.Filters(**filters), by=by)

    def sla_rules(self) -> tuple[list[tuple[str, str]], list[tuple[str, str, dict[str, str], list[str]]]]:
        """The policies in order as (name, description) and the calendars as (name, zone, hours, holidays)."""

        def read():
            policies = [(p.name, p.describe()) for p in sla.policies()]
            calendars = [(name, cal.timezone, cal.describe_hours(), sorted(d.isoformat() for d in cal.holidays))
                         for name, cal in sla.calendars()]  # fmt: skip
            return policies, calendars

        return self._call(read)

    def churn(self, *, now: datetime) -> list:
        """``models.reports.churn.Risk`` for each organization at risk, most signals first."""
        from models.reports import churn

        return self._call(churn.at_risk, now=now)

    # --- sync (models.exchange.sync_state and the sync package load with the first call) ---------------

    def sync_status(self) -> SyncStatus:
        from models.exchange import sync_state

        return self._call(lambda: SyncStatus(tuple(sync_state.overview()), sync_state.open_conflict_count()))

    def sync_runs(self, limit: int = 50) -> list[SyncRunRow]:
        """The latest runs, newest first."""
        from models.exchange import sync_state

        def read() -> list[SyncRunRow]:
            return [SyncRunRow(r.id, r.remote.name, r.started_at, r.finished_at, r.mode, r.pulled, r.pushed,
                               r.conflicts, r.errors, _report_items(r.report))
                    for r in sync_state.recent_runs(limit)]  # fmt: skip

        return self._call(read)

    def sync_conflicts(self) -> list[SyncConflictRow]:
        """The open conflicts, newest first."""
        from models.exchange import sync_state

        def read() -> list[SyncConflictRow]:
            return [SyncConflictRow(c.id, c.remote.name, c.ticket_id, c.field, c.local_value or "",
                                    c.remote_value or "", c.kept, c.created_at)
                    for c in sync_state.open_conflicts()]  # fmt: skip

        return self._call(read)

    def resolve_sync_conflict(self, conflict_id: int) -> None:
        from models.exchange import sync_state

        self._call(sync_state.resolve_conflict, self.me, conflict_id)

    def sync(self, remote, progress=None) -> object:
        """Sync the desk with one remote (a ``sync.RemoteConfig``) now; its ``sync.Summary``.
        ``progress(stage, done, total)`` is called from the syncing thread."""
        from sync import sync_one

        return self._call(sync_one, remote, progress=progress)

    def now(self) -> datetime:
        return utcnow()
