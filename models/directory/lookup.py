"""Customers, organizations and queues: looking them up by what users type, and adding them."""

from __future__ import annotations

import re
from datetime import date

import peewee as pw

from models import validate
from models.enums import Role
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from models.sla import deadline
from models.sla.tiers import check_tier
from models.store.db import write_transaction
from models.store.tables import Agent, Customer, Organization, Queue, Tag, utcnow

__all__ = [
    "find_customer",
    "add_customer",
    "customer_for",
    "find_organization",
    "add_organization",
    "organization_for",
    "update_organization",
    "contract_expired",
    "find_queue",
    "add_queue",
    "list_queues",
    "list_tags",
]


def _is_id(key: str) -> bool:
    # str.isdigit() also accepts "²" and other digits int() refuses, and int() refuses 4,300 digits.
    return key.isascii() and key.isdigit() and len(key) <= 18


def find_customer(key: str) -> Customer:
    """A customer by e-mail (exact, case-insensitive) or numeric id."""
    key = validate.text(key).strip()
    customer = None
    if _is_id(key):
        customer = Customer.get_or_none(Customer.id == int(key))
    if customer is None:
        customer = Customer.get_or_none(Customer.email == key.lower())
    if customer is None:
        raise NotFound(f"no customer {key[:60]!r}")
    return customer


def add_customer(email: str, name: str = "", phone: str = "", organization: Organization | None = None) -> Customer:
    email = validate.email(email)
    name = validate.name(name, fallback=email.split("@")[0])
    try:
        with write_transaction():
            return Customer.create(email=email, name=name, phone=phone.strip()[:64], organization=organization)
    except pw.IntegrityError:
        raise Conflict(f"customer {email!r} already exists") from None


def customer_for(email: str, name: str = "", organization: Organization | None = None) -> Customer:
    """The customer with this e-mail, added on first contact."""
    try:
        return find_customer(validate.email(email))
    except NotFound:
        try:
            return add_customer(email, name, organization=organization)
        except Conflict:  # someone else added them a moment ago
            return find_customer(email)


def find_organization(key: str) -> Organization:
    """An organization by name (case-insensitive) or numeric id."""
    key = " ".join(validate.text(key).split())
    org = None
    if _is_id(key):
        org = Organization.get_or_none(Organization.id == int(key))
    if org is None:
        org = Organization.get_or_none(pw.fn.LOWER(Organization.name) == key.lower())
    if org is None:
        raise NotFound(f"no organization {key[:60]!r}")
    return org


def organization_for(name: str) -> Organization:
    """The organization with this name (case-insensitive), added when new."""
    try:
        return find_organization(name)
    except NotFound:
        return add_organization(name)


def add_organization(name: str, **segment) -> Organization:
    name = validate.name(name)
    if not name:
        raise InvalidInput("the organization name is empty")
    if Organization.select().where(pw.fn.LOWER(Organization.name) == name.lower()).exists():
        raise Conflict(f"organization {name!r} already exists")  # names are looked up case-insensitively
    try:
        with write_transaction():
            return Organization.create(name=name, **segment)
    except pw.IntegrityError:
        raise Conflict(f"organization {name!r} already exists") from None


def contract_expired(valid_until: date | None, today: date | None = None) -> bool:
    """True when an organization's support contract ended before ``today`` (default: today, UTC).

    An expired contract is flagged wherever its tickets show — never used to push them down."""
    return valid_until is not None and valid_until < (today or utcnow().date())


_SEGMENT_FIELDS = {"tier": 32, "industry": 64, "region": 64, "size_band": 32, "revenue_band": 32}


def update_organization(
    actor: Agent,
    key: str,
    *,
    contract_valid_from: date | None | str = "keep",
    contract_valid_until: date | None | str = "keep",
    mail_domains: str | None = None,
    **segment,
) -> Organization:
    """Change an organization's segment fields and contract dates (leads and admins).

    A tier must be one of the configured tiers. A date set to ``None`` is removed; the default
    keeps it. The contract may not end before it starts."""
    if actor is None or not actor.active or actor.role not in ("lead", "admin"):
        raise PermissionDenied("only a lead or an admin may change organizations")
    changes: dict = {}
    for name, value in segment.items():
        if name not in _SEGMENT_FIELDS:
            raise InvalidInput(f"unknown organization field {name!r}")
        if value is None:
            continue
        if name == "tier":
            changes[name] = check_tier(value)
        else:
            changes[name] = validate.line(value, name.replace("_", " "), _SEGMENT_FIELDS[name], required=False)
    if mail_domains is not None:
        changes["mail_domains"] = _mail_domains(mail_domains)
    for name, value in (("contract_valid_from", contract_valid_from), ("contract_valid_until", contract_valid_until)):
        if value != "keep":
            changes[name] = value
    with write_transaction():
        org = find_organization(key)
        starts = changes.get("contract_valid_from", org.contract_valid_from)
        ends = changes.get("contract_valid_until", org.contract_valid_until)
        if starts is not None and ends is not None and ends < starts:
            raise InvalidInput(f"the contract would end ({ends}) before it starts ({starts})")
        if changes:
            Organization.update(**changes).where(Organization.id == org.id).execute()
        touched = "tier" in changes
    if touched:  # the tier picks the SLA policy of its open tickets
        deadline.refresh_open(organization=org.id)
    return Organization.get_by_id(org.id)


def _mail_domains(value: str) -> str:
    """``acme.example, acme.it`` as ``acme.example acme.it``: each a domain name, lower case; "" clears."""
    names = sorted({d.strip().lower().lstrip("@") for d in value.replace(",", " ").split() if d.strip()})
    for name in names:
        if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", name):
            raise InvalidInput(f"{name[:60]!r} is not a mail domain such as acme.example")
    joined = " ".join(names)
    if len(joined) > 500:
        raise InvalidInput("the mail domains are longer than 500 characters together")
    return joined


def find_queue(key: str) -> Queue:
    key = " ".join(validate.text(key).split())
    queue = Queue.get_or_none(pw.fn.LOWER(Queue.name) == key.lower())
    if queue is None:
        names = ", ".join(q.name for q in Queue.select().order_by(Queue.name)) or "none yet"
        raise NotFound(f"no queue {key[:60]!r} (queues: {names})")
    return queue


def list_queues() -> list[Queue]:
    return list(Queue.select().order_by(Queue.name))


def add_queue(name: str, description: str = "", *, actor: Agent) -> Queue:
    """Add a queue (leads and admins: queues shape how the whole team works)."""
    if actor.role not in (Role.LEAD, Role.ADMIN):
        raise PermissionDenied(f"only a lead or an admin may add queues; {actor.login!r} is {actor.role}")
    name = validate.name(name, limit=100)
    if not name:
        raise InvalidInput("the queue name is empty")
    if Queue.select().where(pw.fn.LOWER(Queue.name) == name.lower()).exists():
        raise Conflict(f"queue {name!r} already exists")  # names are looked up case-insensitively
    try:
        with write_transaction():
            return Queue.create(name=name, description=validate.text(description))
    except pw.IntegrityError:
        raise Conflict(f"queue {name!r} already exists") from None


def list_tags(limit: int = 500) -> list[str]:
    """Tag names known to the desk, in alphabetical order (what a tag picker offers)."""
    return [row.name for row in Tag.select(Tag.name).order_by(Tag.name).limit(limit)]
