"""Contract tiers: the tiers an organization may have, in order, and the check that a tier is one of them.

SLA rules match on a tier and organizations carry one (``models.directory.lookup.update_organization``);
both check it here. Only an admin changes the list.
"""

from __future__ import annotations

from models import validate
from models.enums import Role
from models.errors import Conflict, InvalidInput, PermissionDenied
from models.store.db import write_transaction
from models.store.tables import Agent, Organization, SLAPolicy, Tier

__all__ = ["tiers", "check_tier", "add_tier", "remove_tier"]


def tiers() -> list[str]:
    """The configured tiers, lowest first."""
    return [name for (name,) in Tier.select(Tier.name).order_by(Tier.position, Tier.name).tuples()]


def check_tier(value: str) -> str:
    """``value`` cleaned, if it is a configured tier; else a clear error naming the known ones."""
    name = validate.line(value, "tier", 32).lower()
    known = tiers()
    if name not in known:
        raise InvalidInput(f"unknown tier {name!r}; known tiers: {', '.join(known)}")
    return name


def _admin(actor: Agent) -> None:
    if actor is None or not actor.active or actor.role != Role.ADMIN:
        raise PermissionDenied("only an admin may change the list of tiers")


def add_tier(actor: Agent, name: str, *, after: str | None = None) -> list[str]:
    """Add a tier at the top (or just after ``after``); returns the tiers in order."""
    _admin(actor)
    name = validate.line(name, "tier", 32, required=True).lower()
    with write_transaction():
        order = tiers()
        if name in order:
            raise Conflict(f"tier {name!r} already exists")
        if after is not None and after not in order:
            raise InvalidInput(f"unknown tier {after!r}; known tiers: {', '.join(order)}")
        order.insert(order.index(after) + 1 if after is not None else len(order), name)
        Tier.insert(name=name, position=0).execute()
        for position, tier in enumerate(order):
            Tier.update(position=position).where(Tier.name == tier).execute()
    return order


def remove_tier(actor: Agent, name: str) -> list[str]:
    """Remove a tier no organization and no SLA rule uses; returns the tiers left."""
    _admin(actor)
    with write_transaction():
        name = check_tier(name)
        orgs = Organization.select().where(Organization.tier == name).count()
        rules = SLAPolicy.select().where(SLAPolicy.tier == name).count()
        if orgs or rules:
            raise Conflict(f"tier {name!r} is in use ({orgs} organizations, {rules} SLA rules); change them first")
        Tier.delete().where(Tier.name == name).execute()
    return tiers()
