"""The sync screen (``Y`` from the queue): the remotes, the latest runs with their problems, open conflicts.

Everything a remote sent (report problems, field values, names) is shown as inert one-line text.
``R`` syncs now; on a conflict ``enter`` opens its ticket and ``x`` marks it resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from tui.desk.desk import Desk, SyncConflictRow, SyncRunRow, SyncStatus
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.text.labels import age
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.row_table import Column, RowTable

__all__ = ["SyncScreen", "run_columns", "conflict_columns", "report_text", "remotes_text"]

#: How many runs the screen lists.
RUNS = 50


def _fit(widths: dict[str, int], flexible: list[str], room: int) -> dict[str, int]:
    """Share what ``room`` leaves after the fixed columns (and their padding) among ``flexible``."""
    used = sum(w for k, w in widths.items() if k not in flexible) + 2 * len(widths)
    share = max(6, (room - used) // max(1, len(flexible)))
    return {k: (share if k in flexible else w) for k, w in widths.items()}


def run_columns(width: int) -> dict[str, int]:
    wide = width >= 110
    return _fit({"When": 16 if wide else 11, "Remote": 0, "Mode": 4, "Pulled": 6, "Pushed": 6, "Confl.": 6,
                 "Errors": 6, "State": 10}, ["Remote"], width - 2)  # fmt: skip


def conflict_columns(width: int) -> dict[str, int]:
    return _fit({"Ticket": 7, "Field": 9, "Here": 0, "There": 0, "Kept": 6, "Remote": 10}, ["Here", "There"], width - 2)


def _state(run: SyncRunRow) -> str:
    if run.finished_at is None:
        return "… running"  # or cut off: sync-log says the same
    return "✗ errors" if run.errors else "✓ ok"


def _when(value: datetime, width: int) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if width >= 16 else f"{value:%m-%d %H:%M}"


def run_cells(run: SyncRunRow, widths: dict[str, int]) -> list[Text]:
    values = [_when(run.started_at, widths["When"]), run.remote, run.mode, str(run.pulled), str(run.pushed),
              str(run.conflicts), str(run.errors), _state(run)]  # fmt: skip
    return [
        Text(one_line(v, w), style="bold" if v == "✗ errors" else "")
        for v, w in zip(values, widths.values(), strict=True)
    ]


def conflict_cells(conflict: SyncConflictRow, widths: dict[str, int]) -> list[Text]:
    values = [f"#{conflict.ticket}", conflict.field, conflict.local_value or "—", conflict.remote_value or "—",
              conflict.kept, conflict.remote]  # fmt: skip
    return [Text(one_line(v, w)) for v, w in zip(values, widths.values(), strict=True)]


def report_text(run: SyncRunRow | None, width: int, lines: int) -> Text:
    """The selected run's report items, ``what  where: problem``, one inert line each, at most ``lines``."""
    if run is None:
        return Text("No run selected.")
    text = Text()
    head = f"Run at {run.started_at:%Y-%m-%d %H:%M} with {run.remote}: "
    head += f"{len(run.report)} report item{'s' if len(run.report) != 1 else ''}" if run.report else "nothing to report"
    text.append(one_line(head, width), style="bold")
    shown = run.report if len(run.report) <= lines - 1 else run.report[: max(0, lines - 2)]
    for what, where, problem in shown:
        glyph = "✗" if what == "error" else "·"
        text.append("\n" + one_line(f"{glyph} {what} {where}: {problem}", width))
    if len(shown) < len(run.report):
        text.append("\n" + one_line(f"… and {len(run.report) - len(shown)} more (sportello sync-log --json)", width))
    return text


def remotes_text(configured: dict, status: SyncStatus | None, error: str | None, now: datetime, width: int) -> Text:
    """One line about the remotes: the config problem, how to add one, or each remote's last run and outbox."""
    if error:
        return Text(one_line(f"✗ The remote config is invalid: {error}", width), style="bold")
    known = {r.name: r for r in status.remotes} if status else {}
    if not configured and not known:
        return Text(one_line("No remote configured: add a [remotes.NAME] table to config.toml (README).", width))
    parts = []
    for name in [*configured, *(n for n in known if n not in configured)]:
        remote, config = known.get(name), configured.get(name)
        label = name + (" (not in config.toml)" if config is None else "")
        words = [f"every {config.interval}s"] if config is not None and config.interval > 0 else []
        if remote is None or remote.last_run_at is None:
            words.append("never synced")
        else:
            ago = age(remote.last_run_at, now)
            words.append(
                ("✗ errors, " if remote.last_errors else "") + ("ran now" if ago == "now" else f"ran {ago} ago")
            )
            if remote.pending:
                words.append(f"{remote.pending} waiting")
        parts.append(f"{label}: {', '.join(words)}")
    return Text(one_line("Remotes: " + "; ".join(parts) + (" · R syncs now" if configured else ""), width))


class SyncScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """What sync did and what it left for an agent."""

    BINDINGS = [
        Binding("R", "sync", "Sync now", tooltip="Sync every configured remote now", id="sync.now"),
        Binding(
            "enter", "open", "Open ticket", tooltip="Open the ticket of the conflict under the cursor", id="sync.open"
        ),
        Binding(
            "x", "resolve", "Resolved", tooltip="Mark the conflict under the cursor as dealt with", id="sync.resolve"
        ),
        Binding("ctrl+r", "reload", "Reload", show=False, id="sync.reload"),
        Binding("escape,q", "back", "Back", tooltip="Back to the queue", id="sync.back"),
    ]
    PALETTE = {
        "sync.now": "Sync now",
        "sync.reload": "Reload",
        "sync.open": "Open the conflict's ticket",
        "sync.resolve": "Mark the conflict resolved",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Loaded(Message, bubble=False):
        runs: list[SyncRunRow]
        conflicts: list[SyncConflictRow]
        status: SyncStatus

    @dataclass
    class Resolved(Message, bubble=False):
        conflict: SyncConflictRow

    def __init__(self, desk: Desk, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._now = now or desk.now
        self.runs: list[SyncRunRow] | None = None  # None until loaded
        self.conflicts: list[SyncConflictRow] = []
        self.status: SyncStatus | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title="sync")
        yield Static(Text("loading…"), id="sync-remotes")
        yield Label(Text("Recent runs"), classes="sync-title")
        yield RowTable(id="sync-runs")
        yield Static(Text(""), id="sync-report")
        yield Label(
            Text("Open conflicts — here the local value was kept and sent"),
            classes="sync-title",
            id="sync-conflicts-title",
        )
        yield RowTable(id="sync-conflicts")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.runs_table.focus()
        self.app.sync_done.subscribe(self, self._sync_done, immediate=True)
        self.load()

    @property
    def runs_table(self) -> RowTable:
        return self.query_one("#sync-runs", RowTable)

    @property
    def conflicts_table(self) -> RowTable:
        return self.query_one("#sync-conflicts", RowTable)

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, group="sync-screen", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        runs, conflicts, status = self.desk.sync_runs(RUNS), self.desk.sync_conflicts(), self.desk.sync_status()
        self.post_message(self.Loaded(runs, conflicts, status))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.runs, self.conflicts, self.status = message.runs, message.conflicts, message.status
        self._show()

    def _show(self) -> None:
        if self.runs is None:
            return
        width = self.size.width or 80
        with self.app.batch_update():
            self.query_one("#sync-remotes", Static).update(
                remotes_text(self.app.remotes, self.status, self.app.remote_error, self._now(), width - 2)
            )
            widths = run_columns(width)
            self.runs_table.show(self._columns(widths), [(r.id, run_cells(r, widths)) for r in self.runs])
            widths = conflict_columns(width)
            self.conflicts_table.show(
                self._columns(widths), [(c.id, conflict_cells(c, widths)) for c in self.conflicts]
            )
            count = len(self.conflicts)
            self.query_one("#sync-conflicts-title", Label).update(
                Text(
                    f"Open conflicts ({count}) — the local value was kept and sent; x marks one resolved"
                    if count
                    else "Open conflicts: none"
                )  # fmt: skip
            )
            self._show_report()
        self.refresh_bindings()

    @staticmethod
    def _columns(widths: dict[str, int]) -> list[Column]:
        return list(widths.items())

    def _show_report(self) -> None:
        report = self.query_one("#sync-report", Static)
        if not self.runs:
            report.update(Text("No sync has run yet." + ("" if self.app.remotes else " Configure a remote first.")))
            return
        key = self.runs_table.current_key
        run = next((r for r in self.runs if r.id == key), self.runs[0])
        report.update(report_text(run, max(20, (self.size.width or 80) - 2), max(2, report.size.height or 4)))

    def on_resize(self) -> None:
        self._show()

    @on(DataTable.RowHighlighted, "#sync-runs")
    def run_highlighted(self) -> None:
        if self.runs is not None:
            self._show_report()

    # --- live updates --------------------------------------------------------------------

    def _sync_done(self, _news: None) -> None:
        """A sync finished: its runs and conflicts are read again."""
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    # --- actions -------------------------------------------------------------------------

    def action_sync(self) -> None:
        self.app.sync_now()

    def _conflict(self) -> SyncConflictRow | None:
        key = self.conflicts_table.current_key
        return next((c for c in self.conflicts if c.id == key), None)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("open", "resolve"):
            return (self.focused is self.conflicts_table and self._conflict() is not None) or None
        return True

    @on(DataTable.RowSelected, "#sync-conflicts")
    def conflict_chosen(self) -> None:
        self.action_open()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_open(self) -> None:
        conflict = self._conflict()
        if conflict is not None:
            self.app.open_ticket(conflict.ticket)

    def action_resolve(self) -> None:
        conflict = self._conflict()
        if conflict is not None:
            self._resolve(conflict)

    @work(thread=True, group="sync-resolve", exit_on_error=False)
    def _resolve(self, conflict: SyncConflictRow) -> None:
        self.desk.resolve_sync_conflict(conflict.id)
        self.post_message(self.Resolved(conflict))

    @on(Resolved)
    def _resolved(self, message: Resolved) -> None:
        conflict = message.conflict
        self.notify(one_line(f"Conflict on #{conflict.ticket} ({conflict.field}) marked resolved", 200), markup=False)
        self.load()
        self.app.read_sync_status()

    def action_back(self) -> None:
        self.dismiss()
