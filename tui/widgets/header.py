"""The one-line header: the app, who is working (``user@host``, agent login), on which desk, and sync."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.desk.desk import Desk
from tui.desk.rows import SyncStatus
from tui.text.labels import age
from tui.text.safe import cells, one_line

__all__ = ["DeskHeader", "sync_line", "progress_word"]

#: The most the sync status takes of the header (cells); the desk's location gives way first.
SYNC_WIDTH = 40


def sync_line(status: SyncStatus | None, configured: tuple[str, ...], now: datetime, *, error: str | None = None,
              running: bool = False, progress: str | None = None) -> str:  # fmt: skip
    """``⇅ rt 3m ago · 2 waiting · 1 conflict``, ``⇅ rt ✗ errors``, or "" when there is nothing to say.

    While a sync runs it says ``syncing…``, with ``progress`` (``pull 40%``) when known.

    Every state shows as words or a glyph, never as colour alone.
    """
    if error:
        return "⇅ ✗ remote config invalid"
    known = {r.name: r for r in status.remotes} if status else {}
    names = list(configured) + [name for name in known if name not in configured]
    if not names and not (status and status.conflicts):
        return ""
    parts = []
    for name in names:
        remote = known.get(name)
        if remote is None or remote.last_run_at is None:
            parts.append(f"{name} never synced")
        elif remote.last_errors:
            parts.append(f"{name} ✗ errors")
        else:
            ago = age(remote.last_run_at, now)
            parts.append(f"{name} {ago if ago == 'now' else ago + ' ago'}")
    doing = f"syncing {progress}… " if running and progress else ("syncing… " if running else "")
    line = "⇅ " + doing + ", ".join(parts)
    waiting = sum(r.pending for r in known.values())
    if waiting:
        line += f" · {waiting} waiting"
    if status and status.conflicts:
        line += f" · {status.conflicts} conflict{'s' if status.conflicts != 1 else ''}"
    return line


def progress_word(stage: str, done: int, total: int | None) -> str:
    """``pull 40%`` (or ``pull 4,000`` without a total) for the header while a sync runs."""
    return f"{stage} {min(done / total, 1.0):.0%}" if total else f"{stage} {done:,}"


class DeskHeader(Static):
    """``Sportello · ada@host as ada · /path/to/desk.db   ⇅ rt 3m ago`` — all of it inert text.

    The app sets :attr:`sync_text` (see ``SportelloApp.sync_text``); it shows at the right.
    """

    def __init__(self, desk: Desk, *, title: str = "") -> None:
        super().__init__(id="header")
        self.desk = desk
        self.title_text = title
        self.sync_text = ""

    def on_mount(self) -> None:
        self.sync_text = getattr(self.app, "sync_text", "")
        self.show()

    def on_resize(self) -> None:
        self.show()

    def set_sync(self, text: str) -> None:
        if text != self.sync_text:
            self.sync_text = text
            self.show()

    def show(self) -> None:
        width = max(10, self.size.width or 80)
        me = self.desk.me.login
        text = Text(" Sportello ", style="bold")
        if self.title_text:
            text.append(f"· {one_line(self.title_text, 40)} ")
        sync = one_line(self.sync_text, min(SYNC_WIDTH, max(0, width - text.cell_len - 12)))
        room = max(10, width - text.cell_len - 1 - (cells(sync) + 2 if sync else 0))
        rest = f"{one_line(self.desk.user_host, 40)} as {one_line(me, 30)} · {one_line(self.desk.where, 200)}"
        text.append(one_line(rest, room))
        if sync:
            text.append(" " * max(1, width - text.cell_len - cells(sync) - 1))
            text.append(sync, style="bold" if "✗" in sync else "")
        self.update(text)
