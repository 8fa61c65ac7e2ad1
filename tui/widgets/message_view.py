"""The view of one message body, however long: its lines wrapped to the width in a worker thread, only the rows
in view rendered.

A body may be 1 MB in 450,000 lines: splitting it into lines is done once, wrapping them to the width
runs in a worker thread (a line that fits is its own row, so most of a long body costs a length check),
and until that is done — on opening, after a resize — the rows show cut at the edge, so no key and no
frame ever waits for the wrapping.

The text reaches the terminal as plain segments of :func:`tui.text.safe.safe_text` output: markup
stays literal (it is never parsed) and controls are replaced.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Text.wrap's own line breaker (private to Rich): a long line is wrapped piece by piece with it, exactly as
# Text.wrap would (a test compares both), so a replaced worker can stop between pieces.
from rich._wrap import divide_line
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from tui.text.safe import safe_text

__all__ = ["MessageView", "body_lines", "fold_lines"]

TAB_SIZE = 8
#: A line longer than this is wrapped a piece at a time, asking between pieces whether to stop.
CHUNK = 20_000


def body_lines(body: str) -> list[str]:
    """``body`` as inert lines: controls replaced, tabs expanded, trailing blank lines dropped (as the timeline does)."""
    lines = safe_text(body.rstrip()).split("\n")
    return [line.expandtabs(TAB_SIZE) if "\t" in line else line for line in lines]


def fold_lines(
    lines: Sequence[str], width: int, cancelled: Callable[[], bool] = lambda: False
) -> tuple[list[str], list[int]] | None:
    """The rows of ``lines`` at ``width`` cells, and the row each line begins on.

    A line that fits is one row (the same string); a longer one is word-wrapped, a word longer
    than the width folded. ``None`` when ``cancelled()`` turned true on the way (a newer width
    came): it is asked before each line that needs wrapping, and within one long line every
    :data:`CHUNK` characters, so a replaced worker stops at once instead of wrapping on.
    """
    width = max(1, width)
    console = Console(file=io.StringIO(), width=width, legacy_windows=False)
    rows: list[str] = []
    firsts: list[int] = []
    for index, line in enumerate(lines):
        if not index % 20_000 and cancelled():
            return None
        firsts.append(len(rows))
        if len(line) <= width and (line.isascii() or cell_len(line) <= width):
            rows.append(line)
        elif cancelled():
            return None
        elif len(line) <= CHUNK:
            rows.extend(part.plain.rstrip() for part in Text(line).wrap(console, width, overflow="fold"))
        elif not _fold_long(line, width, rows, cancelled):
            return None
    return rows, firsts


def _fold_long(line: str, width: int, rows: list[str], cancelled: Callable[[], bool]) -> bool:
    """Append the rows of one long ``line`` to ``rows``, as ``Text.wrap`` makes them; False when cancelled.

    Word wrapping is greedy: from a row start where wrapping afresh gives the same rows (see
    :func:`_fresh`), the rest of the line wraps as it would have. Each piece is wrapped up to its
    last such row start, and the next piece begins there.
    """
    start, size = 0, CHUNK
    while True:
        if cancelled():
            return False
        piece = line[start : start + size]
        breaks = divide_line(piece, width, fold=True)
        if start + size >= len(line):
            rows.extend(piece[a:b].rstrip() for a, b in zip([0, *breaks], [*breaks, len(piece)]))
            return True
        fresh = [index for index, at in enumerate(breaks) if _fresh(line, start + at, width)]
        if not fresh:  # no row in this piece starts afresh (a run of blanks): take a longer one
            size *= 2
            continue
        last = fresh[-1]
        rows.extend(piece[a:b].rstrip() for a, b in zip([0, *breaks[:last]], breaks[: last + 1]))
        start, size = start + breaks[last], CHUNK


_WORD = re.compile(r"\S+")


def _fresh(line: str, at: int, width: int) -> bool:
    """Whether a row starting at ``at`` wraps the rest of ``line`` as a fresh start would: it starts
    a word, or it is a fold inside a word whose rest is still too long for one row (a shorter rest
    is cut where its blanks are, unlike a fresh word)."""
    if line[at].isspace():
        return False
    if line[at - 1].isspace():
        return True
    rest = _WORD.match(line, at, at + 4 * width + 4)
    return rest is not None and cell_len(rest.group()) > width


class MessageView(ScrollView, can_focus=True):
    """The lines of one body, wrapped to the width in a worker; only the rows in view are rendered."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, id="message.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="message.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="message.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="message.bottom"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="message.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="message.page_up"),
    ]

    class Moved(Message):
        """The view scrolled or was wrapped again: the position line has changed."""

    @dataclass
    class Wrapped(Message, bubble=False):
        """The lines wrapped to ``width`` by a thread worker (see tui.screens): ``rows``, and each line's first row."""

        width: int
        rows: list[str]
        firsts: list[int]

    def __init__(self, body: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = body_lines(body)
        self._rows: list[str] = self.lines  # unwrapped (cut at the edge) until the worker is done
        self._firsts: list[int] | None = None  # the row each line begins on; None: one row per line
        self.wrapped_width = 0  # the width _rows are wrapped to; 0 while they are not
        self._wanted_width = 0
        self._at_end = False  # the reader went to the end: a resize or a new wrap keeps them there
        self.virtual_size = Size(0, len(self._rows))

    # --- wrapping, in a worker -------------------------------------------------------------

    def on_resize(self) -> None:
        self._ask_wrap()
        if self._at_end:
            self.call_after_refresh(self._keep_end)
        self.post_message(self.Moved())

    def _keep_end(self) -> None:
        self.scroll_end(animate=False, immediate=True)
        self._at_end = True

    def _ask_wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wanted_width:
            return
        self._wanted_width = width
        if width != self.wrapped_width:
            self.virtual_size = Size(width, len(self._rows))
            self._wrap(width)

    @work(thread=True, group="message-wrap", exclusive=True, exit_on_error=False)
    def _wrap(self, width: int) -> None:
        worker = get_current_worker()
        folded = fold_lines(self.lines, width, lambda: worker.is_cancelled)
        if folded is not None and not worker.is_cancelled:
            self.post_message(self.Wrapped(width, *folded))

    @on(Wrapped)
    def _wrapped(self, message: Wrapped) -> None:
        width, rows, firsts = message.width, message.rows, message.firsts
        if width != self.scrollable_content_region.width:
            return  # the view was resized meanwhile: its own width is wrapped already or on its way
        top = self.line_at(int(self.scroll_y))
        self._rows, self._firsts, self.wrapped_width = rows, firsts, width
        self.virtual_size = Size(width, len(rows))
        if self._at_end:
            self.call_after_refresh(self._keep_end)
        else:  # the same line stays at the top
            self.scroll_to(y=firsts[top], animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Moved())

    # --- what is in view -------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def line_at(self, row: int) -> int:
        """The body line (from 0) that row ``row`` belongs to."""
        if not self.lines:
            return 0
        row = max(0, min(row, len(self._rows) - 1))
        return row if self._firsts is None else bisect_right(self._firsts, row) - 1

    def position(self) -> str:
        """``lines 1–16 of 449,992``: the body lines in view."""
        top = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        first = self.line_at(top) + 1
        last = self.line_at(top + height - 1) + 1
        return f"lines {first:,}–{last:,} of {len(self.lines):,}"

    def visible_text(self) -> list[str]:
        """The rows in view, as plain text."""
        top = int(self.scroll_y)
        return self._rows[top : top + max(1, self.scrollable_content_region.height)]

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if 0 <= index < len(self._rows):
            row = self._rows[index]
            if not self.wrapped_width:  # a line not wrapped yet: only its start can show
                row = row[: 2 * width]
            return Strip([Segment(row, style)]).crop_extend(0, width, style)
        return Strip([Segment(" " * width, style)], width)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._at_end = new_value > 0 and new_value >= self.max_scroll_y
        if round(old_value) != round(new_value):
            self.post_message(self.Moved())

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)
