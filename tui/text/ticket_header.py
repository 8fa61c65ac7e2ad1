"""A ticket's header as inert text, one fact per line cut to the width: who, the state, the dates, the
deadline and the linked FAQ articles; in the customer view only what the customer's page shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from models.directory import lookup as directory
from tui.text.faq import linked_faqs_line
from tui.text.labels import age, due_label, priority_label, status_label, when
from tui.text.safe import one_line

if TYPE_CHECKING:
    from tui.desk.rows import TicketView

__all__ = ["ticket_header"]


def ticket_header(view: TicketView, now, width: int = 200) -> Text:
    """The ticket's header, one fact per line, each cut to ``width`` cells — as inert text.

    The customer view shows only what the customer's page shows: the status, the dates in the
    page's time zone and what happens next; never priority, assignee, queue, tags or version.
    """
    title = Text()
    title.append(f"#{view.number} ", style="bold")
    room = width - title.cell_len
    if view.customer_view:
        room -= 36
    title.append(one_line(view.subject, max(8, room)), style="bold")
    if view.customer_view:
        title.append("  CUSTOMER VIEW: what they see ", style="reverse")
    who = view.customer or "no customer"
    if view.organization:
        who += f" · {view.organization}" + ("" if view.customer_view or not view.tier else f" ({view.tier})")
    if view.customer_view:
        zone = f" ({view.zone})"
        facts = [
            who,
            status_label(view.status) + (f" · merged into #{view.merged_into}" if view.merged_into else ""),
            f"created {when(view.created_at, view.zone)} · updated {when(view.updated_at, view.zone)}{zone}",
        ]
        if view.next_step:
            facts.append(f"Next: {view.next_step}")
        return Text("\n").join([title] + [Text(one_line(line, width)) for line in facts])
    state = [status_label(view.status), priority_label(view.priority), f"assignee {view.assignee or '—'}"]
    if directory.contract_expired(view.contract_until, now.date()):
        state.insert(0, f"⚠ CONTRACT EXPIRED {view.contract_until.isoformat()}")  # flagged, never demoted
    if view.queue:
        state.append(f"queue {view.queue}")
    if view.merged_into:
        state.append(f"merged into #{view.merged_into}")
    state.append("tags " + (" ".join(view.tags) or "—"))
    dates = (
        f"created {when(view.created_at)} ({_ago(view.created_at, now)}) · "
        f"updated {when(view.updated_at)} ({_ago(view.updated_at, now)}) · version {view.version}"
    )
    facts = [who, " · ".join(state), dates]
    lines = [title] + [Text(one_line(line, width)) for line in facts]
    if view.due_at is not None or view.sla:
        lines.append(_deadline_line(view, now, width))
    if view.faqs:
        lines.append(Text(linked_faqs_line(view.faqs, width)))
    return Text("\n").join(lines)


def _deadline_line(view: TicketView, now, width: int) -> Text:
    """``Due 2026-11-05 14:00 UTC (!2h) resolution · SLA Premium high``: the deadline first, so it fits 80 columns."""
    line = Text()
    if view.due_at is not None:
        label = due_label(view.due_at, now)
        overdue = label.startswith("!")
        line.append("OVERDUE " if overdue else "Due ", style="bold reverse" if overdue else "bold")
        line.append(f"{when(view.due_at)} UTC ({label.removeprefix('!') + ' ago' if overdue else 'in ' + label})")
        if view.due_what:
            line.append(f" {view.due_what}")
    elif view.sla:
        line.append("No deadline running")
    if view.sla:
        line.append(" · SLA ")
        line.append(one_line(view.sla, max(8, width - line.cell_len - 7)))
    line.truncate(width, overflow="ellipsis")
    return line


def _ago(value, now) -> str:
    """``3w ago``, or ``just now``."""
    ago = age(value, now)
    return "just now" if ago == "now" else f"{ago} ago"
