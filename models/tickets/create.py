"""Opening a ticket: its first message, its customer, organization and queue looked up (or added), checked
before anything is written and written through the pipeline in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from models import validate
from models.directory import lookup as directory
from models.enums import EventKind, Status, Visibility
from models.store.db import write_transaction
from models.store.tables import Agent, Customer, Organization, Queue, Ticket, TicketEvent
from models.tickets import pipeline
from models.tickets.events import active_agent
from models.tickets.fold import created_payload

__all__ = ["create_ticket"]


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
    reason: str | None = None,
) -> Ticket:
    """Open a ticket with its first message; the message counts as the customer's when there is one.

    ``customer`` may be an e-mail address (added on first contact, with ``customer_name``),
    ``organization`` a name (added when new), ``queue`` a name (must exist). Everything is checked
    before anything is written, and all of it is written in one transaction. ``reason`` says on the
    ``created`` event why the ticket was opened this way (mail: "a new request"). The ticket returned
    carries its ``created`` event in ``written`` (see ``models.tickets.pipeline``).
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
        assignee_agent = active_agent(assignee) if assignee else None
        if isinstance(queue, str):
            queue = directory.find_queue(queue)
        if isinstance(organization, str):
            organization = directory.organization_for(organization)
        if isinstance(customer, str):
            customer = directory.customer_for(customer, customer_name, organization)
        if organization is None and customer is not None:
            organization = customer.organization
        row = dict(
            subject=subject,
            status=Status.NEW.value,
            priority=priority,
            channel=channel,
            ticket_type=ticket_type,
            customer=customer,
            organization=organization,
            queue=queue,
            assignee=assignee_agent,
        )
        created = TicketEvent(
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
            reason=" ".join(reason.split())[:1000] if reason else None,
        )
        return pipeline.insert_ticket(actor, row, created)
