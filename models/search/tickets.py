"""Run a ticket query against the desk, one keyset page at a time.

:func:`search_tickets` turns a :class:`~models.search.query.Query` (or its text) into one SELECT that
loads each ticket with its customer, organization, assignee and queue, in a total order that
ends with the ticket number. Pages are keyset pages, never OFFSET: the opaque cursor holds the
last row's sort-key values, so page 1,000 costs what page 1 costs.

Words go through the full-text index of ``models.store.fulltext``: FTS5 ``MATCH`` on SQLite,
``tsvector @@ tsquery`` on PostgreSQL. User text only ever travels as a bound parameter, and
each word is quoted for FTS5, so nothing typed is read as SQL or as FTS5 syntax.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

import peewee as pw

from models.enums import Priority
from models.errors import QueryError
from models.search.query import DateRange, Filter, Query, parse_query
from models.sla.deadline import DUE_SOON
from models.store import fulltext
from models.store.db import database, is_postgres
from models.store.rows import load_joined
from models.store.tables import Agent, Customer, Organization, Queue, Tag, Ticket, TicketTag, utcnow

__all__ = ["Page", "search_tickets", "count_tickets", "saved_view_queries", "MAX_PAGE_SIZE", "RELEVANCE_WINDOW"]

MAX_PAGE_SIZE = 500

#: Relevance ranks this many of the newest matching tickets; older matches follow, newest first.
#: Ranking every match of a common word costs a second on a million tickets; ranking a recent
#: window costs milliseconds, and on a help desk the recent tickets are the ones being looked for.
RELEVANCE_WINDOW = 2000

_SAVED_VIEWS = (
    ("Unassigned", "is:unassigned is:open"),
    ("Mine", "is:mine is:open"),
    ("Open", "status:open"),
    ("Pending", "status:pending"),
    ("On hold", "status:on_hold"),
    ("Recently resolved", "status:resolved sort:updated"),
    ("All", ""),
)

# ``is:open`` must read exactly like the WHERE clause of the partial index ``ticket_open_assignee``
# (migration 0003): SQLite uses a partial index only when the query repeats its condition with the
# same literals, and a bound parameter does not count. So these two lists, our own constants, are
# written into the SQL as text.
_OPEN_SQL = pw.SQL("('new', 'open', 'pending', 'on_hold')")
_CLOSED_SQL = pw.SQL("('resolved', 'closed')")

_FOREIGN_CURSOR = "this page cursor does not belong to this query"


@dataclass(frozen=True)
class Page:
    """One page of tickets, and the cursor of the next page (None on the last one)."""

    tickets: list[Ticket]
    next_cursor: str | None


@dataclass(frozen=True)
class _Cond:
    """A condition and its NULL-safe negation (a ticket without a queue is "not in queue X")."""

    yes: pw.Node
    no: pw.Node


@dataclass(frozen=True)
class _Order:
    """A total order: key names (see ``_KEYS``), most significant first, all one direction."""

    name: str  # written into cursors
    keys: tuple[str, ...]
    descending: bool
    nulls_last: bool = False  # the first key may be NULL: those rows come after all the others
    windowed: bool = False  # relevance: the first key ranks only the newest matches (see RELEVANCE_WINDOW)


@dataclass(frozen=True)
class _Plan:
    """A query ready to run."""

    where: tuple[pw.Node, ...]  # on ticket columns: filters and dates
    words: tuple[str, ...]  # each must match
    excluded: tuple[str, ...]  # none may match
    order: _Order
    fingerprint: str  # ties cursors to the query

    def conditions(self) -> list[pw.Node]:
        """All conditions of a search without words (excluded words become a NOT IN)."""
        if self.excluded:
            return [*self.where, Ticket.number.not_in(_matching_any(self.excluded))]
        return list(self.where)


# --- public API ------------------------------------------------------------------------


def saved_view_queries() -> dict[str, str]:
    """The built-in views, name -> query text, in display order."""
    return dict(_SAVED_VIEWS)


def search_tickets(
    query: str | Query,
    *,
    me: Agent | None = None,
    limit: int = 50,
    after: str | None = None,
    offset: int = 0,
    from_end: bool = False,
    now: datetime | None = None,
) -> Page:
    """One page of the tickets matching ``query``; pass ``next_cursor`` back as ``after``.

    ``offset`` starts the page that many rows into the result instead (the TUI jumps with it).
    It walks the sort's index up to there, so it costs what the rows it skips cost; following
    ``next_cursor`` from there on is as cheap as ever. With ``from_end`` the offset counts back
    from the end: the page holds the ``limit`` rows that end ``offset`` rows before the last
    one, still in the query's order, so the end of a long queue costs what its start costs.
    """
    plan = _plan(_as_query(query, now), me)
    size = _page_size(limit)
    if after is not None and (offset or from_end):
        raise QueryError("a page starts either after a cursor or at an offset, not both")
    skip = _offset(offset)
    if from_end:
        return _page_from_end(plan, size, skip)
    position, window = (None, None) if after is None else _decode_cursor(after, plan)
    if plan.order.windowed and after is None:
        window = _window_start(plan)
    rows = _fetch(plan, position, size + 1, window, skip)
    if len(rows) <= size:
        return Page(rows, None)
    return Page(rows[:size], _encode_cursor(plan, rows[size - 1], window))


def _page_from_end(plan: _Plan, size: int, skip: int) -> Page:
    """The page that ends ``skip`` rows before the last match (see ``search_tickets``)."""
    window = _window_start(plan) if plan.order.windowed else None
    if plan.words or len(_phases(plan.order, None, window)) > 1:
        # A ranked or two-walk order has no single index to walk backwards: count, then skip forwards.
        total = _count(plan, [])
        start = max(total - skip - size, 0)
        wanted = total - skip - start
        rows = _fetch(plan, None, wanted, window, start) if wanted > 0 else []
    else:
        rows = _materialize(_tickets_page(plan, [], plan.order.keys, None, size, skip, backwards=True))
    more = skip > 0 and bool(rows)
    return Page(rows, _encode_cursor(plan, rows[-1], window) if more else None)


def count_tickets(query: str | Query, *, me: Agent | None = None, now: datetime | None = None) -> int:
    """How many tickets match ``query``: the number of rows that all its pages hold."""
    plan = _plan(_as_query(query, now), me)
    return _count(plan, [])


def _count(plan: _Plan, extra: list) -> int:
    select = Ticket.select(pw.fn.COUNT(pw.SQL("*")))
    if plan.words:
        table, number, match, _ = _text_match(plan.words, plan.excluded)
        extra = [_bind_window(condition, number) for condition in extra]
        select = _where(select.join(table, on=(number == Ticket.number)).where(match), [*plan.where, *extra])
    else:
        select = _where(select, plan.conditions() + extra)
    with _word_errors(plan):
        return int(select.scalar())


# --- conditions ------------------------------------------------------------------------


def _as_query(query: str | Query, now: datetime | None) -> Query:
    if isinstance(query, Query):
        return query
    if not isinstance(query, str):
        raise QueryError("a query must be text")
    return parse_query(query, now=now)


def _page_size(limit: int) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(limit)))
    except (TypeError, ValueError, OverflowError):
        raise QueryError(f"the page size must be a whole number from 1 to {MAX_PAGE_SIZE}") from None


def _offset(offset: int) -> int:
    if type(offset) is not int or not 0 <= offset < 2**31:
        raise QueryError("the offset must be a whole number from 0 up")
    return offset


def _plan(query: Query, me: Agent | None) -> _Plan:
    where = [_filter_condition(f, me) for f in query.filters] + [_date_condition(d) for d in query.dates]
    words = tuple(_clean(t.text) for t in query.terms if not t.negated and fulltext.searchable(t.text))
    excluded = tuple(_clean(t.text) for t in query.terms if t.negated and fulltext.searchable(t.text))
    order = _order(query, bool(words))
    return _Plan(tuple(where), words, excluded, order, _fingerprint(query, order))


def _clean(text: str) -> str:
    """``text`` as either driver accepts it: no NUL characters, no lone surrogates."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def _quoted(value: str) -> str:
    value = _clean(value)
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
    name = " ".join(_clean(value).split()).lower()
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
        raise QueryError(f"no {what} matches {_quoted(value)}")
    names = ", ".join(_clean(n) for _, n in prefix[:CANDIDATES]) + (", …" if len(prefix) > CANDIDATES else "")
    raise QueryError(f"{_quoted(value)} matches more than one {what}: {names} (type more of it)")


def _agent_ids(logins: Sequence[str]) -> list[int]:
    return list(dict.fromkeys(i for login in logins for i in _resolve(Agent.login, login, "agent")))


def _named(model: type[pw.Model], values: Sequence[str], what: str) -> list[int]:
    """Ids of the rows named (or numbered) in ``values``, a unique prefix of a name included."""
    return list(dict.fromkeys(i for v in values for i in _resolve(model.name, v, what, numbered=True)))


def _customers(values: Sequence[str]) -> pw.Select:
    """Ids of the customers with one of these e-mails or ids, or a name containing one of them."""
    conds = []
    for value in map(_clean, values):
        conds += [Customer.email == value.lower(), Customer.name.contains(value)]  # ILIKE, wildcards escaped
        conds += [Customer.id == int(value)] if _is_id(value) else []
    return Customer.select(Customer.id).where(reduce(operator.or_, conds))


def _tagged(values: Sequence[str]) -> _Cond:
    names = [_clean(v).lower() for v in values]
    links = TicketTag.select(pw.SQL("1")).join(Tag).where((TicketTag.ticket == Ticket.number) & Tag.name.in_(names))
    return _Cond(pw.fn.EXISTS(links), ~pw.fn.EXISTS(links))


def _priorities(values: Sequence[str]) -> _Cond:
    try:
        return _in(Ticket.priority, [Priority(v).rank for v in values])
    except ValueError:
        raise QueryError(f"unknown priority among {', '.join(map(_quoted, values))}") from None


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
    raise QueryError(f"unknown is: value {_quoted(value)}")


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


def _filter_condition(f: Filter, me: Agent | None) -> pw.Node:
    """The values OR-ed; negated, the AND of their NULL-safe negations."""
    build = _FILTERS.get(f.field)
    if build is None or not f.values:
        raise QueryError(f"unknown filter {_quoted(f.field + ':')}")
    conds = build(f.values, me)
    return reduce(operator.and_, (c.no for c in conds)) if f.negated else reduce(operator.or_, (c.yes for c in conds))


def _date_condition(d: DateRange) -> pw.Node:
    column = Ticket.created_at if d.field == "created" else Ticket.updated_at
    parts = ([column >= d.start] if d.start else []) + ([column < d.end] if d.end else [])
    inside = reduce(operator.and_, parts) if parts else pw.SQL("1 = 1")
    return ~inside if d.negated else inside


# --- full text -------------------------------------------------------------------------


def _fts() -> pw.Table:
    return pw.Table("ticket_fts", ("rowid", "ticket_fts", "rank"))  # ticket_fts: the MATCH column


def _ts() -> pw.Table:
    return pw.Table("ticket_search", ("ticket_id", "document"))


def _text_match(words: Sequence[str], excluded: Sequence[str] = ()) -> tuple[pw.Table, pw.Node, pw.Node, pw.Node]:
    """(index table, its ticket-number column, the match condition, score: higher is better).

    Every word must match and no excluded word may: the index itself does the excluding.
    """
    if is_postgres():
        table, tsquery = _ts(), fulltext.pg_tsquery(words, "&&")
        if excluded:
            tsquery = pw.Expression(tsquery, "&&", pw.fn.tsquery_not(fulltext.pg_tsquery(excluded, "||")))
        score = pw.Cast(pw.fn.ts_rank(table.document, tsquery), "float8")  # a float4 would not round-trip
        return table, table.ticket_id, pw.Expression(table.document, "@@", tsquery), score
    table, expression = _fts(), fulltext.fts5_expression(words)
    if excluded:  # every phrase is quoted, so these parentheses and NOT are the only operators
        expression = f"({expression}) NOT ({fulltext.fts5_expression(excluded, 'OR')})"
    match = pw.Expression(table.ticket_fts, "MATCH", expression)
    return table, table.rowid, match, 0 - table.rank  # rank is bm25: lower is better


def _matching_any(words: Sequence[str]) -> pw.Select:
    """Numbers of the tickets whose text matches any of ``words``."""
    if is_postgres():
        table = _ts()
        return table.select(table.ticket_id).where(
            pw.Expression(table.document, "@@", fulltext.pg_tsquery(words, "||"))
        )
    table = _fts()
    return table.select(table.rowid).where(
        pw.Expression(table.ticket_fts, "MATCH", fulltext.fts5_expression(words, "OR"))
    )


# --- order, pages ----------------------------------------------------------------------

_KEYS: dict[str, tuple[pw.Field | None, str]] = {  # key -> (column, kind in a cursor)
    "updated_at": (Ticket.updated_at, "time"),
    "number": (Ticket.number, "int"),
    "priority": (Ticket.priority, "int"),  # the rank, 0..3
    "due_at": (Ticket.due_at, "time"),
    "score": (None, "float"),  # relevance, from _text_match
}
_SORTS = {
    "updated": ("updated_at", "number"),
    "created": ("number",),  # numbers follow creation order, and imported tickets keep theirs
    "priority": ("priority", "updated_at", "number"),
    "due": ("due_at", "number"),
}


def _order(query: Query, has_words: bool) -> _Order:
    sort = query.sort
    if sort is None and has_words:
        return _Order("relevance", ("score", "number"), True, windowed=True)
    if sort is None:
        return _Order("updated-desc", _SORTS["updated"], True)
    if sort.key not in _SORTS:
        raise QueryError(f"unknown sort {_quoted(sort.key)}")
    direction = "desc" if sort.descending else "asc"
    return _Order(f"{sort.key}-{direction}", _SORTS[sort.key], sort.descending, nulls_last=sort.key == "due")


def _phases(
    order: _Order, position: list | None, window: int | None
) -> list[tuple[pw.Node | None, tuple[str, ...], list | None]]:
    """The (condition, keys, start) walks that make up ``order``, from ``position`` on.

    A NULLs-last order is two walks, each in index order: the rows whose first key is set,
    then the others by the remaining keys. A windowed (relevance) order is two walks too: the
    matches numbered ``window`` or above by score, then the older ones by number. Either way a
    position whose first key is None is in the second walk.
    """
    if order.windowed:
        if window is None:  # fewer matches than the window: rank them all
            return [(None, order.keys, position)]
        first, second = _WINDOW_NUMBER >= window, _WINDOW_NUMBER < window
    elif order.nulls_last:
        column = _KEYS[order.keys[0]][0]
        first, second = column.is_null(False), column.is_null()
    else:
        return [(None, order.keys, position)]
    if position is not None and position[0] is None:
        return [(second, order.keys[1:], position[1:])]
    return [(first, order.keys, position), (second, order.keys[1:], None)]


# Stands for the ticket number in a windowed phase; _matches_page binds it to the index's own column
# so that the full-text engine can restrict the match by rowid before scoring anything.
_WINDOW_NUMBER = pw.Column(pw.Table("window"), "number")


def _window_start(plan: _Plan) -> int | None:
    """The number of the oldest of the newest RELEVANCE_WINDOW text matches; None when there are fewer.

    Filters play no part: the window is a walk back through the full-text index alone, which
    costs about the same whatever the words; filters then apply inside and outside it.
    """
    table, number, match, _ = _text_match(plan.words, plan.excluded)
    newest = table.select(number.alias("number")).where(match).order_by(number.desc()).limit(RELEVANCE_WINDOW)
    newest = newest.alias("newest")
    counted = pw.Select([newest], [pw.fn.COUNT(pw.SQL("*")), pw.fn.MIN(newest.c.number)])
    with _word_errors(plan):
        count, oldest = database.execute(counted).fetchone()
    return oldest if count >= RELEVANCE_WINDOW else None


def _fetch(plan: _Plan, position: list | None, wanted: int, window: int | None = None, skip: int = 0) -> list[Ticket]:
    page = _matches_page if plan.words else _tickets_page
    rows: list[Ticket] = []
    phases = _phases(plan.order, position, window)
    for index, (condition, keys, start) in enumerate(phases):
        extra = [condition] if condition is not None else []
        if skip and index < len(phases) - 1:  # skipping past this whole walk costs only a count
            size = _count(plan, extra)
            if skip >= size:
                skip -= size
                continue
        with _word_errors(plan):
            rows += _materialize(page(plan, extra, keys, start, wanted - len(rows), skip))
        skip = 0
        if len(rows) >= wanted:
            break
    return rows


def _keyset(select: pw.Select, columns: Sequence[pw.Node], start: list | None, descending: bool) -> pw.Select:
    """``select`` ordered by ``columns`` and started after the row whose values are ``start``."""
    if start is not None:
        row, last = pw.Tuple(*columns), pw.Tuple(*start)
        select = select.where(row < last if descending else row > last)
    return select.order_by(*(c.desc() if descending else c.asc() for c in columns))


def _tickets_page(
    plan: _Plan,
    extra: list,
    keys: Sequence[str],
    start: list | None,
    limit: int,
    skip: int = 0,
    *,
    backwards: bool = False,
) -> pw.Select:
    """A page of a search without words: one walk down the index of the sort, joins included.

    With ``skip`` the walk first skips that many numbers in the index alone, then joins the page;
    ``backwards`` walks (and skips) from the end of the index, the page still in the sort's order.
    """
    columns = [_KEYS[key][0] for key in keys]
    if not skip and not backwards:
        select = _where(_eager_select(), plan.conditions() + extra)
        return _keyset(select, columns, start, plan.order.descending).limit(limit)
    inner = _where(Ticket.select(Ticket.number), plan.conditions() + extra)
    walk = plan.order.descending != backwards
    page = _keyset(inner, columns, start, walk).limit(limit).offset(skip or None).alias("page")
    select = _eager_select().join_from(Ticket, page, on=(page.c.number == Ticket.number))
    return select.order_by(*(c.desc() if plan.order.descending else c.asc() for c in columns))


def _matches_page(
    plan: _Plan, extra: list, keys: Sequence[str], start: list | None, limit: int, skip: int = 0
) -> pw.Select:
    """A page of a word search: first the page's numbers (and scores), then those tickets.

    Sorting the matches before joining anything saves four joins per matching ticket (2-6x
    on common words); without filters the ranking happens in the full-text index alone, which
    also lets PostgreSQL find a rare word through its GIN index rather than by a scan.
    """
    table, number, match, score = _text_match(plan.words, plan.excluded)
    extra = [_bind_window(condition, number) for condition in extra]
    scored = "score" in keys
    if plan.where or extra or not scored:
        inner = Ticket.select(Ticket.number, *([score.alias("score")] if scored else []))
        inner = inner.join(table, on=(number == Ticket.number)).where(match, *plan.where, *extra)
        columns = [score if key == "score" else _KEYS[key][0] for key in keys]
    else:
        inner = table.select(number.alias("number"), score.alias("score")).where(match)
        columns = [score, number]
    hits = _keyset(inner, columns, start, plan.order.descending).limit(limit).offset(skip or None).alias("hits")
    select = _eager_select().join_from(Ticket, hits, on=(hits.c.number == Ticket.number))
    if scored:
        select = select.select_extend(hits.c.score.alias("search_score").bind_to(Ticket))
    outer = [hits.c.score if key == "score" else _KEYS[key][0] for key in keys]
    return select.order_by(*(c.desc() if plan.order.descending else c.asc() for c in outer))


def _bind_window(condition: pw.Node, number: pw.Node) -> pw.Node:
    """A windowed phase's condition, on the full-text index's own ticket-number column."""
    if isinstance(condition, pw.Expression) and condition.lhs is _WINDOW_NUMBER:
        return pw.Expression(number, condition.op, condition.rhs)
    return condition


def _where(select: pw.Select, conditions: Sequence[pw.Node]) -> pw.Select:
    return select.where(*conditions) if conditions else select


def _eager_select() -> pw.ModelSelect:
    """Tickets with their customer, organization, assignee and queue, in one query."""
    left = pw.JOIN.LEFT_OUTER
    return (
        Ticket.select(Ticket, Customer, Organization, Agent, Queue)
        .join_from(Ticket, Customer, left, on=(Ticket.customer == Customer.id), attr="customer")
        .join_from(Ticket, Organization, left, on=(Ticket.organization == Organization.id), attr="organization")
        .join_from(Ticket, Agent, left, on=(Ticket.assignee == Agent.id), attr="assignee")
        .join_from(Ticket, Queue, left, on=(Ticket.queue == Queue.id), attr="queue")
    )


_RELATED = ((Customer, "customer"), (Organization, "organization"), (Agent, "assignee"), (Queue, "queue"))


def _materialize(select: pw.ModelSelect) -> list[Ticket]:
    """The page's tickets with customer, organization, assignee and queue attached (see models.store.rows)."""
    return load_joined(select, Ticket, _RELATED, extra=("search_score",))  # the score, when the query has one


@contextmanager
def _word_errors(plan: _Plan) -> Iterator[None]:
    """A driver error while searching for words becomes a plain QueryError."""
    try:
        yield
    except pw.DatabaseError:
        if not (plan.words or plan.excluded):
            raise
        raise QueryError("these words cannot be searched for; try other words") from None


# --- cursors ---------------------------------------------------------------------------


def _fingerprint(query: Query, order: _Order) -> str:
    """Identifies the query a cursor belongs to (its text: relative dates like 7d may move on)."""
    identity = " ".join(query.text.split()) if query.text else repr((query.terms, query.filters, query.dates))
    return hashlib.sha256(f"{order.name}\n{identity}".encode("utf-8", "replace")).hexdigest()[:16]


def _key_value(ticket: Ticket, key: str):
    if key == "score":
        return getattr(ticket, "search_score", None)  # None past the relevance window
    if key == "priority":
        return Priority(ticket.priority).rank
    value = getattr(ticket, key)
    return value.isoformat() if isinstance(value, datetime) else value


def _encode_cursor(plan: _Plan, last: Ticket, window: int | None) -> str:
    keys = [_key_value(last, key) for key in plan.order.keys]
    if plan.order.windowed and window is not None and last.number < window:
        keys[0] = None  # past the ranked window: walking older matches by number
    content = {"q": plan.fingerprint, "s": plan.order.name, "k": keys}
    if window is not None:
        content["w"] = window  # later pages keep the window of the first, whatever arrives meanwhile
    payload = json.dumps(content, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, plan: _Plan) -> tuple[list, int | None]:
    """The position and the relevance window a cursor holds."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        keys = payload["k"]
        if payload["q"] != plan.fingerprint or payload["s"] != plan.order.name:
            raise ValueError
        if not isinstance(keys, list) or len(keys) != len(plan.order.keys):
            raise ValueError
        window = payload.get("w")
        if window is not None and (type(window) is not int or not plan.order.windowed):
            raise ValueError(window)
        first_nullable = plan.order.nulls_last or window is not None
        nullable = [first_nullable and i == 0 for i in range(len(keys))]
        position = [_checked(_KEYS[key][1], value, n) for key, value, n in zip(plan.order.keys, keys, nullable)]
        return position, window
    except (ValueError, TypeError, KeyError, binascii.Error, RecursionError):
        raise QueryError(_FOREIGN_CURSOR) from None


def _checked(kind: str, value, nullable: bool):
    """One cursor key value, checked against its kind (ValueError when it is not one)."""
    if value is None and nullable:
        return None
    if kind == "time" and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return moment
    elif kind == "int" and type(value) is int and abs(value) < 2**63:
        return value
    elif kind == "float" and type(value) in (int, float) and math.isfinite(value):
        return float(value)
    raise ValueError(value)
