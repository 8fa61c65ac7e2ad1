"""A ticket's timeline as a Line API view: messages, changes as one ``old → new`` line each, delivery records of
mail as one muted line under what they are about (the blocks and their wrapping: :mod:`tui.widgets.timeline_blocks`).

A long message shows its first lines and then what is left, ``… 449,800 more lines — press o or enter to read the
whole message``: one customer message of 1 MB in 450,000 lines once took the screen 51 s to wrap, on every reload
and resize. ``o`` or enter asks for the message under the cursor whole (:class:`Timeline.ReadMessage`; the app
opens it). The mail keys are :mod:`tui.widgets.timeline_mail`'s.

Lines are wrapped once per width and kept, so scrolling a thousand-event ticket only slices a
list; a timeline of more than :data:`INLINE_ROWS` rows is wrapped in a worker thread, the old
lines staying on screen meanwhile.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from tui.desk.mail_out_rows import DeliveryRow
from tui.desk.mail_rows import MailPart
from tui.desk.rows import EventRow, TicketView
from tui.text.labels import when
from tui.widgets.timeline_blocks import (
    BODY_CHARS,
    BODY_LINES,
    INLINE_ROWS,
    WITH_BODY,
    Block,
    _event_blocks,
    cut_body,
    estimated_rows,
    timeline_blocks,
    timeline_text,
    wrap_blocks,
)
from tui.widgets.timeline_mail import TimelineMail

# The blocks are made in tui.widgets.timeline_blocks; they are named here too, where they were first made (and
# ``wrap_blocks`` is called through this module, so that a test may wrap it).
__all__ = ["Timeline", "timeline_text", "timeline_blocks", "cut_body", "wrap_blocks", "BODY_LINES", "BODY_CHARS",
           "_event_blocks"]  # fmt: skip


class Timeline(TimelineMail, ScrollView, can_focus=True):
    """The conversation and the changes of one ticket, in time order.

    ``j``/``k`` move a line cursor and the view follows it only at its edges, as a table's cursor
    does: a key repaints the two lines that changed, not the whole view, which matters over a slow
    link (a one-line scroll redraws every line of the view). ``o`` or enter opens the message under
    the cursor (or the nearest one above it) whole.
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="timeline.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="timeline.up"),
        Binding("g,home", "first", "Top", show=False, id="timeline.top"),
        Binding("G,end", "last", "Bottom", show=False, id="timeline.bottom"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="timeline.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="timeline.page_up"),
        Binding(
            "o,enter",
            "read_message",
            "Read",
            show=False,
            tooltip="Read the message under the cursor whole",
            id="timeline.read",
        ),  # fmt: skip
        # The mail under the cursor (see tui.widgets.timeline_mail):
        Binding("z", "toggle_quoted", "Quoted", show=False, tooltip="Show or fold the quoted text of the mail",
                id="timeline.quoted"),
        Binding("w", "mail('save')", "Save files", show=False, tooltip="Save the mail's attachments into a folder",
                id="timeline.save_attachments"),
        Binding("M", "mail('move')", "Move mail", show=False, tooltip="Move the mail to another ticket",
                id="timeline.move_mail"),
        Binding("S", "mail('split')", "Split mail", show=False, tooltip="Split the mail into a new ticket",
                id="timeline.split_mail"),
    ]  # fmt: skip

    COMPONENT_CLASSES = {
        "timeline--cursor",
        "timeline--message-head",
        "timeline--customer-head",
        "timeline--internal-head",
        "timeline--message",
        "timeline--customer",
        "timeline--internal",
        "timeline--change",
        "timeline--more",
        "timeline--delivery",
    }

    cursor = reactive(0, repaint=False)  # a line of the wrapped timeline; watch_cursor repaints

    class ReadMessage(Message):
        """The message under the cursor is to be read whole: ``heading`` (which ticket, what, who, when),
        its ``body``, and ``title``, which names it in a header."""

        def __init__(self, heading: str, body: str, title: str) -> None:
            super().__init__()
            self.heading = heading
            self.body = body
            self.title = title

    @dataclass
    class Wrapped(Message, bubble=False):
        """(internal) A worker wrapped the blocks of ``generation`` to ``width``: its lines and their events."""

        generation: int
        view: TicketView | None
        width: int
        lines: list[Strip]
        events: list[int]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: TicketView | None = None
        self._lines_view: TicketView | None = None  # the view _lines and _line_events were made from
        self.blocks: list[tuple[str, Text]] = []
        self._blocks: list[Block] = []
        self._lines: list[Strip] = []
        self._line_events: list[int] = []  # each line's event index in view.events (-1: none)
        self._width = 0  # the width _lines are wrapped to
        self._wanted = 0  # the width a worker is wrapping to (0: none)
        self._generation = 0  # bumped by show(): a worker's lines for older blocks are dropped
        self._to_end = False  # the next wrapped lines put the cursor on the last line
        self.mail: dict[int, MailPart] = {}  # event id -> the message behind it, for the events that came by mail
        self.unfolded: set[int] = set()  # events whose quoted history shows
        self._keys = ("z", "w")
        self.deliveries: dict[int, DeliveryRow] = {}  # event id -> the delivery record it is

    def show(
        self, view: TicketView, mail: dict[int, MailPart] | None = None, keys: tuple[str, str] = ("z", "w"),
        deliveries: dict[int, DeliveryRow] | None = None,
    ) -> None:  # fmt: skip
        """Show ``view``'s events (``mail``: the message behind each that came by mail; ``keys``: those that
        unfold its quoted history and save its attachments; ``deliveries``: the delivery records among them); a
        reader at the bottom stays there, others stay put."""
        self._to_end = self.is_vertical_scroll_end or not self.blocks
        self.view, self.mail, self._keys, self.deliveries = view, mail or {}, keys, deliveries or {}
        self._show_blocks()

    def _show_blocks(self) -> None:
        self._blocks = timeline_blocks(self.view, self.mail, self.unfolded, self._keys, self.deliveries)
        self.blocks = [(role, text) for role, text, _ in self._blocks]
        self._generation += 1
        self._width = self._wanted = 0
        self._wrap()

    def on_resize(self) -> None:
        self._wrap()

    def _wrap(self) -> None:
        """Wrap the blocks to the width: here when they are few, else in a worker."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        if width == self._width and self._lines:
            self._stop_wrapping()  # these lines fit; a worker's for another width is not needed
            return
        if width == self._wanted:
            return
        styles = {
            role: self.get_component_rich_style(f"timeline--{role}") for role, _, _ in self._blocks if role != "gap"
        }
        if estimated_rows(self._blocks, width) <= INLINE_ROWS:
            self._stop_wrapping()  # a worker's lines for older blocks would be dropped anyway
            wrapped = wrap_blocks(self._blocks, width, styles, self.app.console)
            assert wrapped is not None  # never cancelled here
            self._install(self._generation, self.view, width, *wrapped)
        else:
            self._wanted = width
            self._wrap_in_thread(self._generation, self.view, list(self._blocks), width, styles)

    def _stop_wrapping(self) -> None:
        self._wanted = 0
        self.workers.cancel_group(self, "timeline-wrap")

    @work(thread=True, group="timeline-wrap", exclusive=True, exit_on_error=False)
    def _wrap_in_thread(
        self, generation: int, view: TicketView | None, blocks: list[Block], width: int, styles: dict[str, Style]
    ) -> None:
        # exclusive=True only marks the replaced worker cancelled: its thread stops at the next block.
        worker = get_current_worker()
        console = Console(file=io.StringIO(), width=width, legacy_windows=False)
        wrapped = wrap_blocks(blocks, width, styles, console, lambda: worker.is_cancelled)
        if wrapped is not None and not worker.is_cancelled:
            self.post_message(self.Wrapped(generation, view, width, *wrapped))

    @on(Wrapped)
    def _wrapped(self, message: Wrapped) -> None:
        self._install(message.generation, message.view, message.width, message.lines, message.events)

    def _install(
        self, generation: int, view: TicketView | None, width: int, lines: list[Strip], events: list[int]
    ) -> None:
        if generation != self._generation or width != self.scrollable_content_region.width:
            if width == self._wanted:
                self._wanted = 0
            return  # lines for older blocks, or for a width the view no longer has
        self._wanted = 0
        # A reader on the last line stays on it when the lines are wrapped again (a new width: the
        # scrollbar came, the window changed), as one at the bottom does when the ticket reloads.
        at_end = self._to_end or (bool(self._lines) and self.cursor >= len(self._lines) - 1)
        self._to_end = False
        self._width = width
        # The event indexes of these lines point into this view's events, not into self.view's: a
        # newer view (v toggled the customer view, a reload) may be shown while they are wrapped.
        self._lines_view, self._lines, self._line_events = view, lines, events
        self.virtual_size = Size(width, len(lines))
        last = max(0, len(lines) - 1)
        if at_end:
            self.set_reactive(Timeline.cursor, last)
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)
        else:
            self.set_reactive(Timeline.cursor, min(self.cursor, last))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if width != self._width:
            self._wrap()
        if 0 <= index < len(self._lines):
            style = self.rich_style
            if index == self.cursor and self.has_focus:
                style += self.get_component_rich_style("timeline--cursor")
            line = self._lines[index]
            if width != self._width:  # wrapped for another width, the new lines on their way
                line = line.crop_extend(0, width, Style())
            return line.apply_style(style)
        return Strip([Segment(" " * width, self.rich_style)], width)

    # --- reading a message whole -------------------------------------------------------------

    def message_at(self, line: int) -> EventRow | None:
        """The message at ``line``, or the nearest one above it, else below it (None: no message).

        It is the message on screen: until a newer view's lines are wrapped, the older view's."""
        if self._lines_view is None or not self._line_events:
            return None
        line = max(0, min(line, len(self._line_events) - 1))
        events = self._lines_view.events
        order = list(range(line, -1, -1)) + list(range(line + 1, len(self._line_events)))
        for index in order:
            event = self._line_events[index]
            if event >= 0 and events[event].kind in WITH_BODY:
                return events[event]
        return None

    def action_read_message(self) -> None:
        event, view = self.message_at(self.cursor), self._lines_view
        if event is None or view is None:
            self.notify("No message to read here.", markup=False)
            return
        what = "internal note" if event.internal else ("message" if event.kind == "created" else event.kind)
        heading = f"#{view.number} · {what} · {event.who} · {when(event.at, view.zone)}"
        self.post_message(self.ReadMessage(heading, event.body, f"ticket #{view.number} · {what}"))

    # --- the cursor ----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        top, height = int(self.scroll_y), max(1, self.scrollable_content_region.height)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)

    def _move(self, to: int) -> None:
        top, height = int(self.scroll_y), max(1, self.scrollable_content_region.height)
        if not top <= self.cursor < top + height:  # scrolled away with the mouse: start from the view
            self.set_reactive(Timeline.cursor, min(max(self.cursor, top), top + height - 1))
        self.cursor = max(0, min(to, len(self._lines) - 1))

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._lines) - 1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height - 1) * direction
        self.scroll_to(y=self.scroll_y + page, animate=False, immediate=True)
        self.cursor = max(0, min(self.cursor + page, len(self._lines) - 1))
