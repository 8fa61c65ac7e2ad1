"""How a query's filters and dates become SQL conditions on tickets.

Names typed in a filter (an agent, a queue, an organization) are resolved to ids here, once,
before the ticket query: a small lookup, after which the ticket query compares a plain list of
ids. An unknown or ambiguous name is a ``QueryError`` that says so.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce

import peewee as pw

from models.enums import Priority
from models.errors import QueryError
from models.search.query import DateRange, Filter
from models.sla.deadline import DUE_SOON
from models.store.tables import Agent, Customer, Organization, Queue, Tag, Ticket, TicketTag, utcnow

__all__ = ["CANDIDATES"]  # the rest serves the modules of this room only

# ``is:open`` must read exactly like the WHERE clause of the partial index ``ticket_open_assignee``
# (migration 0003): SQLite uses a partial index only when the query repeats its condition with the
# same literals, and a bound parameter does not count. So these two lists, our own constants, are
# written into the SQL as text.
_OPEN_SQL = pw.SQL("('new', 'open', 'pending', 'on_hold')")
_CLOSED_SQL = pw.SQL("('resolved', 'closed')")


@dataclass(frozen=True)
class _Cond:
    """A condition and its NULL-safe negation (a ticket without a queue is "not in queue X")."""

    yes: pw.Node
    no: pw.Node


def clean(text: str) -> str:
    """``text`` as either driver accepts it: no NUL characters, no lone surrogates."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def quoted(value: str) -> str:
    """``value`` as an error message quotes it (cleaned, at most 40 characters)."""
    value = clean(value)
    return f'"{value[:39]}…"' if len(value) > 40 else f'"{value}"'


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18


def _in(column: pw.Field, values: Sequence | pw.Node, nullable: bool = False) -> _Cond:
    if isinstance(values, Sequence) and len(values) == 1:
        yes, no = column == values[0], column != values[0]
    else:
        yes, no = column.in_(values), column.not_in(values)
    return _Cond(yes, column.is_null() | no if nullable else no)


def _unassigned() -> _Cond:
    return _Cond(Ticket.assignee.is_null(), Ticket.assignee.is_null(False))


def _assigned_to_me(me: Agent | None, what: str) -> _Cond:
    if me is None or me.id is None:
        raise QueryError(f"{what} needs an acting agent")
    return _in(Ticket.assignee, [me.id], nullable=True)


#: How many candidates an ambiguous name lists.
CANDIDATES = 5


def _resolve(column: pw.Field, value: str, what: str, *, numbered: bool = False) -> list[int]:
    """The ids of the rows whose ``column`` is ``value`` (case-insensitive, spaces collapsed) —
    or, ``numbered``, whose id it is — else of the one row whose ``column`` begins with it.

    Names are resolved to ids here, once, before the ticket query: a small lookup, after which
    the ticket query compares a plain list of ids. An unknown or ambiguous name is a QueryError
    that says so and, when ambiguous, names a few candidates.
    """
    model = column.model
    name = " ".join(clean(value).split()).lower()
    exact = pw.fn.LOWER(column) == name
    if numbered and _is_id(value):
        exact = exact | (model.id == int(value))
    found = [row for (row,) in model.select(model.id).where(exact).tuples()]
    if found:
        return found
    prefix = (
        list(
            model.select(model.id, column)
            .where(column.startswith(name))
            .order_by(column)
            .limit(CANDIDATES + 1)
            .tuples()
        )
        if name
        else []
    )
    if len(prefix) == 1:
        return [prefix[0][0]]
    if not prefix:
        raise QueryError(f"no {what} matches {quoted(value)}")
    names = ", ".join(clean(n) for _, n in prefix[:CANDIDATES]) + (", …" if len(prefix) > CANDIDATES else "")
    raise QueryError(f"{quoted(value)} matches more than one {what}: {names} (type more of it)")


def _agent_ids(logins: Sequence[str]) -> list[int]:
    return list(dict.fromkeys(i for login in logins for i in _resolve(Agent.login, login, "agent")))


def _named(model: type[pw.Model], values: Sequence[str], what: str) -> list[int]:
    """Ids of the rows named (or numbered) in ``values``, a unique prefix of a name included."""
    return list(dict.fromkeys(i for v in values for i in _resolve(model.name, v, what, numbered=True)))


def _customers(values: Sequence[str]) -> pw.Select:
    """Ids of the customers with one of these e-mails or ids, or a name containing one of them."""
    conds = []
    for value in map(clean, values):
        conds += [Customer.email == value.lower(), Customer.name.contains(value)]  # ILIKE, wildcards escaped
        conds += [Customer.id == int(value)] if _is_id(value) else []
    return Customer.select(Customer.id).where(reduce(operator.or_, conds))


def _tagged(values: Sequence[str]) -> _Cond:
    names = [clean(v).lower() for v in values]
    links = TicketTag.select(pw.SQL("1")).join(Tag).where((TicketTag.ticket == Ticket.number) & Tag.name.in_(names))
    return _Cond(pw.fn.EXISTS(links), ~pw.fn.EXISTS(links))


def _priorities(values: Sequence[str]) -> _Cond:
    try:
        return _in(Ticket.priority, [Priority(v).rank for v in values])
    except ValueError:
        raise QueryError(f"unknown priority among {', '.join(map(quoted, values))}") from None


def _assignees(values: Sequence[str], me: Agent | None) -> list[_Cond]:
    conds = [_unassigned()] if "none" in values else []
    conds += [_assigned_to_me(me, "assignee:me")] if "me" in values else []
    logins = [v for v in values if v not in ("me", "none")]
    return conds + ([_in(Ticket.assignee, _agent_ids(logins), nullable=True)] if logins else [])


def _is(value: str, me: Agent | None) -> _Cond:
    if value == "unassigned":
        return _unassigned()
    if value == "mine":
        return _assigned_to_me(me, "is:mine")
    if value in ("open", "closed"):
        return _in(Ticket.status, _OPEN_SQL if value == "open" else _CLOSED_SQL)
    if value == "contract-expired":  # flagged, never pushed down: it is a filter, not an order
        expired = Organization.select(Organization.id).where(Organization.contract_valid_until < utcnow().date())
        return _in(Ticket.organization, expired, nullable=True)
    if value in ("breached", "due-soon"):  # due_at is set only while an SLA deadline runs
        now = utcnow()
        if value == "breached":
            yes = Ticket.due_at <= now
        else:
            yes = (Ticket.due_at > now) & (Ticket.due_at <= now + DUE_SOON)
        return _Cond(yes, Ticket.due_at.is_null() | ~yes)
    raise QueryError(f"unknown is: value {quoted(value)}")


_FILTERS: dict[str, Callable[[Sequence[str], Agent | None], list[_Cond]]] = {
    "status": lambda values, me: [_in(Ticket.status, values)],
    "priority": lambda values, me: [_priorities(values)],
    "channel": lambda values, me: [_in(Ticket.channel, values)],
    "type": lambda values, me: [_in(Ticket.ticket_type, values)],
    "tag": lambda values, me: [_tagged(values)],
    "queue": lambda values, me: [_in(Ticket.queue, _named(Queue, values, "queue"), nullable=True)],
    "org": lambda values, me: [_in(Ticket.organization, _named(Organization, values, "organization"), nullable=True)],
    "customer": lambda values, me: [_in(Ticket.customer, _customers(values), nullable=True)],
    "assignee": _assignees,
    "is": lambda values, me: [_is(v, me) for v in values],
    "id": lambda values, me: [_in(Ticket.number, [int(v) for v in values])],
}


def filter_condition(f: Filter, me: Agent | None) -> pw.Node:
    """The values OR-ed; negated, the AND of their NULL-safe negations."""
    build = _FILTERS.get(f.field)
    if build is None or not f.values:
        raise QueryError(f"unknown filter {quoted(f.field + ':')}")
    conds = build(f.values, me)
    return reduce(operator.and_, (c.no for c in conds)) if f.negated else reduce(operator.or_, (c.yes for c in conds))


def date_condition(d: DateRange) -> pw.Node:
    column = Ticket.created_at if d.field == "created" else Ticket.updated_at
    parts = ([column >= d.start] if d.start else []) + ([column < d.end] if d.end else [])
    inside = reduce(operator.and_, parts) if parts else pw.SQL("1 = 1")
    return ~inside if d.negated else inside
