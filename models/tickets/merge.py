"""Merging tickets: one ticket's conversation continues on another, and where a merged ticket's replies land."""

from __future__ import annotations

from models.enums import EventKind, Status, Visibility
from models.errors import AcrossCustomers, Conflict, InvalidInput
from models.store.db import write_transaction
from models.store.tables import Agent, Customer, Ticket
from models.tickets import pipeline
from models.tickets.events import new_event, optional_reason, refuse_if_closed

__all__ = ["merge_tickets", "merge_warning", "surviving", "merge_chain"]


def merge_tickets(
    actor: Agent,
    source: int,
    target: int,
    *,
    reason: str | None = None,
    expect_version: int | None = None,
    across_customers: bool = False,
    customers: tuple[int | None, int | None] | None = None,
) -> tuple[Ticket, Ticket]:
    """Merge ``source`` into ``target``: the source is closed and points at the target; both
    timelines say so. Returns (source, target), each carrying the events written on it in
    ``written`` (see ``models.tickets.pipeline``).

    Two different customers' tickets are merged only with ``across_customers``; without it
    ``AcrossCustomers`` says whose they are and why it matters (``merge_warning``).
    ``customers``: the (source's, target's) customer ids the caller showed when the merge was
    confirmed; if either ticket's customer is another now, ``Conflict`` names the change."""
    if source == target:
        raise InvalidInput("a ticket cannot be merged into itself")
    why = optional_reason(reason)
    with write_transaction():
        first, second = sorted((source, target))  # one lock order for everyone: no deadlock
        locked = {first: pipeline.lock_ticket(first), second: pipeline.lock_ticket(second)}
        src, dst = locked[source], locked[target]
        if pipeline.is_stale(src, expect_version):
            raise pipeline.version_conflict(src, expect_version)
        if customers is not None and (src.customer_id, dst.customer_id) != tuple(customers):
            raise _customers_changed((src, dst), customers)
        for ticket in (src, dst):
            refuse_if_closed(ticket, "merging")
        warning = merge_warning(src, dst)
        if warning is not None and not across_customers:
            raise AcrossCustomers(warning)
        src = pipeline.write_events(
            actor,
            src,
            pipeline.state_of(src),
            [
                new_event(
                    EventKind.MERGED_INTO.value,
                    visibility=Visibility.PUBLIC.value,
                    field="merged_into",
                    new_value=str(target),
                    reason=why,
                ),
                new_event(
                    EventKind.STATUS.value,
                    visibility=Visibility.PUBLIC.value,
                    field="status",
                    old_value=src.status,
                    new_value=Status.CLOSED.value,
                    reason=f"merged into #{target}",
                ),
            ],
        )
        dst = pipeline.write_events(
            actor,
            dst,
            pipeline.state_of(dst),
            [
                new_event(
                    EventKind.MERGED_FROM.value,
                    field="merged_from",
                    new_value=str(source),
                    body=f"Merged #{source}: {src.subject}",
                    reason=why,
                )
            ],
        )
        return src, dst


def _customers_changed(now: tuple[Ticket, Ticket], seen: tuple[int | None, int | None]) -> Conflict:
    changes = [
        f"#{ticket.number} now belongs to {_named(ticket.customer_id)}, not {_named(before)}"
        for ticket, before in zip(now, seen)
        if ticket.customer_id != before
    ]
    return Conflict(f"nothing merged: {'; '.join(changes)} — look again and merge anew", changes=changes)


def _named(customer_id: int | None) -> str:
    customer = Customer.get_or_none(Customer.id == customer_id) if customer_id is not None else None
    if customer is None:
        return "no customer" if customer_id is None else f"customer {customer_id}"
    return _full(customer)


def merge_warning(source: Ticket, target: Ticket) -> str | None:
    """Why merging ``source`` into ``target`` must be meant, in one line naming both customers; None
    when they share their customer, or one of them has none.

    After the merge, the source's customer writes on the target: their replies stay theirs and off
    the target customer's page (``timeline.customer_may_see``), but every public reply an agent
    writes there is on the target customer's page, answers to the other customer included.
    """
    if source.customer_id is None or target.customer_id is None or source.customer_id == target.customer_id:
        return None
    mover, stayer = Customer.get_by_id(source.customer_id), Customer.get_by_id(target.customer_id)
    alice, bob = mover.name or mover.email, stayer.name or stayer.email
    return (
        f"#{source.number} belongs to {_full(mover)} and #{target.number} to {_full(stayer)}: once merged, "
        f"{alice}'s replies land on #{target.number}, and every public reply written there is shown to {bob}, "
        f"answers meant for {alice} included"
    )


def _full(customer: Customer) -> str:
    return f"{customer.name} <{customer.email}>" if customer.name else customer.email


def surviving(number: int) -> int:
    """The ticket that now carries a merged ticket's conversation (the ticket itself if not merged):
    where its customer's replies land."""
    return merge_chain(number)[-1]


def merge_chain(number: int) -> list[int]:
    """Ticket ``number``, then the ticket it was merged into, and so on: every ticket where its
    customer's replies may have landed, the surviving one last."""
    chain = [number]
    ticket = pipeline.get_ticket(number)
    while ticket.merged_into_id is not None and ticket.merged_into_id not in chain:
        chain.append(ticket.merged_into_id)
        ticket = pipeline.get_ticket(ticket.merged_into_id)
    return chain
