"""The field changes of a ticket: status, priority, assignee, tags, type, replies, notes and FAQ links.

Each function takes the acting ``Agent`` and, optionally, the ticket version the caller saw
(``expect_version``); it builds its events and hands them to the write pipeline
(``models.tickets.pipeline``), which writes the new ticket row and the events in one transaction
(a stale version raises ``Conflict`` naming who changed what since). Each returns the fresh
``Ticket``, whose ``written`` holds the events the call appended (``()`` when it changed nothing).

The rest of the ticket service is named here too, so that callers keep one import
(``from models.tickets import changes as tickets``): ``get_ticket``, ``state_of`` and ``change``
(the pipeline), ``create_ticket`` (``models.tickets.create``) and the merge functions
(``models.tickets.merge``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce

from models import validate
from models.enums import REASON_REQUIRED_STATUSES, TRANSITIONS, EventKind, Status, Visibility
from models.errors import AcrossCustomers, InvalidInput, NotFound, RuleViolation
from models.store.tables import Agent, FAQArticle, Ticket, TicketEvent
from models.tickets.create import create_ticket
from models.tickets.events import active_agent, new_event, optional_reason, refuse_if_closed, requester, status_event
from models.tickets.fold import TicketState, apply
from models.tickets.merge import merge_chain, merge_tickets, merge_warning, surviving
from models.tickets.pipeline import change, get_ticket, state_of

__all__ = [
    "get_ticket",
    "state_of",
    "create_ticket",
    "update_ticket",
    "set_status",
    "set_priority",
    "set_assignee",
    "change_tags",
    "add_reply",
    "add_note",
    "link_faq",
    "requester",
    "change",
    "tags_change",
    "merge_tickets",
    "merge_warning",
    "AcrossCustomers",
    "surviving",
    "merge_chain",
]


def _status_change(state: TicketState, status: str, reason: str | None) -> list[TicketEvent]:
    old, new = Status(state.status), Status(validate.status(status))
    if new == old:
        return []
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(s.value for s in Status if s in TRANSITIONS[old]) or "none, closed is final"
        raise RuleViolation(f"ticket #{state.number} cannot go from {old} to {new} (allowed: {allowed})")
    why = (
        validate.reason(reason, f"moving a ticket to {new}")
        if new in REASON_REQUIRED_STATUSES
        else optional_reason(reason)
    )
    return [status_event(old, new, why, None)]


def _priority_change(
    state: TicketState, priority: str, reason: str | None, requested_by: str | None = None
) -> list[TicketEvent]:
    new = validate.priority(priority)
    if state.priority == new:
        return []
    refuse_if_closed(state, "changing the priority")
    why = validate.reason(reason, "a priority change")
    asked = requester(requested_by)
    if asked is None:
        raise InvalidInput('a priority change needs who asked for it, e.g. "sales: Rossi" (or "own call")')
    return [new_event(EventKind.PRIORITY.value, field="priority", old_value=state.priority, new_value=new, reason=why,
                   requested_by=asked)]  # fmt: skip


def _assignee_change(state: TicketState, login: str | None) -> list[TicketEvent]:
    new = active_agent(login).login if login else None
    if new == state.assignee:
        return []
    refuse_if_closed(state, "assigning it")
    return [new_event(EventKind.ASSIGNEE.value, field="assignee", old_value=state.assignee, new_value=new)]


def _type_change(state: TicketState, ticket_type: str, reason: str | None) -> list[TicketEvent]:
    new = validate.ticket_type(ticket_type)
    if new == state.ticket_type:
        return []
    refuse_if_closed(state, "changing its type")
    return [
        new_event(
            EventKind.TYPE.value,
            field="type",
            old_value=state.ticket_type,
            new_value=new,
            reason=optional_reason(reason),
        )
    ]


def tags_change(state: TicketState, add: Iterable[str], remove: Iterable[str]) -> list[TicketEvent]:
    """The tags event that adds and removes these tags (none when nothing changes)."""
    adding = {validate.tag(t) for t in add}
    removing = {validate.tag(t) for t in remove}
    if adding & removing:
        raise InvalidInput(f"tag {sorted(adding & removing)[0]!r} is both added and removed")
    old = set(state.tags)
    new = (old | adding) - removing
    if new == old:
        return []
    return [
        new_event(EventKind.TAGS.value, field="tags", old_value=" ".join(sorted(old)), new_value=" ".join(sorted(new)))
    ]


def update_ticket(
    actor: Agent,
    number: int,
    *,
    status: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    unassign: bool = False,
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
    ticket_type: str | None = None,
    reason: str | None = None,
    requested_by: str | None = None,
    expect_version: int | None = None,
) -> Ticket:
    """Several field changes as ONE change: one version, one transaction, all or nothing.

    Applied in the order status, priority, assignee, tags, type, each seeing the ones before (a
    ticket closed here cannot also be reassigned). ``reason`` goes on the status, priority and
    type events. Returns the fresh ticket; its ``written`` holds the events appended, in that order.
    """
    add_tags, remove_tags = tuple(add_tags), tuple(remove_tags)

    def build(ticket: Ticket, state: TicketState) -> list[TicketEvent]:
        steps: list[Callable[[TicketState], list[TicketEvent]]] = []
        if status is not None:
            steps.append(lambda s: _status_change(s, status, reason))
        if priority is not None:
            steps.append(lambda s: _priority_change(s, priority, reason, requested_by))
        if assignee is not None or unassign:
            steps.append(lambda s: _assignee_change(s, None if unassign else assignee))
        if add_tags or remove_tags:
            steps.append(lambda s: tags_change(s, add_tags, remove_tags))
        if ticket_type is not None:
            steps.append(lambda s: _type_change(s, ticket_type, reason))
        events: list[TicketEvent] = []
        for step in steps:
            made = step(state)
            for each in made:
                each.at, each.version = state.updated_at, state.version  # provisional, for the fold only
            state = reduce(apply, made, state)
            events.extend(made)
        return events

    return change(actor, number, expect_version, build)


def set_status(
    actor: Agent, number: int, status: str, *, reason: str | None = None, expect_version: int | None = None
) -> Ticket:
    """Move a ticket along the transition table; on_hold needs a reason. The ticket returned carries
    the status event in ``written``."""
    return update_ticket(actor, number, status=status, reason=reason, expect_version=expect_version)


def set_priority(
    actor: Agent,
    number: int,
    priority: str,
    *,
    reason: str | None,
    requested_by: str | None = None,
    expect_version: int | None = None,
) -> Ticket:
    """Change the priority; always with a reason and who asked for it ("own call" when nobody did).
    The ticket returned carries the priority event in ``written``."""
    return update_ticket(
        actor, number, priority=priority, reason=reason, requested_by=requested_by, expect_version=expect_version
    )


def set_assignee(actor: Agent, number: int, login: str | None, *, expect_version: int | None = None) -> Ticket:
    """Assign the ticket to an active agent, or unassign it with ``None``. The ticket returned carries
    the assignee event in ``written``."""
    return update_ticket(actor, number, assignee=login, unassign=login is None, expect_version=expect_version)


def change_tags(
    actor: Agent,
    number: int,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    expect_version: int | None = None,
) -> Ticket:
    """Add and remove tags in one change; the ticket returned carries the tags event in ``written``."""
    return update_ticket(actor, number, add_tags=add, remove_tags=remove, expect_version=expect_version)


def add_reply(
    actor: Agent,
    number: int,
    body: str,
    *,
    from_customer: bool = False,
    faq_links: Iterable[int] = (),
    expect_version: int | None = None,
) -> Ticket:
    """A public message. An agent's first reply opens a new ticket; a customer's reply reopens a
    resolved one and takes a pending one back to open. ``faq_links``: the FAQ articles inserted
    into the reply, linked in the same change ("inserted in a reply"); one already linked, archived
    or deleted since is left out rather than refusing the reply. The ticket returned carries in
    ``written`` the reply first, then the status change and the FAQ links it brought."""
    body = validate.body(body, "reply")
    links = tuple(dict.fromkeys(int(i) for i in faq_links))
    customer_id = None
    if from_customer:
        # The author is the customer of the ticket replied to, also when the reply lands on the
        # ticket it was merged into: Alice's words stay Alice's on Bob's ticket (and off his page).
        customer_id = get_ticket(number).customer_id
        if customer_id is None:
            raise InvalidInput(f"ticket #{number} has no customer to reply as")
        number = surviving(number)

    def build(ticket: Ticket, state: TicketState) -> list[TicketEvent]:
        refuse_if_closed(ticket, "replying")
        status = Status(ticket.status)
        events = [new_event(EventKind.REPLY.value, visibility=Visibility.PUBLIC.value, body=body, customer=customer_id)]
        if from_customer and status in (Status.RESOLVED, Status.PENDING):
            why = "the customer replied" + (" after resolution" if status == Status.RESOLVED else "")
            events.append(status_event(status, Status.OPEN, why, customer_id))
        elif not from_customer and status == Status.NEW:
            events.append(status_event(status, Status.OPEN, "first reply", None))
        return events + _faq_link_events(state, links, "inserted in a reply")

    return change(actor, number, expect_version, build)


def add_note(actor: Agent, number: int, body: str, *, expect_version: int | None = None) -> Ticket:
    """An internal note: never shown to the customer. The ticket returned carries it in ``written``."""
    body = validate.body(body, "note")
    return change(actor, number, expect_version, lambda ticket, state: [new_event(EventKind.NOTE.value, body=body)])


def link_faq(
    actor: Agent, number: int, article_id: int, *, reason: str | None = None, expect_version: int | None = None
) -> Ticket:
    """Link an FAQ article to the ticket (an internal event; ``reason`` says how, e.g. "inserted in a reply").

    Linking an article that is already linked changes nothing (``written`` is empty); an archived
    one is refused.
    """
    why = optional_reason(reason)

    def build(ticket: Ticket, state: TicketState) -> list[TicketEvent]:
        article = FAQArticle.get_or_none(FAQArticle.id == article_id)
        if article is None:
            raise NotFound(f"no FAQ article #{article_id}")
        if article_id in state.faqs:
            return []
        if article.status == "archived":
            raise RuleViolation(f"FAQ #{article_id} is archived; publish it again before linking it")
        return [new_event(EventKind.FAQ_LINKED.value, field="faq", new_value=str(article_id), reason=why)]

    return change(actor, number, expect_version, build)


def _faq_link_events(state: TicketState, article_ids: tuple[int, ...], why: str) -> list[TicketEvent]:
    """A ``linked FAQ`` event for each article not linked yet that can still be linked."""
    if not article_ids:
        return []
    linkable = {a for (a,) in FAQArticle.select(FAQArticle.id).where(
        FAQArticle.id.in_(article_ids) & (FAQArticle.status != "archived")).tuples()}  # fmt: skip
    return [new_event(EventKind.FAQ_LINKED.value, field="faq", new_value=str(a), reason=why)
            for a in article_ids if a in linkable and a not in state.faqs]  # fmt: skip
