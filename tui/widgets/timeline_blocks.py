"""A ticket's timeline as blocks of text, and the blocks wrapped to a width: what :class:`~tui.widgets.timeline.
Timeline` shows, made without a widget (the wrap may run in a worker thread).

A message shows its first :data:`BODY_LINES` lines (at most :data:`BODY_CHARS` characters) and then what is left
(:func:`cut_body`). A message that came by mail shows its new part, the quoted history folded to one line, and its
attachments (:func:`tui.text.mail.mail_blocks`). A delivery record (sent, retrying, failed, may have been sent,
held) shows as one muted line under the event its message is about. Stored text is made inert
(:mod:`tui.text.labels`) and long words fold instead of pushing the layout sideways.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from tui.desk.mail_out_rows import DeliveryRow
from tui.desk.mail_rows import MailPart
from tui.desk.rows import EventRow, TicketView
from tui.text.labels import plain, when
from tui.text.mail import mail_blocks
from tui.text.mail_out import delivery_line

__all__ = ["timeline_text", "timeline_blocks", "cut_body", "estimated_rows", "wrap_blocks", "Block", "BODY_LINES",
           "BODY_CHARS", "INLINE_ROWS", "WITH_BODY"]  # fmt: skip

#: The most of one message the timeline shows: lines, and characters (a body may be one long line).
BODY_LINES = 200
BODY_CHARS = 20_000
#: A timeline of more rows than this (as estimated before wrapping) is wrapped in a worker thread.
INLINE_ROWS = 1_000

WITH_BODY = ("created", "reply", "note")
_BODY_ROLES = ("message", "customer", "internal", "more")
#: What stands before a delivery record under the event it is about.
DELIVERY_MARK = "  ↳ "
_SLA_ALERT = re.compile(r"(SLA .{1,40}? \(due [0-9-]{10} [0-9:]{5})( UTC)?\)")

Block = tuple[str, Text, int]  # role, text, and the index of its event in the view (-1: none)


def cut_body(body: str, lines: int = BODY_LINES, chars: int = BODY_CHARS) -> tuple[str, str]:
    """The part of ``body`` the timeline shows, and what is left in words ("" when nothing is).

    At most ``lines`` lines and ``chars`` characters, cut at a line's end where there is one.
    """
    end = -1
    for _ in range(lines):
        end = body.find("\n", end + 1)
        if end < 0:
            break
    cut = min(len(body) if end < 0 else end, chars)
    if cut >= len(body):
        return body, ""
    if body[cut] != "\n" and body.rfind("\n", 0, cut) > 0:
        cut = body.rfind("\n", 0, cut)
    rest = body[cut:]
    if rest.startswith("\n"):
        more = rest.count("\n")
        left = f"{more:,} more line" + ("s" if more != 1 else "")
    else:  # cut inside one long line
        left = f"{len(rest):,} more characters"
    return body[:cut], f"… {left} — press o or enter to read the whole message"


def timeline_text(view: TicketView) -> list[tuple[str, Text]]:
    """The timeline as (role, text) blocks; role picks the style (``message``, ``internal``, ``change``, ``customer``;
    ``more`` says what of a long message is not shown)."""
    return [(role, text) for role, text, _ in timeline_blocks(view)]


def timeline_blocks(view: TicketView, mail: dict[int, MailPart] | None = None, unfolded: set[int] | None = None,
                    keys: tuple[str, str] = ("z", "w"),
                    deliveries: dict[int, DeliveryRow] | None = None) -> list[Block]:  # fmt: skip
    """:func:`timeline_text` with, for each block, the index of its event in ``view.events``; ``mail``: the message
    behind each event that came by mail, its quoted part shown for the events in ``unfolded``; ``keys``: those
    that show it and save the attachments; ``deliveries``: the delivery records among the events (event id ->
    row), each shown as one line under the event its message is about (in its own place when that is not shown)."""
    under: dict[int, list[tuple[int, DeliveryRow]]] = {}
    if deliveries:
        shown = {event.id for event in view.events}
        for index, event in enumerate(view.events):
            row = deliveries.get(event.id)
            if row is not None and row.about in shown and row.about != event.id:
                under.setdefault(row.about, []).append((index, row))
    moved = {row.event_id for rows in under.values() for _, row in rows}
    blocks: list[Block] = []
    for index, event in enumerate(view.events):
        if event.id in moved:
            continue
        delivery = deliveries.get(event.id) if deliveries else None
        if delivery is not None:
            blocks.append(("delivery", delivery_line(delivery, view.zone), index))
            continue
        part = mail.get(event.id) if mail else None
        unfold = unfolded is not None and event.id in unfolded
        blocks.extend((role, text, index) for role, text in _event_blocks(event, view.zone, part, unfold, keys))
        blocks.extend(("delivery", delivery_line(row, view.zone), at) for at, row in under.get(event.id, ()))
    return blocks


def _event_blocks(event: EventRow, zone: str = "UTC", part: MailPart | None = None, unfolded: bool = False,
                  keys: tuple[str, str] = ("z", "w")) -> list[tuple[str, Text]]:  # fmt: skip
    stamp = when(event.at, zone)
    if event.kind in WITH_BODY:
        role = "internal" if event.internal else ("customer" if event.by_customer else "message")
        head = Text()
        head.append("◆ INTERNAL NOTE · " if event.internal else "▶ ")
        head.append(plain(event.who))
        head.append(f" · {stamp} · ")
        head.append(plain(event.summary))
        mailed = part is not None and bool(part.reply)
        shown, left = cut_body((part.reply if mailed else event.body).rstrip() or "(empty)")
        blocks = [("gap", Text("")), (f"{role}-head", head), (role, plain(shown))]
        blocks += [("more", Text(left))] if left else []
        return blocks + mail_blocks(part, role, unfolded, keys, cut_body) if part is not None else blocks
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


def estimated_rows(blocks: list[Block], width: int) -> int:
    """About how many rows ``blocks`` wrap to at ``width`` (no less than the lines they hold)."""
    room = max(4, width - 2)
    return sum(text.plain.count("\n") + 1 + len(text.plain) // room for _, text, _ in blocks)


def wrap_blocks(
    blocks: list[Block], width: int, styles: dict[str, Style], console: Console,
    cancelled: Callable[[], bool] = lambda: False,
) -> tuple[list[Strip], list[int]] | None:  # fmt: skip
    """``blocks`` as rows of ``width`` cells, and each row's event index. ``styles``: role -> style,
    taken from the widget beforehand (this may run in a worker thread). ``None`` when
    ``cancelled()`` turned true on the way (a newer wrap was asked for): a block is at most
    :data:`BODY_CHARS` characters, so that is checked often enough."""
    lines: list[Strip] = []
    events: list[int] = []
    indent = Text("    ")  # continuation lines of a heading or a change line
    for role, text, event in blocks:
        if cancelled():
            return None
        if role == "gap":
            lines.append(Strip.blank(width))
            events.append(-1)
            continue
        style = styles[role]
        if role == "delivery":  # one line, whatever its length: the outbox screen (O) says it all
            row = Text.assemble(DELIVERY_MARK, text)
            row.truncate(max(4, width - 1), overflow="ellipsis")
            row.stylize(style)
            lines.append(Strip(list(row.render(console))).crop_extend(0, width, Style()))
            events.append(event)
            continue
        body = role in _BODY_ROLES
        gutter = Text("┃ " if role == "internal" else "│ ", style=style)
        room = max(4, width - (gutter.cell_len if body else indent.cell_len))
        text = text.copy()
        text.overflow = "fold"
        text.no_wrap = False
        for index, part in enumerate(text.wrap(console, room, overflow="fold")):
            if body:
                row = Text.assemble(gutter, part)
                if role == "more":
                    row.stylize(style)
            else:
                row = Text.assemble(indent, part) if index else part
                row.stylize(style)
            lines.append(Strip(list(row.render(console))).crop_extend(0, width, Style()))
            events.append(event)
    return lines, events
