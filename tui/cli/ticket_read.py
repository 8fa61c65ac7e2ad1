"""Reading tickets: ``sportello ticket list``, ``ticket show`` and ``sportello timeline`` (also
``ticket timeline``).

Rows reach the terminal as safe text (a table that fits 80 columns, fields, events) or JSON.
"""

from __future__ import annotations

import os
import shlex
from urllib.parse import urlparse

import click

from models.search import tickets as search
from models.search.query import QUERY_HELP
from models.sla import rules as sla
from models.store.config import ENV_DB, describe_location
from models.store.tables import Ticket, utcnow
from models.tickets import changes as tickets
from models.tickets.timeline import customer_timeline, events_of
from tui.cli.common import (
    TICKET_ID,
    CliState,
    age,
    echo_json,
    echo_line,
    iso,
    json_option,
    pad,
    pass_state,
    table_width,
    when,
)
from tui.cli.rows import deadlines_json, event_json, event_lines, ticket_json
from tui.text.safe import one_line, safe_text

__all__ = ["ticket_list", "ticket_show", "timeline", "SHOW_EVENTS"]

#: How many of the latest events ``ticket show`` prints.
SHOW_EVENTS = 10


# --- list ---------------------------------------------------------------------------------------

_LIST_HELP = f"""List the tickets that match QUERY, most recently updated first.

Prints a table that fits 80 columns; when there are more tickets than --limit, standard error
gives the command for the next page (--after CURSOR), ready to paste. The query may be one quoted argument or
several words: sportello ticket list is:open -tag:spam.

\b
{QUERY_HELP}
"""


@click.command("list", help=_LIST_HELP, context_settings={"ignore_unknown_options": True})
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


@click.command("show")
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
