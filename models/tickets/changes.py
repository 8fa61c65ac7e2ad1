"""The service functions through which every ticket change goes.

Each function takes the acting ``Agent`` and, optionally, the ticket version the caller saw
(``expect_version``). It writes the new ticket row and its timeline events in one transaction;
a stale version raises ``Conflict`` naming who changed what since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce

from models import validate
from models.directory import lookup as directory
from models.enums import REASON_REQUIRED_STATUSES, TRANSITIONS, EventKind, Status, Visibility
from models.errors import AcrossCustomers, Conflict, InvalidInput, NotFound, RuleViolation
from models.sla import rules as sla
from models.store import fulltext
from models.store.db import is_postgres, write_transaction
from models.store.tables import (
    Agent,
    Customer,
    FAQArticle,
    Organization,
    Queue,
    Tag,
    Ticket,
    TicketEvent,
    TicketFAQ,
    TicketTag,
    utcnow,
)
from models.tickets import origin
from models.tickets.fold import TicketState, apply, created_payload
from models.tickets.timeline import describe, events_of, who

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


def get_ticket(number: int) -> Ticket:
    ticket = Ticket.get_or_none(Ticket.number == number)
    if ticket is None:
        raise NotFound(f"no ticket #{number}")
    return ticket


def _lock(number: int) -> Ticket:
    """Read a ticket for changing it. On PostgreSQL the row stays locked until commit, so concurrent
    writers queue instead of racing; SQLite's ``BEGIN IMMEDIATE`` already serialises writers."""
    query = Ticket.select().where(Ticket.number == number)
    if is_postgres():
        query = query.for_update()
    ticket = query.get_or_none()
    if ticket is None:
        raise NotFound(f"no ticket #{number}")
    return ticket


def state_of(ticket: Ticket) -> TicketState:
    """The ticket row (with its tags and linked FAQs) as a ``TicketState``."""
    tags = sorted(
        name for (name,) in Tag.select(Tag.name).join(TicketTag).where(TicketTag.ticket == ticket.number).tuples()
    )
    faqs = TicketFAQ.select(TicketFAQ.article).where(TicketFAQ.ticket == ticket.number).tuples()
    assignee = Agent.get_by_id(ticket.assignee_id).login if ticket.assignee_id else None
    return TicketState(
        number=ticket.number,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        channel=ticket.channel,
        ticket_type=ticket.ticket_type,
        customer_id=ticket.customer_id,
        organization_id=ticket.organization_id,
        queue_id=ticket.queue_id,
        assignee=assignee,
        tags=tuple(tags),
        faqs=tuple(sorted(article for (article,) in faqs)),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        merged_into=ticket.merged_into_id,
        version=ticket.version,
    )


def _row(state: TicketState, assignee_id: int | None) -> dict:
    return {
        Ticket.subject: state.subject,
        Ticket.status: state.status,
        Ticket.priority: state.priority,
        Ticket.channel: state.channel,
        Ticket.ticket_type: state.ticket_type,
        Ticket.customer: state.customer_id,
        Ticket.organization: state.organization_id,
        Ticket.queue: state.queue_id,
        Ticket.assignee: assignee_id,
        Ticket.created_at: state.created_at,
        Ticket.updated_at: state.updated_at,
        Ticket.first_response_at: state.first_response_at,
        Ticket.resolved_at: state.resolved_at,
        Ticket.closed_at: state.closed_at,
        Ticket.merged_into: state.merged_into,
        Ticket.version: state.version,
    }


def _active_agent(login: str) -> Agent:
    agent = Agent.get_or_none(Agent.login == login)
    if agent is None:
        raise NotFound(f"no agent {login[:64]!r}")
    if not agent.active:
        raise RuleViolation(f"agent {login!r} is deactivated")
    return agent


def _tag_ids(names: Iterable[str]) -> list[int]:
    ids = []
    for name in names:
        tag, _ = Tag.get_or_create(name=name)
        ids.append(tag.id)
    return ids


def _conflict(ticket: Ticket, seen: int) -> Conflict:
    number, current = ticket.number, ticket.version
    if seen > current:
        return Conflict(
            f"ticket #{number} is at version {current}; version {seen} does not exist yet",
            current_version=current,
        )
    events = events_of(number, since_version=seen)
    lines = [f"{who(e)} {describe(e)} at {e.at:%Y-%m-%d %H:%M} UTC" for e in events]
    shown = "; ".join(lines[:4]) + (f"; and {len(lines) - 4} more" if len(lines) > 4 else "")
    return Conflict(
        f"ticket #{number} changed since you saw it (version {seen}, now {current}): {shown}",
        changes=lines,
        current_version=current,
    )


def _stale(ticket: Ticket, seen: int | None) -> bool:
    """Whether a change made on version ``seen`` must be refused: someone changed the ticket since.

    The system's SLA alerts (warning, breached) move the version but are not updates: a change
    made on the version before them still goes through."""
    if seen is None or ticket.version == seen:
        return False
    if seen > ticket.version:
        return True
    alert = (TicketEvent.kind == EventKind.SLA.value) & TicketEvent.actor.is_null() & TicketEvent.origin.is_null()
    return (
        TicketEvent.select()
        .where((TicketEvent.ticket == ticket.number) & (TicketEvent.version > seen) & ~alert)
        .exists()
    )


def _write(actor: Agent, ticket: Ticket, before: TicketState, changes: list[TicketEvent]) -> Ticket:
    """Append ``changes`` to the locked ``ticket`` and write the state they fold to."""
    at = max(utcnow(), ticket.updated_at)  # a timeline never runs backwards, whatever the clocks say
    for event in changes:
        event.ticket = ticket.number
        event.at = at
        event.version = ticket.version + 1
        event.actor = actor.id if actor is not None else None
        origin.stamp(event)
    after = reduce(apply, changes, before)
    assignee_id = ticket.assignee_id
    if after.assignee != before.assignee:
        assignee_id = Agent.get(Agent.login == after.assignee).id if after.assignee else None
    # The row is locked (FOR UPDATE / BEGIN IMMEDIATE); the version test is a second line of defence.
    updated = (
        Ticket.update(_row(after, assignee_id))
        .where((Ticket.number == ticket.number) & (Ticket.version == ticket.version))
        .execute()
    )
    if updated != 1:
        raise _conflict(get_ticket(ticket.number), ticket.version)
    for event in changes:
        event.save(force_insert=True)
        if event.body:
            fulltext.append_text(ticket.number, event.body)
    if after.tags != before.tags:
        removed = set(before.tags) - set(after.tags)
        if removed:
            gone = Tag.select(Tag.id).where(Tag.name.in_(removed))
            TicketTag.delete().where((TicketTag.ticket == ticket.number) & (TicketTag.tag.in_(gone))).execute()
        added = sorted(set(after.tags) - set(before.tags))
        TicketTag.insert_many([(ticket.number, tag_id) for tag_id in _tag_ids(added)]).execute()
    for article in set(after.faqs) - set(before.faqs):
        TicketFAQ.insert(ticket=ticket.number, article=article, linked_at=at, linked_by=actor.id).execute()
    if any(e.kind == EventKind.STATUS and e.new_value == Status.RESOLVED for e in changes):
        from models.tickets import csat  # csat builds on this module

        csat.open_survey(ticket.number, at)
    sla.refresh(ticket.number, now=at)
    return Ticket.get_by_id(ticket.number)


def change(
    actor: Agent | None,
    number: int,
    expect_version: int | None,
    build: Callable[[Ticket, TicketState], list[TicketEvent]],
) -> Ticket:
    """The one way to change a ticket for other service modules (e.g. models.tickets.csat): ``build``
    makes the events from the locked ticket and its state; they are folded and written at once."""
    return _change(actor, number, expect_version, build)


def tags_change(state: TicketState, add: Iterable[str], remove: Iterable[str]) -> list[TicketEvent]:
    """The tags event that adds and removes these tags (none when nothing changes)."""
    return _tags_change(state, add, remove)


def _change(
    actor: Agent,
    number: int,
    expect_version: int | None,
    build: Callable[[Ticket, TicketState], list[TicketEvent]],
) -> Ticket:
    """Lock the ticket, check the version, build the events and write them, in one transaction."""
    with write_transaction():
        ticket = _lock(number)
        if _stale(ticket, expect_version):
            raise _conflict(ticket, expect_version)
        state = state_of(ticket)
        changes = build(ticket, state)
        if not changes:
            return ticket
        return _write(actor, ticket, state, changes)


def _event(kind: str, **fields) -> TicketEvent:
    fields.setdefault("visibility", Visibility.INTERNAL.value)
    return TicketEvent(kind=kind, **fields)


def _refuse_if_closed(ticket: Ticket | TicketState, what: str) -> None:
    if ticket.status == Status.CLOSED:
        raise RuleViolation(f"ticket #{ticket.number} is closed; {what} is not possible (open a new ticket instead)")


def create_ticket(
    actor: Agent | None,
    *,
    subject: str,
    body: str,
    customer: Customer | str | None = None,
    customer_name: str = "",
    organization: Organization | str | None = None,
    queue: Queue | str | None = None,
    priority: str = "normal",
    channel: str = "email",
    assignee: str | None = None,
    tags: Iterable[str] = (),
    ticket_type: str = "question",
) -> Ticket:
    """Open a ticket with its first message; the message counts as the customer's when there is one.

    ``customer`` may be an e-mail address (added on first contact, with ``customer_name``),
    ``organization`` a name (added when new), ``queue`` a name (must exist). Everything is checked
    before anything is written, and all of it is written in one transaction.
    """
    subject = validate.subject(subject)
    body = validate.body(body, "first message")
    priority = validate.priority(priority)
    channel = validate.channel(channel)
    ticket_type = validate.ticket_type(ticket_type)
    tag_names = tuple(sorted({validate.tag(t) for t in tags}))
    if isinstance(customer, str):
        customer = validate.email(customer)
    with write_transaction():
        assignee_agent = _active_agent(assignee) if assignee else None
        if isinstance(queue, str):
            queue = directory.find_queue(queue)
        if isinstance(organization, str):
            organization = directory.organization_for(organization)
        if isinstance(customer, str):
            customer = directory.customer_for(customer, customer_name, organization)
        if organization is None and customer is not None:
            organization = customer.organization
        now = utcnow()
        ticket = Ticket.create(
            subject=subject,
            status=Status.NEW.value,
            priority=priority,
            channel=channel,
            ticket_type=ticket_type,
            customer=customer,
            organization=organization,
            queue=queue,
            assignee=assignee_agent,
            created_at=now,
            updated_at=now,
            version=1,
        )
        created = TicketEvent(
            ticket=ticket.number,
            at=now,
            version=1,
            actor=actor.id if actor is not None else None,
            customer=customer.id if customer else None,
            kind=EventKind.CREATED.value,
            visibility=Visibility.PUBLIC.value,
            new_value=created_payload(
                subject=subject,
                status=Status.NEW.value,
                priority=priority,
                channel=channel,
                customer_id=customer.id if customer else None,
                organization_id=organization.id if organization else None,
                queue_id=queue.id if queue else None,
                assignee=assignee_agent.login if assignee_agent else None,
                tags=tag_names,
                ticket_type=ticket_type,
            ),
            body=body,
        )
        origin.stamp(created).save(force_insert=True)
        if tag_names:
            TicketTag.insert_many([(ticket.number, tag_id) for tag_id in _tag_ids(tag_names)]).execute()
        fulltext.index_ticket(ticket.number, subject, body)
        sla.refresh(ticket.number, now=now)
    return Ticket.get_by_id(ticket.number)


def _status_change(state: TicketState, status: str, reason: str | None) -> list[TicketEvent]:
    old, new = Status(state.status), Status(validate.status(status))
    if new == old:
        return []
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(s.value for s in Status if s in TRANSITIONS[old]) or "none, closed is final"
        raise RuleViolation(f"ticket #{state.number} cannot go from {old} to {new} (allowed: {allowed})")
    why = validate.reason(reason, f"moving a ticket to {new}") if new in REASON_REQUIRED_STATUSES else _optional(reason)
    return [_status_event(old, new, why, None)]


def _priority_change(
    state: TicketState, priority: str, reason: str | None, requested_by: str | None = None
) -> list[TicketEvent]:
    new = validate.priority(priority)
    if state.priority == new:
        return []
    _refuse_if_closed(state, "changing the priority")
    why = validate.reason(reason, "a priority change")
    asked = requester(requested_by)
    if asked is None:
        raise InvalidInput('a priority change needs who asked for it, e.g. "sales: Rossi" (or "own call")')
    return [_event(EventKind.PRIORITY.value, field="priority", old_value=state.priority, new_value=new, reason=why,
                   requested_by=asked)]  # fmt: skip


def requester(value: str | None) -> str | None:
    """Who asked for a manual change, e.g. "sales: Rossi" (one line, at most 200 characters)."""
    return validate.line(value, "name of who asked", 200) or None


def _assignee_change(state: TicketState, login: str | None) -> list[TicketEvent]:
    new = _active_agent(login).login if login else None
    if new == state.assignee:
        return []
    _refuse_if_closed(state, "assigning it")
    return [_event(EventKind.ASSIGNEE.value, field="assignee", old_value=state.assignee, new_value=new)]


def _type_change(state: TicketState, ticket_type: str, reason: str | None) -> list[TicketEvent]:
    new = validate.ticket_type(ticket_type)
    if new == state.ticket_type:
        return []
    _refuse_if_closed(state, "changing its type")
    return [
        _event(EventKind.TYPE.value, field="type", old_value=state.ticket_type, new_value=new, reason=_optional(reason))
    ]


def _tags_change(state: TicketState, add: Iterable[str], remove: Iterable[str]) -> list[TicketEvent]:
    adding = {validate.tag(t) for t in add}
    removing = {validate.tag(t) for t in remove}
    if adding & removing:
        raise InvalidInput(f"tag {sorted(adding & removing)[0]!r} is both added and removed")
    old = set(state.tags)
    new = (old | adding) - removing
    if new == old:
        return []
    return [
        _event(EventKind.TAGS.value, field="tags", old_value=" ".join(sorted(old)), new_value=" ".join(sorted(new)))
    ]


def _optional(reason: str | None) -> str | None:
    """An optional reason: cleaned and limited like a required one, or None when blank."""
    return validate.reason(reason, "") if reason and reason.strip() else None


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
    type events.
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
            steps.append(lambda s: _tags_change(s, add_tags, remove_tags))
        if ticket_type is not None:
            steps.append(lambda s: _type_change(s, ticket_type, reason))
        events: list[TicketEvent] = []
        for step in steps:
            made = step(state)
            for event in made:
                event.at, event.version = state.updated_at, state.version  # provisional, for the fold only
            state = reduce(apply, made, state)
            events.extend(made)
        return events

    return _change(actor, number, expect_version, build)


def set_status(
    actor: Agent, number: int, status: str, *, reason: str | None = None, expect_version: int | None = None
) -> Ticket:
    """Move a ticket along the transition table; on_hold needs a reason."""
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
    """Change the priority; always with a reason and who asked for it ("own call" when nobody did)."""
    return update_ticket(
        actor, number, priority=priority, reason=reason, requested_by=requested_by, expect_version=expect_version
    )


def set_assignee(actor: Agent, number: int, login: str | None, *, expect_version: int | None = None) -> Ticket:
    """Assign the ticket to an active agent, or unassign it with ``None``."""
    return update_ticket(actor, number, assignee=login, unassign=login is None, expect_version=expect_version)


def change_tags(
    actor: Agent,
    number: int,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    expect_version: int | None = None,
) -> Ticket:
    """Add and remove tags in one change."""
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
    or deleted since is left out rather than refusing the reply."""
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
        _refuse_if_closed(ticket, "replying")
        status = Status(ticket.status)
        events = [_event(EventKind.REPLY.value, visibility=Visibility.PUBLIC.value, body=body, customer=customer_id)]
        if from_customer and status in (Status.RESOLVED, Status.PENDING):
            why = "the customer replied" + (" after resolution" if status == Status.RESOLVED else "")
            events.append(_status_event(status, Status.OPEN, why, customer_id))
        elif not from_customer and status == Status.NEW:
            events.append(_status_event(status, Status.OPEN, "first reply", None))
        return events + _faq_link_events(state, links, "inserted in a reply")

    return _change(actor, number, expect_version, build)


def surviving(number: int) -> int:
    """The ticket that now carries a merged ticket's conversation (the ticket itself if not merged):
    where its customer's replies land."""
    return merge_chain(number)[-1]


def merge_chain(number: int) -> list[int]:
    """Ticket ``number``, then the ticket it was merged into, and so on: every ticket where its
    customer's replies may have landed, the surviving one last."""
    chain = [number]
    ticket = get_ticket(number)
    while ticket.merged_into_id is not None and ticket.merged_into_id not in chain:
        chain.append(ticket.merged_into_id)
        ticket = get_ticket(ticket.merged_into_id)
    return chain


def _status_event(old: Status, new: Status, reason: str, customer_id: int | None) -> TicketEvent:
    return _event(
        EventKind.STATUS.value,
        visibility=Visibility.PUBLIC.value,
        field="status",
        old_value=old.value,
        new_value=new.value,
        reason=reason,
        customer=customer_id,
    )


def add_note(actor: Agent, number: int, body: str, *, expect_version: int | None = None) -> Ticket:
    """An internal note: never shown to the customer."""
    body = validate.body(body, "note")
    return _change(actor, number, expect_version, lambda ticket, state: [_event(EventKind.NOTE.value, body=body)])


def link_faq(
    actor: Agent, number: int, article_id: int, *, reason: str | None = None, expect_version: int | None = None
) -> Ticket:
    """Link an FAQ article to the ticket (an internal event; ``reason`` says how, e.g. "inserted in a reply").

    Linking an article that is already linked changes nothing; an archived one is refused.
    """
    why = _optional(reason)

    def build(ticket: Ticket, state: TicketState) -> list[TicketEvent]:
        article = FAQArticle.get_or_none(FAQArticle.id == article_id)
        if article is None:
            raise NotFound(f"no FAQ article #{article_id}")
        if article_id in state.faqs:
            return []
        if article.status == "archived":
            raise RuleViolation(f"FAQ #{article_id} is archived; publish it again before linking it")
        return [_event(EventKind.FAQ_LINKED.value, field="faq", new_value=str(article_id), reason=why)]

    return _change(actor, number, expect_version, build)


def _faq_link_events(state: TicketState, article_ids: tuple[int, ...], why: str) -> list[TicketEvent]:
    """A ``linked FAQ`` event for each article not linked yet that can still be linked."""
    if not article_ids:
        return []
    linkable = {a for (a,) in FAQArticle.select(FAQArticle.id).where(
        FAQArticle.id.in_(article_ids) & (FAQArticle.status != "archived")).tuples()}  # fmt: skip
    return [_event(EventKind.FAQ_LINKED.value, field="faq", new_value=str(a), reason=why)
            for a in article_ids if a in linkable and a not in state.faqs]  # fmt: skip


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
    timelines say so. Returns (source, target).

    Two different customers' tickets are merged only with ``across_customers``; without it
    ``AcrossCustomers`` says whose they are and why it matters (``merge_warning``).
    ``customers``: the (source's, target's) customer ids the caller showed when the merge was
    confirmed; if either ticket's customer is another now, ``Conflict`` names the change."""
    if source == target:
        raise InvalidInput("a ticket cannot be merged into itself")
    why = _optional(reason)
    with write_transaction():
        first, second = sorted((source, target))  # one lock order for everyone: no deadlock
        locked = {first: _lock(first), second: _lock(second)}
        src, dst = locked[source], locked[target]
        if _stale(src, expect_version):
            raise _conflict(src, expect_version)
        if customers is not None and (src.customer_id, dst.customer_id) != tuple(customers):
            raise _customers_changed((src, dst), customers)
        for ticket in (src, dst):
            _refuse_if_closed(ticket, "merging")
        warning = merge_warning(src, dst)
        if warning is not None and not across_customers:
            raise AcrossCustomers(warning)
        src = _write(
            actor,
            src,
            state_of(src),
            [
                _event(
                    EventKind.MERGED_INTO.value,
                    visibility=Visibility.PUBLIC.value,
                    field="merged_into",
                    new_value=str(target),
                    reason=why,
                ),
                _event(
                    EventKind.STATUS.value,
                    visibility=Visibility.PUBLIC.value,
                    field="status",
                    old_value=src.status,
                    new_value=Status.CLOSED.value,
                    reason=f"merged into #{target}",
                ),
            ],
        )
        dst = _write(
            actor,
            dst,
            state_of(dst),
            [
                _event(
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
