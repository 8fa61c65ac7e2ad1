"""Changing tickets: ``sportello ticket new``, ``set``, ``reply``, ``note``, ``merge`` and ``link-faq``.

Each change goes through its service function in ``models.tickets.changes``; this module only turns
options into calls and prints the new number or version (or JSON).
"""

from __future__ import annotations

import click

from models.directory import lookup as directory
from models.enums import EventKind
from models.errors import NotFound
from models.store.tables import Ticket
from models.tickets import changes as tickets
from models.tickets.timeline import events_of
from tui.cli.common import MAX_ID, TICKET_ID, echo_json, echo_line, json_option, pass_state, read_body
from tui.cli.rows import ticket_json
from tui.text.safe import one_line

__all__ = ["ticket_new", "ticket_set", "ticket_reply", "ticket_note", "ticket_merge", "ticket_link_faq"]

_EXPECT = click.option(
    "--expect-version",
    type=click.IntRange(1, MAX_ID),
    metavar="V",
    help="Fail with exit 3 if the ticket is no longer at version V (someone else changed it).",
)
_BODY = click.option("--body", metavar="TEXT", help="The text; without it, read from standard input (UTF-8).")


@click.command("new")
@click.option("--subject", required=True, metavar="TEXT", help="One line, up to 500 characters.")
@_BODY
@click.option("--customer", "customer_email", metavar="EMAIL", help="The customer's e-mail (added on first contact).")
@click.option("--customer-name", metavar="NAME", help="The customer's name, used when the customer is new.")
@click.option("--org", metavar="NAME", help="The organization (added if new).")
@click.option("--queue", metavar="NAME", help="An existing queue.")
@click.option("--priority", default="normal", show_default=True, help="low, normal, high or urgent.")
@click.option("--channel", default="email", show_default=True, help="email, phone, web, chat or walk-in.")
@click.option("--assignee", metavar="LOGIN", help="Assign it to this agent at once.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeat for more).")
@click.option("--type", "ticket_type", default="question", show_default=True,
              help="question, incident, request or complaint.")  # fmt: skip
@json_option
@pass_state
def ticket_new(state, subject, body, customer_email, customer_name, org, queue, priority, channel, assignee, tags,
               ticket_type, as_json) -> None:  # fmt: skip
    """Open a ticket and print its number.

    The first message comes from --body or standard input; it counts as the customer's
    message when --customer is given.
    """
    text = read_body(body, "first message")
    with state.desk():
        actor = state.actor()
        new_org = bool(org) and not _organization_exists(org)
        new = tickets.create_ticket(
            actor,
            subject=subject,
            body=text,
            customer=customer_email,
            customer_name=customer_name or "",
            organization=org or None,
            queue=queue or None,
            priority=priority,
            channel=channel,
            assignee=actor.login if assignee == "me" else assignee,
            tags=tags,
            ticket_type=ticket_type,
        )
        if new_org:
            echo_line(f"sportello: added organization {one_line(new.organization.name, 80)!s}", err=True)
        if as_json:
            fresh = tickets.get_ticket(new.number)
            current = tickets.state_of(fresh)
            echo_json(ticket_json(fresh, tags=current.tags, faqs=current.faqs))
        else:
            echo_line(str(new.number))


def _organization_exists(name: str) -> bool:
    try:
        directory.find_organization(name)
    except NotFound:
        return False
    return True


# --- changes ------------------------------------------------------------------------------------


@click.command("set")
@click.argument("number", type=TICKET_ID, metavar="ID")
@click.option("--status", help="new, open, pending, on_hold, resolved or closed (on_hold needs --reason).")
@click.option("--priority", help="low, normal, high or urgent (needs --reason).")
@click.option("--assignee", metavar="LOGIN", help="An agent's login, 'me', or 'none' to unassign.")
@click.option("--tag", "tags", multiple=True, metavar="[+|-]TAG", help="+TAG (or TAG) adds, -TAG removes; repeatable.")
@click.option("--type", "ticket_type", help="question, incident, request or complaint.")
@click.option(
    "--requested-by",
    metavar="WHO",
    help="Who asked for a priority change, e.g. 'sales: Rossi' (in the override report).",
)
@click.option("--reason", metavar="TEXT", help="Why: kept on the status and priority events. "
              "A status reason is visible to the customer.")  # fmt: skip
@_EXPECT
@pass_state
def ticket_set(
    state, number, status, priority, assignee, tags, ticket_type, requested_by, reason, expect_version
) -> None:
    """Change status, priority, assignee, tags and type as one change (all or nothing); print the new version."""
    add = [t[1:] if t.startswith("+") else t for t in tags if not t.startswith("-")]
    remove = [t[1:] for t in tags if t.startswith("-")]
    if status is None and priority is None and assignee is None and not tags and ticket_type is None:
        raise click.UsageError("nothing to change: give --status, --priority, --assignee, --tag or --type")
    with state.desk():
        actor = state.actor()
        login = None
        if assignee is not None:
            login = None if assignee.strip().lower() in ("none", "-", "") else assignee.strip()
            login = actor.login if login == "me" else login
        ticket = tickets.update_ticket(
            actor,
            number,
            status=status,
            priority=priority,
            assignee=login,
            unassign=assignee is not None and login is None,
            add_tags=add,
            remove_tags=remove,
            ticket_type=ticket_type,
            reason=reason,
            requested_by=requested_by,
            expect_version=expect_version,
        )
        echo_line(str(ticket.version))


@click.command("reply")
@click.argument("number", type=TICKET_ID, metavar="ID")
@_BODY
@click.option("--customer", "from_customer", is_flag=True, help="Record it as written by the ticket's customer.")
@_EXPECT
@json_option
@pass_state
def ticket_reply(state, number, body, from_customer, expect_version, as_json) -> None:
    """Add a public reply (the customer sees it); print the new version."""
    text = read_body(body, "reply")
    with state.desk():
        t = tickets.add_reply(state.actor(), number, text, from_customer=from_customer, expect_version=expect_version)
        _echo_written(t, as_json)


def _echo_written(t: Ticket, as_json: bool) -> None:
    """The new version; with --json also the id of the event just written (the message)."""
    if not as_json:
        echo_line(str(t.version))
        return
    fresh = events_of(t.number, since_version=t.version - 1)
    written = [e.id for e in fresh if e.kind in (EventKind.REPLY, EventKind.NOTE)]
    echo_json({"ticket": t.number, "version": t.version, "event": written[-1] if written else None})


@click.command("note")
@click.argument("number", type=TICKET_ID, metavar="ID")
@_BODY
@_EXPECT
@json_option
@pass_state
def ticket_note(state, number, body, expect_version, as_json) -> None:
    """Add an internal note (never shown to the customer); print the new version."""
    text = read_body(body, "note")
    with state.desk():
        t = tickets.add_note(state.actor(), number, text, expect_version=expect_version)
        _echo_written(t, as_json)


@click.command("merge")
@click.argument("source", type=TICKET_ID)
@click.argument("target", type=TICKET_ID)
@click.option("--reason", metavar="TEXT", help="Why (visible to the customer of SOURCE).")
@click.option(
    "--across-customers",
    is_flag=True,
    help="Merge even though the tickets belong to different customers (refused without it, exit 3).",
)
@_EXPECT
@pass_state
def ticket_merge(state, source, target, reason, across_customers, expect_version) -> None:
    """Merge ticket SOURCE into TARGET: SOURCE is closed and points at TARGET.

    SOURCE's customer then writes on TARGET. When the two tickets belong to different customers,
    the merge is refused, naming both, unless --across-customers says it is meant."""
    with state.desk():
        try:
            src, dst = tickets.merge_tickets(
                state.actor(),
                source,
                target,
                reason=reason,
                expect_version=expect_version,
                across_customers=across_customers,
            )
        except tickets.AcrossCustomers as err:
            raise tickets.AcrossCustomers(f"{err.message}; add --across-customers to merge anyway") from None
        echo_line(f"merged #{src.number} into #{dst.number}")


@click.command("link-faq")
@click.argument("number", type=TICKET_ID, metavar="ID")
@click.argument("article", type=TICKET_ID)
@_EXPECT
@pass_state
def ticket_link_faq(state, number, article, expect_version) -> None:
    """Link FAQ article ARTICLE to the ticket; print the new version."""
    with state.desk():
        t = tickets.link_faq(state.actor(), number, article, expect_version=expect_version)
        echo_line(str(t.version))
