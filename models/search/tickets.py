"""Run a ticket query against the desk, one keyset page at a time.

:func:`search_tickets` turns a :class:`~models.search.query.Query` (or its text) into one SELECT that
loads each ticket with its customer, organization, assignee and queue, in a total order that
ends with the ticket number. Pages are keyset pages, never OFFSET: the opaque cursor holds the
last row's sort-key values, so page 1,000 costs what page 1 costs.

Filters become conditions in :mod:`models.search.conditions`, words go through the full-text
index (:mod:`models.search.words`), and the order and its cursors are :mod:`models.search.cursors`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from models.errors import QueryError
from models.search.conditions import clean, date_condition, filter_condition
from models.search.cursors import KEYS, Order, decode_cursor, encode_cursor, fingerprint, order_of
from models.search.query import Query, parse_query
from models.search.words import matching_any, text_match
from models.store import fulltext
from models.store.db import database
from models.store.rows import load_joined
from models.store.tables import Agent, Customer, Organization, Queue, Ticket

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


@dataclass(frozen=True)
class Page:
    """One page of tickets, and the cursor of the next page (None on the last one)."""

    tickets: list[Ticket]
    next_cursor: str | None


@dataclass(frozen=True)
class _Plan:
    """A query ready to run."""

    where: tuple[pw.Node, ...]  # on ticket columns: filters and dates
    words: tuple[str, ...]  # each must match
    excluded: tuple[str, ...]  # none may match
    order: Order
    fingerprint: str  # ties cursors to the query

    def conditions(self) -> list[pw.Node]:
        """All conditions of a search without words (excluded words become a NOT IN)."""
        if self.excluded:
            return [*self.where, Ticket.number.not_in(matching_any(self.excluded))]
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
    position, window = (None, None) if after is None else decode_cursor(after, plan.order, plan.fingerprint)
    if plan.order.windowed and after is None:
        window = _window_start(plan)
    rows = _fetch(plan, position, size + 1, window, skip)
    if len(rows) <= size:
        return Page(rows, None)
    return Page(rows[:size], encode_cursor(plan.order, plan.fingerprint, rows[size - 1], window))


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
    return Page(rows, encode_cursor(plan.order, plan.fingerprint, rows[-1], window) if more else None)


def count_tickets(query: str | Query, *, me: Agent | None = None, now: datetime | None = None) -> int:
    """How many tickets match ``query``: the number of rows that all its pages hold."""
    plan = _plan(_as_query(query, now), me)
    return _count(plan, [])


def _count(plan: _Plan, extra: list) -> int:
    select = Ticket.select(pw.fn.COUNT(pw.SQL("*")))
    if plan.words:
        table, number, match, _ = text_match(plan.words, plan.excluded)
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
    where = [filter_condition(f, me) for f in query.filters] + [date_condition(d) for d in query.dates]
    words = tuple(clean(t.text) for t in query.terms if not t.negated and fulltext.searchable(t.text))
    excluded = tuple(clean(t.text) for t in query.terms if t.negated and fulltext.searchable(t.text))
    order = order_of(query, bool(words))
    return _Plan(tuple(where), words, excluded, order, fingerprint(query, order))


# --- order, pages ----------------------------------------------------------------------


def _phases(
    order: Order, position: list | None, window: int | None
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
        column = KEYS[order.keys[0]][0]
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
    table, number, match, _ = text_match(plan.words, plan.excluded)
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
    columns = [KEYS[key][0] for key in keys]
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
    table, number, match, score = text_match(plan.words, plan.excluded)
    extra = [_bind_window(condition, number) for condition in extra]
    scored = "score" in keys
    if plan.where or extra or not scored:
        inner = Ticket.select(Ticket.number, *([score.alias("score")] if scored else []))
        inner = inner.join(table, on=(number == Ticket.number)).where(match, *plan.where, *extra)
        columns = [score if key == "score" else KEYS[key][0] for key in keys]
    else:
        inner = table.select(number.alias("number"), score.alias("score")).where(match)
        columns = [score, number]
    hits = _keyset(inner, columns, start, plan.order.descending).limit(limit).offset(skip or None).alias("hits")
    select = _eager_select().join_from(Ticket, hits, on=(hits.c.number == Ticket.number))
    if scored:
        select = select.select_extend(hits.c.score.alias("search_score").bind_to(Ticket))
    outer = [hits.c.score if key == "score" else KEYS[key][0] for key in keys]
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
