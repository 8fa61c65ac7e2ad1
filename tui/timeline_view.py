"""A ticket's timeline as a Line API view: messages in full, changes as one ``old → new`` line each.

Lines are wrapped once per width and kept, so scrolling a thousand-event ticket only slices a
list. Stored text is made inert (:mod:`tui.render`) and long words fold instead of pushing the
layout sideways.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .desk import EventRow, TicketView
from .render import plain, when

__all__ = ["Timeline", "timeline_text"]

_WITH_BODY = ("created", "reply", "note")
_SLA_ALERT = re.compile(r"(SLA .{1,40}? \(due [0-9-]{10} [0-9:]{5})( UTC)?\)")


def timeline_text(view: TicketView) -> list[tuple[str, Text]]:
    """The timeline as (role, text) blocks; role picks the style (``message``, ``internal``, ``change``, ``customer``)."""
    blocks: list[tuple[str, Text]] = []
    for event in view.events:
        blocks.extend(_event_blocks(event, view.zone))
    return blocks


def _event_blocks(event: EventRow, zone: str = "UTC") -> list[tuple[str, Text]]:
    stamp = when(event.at, zone)
    if event.kind in _WITH_BODY:
        role = "internal" if event.internal else ("customer" if event.by_customer else "message")
        head = Text()
        head.append("◆ INTERNAL NOTE · " if event.internal else "▶ ")
        head.append(plain(event.who))
        head.append(f" · {stamp} · ")
        head.append(plain(event.summary))
        body = plain(event.body.rstrip() or "(empty)")
        return [("gap", Text("")), (f"{role}-head", head), (role, body)]
    if event.kind == "sla":  # a system alert, internal by nature: one short line, without who and "(internal)"
        alert = _SLA_ALERT.match(event.summary)  # its reason (the policy's rules) is in the header already
        summary = alert.group(1) + ")" if alert else event.summary
        return [("change", Text(f"  · {stamp}  ") + plain(summary))]
    line = Text("  · ")
    line.append(stamp)
    line.append("  ")
    line.append(plain(event.who))
    line.append("  ")
    line.append(plain(event.summary))
    if event.internal:
        line.append("  (internal)")
    return [("change", line)]


class Timeline(ScrollView, can_focus=True):
    """The conversation and the changes of one ticket, in time order.

    ``j``/``k`` move a line cursor and the view follows it only at its edges, as a table's cursor
    does: a key repaints the two lines that changed, not the whole view, which matters over a slow
    link (a one-line scroll redraws every line of the view).
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="timeline.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="timeline.up"),
        Binding("g,home", "first", "Top", show=False, id="timeline.top"),
        Binding("G,end", "last", "Bottom", show=False, id="timeline.bottom"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="timeline.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="timeline.page_up"),
    ]

    COMPONENT_CLASSES = {
        "timeline--cursor",
        "timeline--message-head",
        "timeline--customer-head",
        "timeline--internal-head",
        "timeline--message",
        "timeline--customer",
        "timeline--internal",
        "timeline--change",
    }

    cursor = reactive(0, repaint=False)  # a line of the wrapped timeline; watch_cursor repaints

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.blocks: list[tuple[str, Text]] = []
        self._lines: list[Strip] = []
        self._width = 0

    def show(self, view: TicketView) -> None:
        """Show ``view``'s events; a reader at the bottom stays at the bottom, others stay put."""
        at_end = self.is_vertical_scroll_end or not self.blocks
        self.blocks = timeline_text(view)
        self._width = 0
        self._wrap()
        if at_end:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)
            self.set_reactive(Timeline.cursor, max(0, len(self._lines) - 1))
        else:
            self.set_reactive(Timeline.cursor, min(self.cursor, max(0, len(self._lines) - 1)))
        self.refresh()

    def on_resize(self) -> None:
        self._wrap()

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        if width == self._width and self._lines:
            return
        self._width = width
        # A reader on the last line stays on it when the lines are wrapped again (a new width: the
        # scrollbar came, the window changed).
        at_end = bool(self._lines) and self.cursor >= len(self._lines) - 1
        console: Console = self.app.console
        lines: list[Strip] = []
        for role, text in self.blocks:
            if role == "gap":
                lines.append(Strip.blank(width))
                continue
            style = self.get_component_rich_style(f"timeline--{role}")
            body = role in ("message", "customer", "internal")
            gutter = Text("│ " if not role == "internal" else "┃ ", style=style)
            room = max(4, width - (gutter.cell_len if body else 0))
            text = text.copy()
            text.overflow = "fold"
            text.no_wrap = False
            indent = Text("    ")  # continuation lines of a heading or a change line
            if not body:
                room = max(4, width - indent.cell_len)
            for index, part in enumerate(text.wrap(console, room, overflow="fold")):
                if body:
                    row = Text.assemble(gutter, part)
                else:
                    row = Text.assemble(indent, part) if index else part
                    row.stylize(style)
                segments = list(row.render(console))
                lines.append(Strip(segments).crop_extend(0, width, Style()))
        self._lines = lines
        self.virtual_size = Size(width, len(lines))
        if at_end:
            self.set_reactive(Timeline.cursor, max(0, len(lines) - 1))
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if width != self._width:
            self._wrap()
        if 0 <= index < len(self._lines):
            style = self.rich_style
            if index == self.cursor and self.has_focus:
                style += self.get_component_rich_style("timeline--cursor")
            return self._lines[index].apply_style(style)
        return Strip([Segment(" " * width, self.rich_style)], width)

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
