"""Keyset page cursors: the total order a search walks, and the opaque cursor that holds the last row's
sort-key values (checked when it comes back: a cursor of another query, or a forged one, is refused)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from models.enums import Priority
from models.errors import QueryError
from models.search.conditions import quoted
from models.search.query import Query
from models.store.tables import Ticket

__all__ = ["FOREIGN_CURSOR"]  # the rest serves the modules of this room only

FOREIGN_CURSOR = "this page cursor does not belong to this query"


@dataclass(frozen=True)
class Order:
    """A total order: key names (see ``KEYS``), most significant first, all one direction."""

    name: str  # written into cursors
    keys: tuple[str, ...]
    descending: bool
    nulls_last: bool = False  # the first key may be NULL: those rows come after all the others
    windowed: bool = False  # relevance: the first key ranks only the newest matches (see RELEVANCE_WINDOW)


KEYS: dict[str, tuple[pw.Field | None, str]] = {  # key -> (column, kind in a cursor)
    "updated_at": (Ticket.updated_at, "time"),
    "number": (Ticket.number, "int"),
    "priority": (Ticket.priority, "int"),  # the rank, 0..3
    "due_at": (Ticket.due_at, "time"),
    "score": (None, "float"),  # relevance, from the full-text match (models.search.tickets)
}


_SORTS = {
    "updated": ("updated_at", "number"),
    "created": ("number",),  # numbers follow creation order, and imported tickets keep theirs
    "priority": ("priority", "updated_at", "number"),
    "due": ("due_at", "number"),
}


def order_of(query: Query, has_words: bool) -> Order:
    """The order of a search: its ``sort:``, else relevance when it has words, else the latest updated first."""
    sort = query.sort
    if sort is None and has_words:
        return Order("relevance", ("score", "number"), True, windowed=True)
    if sort is None:
        return Order("updated-desc", _SORTS["updated"], True)
    if sort.key not in _SORTS:
        raise QueryError(f"unknown sort {quoted(sort.key)}")
    direction = "desc" if sort.descending else "asc"
    return Order(f"{sort.key}-{direction}", _SORTS[sort.key], sort.descending, nulls_last=sort.key == "due")


def fingerprint(query: Query, order: Order) -> str:
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


def encode_cursor(order: Order, query_id: str, last: Ticket, window: int | None) -> str:
    """The cursor of the page after ``last``, for the query fingerprinted ``query_id`` in ``order``."""
    keys = [_key_value(last, key) for key in order.keys]
    if order.windowed and window is not None and last.number < window:
        keys[0] = None  # past the ranked window: walking older matches by number
    content = {"q": query_id, "s": order.name, "k": keys}
    if window is not None:
        content["w"] = window  # later pages keep the window of the first, whatever arrives meanwhile
    payload = json.dumps(content, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order, query_id: str) -> tuple[list, int | None]:
    """The position and the relevance window a cursor holds; ``QueryError`` for a cursor that is not
    one of this query (fingerprinted ``query_id``) in ``order``."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        keys = payload["k"]
        if payload["q"] != query_id or payload["s"] != order.name:
            raise ValueError
        if not isinstance(keys, list) or len(keys) != len(order.keys):
            raise ValueError
        window = payload.get("w")
        if window is not None and (type(window) is not int or not order.windowed):
            raise ValueError(window)
        first_nullable = order.nulls_last or window is not None
        nullable = [first_nullable and i == 0 for i in range(len(keys))]
        position = [_checked(KEYS[key][1], value, n) for key, value, n in zip(order.keys, keys, nullable)]
        return position, window
    except (ValueError, TypeError, KeyError, binascii.Error, RecursionError):
        raise QueryError(FOREIGN_CURSOR) from None


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
