"""The one-line header: the app, who is working (``user@host``, agent login), on which desk, mail and sync."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.desk.desk import Desk
from tui.desk.mail_rows import MailStateRow
from tui.desk.rows import SyncStatus
from tui.text.labels import age
from tui.text.safe import cells, one_line

__all__ = ["DeskHeader", "sync_line", "progress_word", "mail_line"]

#: The most the sync status takes of the header (cells); the desk's location gives way first.
SYNC_WIDTH = 40
#: The most the mail status takes (cells), and the least it is given beside sync.
MAIL_WIDTH = 48
MAIL_MIN = 14


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


def mail_line(state: MailStateRow | None, fetched_at: datetime | None, *, problem: str | None = None,
              config_error: str | None = None, fetching: bool = False) -> str:  # fmt: skip
    """``mail 10:42 · 2 in quarantine``, ``mail fetching…``, ``mail ✗ cannot reach imap:…`` — in words and glyphs.

    ``fetched_at`` is when the last fetch ended (UTC, as every time in the app); ``problem`` what stopped it.
    """
    if config_error:
        return "mail ✗ [mail] config invalid"
    if problem:
        line = "mail ✗ " + _short(problem)
    elif fetching:
        line = "mail fetching…"
    elif fetched_at is not None:
        line = f"mail {fetched_at:%H:%M}"
    else:
        line = "mail"
    if state is not None and state.quarantined:
        line += f" · {state.quarantined} in quarantine"
    return line


def _short(problem: str) -> str:
    """``connection refused · imap:host:143/INBOX`` of ``imap:host:143/INBOX (user u): connecting: connection
    refused (is the server running?)``: why first, then where, for the few cells the header has (a notice says
    it all)."""
    parts = problem.split(": ")
    if len(parts) < 2:
        return problem
    return f"{parts[-1].split(' (')[0] or parts[-1]} · {parts[0].split(' (')[0]}"


class DeskHeader(Static):
    """``Sportello · ada@host as ada · /path/to/desk.db   ⇅ rt 3m ago`` — all of it inert text.

    The app sets :attr:`sync_text` (see ``SportelloApp.sync_text``) and :attr:`mail_text` (``mail_text``);
    they show at the right, mail first.
    """

    def __init__(self, desk: Desk, *, title: str = "") -> None:
        super().__init__(id="header")
        self.desk = desk
        self.title_text = title
        self.sync_text = ""
        self.mail_text = ""

    def on_mount(self) -> None:
        self.sync_text = getattr(self.app, "sync_text", "")
        self.mail_text = getattr(self.app, "mail_text", "")
        self.show()

    def on_resize(self) -> None:
        self.show()

    def set_sync(self, text: str) -> None:
        if text != self.sync_text:
            self.sync_text = text
            self.show()

    def set_mail(self, text: str) -> None:
        if text != self.mail_text:
            self.mail_text = text
            self.show()

    def show(self) -> None:
        width = max(10, self.size.width or 80)
        me = self.desk.me.login
        text = Text(" Sportello ", style="bold")
        if self.title_text:
            text.append(f"· {one_line(self.title_text, 40)} ")
        free = max(0, width - text.cell_len - 12)  # the location keeps 10 cells
        mail = one_line(self.mail_text, min(MAIL_WIDTH, max(MAIL_MIN, free // 2) if self.sync_text else free))
        sync = one_line(self.sync_text, min(SYNC_WIDTH, max(0, free - (cells(mail) + 2 if mail else 0))))
        parts = [part for part in (mail, sync) if part]
        right = cells("  ".join(parts))
        room = max(10, width - text.cell_len - 1 - (right + 2 if parts else 0))
        rest = f"{one_line(self.desk.user_host, 40)} as {one_line(me, 30)} · {one_line(self.desk.where, 200)}"
        text.append(one_line(rest, room))
        if parts:
            text.append(" " * max(1, width - text.cell_len - right - 1))
            for index, part in enumerate(parts):
                text.append("  " if index else "")
                text.append(part, style="bold" if "✗" in part else "")
        self.update(text)
