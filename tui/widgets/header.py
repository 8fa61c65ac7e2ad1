"""The one-line header: the app, who is working (``user@host``, agent login), on which desk, mail and sync."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.desk.desk import Desk
from tui.desk.mail_out_rows import OutboxStateRow
from tui.desk.mail_rows import MailStateRow
from tui.desk.rows import SyncStatus
from tui.text.labels import age
from tui.text.safe import cells, one_line

__all__ = ["DeskHeader", "sync_line", "progress_word", "mail_line", "mail_variants"]

#: The most the sync status takes of the header (cells); the desk's location gives way first.
SYNC_WIDTH = 40
#: The most the mail status takes (cells), and the least it is given beside sync.
MAIL_WIDTH = 56
MAIL_MIN = 14
#: The least the sync status keeps beside a mail status that wants more room.
SYNC_MIN = 14


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
              config_error: str | None = None, fetching: bool = False, outbox: OutboxStateRow | None = None,
              sending: bool = False, send_problem: str | None = None) -> str:  # fmt: skip
    """``mail 10:42 · 2 in quarantine · 2 to send · 1 failed``, ``mail fetching…``, ``mail ✗ cannot reach imap:…``
    — in words and glyphs: the longest of :func:`mail_variants`."""
    return mail_variants(state, fetched_at, problem=problem, config_error=config_error, fetching=fetching,
                         outbox=outbox, sending=sending, send_problem=send_problem)[0]  # fmt: skip


def mail_variants(state: MailStateRow | None, fetched_at: datetime | None, *, problem: str | None = None,
                  config_error: str | None = None, fetching: bool = False, outbox: OutboxStateRow | None = None,
                  sending: bool = False, send_problem: str | None = None) -> tuple[str, ...]:  # fmt: skip
    """What the header says about mail, longest first; the header shows the first that fits. The shorter ones
    leave out the time of the last fetch and why it failed, then the quarantine: what waits to go out and what
    failed to stay in view longest.

    ``fetched_at`` is when the last fetch ended (UTC, as every time in the app); ``problem`` what stopped it;
    ``outbox`` what waits to go out (None: this app does not send); ``send_problem`` what stopped the last send.
    Failed, may-have-been-sent (unknown) and held mail is counted together as needing a look.
    """
    if config_error:
        return ("mail ✗ [mail] config invalid",)
    if problem:
        head = "mail ✗ " + _short(problem)
    elif fetching:
        head = "mail fetching…"
    elif fetched_at is not None:
        head = f"mail {fetched_at:%H:%M}"
    else:
        head = "mail"
    short_head = "mail ✗" if problem else ("mail fetching…" if fetching else "mail")
    quarantine = [f"{state.quarantined} in quarantine"] if state is not None and state.quarantined else []
    out_long, out_short = _outbox_words(outbox, sending, send_problem)
    variants = [
        " · ".join([head, *quarantine, *out_long]),
        " · ".join([short_head, *quarantine, *out_long]),
        " · ".join([short_head, *quarantine, *out_short]),
        " · ".join([short_head, *out_short]),
    ]
    return tuple(dict.fromkeys(variants))


def _outbox_words(
    outbox: OutboxStateRow | None, sending: bool, send_problem: str | None
) -> tuple[list[str], list[str]]:
    """(long, short) words for what waits to go out and what needs a look: ``2 to send ✗ connection refused ·
    smtp:…`` / ``2 to send ✗``, ``1 failed`` or ``3 need a look``."""
    if outbox is None:
        return [], []
    waiting = outbox.to_send
    if sending:
        send = [f"sending {waiting}…" if waiting else "sending…"]
        short = send
    elif send_problem:
        send = [f"{waiting} to send ✗ {_short(send_problem)}" if waiting else f"send ✗ {_short(send_problem)}"]
        short = [f"{waiting} to send ✗" if waiting else "send ✗"]
    else:
        send = short = [f"{waiting} to send"] if waiting else []
    look = outbox.need_a_look
    if look == outbox.failed and look:
        said = [f"{look} failed"]
    elif look:
        said = [f"{look} need{'s' if look == 1 else ''} a look"]
    else:
        said = []
    return send + said, short + said


def _short(problem: str) -> str:
    """``connection refused · imap:host:143/INBOX`` of ``imap:host:143/INBOX (user u): connecting: connection
    refused (is the server running?)``: why first, then where, for the few cells the header has (a notice says
    it all)."""
    parts = problem.split(": ")
    if len(parts) < 2:
        return problem
    return f"{parts[-1].split(' (')[0] or parts[-1]} · {parts[0].split(' (')[0]}"


def _needs_a_look(mail: str) -> bool:
    return any(word in mail for word in (" failed", " need a look", " needs a look"))


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
        self.mail_shorter: tuple[str, ...] = ()  # shorter ways to say mail_text, longest first

    def on_mount(self) -> None:
        self.sync_text = getattr(self.app, "sync_text", "")
        self.mail_text = getattr(self.app, "mail_text", "")
        self.mail_shorter = tuple(getattr(self.app, "mail_shorter", ()))
        self.show()

    def on_resize(self) -> None:
        self.show()

    def set_sync(self, text: str) -> None:
        if text != self.sync_text:
            self.sync_text = text
            self.show()

    def set_mail(self, text: str, shorter: tuple[str, ...] = ()) -> None:
        """Show ``text`` about mail, or the first of ``shorter`` that fits."""
        if text != self.mail_text or shorter != self.mail_shorter:
            self.mail_text, self.mail_shorter = text, tuple(shorter)
            self.show()

    def _mail_fitting(self, room: int) -> str:
        said = [self.mail_text, *self.mail_shorter] if self.mail_text else []
        fits = next((variant for variant in said if cells(variant) <= room), None)
        return fits if fits is not None else one_line(said[-1], room) if said else ""

    def show(self) -> None:
        width = max(10, self.size.width or 80)
        me = self.desk.me.login
        text = Text(" Sportello ", style="bold")
        if self.title_text:
            text.append(f"· {one_line(self.title_text, 40)} ")
        free = max(0, width - text.cell_len - 12)  # the location keeps 10 cells
        # Mail takes what it needs (up to MAIL_WIDTH), leaving sync at least SYNC_MIN cells.
        room = max(MAIL_MIN, free - 2 - min(cells(self.sync_text), SYNC_MIN)) if self.sync_text else free
        mail = self._mail_fitting(min(MAIL_WIDTH, room))
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
                text.append(part, style="bold" if "✗" in part or part is mail and _needs_a_look(part) else "")
        self.update(text)
