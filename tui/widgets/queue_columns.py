"""What a queue line shows: the columns for a width (:func:`columns_for`), a ticket's cells
(:func:`row_cells`) and the line as ``Text`` (:func:`line_text`). :class:`tui.widgets.queue_table.QueueTable`
paints them; nothing here waits for the database or needs the app."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from rich.style import Style
from rich.text import Text

from models.directory.lookup import contract_expired
from tui.desk.rows import QueueRow
from tui.text.labels import age, due_label, priority_label, status_label
from tui.text.safe import cells, one_line

__all__ = ["Column", "DUE_WIDTH", "columns_for", "row_cells", "line_text"]


@dataclass(frozen=True)
class Column:
    """A queue column: its key in :func:`row_cells`, its title, its width in cells."""

    key: str
    title: str
    width: int


#: The widest Due value (``!11mo``) fits, so an overdue ticket never loses its figure.
DUE_WIDTH = 5


@functools.lru_cache(maxsize=16)
def columns_for(width: int, sort: str | None = None) -> tuple[Column, ...]:
    """The queue's columns for a table ``width`` cells wide; the subject takes what is left.

    Below 100 cells the subject keeps at least half of the row: status and priority take their
    short forms, the customer follows the subject in its cell, and one time column remains —
    the ticket's age under ``sort:created`` (``sort`` is the query's sort key), else when it was
    last updated.
    """
    wide, narrow = width >= 110, width < 100
    if narrow:
        times = [Column("age", "Age", 4) if sort == "created" else Column("updated", "Upd", 4)]
    else:
        times = [Column("age", "Age", 4), Column("updated", "Upd", 4)]
    fixed = [
        Column("mark", "", 1),
        Column("number", "#", 7 if wide else 6),
        Column("subject", "Subject · customer" if narrow else "Subject", 0),
        *([] if narrow else [Column("customer", "Customer / org" if wide else "Customer", 24 if wide else 12)]),
        Column("status", "Status", 6 if narrow else 10),
        Column("priority", "Pr" if narrow else "Priority", 2 if narrow else 9),
        Column("assignee", "Assignee", 12 if wide else 8),
        *times,
        Column("due", "Due", DUE_WIDTH),
    ]
    used = sum(c.width for c in fixed) + len(fixed) - 1
    subject = max(8, width - used)
    return tuple(Column(c.key, c.title, subject) if c.key == "subject" else c for c in fixed)


def row_cells(row: QueueRow, now: datetime, marked: bool, *, short: bool = False) -> dict[str, str]:
    """A ticket's values by column key (``short``: the narrow table's status and priority)."""
    who = row.customer
    if row.organization:
        who = f"{who} / {row.organization}" if who else row.organization
    who = who or "-"  # as the CLI shows it
    if contract_expired(row.contract_until, now.date()):
        who = "⚠ " + who  # the contract has ended: said here, never used to push the ticket down
    return {
        "mark": "●" if marked else " ",
        "number": str(row.number),
        "subject": row.subject,
        "customer": who,
        "status": status_label(row.status, short=short),
        "priority": priority_label(row.priority, short=short),
        "assignee": row.assignee or "—",
        "age": age(row.created_at, now),
        "updated": age(row.updated_at, now),
        "due": due_label(row.due_at, now),
    }


def line_text(
    columns: tuple[Column, ...],
    values: dict[str, str | tuple[str, str]],
    base: Style,
    styles: dict[str, Style] | None = None,
) -> Text:
    """One queue line: each value cut or padded to its column (the number to the right), in ``base``
    plus the column's own style from ``styles``; a ``(subject, customer)`` pair shares the subject's column."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for at, column in enumerate(columns):
        if at:
            text.append(" ", base)
        value = values.get(column.key, "")
        if isinstance(value, tuple):  # the subject, then the customer in what it leaves
            subject, who = value
            cell = one_line(subject, column.width)
            text.append(cell, base)
            room = column.width - cells(cell) - 3
            rest = " · " + one_line(who, room) if room >= 4 else ""
            who_style = base + styles["customer"] if styles else base
            text.append(rest + " " * max(0, column.width - cells(cell) - cells(rest)), who_style)
            continue
        cell = one_line(value, column.width)
        right = column.key == "number"
        padding = " " * max(0, column.width - cells(cell))
        style = base + styles[column.key] if styles and column.key in styles else base
        text.append(padding + cell if right else cell + padding, style)
    return text
