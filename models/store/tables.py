"""The Peewee models: one class per table, bound to ``models.store.db.database``.

Tickets are written only by the service functions in ``models.tickets.changes``; ``TicketEvent`` rows are
append-only (the database refuses UPDATE and DELETE on them, see migration 0001).
"""

from __future__ import annotations

from datetime import UTC, datetime

import peewee as pw

from models.enums import Priority, Role, Status, Visibility
from models.store.db import database

__all__ = [
    "utcnow",
    "BaseModel",
    "Agent",
    "Queue",
    "Organization",
    "Tier",
    "Customer",
    "Tag",
    "SLACalendar",
    "SLAPolicy",
    "Ticket",
    "TicketTag",
    "TicketEvent",
    "FAQCategory",
    "FAQArticle",
    "FAQRevision",
    "FAQTag",
    "TicketFAQ",
    "Survey",
    "SavedView",
    "ALL_TABLES",
]


def utcnow() -> datetime:
    """The current time as a naive UTC datetime (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class PriorityField(pw.SmallIntegerField):
    """Stores a priority name as its rank (low=0 … urgent=3) so that ``ORDER BY`` sorts by urgency."""

    def db_value(self, value):
        if value is None or isinstance(value, int):
            return value
        return Priority(value).rank

    _NAMES = tuple(p.value for p in Priority)

    def python_value(self, value):
        if value is None:
            return None
        return self._NAMES[value]


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class Agent(BaseModel):
    login = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=200)
    role = pw.CharField(max_length=8, default=Role.AGENT.value)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Queue(BaseModel):
    name = pw.CharField(max_length=100, unique=True)
    description = pw.TextField(default="")


class Organization(BaseModel):
    name = pw.CharField(max_length=200, unique=True)
    tier = pw.CharField(max_length=32, default="standard")
    industry = pw.CharField(max_length=64, default="")
    region = pw.CharField(max_length=64, default="")
    size_band = pw.CharField(max_length=32, default="")
    revenue_band = pw.CharField(max_length=32, default="")  # migration 0009
    contract_valid_from = pw.DateField(null=True)  # migration 0009
    contract_valid_until = pw.DateField(null=True)
    # The mail domains it claims, space-separated (migration 0013): a new sender at one of them joins it.
    mail_domains = pw.CharField(max_length=500, default="")


class Tier(BaseModel):
    """A contract tier organizations may have (migration 0009); ``position`` orders them, lowest first."""

    name = pw.CharField(max_length=32, unique=True)
    position = pw.IntegerField(default=0)


class Customer(BaseModel):
    name = pw.CharField(max_length=200)
    email = pw.CharField(max_length=254, unique=True)
    phone = pw.CharField(max_length=64, default="")
    organization = pw.ForeignKeyField(Organization, null=True, backref="customers")
    created_at = pw.DateTimeField(default=utcnow)


class Tag(BaseModel):
    name = pw.CharField(max_length=64, unique=True)


class SLACalendar(BaseModel):
    """When the desk works: weekly hours (JSON, e.g. {"mon": "09:00-13:00, 14:00-18:00"}) in a timezone, minus holidays."""

    name = pw.CharField(max_length=100, unique=True)
    timezone = pw.CharField(max_length=64, default="UTC")
    hours = pw.TextField(default="{}")
    holidays = pw.TextField(default="[]")  # JSON list of ISO dates
    created_at = pw.DateTimeField(default=utcnow)


class SLAPolicy(BaseModel):
    """A rule and its targets: the first policy (by position) whose tier, priority and queue match applies."""

    name = pw.CharField(max_length=100, unique=True)
    position = pw.IntegerField(default=0)
    tier = pw.CharField(max_length=32, null=True)  # None: any tier
    priority = pw.CharField(max_length=16, null=True)  # None: any priority
    queue = pw.ForeignKeyField(Queue, null=True, backref="sla_policies")  # None: any queue
    calendar = pw.ForeignKeyField(SLACalendar, null=True, backref="policies")  # None: around the clock
    first_response_minutes = pw.IntegerField(null=True)
    next_response_minutes = pw.IntegerField(null=True)
    resolution_minutes = pw.IntegerField(null=True)
    created_at = pw.DateTimeField(default=utcnow)


# The KPIs' covering indexes (migration 0009). ``models.reports.kpi`` reads a period one agent or one
# organization at a time, and these let each read walk one index range, in the order it groups
# by, without touching the (wide) ticket rows: a year of a large desk in well under a second.
KPI_INDEXES = {
    "ticket": (
        ("ticket_kpi_created", ("created_at", "assignee_id", "queue_id", "organization_id")),
        ("ticket_kpi_resolved", ("resolved_at", "assignee_id", "queue_id", "organization_id")),
        *(
            (f"ticket_kpi_{short}_{what}", (key, *columns, *others))
            for key, short, others in (
                ("assignee_id", "agent", ("queue_id", "organization_id")),
                ("organization_id", "org", ("queue_id", "assignee_id")),
            )
            for what, columns in (
                ("created", ("created_at", "ticket_type")),
                ("resolved", ("resolution_minutes", "resolved_at", "sla_breached", "reopen_count")),
                ("first", ("first_response_minutes", "first_response_at")),
            )
        ),
    ),
    "survey": (
        ("survey_kpi_agent", ("assignee_id", "opened_at", "score", "queue_id", "organization_id")),
        ("survey_kpi_org", ("organization_id", "opened_at", "score", "queue_id", "assignee_id")),
    ),
}


def _kpi_index_sql(table: str) -> tuple:
    return tuple(pw.SQL(f'CREATE INDEX "{name}" ON "{table}" ({", ".join(columns)})')
                 for name, columns in KPI_INDEXES[table])  # fmt: skip


class Ticket(BaseModel):
    number = pw.AutoField()
    subject = pw.CharField(max_length=500)
    status = pw.CharField(max_length=16, default=Status.NEW.value)
    priority = PriorityField(default=Priority.NORMAL.value)
    channel = pw.CharField(max_length=16)
    ticket_type = pw.CharField(max_length=16, default="question")  # models.enums.TicketType (migration 0006)
    customer = pw.ForeignKeyField(Customer, null=True, backref="tickets")
    organization = pw.ForeignKeyField(Organization, null=True, backref="tickets")
    queue = pw.ForeignKeyField(Queue, null=True, backref="tickets")
    assignee = pw.ForeignKeyField(Agent, null=True, backref="tickets", index=False)
    created_at = pw.DateTimeField()
    updated_at = pw.DateTimeField()
    first_response_at = pw.DateTimeField(null=True)
    resolved_at = pw.DateTimeField(null=True, index=True)  # the FAQ gaps report (migration 0004)
    closed_at = pw.DateTimeField(null=True)
    # SLA (models.sla.deadline): derived from the timeline and the policy, refreshed on every change; not
    # part of the fold. ``due_at`` is the nearest deadline still open, for ``sort:due``.
    first_response_due = pw.DateTimeField(null=True)
    resolution_due = pw.DateTimeField(null=True)
    next_response_due = pw.DateTimeField(null=True)
    due_at = pw.DateTimeField(null=True)
    sla_policy = pw.ForeignKeyField(SLAPolicy, null=True, backref="tickets", index=False)
    # Measures for the KPIs (models.reports.kpi), derived like the deadlines (migration 0009): business
    # minutes the ticket ran before its first response and its resolution, reopens, and whether
    # the first-response or resolution target was missed (None: no policy).
    first_response_minutes = pw.IntegerField(null=True)
    resolution_minutes = pw.IntegerField(null=True)
    reopen_count = pw.SmallIntegerField(default=0)
    sla_breached = pw.BooleanField(null=True)
    merged_into = pw.ForeignKeyField("self", null=True, backref="merged_tickets")
    version = pw.IntegerField(default=1)
    # Not a column: the events that the service call returning this row appended, oldest first, with their
    # ids (models.tickets.pipeline); () on a row that was only read, or when the call changed nothing.
    written: tuple[TicketEvent, ...] = ()

    class Meta:
        # Each index serves one keyset-paged sort (see models.search.tickets).
        indexes = (
            (("updated_at", "number"), False),
            (("status", "updated_at", "number"), False),
            (("assignee", "status", "updated_at", "number"), False),
            (("priority", "updated_at", "number"), False),
            (("due_at", "number"), False),
            *_kpi_index_sql("ticket"),
            # Open tickets by assignee: the "Unassigned" and "Mine" views (migration 0003, partial).
            pw.SQL(
                "CREATE INDEX ticket_open_assignee ON ticket (assignee_id, updated_at, number) "
                "WHERE status IN ('new', 'open', 'pending', 'on_hold')"
            ),
        )


class TicketTag(BaseModel):
    ticket = pw.ForeignKeyField(Ticket, backref="tag_links", index=False)
    tag = pw.ForeignKeyField(Tag, backref="ticket_links", index=False)

    class Meta:
        primary_key = pw.CompositeKey("ticket", "tag")
        indexes = ((("tag", "ticket"), False),)


class TicketEvent(BaseModel):
    """One change on a ticket's timeline. Never updated, never deleted."""

    ticket = pw.ForeignKeyField(Ticket, backref="events", index=False)
    at = pw.DateTimeField()
    version = pw.IntegerField()  # the ticket version this change produced
    actor = pw.ForeignKeyField(Agent, null=True, backref="events")  # the agent who made or recorded it
    customer = pw.ForeignKeyField(Customer, null=True, backref="events")  # set when the customer wrote
    kind = pw.CharField(max_length=16)
    visibility = pw.CharField(max_length=8, default=Visibility.INTERNAL.value)
    field = pw.CharField(max_length=32, null=True)
    old_value = pw.TextField(null=True)
    new_value = pw.TextField(null=True)
    body = pw.TextField(null=True)
    reason = pw.TextField(null=True)
    requested_by = pw.CharField(max_length=200, null=True)  # who asked for an override, e.g. "sales: Rossi"
    origin = pw.CharField(max_length=64, null=True)  # the remote this change was synced from (migration 0010)
    origin_actor = pw.CharField(max_length=200, null=True)  # who made it there

    class Meta:
        indexes = ((("ticket", "id"), False),)

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    def save(self, *args, **kwargs):
        if self.id is not None and not kwargs.get("force_insert"):
            raise pw.IntegrityError("ticket events are append-only")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise pw.IntegrityError("ticket events are append-only")


class FAQCategory(BaseModel):
    """A category an FAQ article may be filed under (migration 0004)."""

    name = pw.CharField(max_length=100, unique=True)
    created_at = pw.DateTimeField(default=utcnow)


class FAQArticle(BaseModel):
    """An article as its latest revision left it; ``version`` is that revision's number."""

    title = pw.CharField(max_length=300)
    body = pw.TextField(default="")
    category = pw.CharField(max_length=100, default="")  # a FAQCategory name, or "" for none
    status = pw.CharField(max_length=16, default="draft")
    author = pw.ForeignKeyField(Agent, null=True, backref="faq_articles")
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)
    source_ticket = pw.ForeignKeyField(Ticket, null=True, backref="extracted_faqs", index=False)

    class Meta:
        indexes = ((("status", "category"), False),)


class FAQRevision(BaseModel):
    """The whole article as one save left it. Never rewritten: a revert is a new revision."""

    article = pw.ForeignKeyField(FAQArticle, backref="revisions", index=False)
    number = pw.IntegerField()
    at = pw.DateTimeField(default=utcnow)
    author = pw.ForeignKeyField(Agent, null=True, backref="faq_revisions")
    title = pw.CharField(max_length=300)
    body = pw.TextField()
    note = pw.TextField(default="")
    category = pw.CharField(max_length=100, default="")
    tags = pw.TextField(default="")  # tag names, space-separated, sorted
    status = pw.CharField(max_length=16, default="draft")

    class Meta:
        indexes = ((("article", "number"), True),)


class FAQTag(BaseModel):
    article = pw.ForeignKeyField(FAQArticle, backref="tag_links", index=False)
    tag = pw.ForeignKeyField(Tag, backref="faq_links", index=False)

    class Meta:
        primary_key = pw.CompositeKey("article", "tag")
        indexes = ((("tag", "article"), False),)


class TicketFAQ(BaseModel):
    ticket = pw.ForeignKeyField(Ticket, backref="faq_links", index=False)
    article = pw.ForeignKeyField(FAQArticle, backref="ticket_links")
    linked_at = pw.DateTimeField(default=utcnow)
    linked_by = pw.ForeignKeyField(Agent, null=True, backref="faq_links")

    class Meta:
        primary_key = pw.CompositeKey("ticket", "article")
        indexes = ((("article", "linked_at"), False),)


class Survey(BaseModel):
    """A satisfaction survey, opened when a ticket is resolved; ``score`` 1-5 once answered."""

    ticket = pw.ForeignKeyField(Ticket, backref="surveys", index=False)
    opened_at = pw.DateTimeField()
    score = pw.SmallIntegerField(null=True)
    comment = pw.TextField(null=True)
    answered_at = pw.DateTimeField(null=True, index=True)
    recorded_by = pw.ForeignKeyField(Agent, null=True, backref="surveys_recorded")
    # Whose ticket it was when the survey opened (migration 0009): CSAT is credited to them.
    assignee = pw.ForeignKeyField(Agent, null=True, backref="surveys", index=False)
    queue = pw.ForeignKeyField(Queue, null=True, backref="surveys", index=False)
    organization = pw.ForeignKeyField(Organization, null=True, backref="surveys", index=False)

    class Meta:
        indexes = ((("ticket", "opened_at"), False), *_kpi_index_sql("survey"))


class SavedView(BaseModel):
    name = pw.CharField(max_length=100)
    query = pw.TextField()
    owner = pw.ForeignKeyField(Agent, null=True, backref="saved_views")  # None: shared with the team
    position = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)


ALL_TABLES = [
    Agent,
    Queue,
    Organization,
    Tier,
    Customer,
    Tag,
    SLACalendar,
    SLAPolicy,
    Ticket,
    TicketTag,
    TicketEvent,
    FAQCategory,
    FAQArticle,
    FAQRevision,
    FAQTag,
    TicketFAQ,
    Survey,
    SavedView,
]
