"""``sportello ticket …`` and ``sportello timeline``: every ticket command of the command line.

Each change goes through its service function in ``models.tickets.changes``; this module only turns
options into calls and rows into safe text or JSON.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from urllib.parse import urlparse

import click

from models.directory import lookup as directory
from models.enums import EventKind
from models.errors import NotFound
from models.search import tickets as search
from models.search.query import QUERY_HELP
from models.sla import rules as sla
from models.store.config import ENV_DB, describe_location
from models.store.tables import Ticket, utcnow
from models.tickets import changes as tickets
from models.tickets.timeline import customer_timeline, events_of
from tui.cli.common import (
    CliState,
    age,
    deadlines_json,
    echo_json,
    echo_line,
    event_json,
    event_lines,
    iso,
    json_option,
    pad,
    pass_state,
    read_body,
    ticket_json,
    when,
)
from tui.text.safe import one_line, safe_text

MAX_ID = 2**31 - 1  # ticket numbers are 32-bit on PostgreSQL
#: A ticket or article number: a positive whole number that fits the database.
TICKET_ID = click.IntRange(1, MAX_ID)

__all__ = ["ticket", "timeline", "SHOW_EVENTS"]

#: How many of the latest events ``ticket show`` prints.
SHOW_EVENTS = 10

_EXPECT = click.option(
    "--expect-version",
    type=click.IntRange(1, MAX_ID),
    metavar="V",
    help="Fail with exit 3 if the ticket is no longer at version V (someone else changed it).",
)
_BODY = click.option("--body", metavar="TEXT", help="The text; without it, read from standard input (UTF-8).")


@click.group()
def ticket() -> None:
    """Create, list, show and change tickets."""


@ticket.command("new")
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


# --- list ---------------------------------------------------------------------------------------

_LIST_HELP = f"""List the tickets that match QUERY, most recently updated first.

Prints a table that fits 80 columns; when there are more tickets than --limit, standard error
gives the command for the next page (--after CURSOR), ready to paste. The query may be one quoted argument or
several words: sportello ticket list is:open -tag:spam.

\b
{QUERY_HELP}
"""


@ticket.command("list", help=_LIST_HELP, context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, metavar="[QUERY]...")
@click.option(
    "--limit", type=click.IntRange(1, search.MAX_PAGE_SIZE), default=50, show_default=True, help="Tickets per page."
)
@click.option("--after", metavar="CURSOR", help="Continue after this cursor (printed when there is more).")
@json_option
@pass_state
def ticket_list(state, words, limit, after, as_json) -> None:
    unknown = next((w for w in words if w.startswith("--") and len(w) > 2), None)
    if unknown is not None:  # "-word" excludes a word; "--word" can only be a mistyped option
        raise click.UsageError(f"no such option: {unknown}")
    query = " ".join(words)  # unquoted words are one query too: ticket list status:open -tag:spam
    with state.desk():
        me = state.actor()
        page = search.search_tickets(query, me=me, limit=limit, after=after)
        if as_json:
            rows = [ticket_json(t, tags=tickets.state_of(t).tags) for t in page.tickets]
            echo_json({"tickets": rows, "next_cursor": page.next_cursor})
        else:
            _print_table(page.tickets)
    if page.next_cursor and not as_json:
        words = ["ticket", "list"] + (["--limit", str(limit)] if limit != 50 else []) + ["--after", page.next_cursor]
        query = " ".join(safe_text(query, multiline=False).split())
        words += ["--", query] if query else []  # "--": a query may start with "-", as in -tag:spam
        hint = " ".join(["sportello", *_desk_options(state), *(shlex.quote(w) for w in words)])
        echo_line(f"Next page: {safe_text(hint, multiline=False)}", err=True)
    elif not page.tickets and not as_json:
        echo_line("sportello: no tickets match" if query or after else "sportello: no tickets yet", err=True)


def _desk_options(state: CliState) -> list[str]:
    """The group options (shell-quoted) that make a printed command reach this desk as this agent
    wherever it is pasted: ``--db`` when ``--db`` or ``$SPORTELLO_DB`` chose it, ``--config`` when
    ``--config`` did, and ``--as``. A URL holding a password that came from the environment is
    left there (``--db "$SPORTELLO_DB"``) rather than written to the terminal."""
    words = []
    if state.cli_db or state.env.get(ENV_DB, "").strip():
        url = state.db_url()
        if urlparse(url).password and not state.cli_db:
            words += ["--db", f'"${ENV_DB}"']
        else:
            location = describe_location(url) if urlparse(url).scheme.startswith("sqlite") else url
            words += ["--db", shlex.quote(location)]
    elif state.config_path:
        words += ["--config", shlex.quote(os.path.abspath(os.path.expanduser(state.config_path)))]
    if state.as_login:
        words += ["--as", shlex.quote(state.as_login)]
    return words


def table_width() -> int:
    """80 columns, or the terminal's width when standard output is a wider terminal (up to 200)."""
    if not sys.stdout.isatty():
        return 80
    return max(80, min(200, shutil.get_terminal_size((80, 24)).columns))


def _print_table(rows: list[Ticket], width: int | None = None) -> None:
    width = width or table_width()
    extra = width - 80
    subject_w, who_w = 24 + extra - extra // 3, 15 + extra // 3
    columns = [("#", 6, True), ("STATUS", 8, False), ("PRIO", 6, False), ("SUBJECT", subject_w, False),
               ("CUSTOMER / ORG", who_w, False), ("ASSIGNEE", 8, False), ("UPDATED", 7, True)]  # fmt: skip
    echo_line(" ".join(pad(name, w, right=right) for name, w, right in columns).rstrip())
    for t in rows:
        cells = [
            str(t.number),
            t.status,
            t.priority,
            t.subject,
            _customer_org(t),
            t.assignee.login if t.assignee_id else "-",
            age(t.updated_at),
        ]
        line = " ".join(pad(one_line(v, w), w, right=right) for v, (_, w, right) in zip(cells, columns, strict=True))
        echo_line(line.rstrip())


def _ago(value) -> str:
    text = age(value)
    return "just now" if text == "now" else f"{text} ago"


def _customer_org(t: Ticket) -> str:
    customer = t.customer.name if t.customer_id else ""
    org = t.organization.name if t.organization_id else ""
    if customer and org:
        return f"{customer} / {org}"
    return customer or org or "-"


# --- show and timeline --------------------------------------------------------------------------


@ticket.command("show")
@click.argument("number", type=TICKET_ID, metavar="ID")
@json_option
@pass_state
def ticket_show(state, number, as_json) -> None:
    """Show a ticket's fields and its latest events."""
    with state.desk():
        state.actor()
        t = tickets.get_ticket(number)
        current = tickets.state_of(t)
        events = events_of(number)
        recent = events[-SHOW_EVENTS:]
        if as_json:
            data = ticket_json(t, tags=current.tags, faqs=current.faqs)
            now = utcnow()
            found = sla.deadlines(number, now=now)
            data["sla_policy"] = found.policy.name if found.policy else None
            data["deadline_override"] = iso(found.override)
            data["deadlines"] = deadlines_json(found, now)
            data["event_count"] = len(events)
            data["events"] = [event_json(e) for e in recent]
            echo_json(data)
            return
        echo_line(f"#{t.number}  {one_line(t.subject)}")
        customer = f"{t.customer.name} <{t.customer.email}>" if t.customer_id else "-"
        fields = [
            ("status", t.status),
            ("priority", t.priority),
            ("type", t.ticket_type),
            ("channel", t.channel),
            ("customer", customer),
            ("organization", t.organization.name if t.organization_id else "-"),
            ("queue", t.queue.name if t.queue_id else "-"),
            ("assignee", t.assignee.login if t.assignee_id else "-"),
            ("tags", " ".join(current.tags) or "-"),
            ("created", f"{when(t.created_at)} UTC"),
            ("updated", f"{when(t.updated_at)} UTC ({_ago(t.updated_at)})"),
            ("version", str(t.version)),
        ]
        if t.merged_into_id:
            fields.append(("merged into", f"#{t.merged_into_id}"))
        if current.faqs:
            fields.append(("FAQ", ", ".join(f"#{a}" for a in current.faqs)))
        for name, value in fields:
            echo_line(f"  {name + ':':<14}{one_line(value, 62)}")
        echo_line()
        earlier = len(events) - len(recent)
        title = f"Latest {len(recent)} of {len(events)} events" if earlier else "Events"
        echo_line(
            f"{title} (times in UTC; all of them: sportello timeline {number}):" if earlier else f"{title} (UTC):"
        )
        for event in recent:
            for line in event_lines(event, max_body_lines=20):
                echo_line(line)


@click.command("timeline")
@click.argument("number", type=TICKET_ID, metavar="ID")
@click.option(
    "--public", is_flag=True, help="Only what the customer may see (public events, none made by another customer)."
)
@json_option
@pass_state
def timeline(state, number, public, as_json) -> None:
    """Every event of a ticket, oldest first: time (UTC), version, who, what, and the message."""
    with state.desk():
        state.actor()
        tickets.get_ticket(number)
        events = customer_timeline(number) if public else events_of(number)
        if as_json:
            echo_json({"ticket": number, "public_only": public, "events": [event_json(e) for e in events]})
            return
        for event in events:
            for line in event_lines(event):
                echo_line(line)


ticket.add_command(timeline)  # also ``sportello ticket timeline``, beside show


# --- changes ------------------------------------------------------------------------------------


@ticket.command("set")
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


@ticket.command("reply")
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


@ticket.command("note")
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


@ticket.command("merge")
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


@ticket.command("link-faq")
@click.argument("number", type=TICKET_ID, metavar="ID")
@click.argument("article", type=TICKET_ID)
@_EXPECT
@pass_state
def ticket_link_faq(state, number, article, expect_version) -> None:
    """Link FAQ article ARTICLE to the ticket; print the new version."""
    with state.desk():
        t = tickets.link_faq(state.actor(), number, article, expect_version=expect_version)
        echo_line(str(t.version))
