"""Saved views: the built-in queues every agent has, plus the filters people keep.

A saved view is a name and a query in the query language of :mod:`models.search.query`. A view with
an owner is personal; one without is shared with the whole team: any agent may share one, and
only a lead or an admin may remove it.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from models import validate
from models.enums import Role
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from models.search.query import parse_query
from models.search.tickets import saved_view_queries
from models.store.db import write_transaction
from models.store.tables import Agent, SavedView

__all__ = ["View", "built_in_views", "list_views", "save_view", "delete_view", "MAX_VIEWS"]

#: How many personal views one agent may keep, and how many shared ones the team may.
MAX_VIEWS = 50


@dataclass(frozen=True)
class View:
    """A view as the queue shows it: built-ins have no id."""

    name: str
    query: str
    id: int | None = None
    shared: bool = False

    @property
    def built_in(self) -> bool:
        return self.id is None


def built_in_views() -> list[View]:
    """The views every agent has (no database needed)."""
    return [View(name, query) for name, query in saved_view_queries().items()]


def list_views(me: Agent | None) -> list[View]:
    """The built-in views, then shared ones, then ``me``'s own, each group in the order saved."""
    views = built_in_views()
    saved = SavedView.select().order_by(SavedView.owner.is_null(False), SavedView.position, SavedView.id)
    if me is None:
        saved = saved.where(SavedView.owner.is_null())
    else:
        saved = saved.where(SavedView.owner.is_null() | (SavedView.owner == me.id))
    views += [View(v.name, v.query, v.id, v.owner_id is None) for v in saved]
    return views


def save_view(actor: Agent, name: str, query: str, *, shared: bool = False) -> View:
    """Keep ``query`` as a view named ``name`` (refused if the query does not parse)."""
    name = validate.name(name, limit=100)
    if not name:
        raise InvalidInput("the view needs a name")
    query = " ".join(validate.text(query).split())
    parse_query(query)  # a QueryError names what is wrong with it
    taken = {v.name.lower() for v in list_views(actor)}
    if name.lower() in taken:
        raise Conflict(f"there is already a view named {name!r}")
    owner = None if shared else actor.id
    with write_transaction():
        mine = SavedView.owner.is_null() if shared else SavedView.owner == actor.id
        if SavedView.select().where(mine).count() >= MAX_VIEWS:
            whose = "the team already shares" if shared else "you already keep"
            raise InvalidInput(f"{whose} {MAX_VIEWS} views; remove one first")
        last = SavedView.select(pw.fn.MAX(SavedView.position)).scalar() or 0
        row = SavedView.create(name=name, query=query, owner=owner, position=last + 1)
    return View(row.name, row.query, row.id, shared)


def delete_view(actor: Agent, view_id: int) -> None:
    """Remove a saved view: your own, or a shared one if you are a lead or an admin."""
    row = SavedView.get_or_none(SavedView.id == view_id)
    if row is None or (row.owner_id is not None and row.owner_id != actor.id):
        raise NotFound(f"no saved view {view_id}")
    if row.owner_id is None and actor.role not in (Role.LEAD, Role.ADMIN):
        raise PermissionDenied("only a lead or an admin may remove a shared view")
    with write_transaction():
        row.delete_instance()
