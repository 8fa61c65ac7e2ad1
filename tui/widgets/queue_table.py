"""The queue: a Line API table that shows a window of a query's tickets, however many match.

It never holds the result in a widget: :class:`~tui.desk.queue_window.QueueWindow` keeps a bounded
set of chunks and says what to fetch; fetches run in thread workers and come back as messages.
Painting a line never waits for the database: a row not loaded yet shows as ``…`` for the
moment it takes to arrive.
"""

from __future__ import annotations

from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from models.errors import QueryError
from models.search.query import parse_query
from models.sla.rules import DUE_SOON
from tui.desk.desk import Desk
from tui.desk.queue_window import CHUNK, Fetch, QueueWindow
from tui.desk.rows import FirstPage, QueueRow
from tui.text.safe import one_line
from tui.widgets.queue_columns import Column, columns_for, line_text, row_cells
from tui.widgets.steady_scrollbar import SteadyScrollbar

__all__ = ["QueueTable", "FirstPage"]


class QueueTable(SteadyScrollbar, ScrollView, can_focus=True):
    """A query's tickets, one per line, fetched as they scroll into view."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g,home", "first", "First", show=False, id="queue.first"),
        Binding("G,end", "last", "Last", show=False, id="queue.last"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="queue.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="queue.page_up"),
        Binding("enter", "open", "Open", id="queue.open"),
        Binding("space", "mark", "Mark", id="queue.mark"),
    ]

    COMPONENT_CLASSES = {
        "queue-table--header",
        "queue-table--cursor",
        "queue-table--marked",
        "queue-table--loading",
        "queue-table--customer",
        "queue-table--stale",
        "queue-table--status-new",
        "queue-table--status-open",
        "queue-table--status-pending",
        "queue-table--status-on_hold",
        "queue-table--status-resolved",
        "queue-table--status-closed",
        "queue-table--priority-urgent",
        "queue-table--priority-high",
        "queue-table--priority-normal",
        "queue-table--priority-low",
        "queue-table--due-breached",
        "queue-table--due-soon",
    }

    cursor = reactive(0, always_update=True, repaint=False)  # watch_cursor repaints the two rows

    class Opened(Message):
        """The user opened the ticket under the cursor."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    class Changed(Message):
        """The count, the cursor or the marks changed (the screen updates its status line)."""

    class Loaded(Message):
        """The first rows of a new query are on screen."""

    class Counted(Message, bubble=False):
        """A count arrived from a worker (internal)."""

        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class QueryFailed(Message):
        """The query parsed but could not run (an unknown name, say): ``error`` says why, in one line."""

        def __init__(self, query: str, error: str) -> None:
            super().__init__()
            self.query = query
            self.error = error

    class Fetched(Message, bubble=False):
        """A chunk of rows arrived from a worker, or failed to (internal)."""

        def __init__(self, fetch: Fetch, rows: list[QueueRow], next_cursor: str | None, failed: bool = False) -> None:
            super().__init__()
            self.fetch = fetch
            self.rows = rows
            self.next_cursor = next_cursor
            self.failed = failed

    def __init__(self, desk: Desk, *, now=None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.query_text = ""
        self.window: QueueWindow[QueueRow] = QueueWindow()
        self.marked: dict[int, int] = {}  # ticket number -> the version the user last saw
        self._now = now or desk.now
        self._follow: int | None = None  # keep the cursor on this ticket across a reload
        self._fetch_scheduled = False
        self._showing = False  # nothing to fetch before the screen says what to show
        self._announce = False  # post Loaded when the first fresh rows of the query are painted
        self._sort: str | None = None  # the query's sort key: picks the time column when narrow

    # --- the query -----------------------------------------------------------------------

    def show_query(self, text: str, first_page: FirstPage | None = None) -> None:
        """Show the tickets matching ``text`` (already checked), from the top.

        ``first_page`` — rows, cursor and count already fetched for ``text`` — skips the first fetch.
        """
        self.query_text = text
        try:
            sort = parse_query(text).sort
        except QueryError:
            sort = None
        self._sort = sort.key if sort else None
        self._showing = True
        generation = self.window.reset(keep_stale=False)
        self.marked.clear()
        self._announce = True
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        if first_page is not None and first_page.query == text:
            self.window.store(Fetch(generation, 0, None, 0), list(first_page.rows), first_page.next_cursor)
            self.window.set_total(generation, first_page.total)
            self._after_data()
            self.call_after_refresh(self._prefetch_end, generation)
        else:
            self._count(generation, text)
        self._resize_virtual()
        self._schedule_fetch()

    def reload(self) -> None:
        """Fetch again what is on screen, keeping the cursor on its ticket and the old rows meanwhile."""
        row = self.current_row
        self._follow = row.number if row else None
        self.window.reset(keep_stale=True)
        self._count(self.window.generation, self.query_text)
        self._schedule_fetch()

    @property
    def current_row(self) -> QueueRow | None:
        row, _ = self.window.row(self.cursor)
        return row

    @property
    def total(self) -> int | None:
        return self.window.total

    # --- fetching ------------------------------------------------------------------------

    @work(thread=True, group="queue-count", exclusive=True, exit_on_error=False)
    def _count(self, generation: int, text: str) -> None:
        try:
            total = self.desk.count(text)
        except QueryError as err:  # said by the screen under the filter box; the table shows no rows
            if not get_current_worker().is_cancelled:
                self.post_message(self.QueryFailed(text, err.message))
                self.post_message(self.Counted(generation, 0))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Counted(generation, total))

    def _schedule_fetch(self) -> None:
        if self._showing and not self._fetch_scheduled:
            self._fetch_scheduled = True
            self.call_later(self._fetch_missing)

    def _fetch_missing(self) -> None:
        self._fetch_scheduled = False
        first = int(self.scroll_y)
        for fetch in self.window.wanted(first, first + self.size.height + 1)[:3]:
            self._load(fetch, self.query_text)

    @work(thread=True, group="queue-rows", exit_on_error=False)
    def _load(self, fetch: Fetch, text: str) -> None:
        try:
            rows, next_cursor = self.desk.queue_page(
                text, after=fetch.after, offset=fetch.offset, from_end=fetch.from_end, limit=fetch.limit
            )
        except QueryError as err:  # the count says it too: whichever comes first is shown
            self.post_message(self.Fetched(fetch, [], None, failed=True))
            self.post_message(self.QueryFailed(text, err.message))
            return
        except Exception:
            self.post_message(self.Fetched(fetch, [], None, failed=True))
            raise
        self.post_message(self.Fetched(fetch, rows, next_cursor))

    def on_queue_table_counted(self, message: Counted) -> None:
        if self.window.set_total(message.generation, message.total):
            self._after_data()
            self._prefetch_end(message.generation)

    def _prefetch_end(self, generation: int) -> None:
        """Load the end of the queue ahead of time, so that `G` is as instant as `g`."""
        total = self.window.total
        if generation == self.window.generation and total:
            for fetch in self.window.wanted(total - 1, total - 1)[:1]:
                self._load(fetch, self.query_text)

    def on_queue_table_fetched(self, message: Fetched) -> None:
        if message.failed:
            self.window.failed(message.fetch)
            return
        if not self.window.store(message.fetch, message.rows, message.next_cursor):
            return
        for row in message.rows:
            if row.number in self.marked:
                self.marked[row.number] = row.version
        if self._follow is not None:
            for at, row in enumerate(message.rows):
                if row.number == self._follow:
                    self.cursor = message.fetch.chunk * CHUNK + at
                    self._follow = None
                    break
        self._after_data()

    def _after_data(self) -> None:
        self._resize_virtual()
        rows = self.window.known_rows
        if rows and self.cursor >= rows:
            self.cursor = rows - 1
        self.refresh()
        self._schedule_fetch()
        self.post_message(self.Changed())

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.window.known_rows + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._resize_virtual()
        self._schedule_fetch()

    # --- painting ------------------------------------------------------------------------

    def _due_style(self, due: datetime | None) -> Style:
        """Red once a deadline has passed, amber within the hour: the word (``!2h``) says it too."""
        if due is None:
            return Style()
        now = self._now()
        if due <= now:
            return self.get_component_rich_style("queue-table--due-breached", partial=True)
        if due <= now + DUE_SOON:
            return self.get_component_rich_style("queue-table--due-soon", partial=True)
        return Style()

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns for this width and query.

        Sized from the whole width less the scrollbar's, whether it shows or not: a queue that
        grows a scrollbar keeps its columns where they were.
        """
        return columns_for(max(1, self.size.width - self.styles.scrollbar_size_vertical), self._sort)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = self.columns
        if y == 0:
            return self._strip(
                columns, {c.key: c.title for c in columns}, self.get_component_rich_style("queue-table--header"), width
            )
        index = int(self.scroll_y) + y - 1
        if index >= self.window.known_rows:
            if index == 0 and self.window.total == 0:
                return self._message_strip("No tickets match.", width)
            if index == 0 and self.window.total is None and not self.window.loaded(0):
                return self._message_strip("Loading…", width)
            return Strip.blank(width, self.rich_style)
        row, stale = self.window.row(index)
        if row is None:
            self._schedule_fetch()
            return self._message_strip("…", width)
        if self._announce and not stale:
            self._announce = False
            # Built in the table's own context: a message made while the screen paints would name
            # the screen as its sender and stop bubbling there, before the app.
            self.call_later(lambda: self.post_message(self.Loaded()))
        base = self.rich_style
        if stale:
            base += self.get_component_rich_style("queue-table--stale")
        if row.number in self.marked:
            base += self.get_component_rich_style("queue-table--marked")
        if index == self.cursor:
            base += self.get_component_rich_style("queue-table--cursor")
        fold = not any(c.key == "customer" for c in columns)
        values = row_cells(row, self._now(), row.number in self.marked, short=fold)
        if fold:
            values["subject"] = (values["subject"], values.pop("customer"))
        if index == self.cursor:  # the cursor's own colours win: the words still say it all
            return self._strip(columns, values, base, width)
        styles = {
            "status": self.get_component_rich_style(f"queue-table--status-{row.status}", partial=True),
            "priority": self.get_component_rich_style(f"queue-table--priority-{row.priority}", partial=True),
            "due": self._due_style(row.due_at),
            "customer": self.get_component_rich_style("queue-table--customer", partial=True),
        }
        return self._strip(columns, values, base, width, styles)

    def _message_strip(self, text: str, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("queue-table--loading")
        return Strip([Segment(one_line(text, width).ljust(width), style)], width)

    def _strip(
        self,
        columns: tuple[Column, ...],
        values: dict[str, str | tuple[str, str]],
        base: Style,
        width: int,
        styles: dict[str, Style] | None = None,
    ) -> Strip:
        segments = list(line_text(columns, values, base, styles).render(self.app.console))
        return Strip(segments).crop_extend(0, width, base)

    # --- the cursor ----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        # Only the two rows whose look changed: a whole-table refresh would send a screenful
        # down the wire for every key (a scroll, when it happens, repaints by itself).
        self._keep_visible()
        self.refresh_row(old)
        self.refresh_row(new)
        self.post_message(self.Changed())

    def refresh_row(self, index: int) -> None:
        """Repaint the line of row ``index`` (line 0 is the column titles)."""
        self.refresh_line(index + 1)

    def _page(self) -> int:
        return max(1, self.size.height - 2)

    def _keep_visible(self) -> None:
        top = int(self.scroll_y)
        rows_shown = max(1, self.size.height - 1 - (1 if self.show_horizontal_scrollbar else 0))
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows_shown:
            self.scroll_to(y=self.cursor - rows_shown + 1, animate=False)
        self._schedule_fetch()

    def _move(self, to: int) -> None:
        rows = self.window.known_rows
        self.cursor = max(0, min(to, rows - 1)) if rows else 0

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.window.known_rows - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor + self._page())

    def action_page_up(self) -> None:
        self._move(self.cursor - self._page())

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(row.number))

    def action_mark(self) -> None:
        row = self.current_row
        if row is None:
            return
        if row.number in self.marked:
            del self.marked[row.number]
        else:
            self.marked[row.number] = row.version
        at = self.cursor
        self._move(self.cursor + 1)
        self.refresh_row(at)  # the last row keeps the cursor: no move repaints it
        self.post_message(self.Changed())

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()
        self.post_message(self.Changed())

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= index < self.window.known_rows:
            self.cursor = index
            if event.chain >= 2:
                self.action_open()
