"""Organizations as a lead sees them: a searchable list, and a profile.

A profile is the organization's segment and contract, its contacts, its open tickets and, over
the last 90 days, its SLA compliance, satisfaction and complaints (the same figures as
:mod:`models.reports.kpi`, filtered to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import peewee as pw

from models.directory.lookup import contract_expired, find_organization
from models.enums import OPEN_STATUSES
from models.errors import NotFound
from models.reports import kpi
from models.search.query import drop_bad_characters
from models.store.tables import Customer, Organization, Ticket

__all__ = ["PROFILE_DAYS", "OrgRow", "OrgProfile", "list_organizations", "profile"]

PROFILE_DAYS = 90


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    tier: str
    industry: str
    region: str
    contract_valid_until: date | None
    expired: bool
    open_tickets: int


@dataclass(frozen=True)
class TicketLine:
    number: int
    subject: str
    status: str
    priority: str
    updated_at: datetime


@dataclass(frozen=True)
class OrgProfile:
    organization: Organization
    expired: bool
    contacts: list[tuple[str, str]]  # (name, e-mail), at most 50
    contact_count: int
    open_tickets: int
    figures: kpi.Figures  # the last PROFILE_DAYS days
    since: datetime
    tickets: list[TicketLine]  # newest activity first, at most ``limit``


# --- list and profile --------------------------------------------------------------------------


def list_organizations(text: str = "", *, today: date | None = None, limit: int = 200) -> list[OrgRow]:
    """Organizations whose name, industry or region contains ``text`` (any case), by name."""
    query = Organization.select().order_by(Organization.name).limit(limit)
    words = drop_bad_characters(text).strip()
    if words:
        like = f"%{words}%"
        query = query.where(
            Organization.name.ilike(like) | Organization.industry.ilike(like) | Organization.region.ilike(like)
            | (Organization.tier == words.lower())
        )  # fmt: skip
    orgs = list(query)
    counts = dict(
        Ticket.select(Ticket.organization, pw.fn.COUNT(Ticket.number))
        .where(Ticket.organization.in_([o.id for o in orgs]), Ticket.status.in_(list(OPEN_STATUSES)))
        .group_by(Ticket.organization)
        .tuples()
    ) if orgs else {}  # fmt: skip
    return [
        OrgRow(o.id, o.name, o.tier, o.industry, o.region, o.contract_valid_until,
               contract_expired(o.contract_valid_until, today), counts.get(o.id, 0))
        for o in orgs
    ]  # fmt: skip


def profile(key: str | int, *, now: datetime, limit: int = 100) -> OrgProfile:
    """Everything the organizations screen shows about one organization (by id, or by name or id as typed)."""
    org = Organization.get_or_none(Organization.id == key) if isinstance(key, int) else find_organization(key)
    if org is None:
        raise NotFound(f"no organization #{key}")
    since = datetime.combine(now.date() - timedelta(days=PROFILE_DAYS - 1), datetime.min.time())
    report = kpi.kpi_report(since, now, filters=kpi.Filters(organization=org.name), by=None)
    contacts = list(
        Customer.select(Customer.name, Customer.email)
        .where(Customer.organization == org.id)
        .order_by(Customer.name, Customer.email)
        .limit(50)
        .tuples()
    )
    rows = (
        Ticket.select(Ticket.number, Ticket.subject, Ticket.status, Ticket.priority, Ticket.updated_at)
        .where(Ticket.organization == org.id)
        .order_by(Ticket.updated_at.desc(), Ticket.number.desc())
        .limit(limit)
    )
    return OrgProfile(
        organization=org,
        expired=contract_expired(org.contract_valid_until, now.date()),
        contacts=contacts,
        contact_count=Customer.select().where(Customer.organization == org.id).count(),
        open_tickets=sum(report.backlog.values()),
        figures=report.totals,
        since=since,
        tickets=[TicketLine(t.number, t.subject, t.status, t.priority, t.updated_at) for t in rows],
    )
