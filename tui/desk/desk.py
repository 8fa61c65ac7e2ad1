"""The TUI's one seam to the data: a :class:`Desk` whose methods call ``models`` and return plain rows.

Every method runs in a worker thread, never on the UI thread, and returns frozen dataclasses
that hold plain values (:mod:`tui.desk.rows`), so a widget can never trigger a lazy ORM query while
it paints. Each worker thread keeps its own connection (Peewee connections are per thread).

The Desk is one object made of its jobs, each in its own module: the connection
(:mod:`tui.desk.connection`), reading tickets (:mod:`tui.desk.reading`), changing them
(:mod:`tui.desk.writing`), the FAQ (:mod:`tui.desk.faq`), the reports (:mod:`tui.desk.reports`)
and sync (:mod:`tui.desk.syncing`). The row types are named here too, for the screens that import
them with the Desk.
"""

from __future__ import annotations

from tui.desk.connection import user_at_host
from tui.desk.faq import FAQDesk, category_filter
from tui.desk.mailing import MailDesk
from tui.desk.reading import TicketReading
from tui.desk.reports import ReportsDesk
from tui.desk.rows import DraftRow, EventRow, Outcome, QueueRow, SyncConflictRow, SyncRunRow, SyncStatus, TicketView
from tui.desk.syncing import SyncDesk
from tui.desk.writing import TicketWriting

__all__ = [
    "Desk",
    "QueueRow",
    "EventRow",
    "TicketView",
    "Outcome",
    "SyncRunRow",
    "SyncConflictRow",
    "SyncStatus",
    "DraftRow",
    "user_at_host",
    "category_filter",
]


class Desk(TicketReading, TicketWriting, FAQDesk, ReportsDesk, SyncDesk, MailDesk):
    """The open desk and the agent using it: every read and change the screens make."""
