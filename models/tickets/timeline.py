"""Reading a ticket's timeline and describing its events in plain words."""

from __future__ import annotations

from peewee import JOIN, fn

from models.enums import EventKind, Visibility
from models.store.rows import load_joined
from models.store.tables import Agent, Customer, Ticket, TicketEvent

__all__ = ["events_of", "customer_may_see", "customer_timeline", "describe", "who", "latest_event_id"]


def events_of(number: int, *, public_only: bool = False, since_version: int | None = None) -> list[TicketEvent]:
    """A ticket's events, oldest first, with the acting agent and customer loaded in the same query."""
    query = (
        TicketEvent.select(TicketEvent, Agent, Customer)
        .join_from(TicketEvent, Agent, on=(TicketEvent.actor == Agent.id), join_type=JOIN.LEFT_OUTER)
        .join_from(TicketEvent, Customer, on=(TicketEvent.customer == Customer.id), join_type=JOIN.LEFT_OUTER)
        .where(TicketEvent.ticket == number)
        .order_by(TicketEvent.id)
    )
    if public_only:
        query = query.where(TicketEvent.visibility == Visibility.PUBLIC)
    if since_version is not None:
        query = query.where(TicketEvent.version > since_version)
    return load_joined(query, TicketEvent, [(Agent, "actor"), (Customer, "customer")])


def customer_may_see(event: TicketEvent, customer_id: int | None) -> bool:
    """Whether the customer of a ticket (``customer_id``, None for a ticket without one) may see
    ``event`` of it: a public event, unless another customer made it.

    Another customer's events are on a ticket only through a merge: once Alice's ticket is merged
    into Bob's, Alice's replies (and the reopening they cause) land on Bob's ticket with Alice as
    their author. Bob's page leaves them out, words, name and address alike; agents see them all.
    """
    return event.visibility == Visibility.PUBLIC and event.customer_id in (None, customer_id)


def customer_timeline(number: int) -> list[TicketEvent]:
    """The part of ticket ``number``'s timeline its customer may see (``customer_may_see``), oldest
    first: the status page, the app's customer view and ``timeline --public`` all show this."""
    customer_id = Ticket.select(Ticket.customer).where(Ticket.number == number).scalar()
    return [event for event in events_of(number, public_only=True) if customer_may_see(event, customer_id)]


def latest_event_id() -> int:
    """The id of the newest event on the desk (0 on an empty one).

    Every change to any ticket appends an event, so this one number moving is how a screen learns,
    with a single index lookup, that something changed since it last looked.
    """
    return TicketEvent.select(fn.MAX(TicketEvent.id)).scalar() or 0


def who(event: TicketEvent) -> str:
    """Who made the change: the customer's name when they wrote, the remote user for a synced
    change (``alice (synced from rt)``), else the agent's login, else 'system'.

    The origin is what the writer claims; the agent who wrote a synced change is named with it
    (``alice (synced from rt by bob)``). On PostgreSQL an agent's database role cannot leave its
    agent off an event, nor name a customer other than the ticket's (migration 0012), so a
    claimed origin always comes with the agent who made the claim."""
    if event.customer_id is not None and event.kind in (
        EventKind.REPLY,
        EventKind.CREATED,
        EventKind.STATUS,
        EventKind.CSAT,
    ):
        customer = event.customer
        return f"{customer.name} <{customer.email}>"
    if getattr(event, "origin", None) == "mail":
        by = f", recorded by {event.actor.login}" if event.actor_id is not None else ""
        return f"{event.origin_actor or 'someone'} (by mail{by})"
    if getattr(event, "origin", None):
        by = f" by {event.actor.login}" if event.actor_id is not None else ""
        return f"{event.origin_actor or 'someone'} (synced from {event.origin}{by})"
    if event.actor_id is not None:
        return event.actor.login
    return "system"


def _arrow(old: str | None, new: str | None) -> str:
    return f"{old or '—'} → {new or '—'}"


def _why(event: TicketEvent) -> str:
    """`` (reason, asked by WHO)``: the reason and who asked for the change, when recorded."""
    parts = [event.reason] if event.reason else []
    if event.requested_by:
        parts.append(f"asked by {event.requested_by}")
    return f" ({', '.join(parts)})" if parts else ""


def _mail(event: TicketEvent) -> str:
    if event.field == "automatic":
        return f"received {event.new_value or 'automatic'} mail; nothing changed" + (
            f" ({event.reason})" if event.reason else "")  # fmt: skip
    if event.field == "status_request":
        return "asked by mail where the request stands (answered by mail)"
    if event.field == "delivery":
        return f"mail {event.new_value or ''}: {event.body or ''}".rstrip(": ")
    if event.field == "moved":
        return f"{event.body or 'moved a message'}" + (f" ({event.reason})" if event.reason else "")
    return "mail" + (f" ({event.reason})" if event.reason else "")


def describe(event: TicketEvent) -> str:
    """One line saying what the event did, e.g. ``status open → pending (waiting for logs)``."""
    kind = event.kind
    reason = f" ({event.reason})" if event.reason else ""
    if kind == EventKind.CREATED:
        return f"created the ticket{reason}"
    if kind in (EventKind.STATUS, EventKind.PRIORITY, EventKind.ASSIGNEE, EventKind.TYPE):
        return f"{kind} {_arrow(event.old_value, event.new_value)}{_why(event)}"
    if kind == EventKind.TAGS:
        old, new = set((event.old_value or "").split()), set((event.new_value or "").split())
        parts = [f"+{t}" for t in sorted(new - old)] + [f"-{t}" for t in sorted(old - new)]
        return "tags " + " ".join(parts)
    if kind == EventKind.REPLY:
        said = "replied" if event.customer_id is not None else "replied to the customer"
        if getattr(event, "origin", None) == "mail":
            said += " by mail"
        return said + reason
    if kind == EventKind.MAIL:
        return _mail(event)
    if kind == EventKind.NOTE:
        return "added an internal note"
    if kind == EventKind.FAQ_LINKED:
        return f"linked FAQ #{event.new_value}{reason}"
    if kind == EventKind.MERGED_INTO:
        return f"merged this ticket into #{event.new_value}{reason}"
    if kind == EventKind.OVERRIDE:
        old = event.old_value[:16].replace("T", " ") if event.old_value else "—"
        new = event.new_value[:16].replace("T", " ") if event.new_value else "policy"
        return f"deadline {old} → {new} UTC{_why(event)}"
    if kind == EventKind.CSAT:
        return f"rated the help {event.new_value}/5"
    if kind == EventKind.SLA:
        target = (event.field or "").replace("_", " ")
        due = event.old_value[:16].replace("T", " ") if event.old_value else "?"
        word = "breached" if event.new_value == "breached" else "due soon"
        return f"SLA {target} {word} (due {due} UTC){reason}"
    if kind == EventKind.SYNC_CONFLICT:
        return f"sync conflict on {event.field}: here {event.old_value or '—'}, there {event.new_value or '—'}{reason}"
    if kind == EventKind.MERGED_FROM:
        return f"merged #{event.new_value} into this ticket"
    return kind
