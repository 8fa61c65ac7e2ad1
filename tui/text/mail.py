"""Mail as the screens word it: sizes, an attachment's line, the folded quoted history, an undeliverable address.

File names, senders and problems came in a message: each reaches the screen through :func:`one_line` (inert).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text

from tui.text.labels import plain
from tui.text.safe import one_line

if TYPE_CHECKING:
    from tui.desk.mail_rows import AttachmentRow, MailPart

__all__ = ["size_text", "attachment_line", "quoted_line", "bounced_line", "mail_blocks"]


def size_text(size: int) -> str:
    """``812 bytes``, ``14 KB``, ``2.5 MB`` (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size:,} byte{'' if size == 1 else 's'}"
    if size < 1024 * 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size / 1024 / 1024:,.1f} MB"


def attachment_line(attachment: AttachmentRow, width: int = 200) -> str:
    """``attachment invoice.pdf · 14 KB`` or ``… · 12.0 MB · not kept: over the limit``."""
    tail = f" · {size_text(attachment.size)}" + ("" if attachment.kept else " · not kept: over the limit")
    name = one_line(attachment.filename or f"(no name, part {attachment.position})", max(8, width - len(tail) - 11))
    return f"attachment {name}{tail}"


def quoted_line(lines: int, shown: bool, key: str = "z") -> str:
    """What stands for the folded quoted history and signature: ``… quoted text, 12 lines (z to show)``."""
    count = f"{lines:,} line{'' if lines == 1 else 's'}"
    return f"▾ quoted text, {count} ({key} to hide)" if shown else f"… quoted text, {count} ({key} to show)"


def bounced_line(email: str, role: str, problem: str, width: int = 200) -> str:
    """``⚠ mail to ann@example.com bounced: 550 5.1.1 user unknown`` (``(cc)`` for a participant)."""
    who = one_line(email, 80) + (" (cc)" if role == "cc" else "")
    return one_line(f"⚠ mail to {who} bounced: {one_line(problem) or 'a permanent delivery failure'}", width)


def mail_blocks(part: MailPart, role: str, unfolded: bool, keys: tuple[str, str],
                cut: Callable[[str], tuple[str, str]]) -> list[tuple[str, Text]]:  # fmt: skip
    """What the timeline shows under a message that came by mail, as (role, text) blocks: its quoted history
    and signature as one line (whole when ``unfolded``, ``cut`` as a long body is), then its attachments.
    ``keys``: those that unfold the history and save the attachments."""
    blocks: list[tuple[str, Text]] = []
    if part.quoted and part.reply:
        blocks.append(("more", Text(quoted_line(part.quoted_lines, unfolded, keys[0]))))
        if unfolded:
            shown, left = cut(part.quoted)
            blocks += [(role, plain(shown))] + ([("more", Text(left))] if left else [])
    if part.attachments:
        count = len(part.attachments)
        blocks.append(("more", Text(f"{count} attachment{'s' if count != 1 else ''} ({keys[1]} saves them):")))
        blocks += [("more", Text("  " + attachment_line(a))) for a in part.attachments]
    return blocks
